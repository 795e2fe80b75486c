"""docs/RELIABILITY.md, the third adversarial pass (cases 43-49): what a hostile pass got into the Trash or lost
outside it after cases 1-42 held. Real files, the real trash in the tests' temporary XDG_DATA_HOME, the real CLI."""

from __future__ import annotations

import json
import os
import stat

from photodedup.core.trash.journal import Journal
from photodedup.core.trash.safe_trash import TrashGroup, restore, trash_groups
from test_deleting import as_scanned, photo


def test_case_43_restore_refuses_a_link_standing_at_the_original_path(tmp_path):
    keeper, copy = photo(tmp_path / "keep.jpg", 95), photo(tmp_path / "copy.jpg", 70)
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    assert outcome.status == "trashed"
    in_trash = next(r.location for r in Journal().records() if r.path == str(copy))
    os.symlink(in_trash, copy)  # a "link to it" made from the file manager's Trash view
    restored, = restore(last=True)
    assert restored.status != "restored", restored
    assert os.path.isfile(in_trash) and not os.path.islink(in_trash), "the photo in the Trash is still there"
    assert os.path.islink(copy), "the link the person made is left alone"


def test_case_44_a_report_never_replaces_a_photo_a_device_or_a_link(tmp_path, library):
    from test_wrong_trash import photodedup

    photo_before = library["original"].read_bytes()
    named_photo = photodedup("scan", str(library["original"].parent), "--json", str(library["original"]), "--quiet")
    assert named_photo.returncode == 2 and "not a text report" in named_photo.stderr, named_photo.stderr
    assert library["original"].read_bytes() == photo_before
    as_csv = photodedup("scan", str(library["original"].parent), "--csv", str(library["original"]), "--quiet")
    assert as_csv.returncode == 2 and library["original"].read_bytes() == photo_before

    notes = tmp_path / "elsewhere" / "notes.json"
    notes.parent.mkdir()
    notes.write_text("{}\n")
    link = tmp_path / "report-link.json"
    link.symlink_to(os.path.relpath(notes, tmp_path))  # a relative link: written through, not replaced
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    through_link = photodedup("scan", str(library["original"].parent), "--json", str(link), "--quiet")
    assert through_link.returncode == 0, through_link.stderr
    assert link.is_symlink() and '"groups"' in notes.read_text()
    nobody_reads = photodedup("scan", str(library["original"].parent), "--json", str(fifo), "--quiet")
    assert nobody_reads.returncode == 1 and "cannot write" in nobody_reads.stderr, nobody_reads.stderr
    assert fifo.is_fifo()
    device = tmp_path / "null"  # a private /dev/null: a regression must not break the real one
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return  # only root may make a device node; the FIFO above took the same path
    to_device = photodedup("scan", str(library["original"].parent), "--json", str(device), "--quiet")
    assert to_device.returncode == 0 and stat.S_ISCHR(os.stat(device).st_mode), to_device.stderr


def test_case_45_a_video_or_its_sidecar_never_goes_with_a_photo_that_only_shares_its_name(tmp_path):
    from metadata_files import quicktime_clip

    keeper = photo(tmp_path / "photos" / "bridge.jpg", 95)
    frame = photo(tmp_path / "videos" / "clip.jpg", 70)  # a frame exported from the video
    video = tmp_path / "videos" / "clip.mov"
    video.write_bytes(quicktime_clip(120, padding=100_000))  # two minutes, with Apple's key: not a Live Photo
    other_frame = photo(tmp_path / "videos" / "walk.jpg", 60)
    (tmp_path / "videos" / "walk.mp4").write_bytes(b"a video")
    sidecar = tmp_path / "videos" / "walk.xmp"  # the video's sidecar (NAME.xmp)
    sidecar.write_bytes(b"<x:xmpmeta/>")
    outcomes = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(frame), as_scanned(other_frame)])])
    by_name = {os.path.basename(o.path): o.status for o in outcomes}
    assert by_name["clip.jpg"] == by_name["walk.jpg"] == "trashed"
    assert video.exists() and "clip.mov" not in by_name
    assert sidecar.exists() and by_name.get("walk.xmp") in (None, "skipped")


def _report_entry(path) -> dict:
    from photodedup.core.analyse.exact import hash_file

    status = path.stat()
    return {"path": str(path), "size": status.st_size, "mtime_ns": status.st_mtime_ns, "content_hash": hash_file(str(path))}


def test_case_46_a_file_absent_while_a_report_is_checked_is_refused_not_passed_on(tmp_path):
    from conftest import jpeg_bytes, sample
    from test_wrong_trash import scan_report, write_report

    from photodedup.core.trash.report_plan import read_trash_plan

    folder = tmp_path / "photos"
    keeper = photo(folder / "cat.jpg", 95)
    unique = folder / "coffee.jpg"
    unique.write_bytes(jpeg_bytes(sample("coffee")))
    data = scan_report(tmp_path, str(folder))
    forged = {**data, "groups": [{"files": [{**_report_entry(keeper), "keeper": True},
                                            {**_report_entry(unique), "keeper": False}]}]}
    report = write_report(tmp_path, forged)
    away = tmp_path / "coffee.jpg.syncing"
    os.rename(unique, away)  # a sync client's atomic save, just while the plan is read
    plan = read_trash_plan(report)
    os.rename(away, unique)
    assert [o.path for o in plan.refused] == [str(unique)] and plan.refused[0].status == "skipped"
    assert all(str(unique) not in [f.path for f in g.remove] for g in plan.groups)
    trash_groups(plan.groups, policy=plan.policy)
    assert unique.exists() and keeper.exists()


def test_case_47_a_report_that_keeps_only_a_thumbnail_never_trashes_the_original(tmp_path):
    from PIL import Image
    from test_wrong_trash import photodedup, scan_report, write_report

    folder = tmp_path / "photos"
    original = photo(folder / "cat.jpg", 95)
    thumbnail = folder / "cat_thumb.jpg"
    with Image.open(original) as image:
        image.thumbnail((100, 100))
        image.save(thumbnail, quality=90)
    data = scan_report(tmp_path, str(folder))
    kinds = [g.get("kind") for g in data["groups"]]
    assert kinds == ["copies"], "the scan must see the thumbnail as a copy for this test to mean anything"
    edited = {**data, "groups": [{"files": [{**_report_entry(thumbnail), "keeper": True},
                                            {**_report_entry(original), "keeper": False}]}]}
    done = photodedup("trash", write_report(tmp_path, edited), "--apply")
    assert original.exists() and "holds more of the picture" in done.stdout, done.stdout + done.stderr
    as_scanned_report = photodedup("trash", write_report(tmp_path, data, "as-scanned.json"), "--apply")
    assert as_scanned_report.returncode == 0 and original.exists() and not thumbnail.exists(), as_scanned_report.stdout


def _member(path, keeper=False):
    from photodedup.core.analyse.exact import hash_file
    from photodedup.core.models import GroupMember, ImageFile, ImageInfo

    from PIL import Image

    status = path.stat()
    with Image.open(path) as image:
        width, height = image.size
    info = ImageInfo(ImageFile(str(path), status.st_size, status.st_mtime_ns, 0, 0), width, height, "JPEG",
                     hash_file(str(path)))
    return GroupMember(info, keeper=keeper)


def test_case_48_keeping_a_photo_in_its_copies_group_takes_back_its_mark_among_similar_shots(tmp_path):
    from conftest import jpeg_bytes, sample

    from photodedup.core.models import Group
    from photodedup.core.review.choices import Review
    from photodedup.core.review.policy import TrashPolicy

    original, copy = photo(tmp_path / "K_original.jpg", 95), photo(tmp_path / "C_copy.jpg", 60)
    other_shot = tmp_path / "S_other_shot.jpg"
    other_shot.write_bytes(jpeg_bytes(sample("coffee")))
    copies = Group([_member(original, True), _member(copy)], kind="copies")
    similar = Group([_member(original, True), _member(other_shot)], kind="similar")
    policy = TrashPolicy((), (str(tmp_path),))
    review = Review([copies, similar], policy)
    copies_choice = next(c for c in review.choices if c.group.kind == "copies")
    similar_choice = next(c for c in review.choices if c.group.kind == "similar")
    review.set_keeper(copies_choice, str(copy))  # "Keep this one" on the copy
    assert review.toggle(similar_choice, str(original)) is None  # then mark the original among similar shots
    review.set_keeper(copies_choice, str(original))  # and change one's mind: keep the original after all
    assert str(original) not in similar_choice.marked, "a kept photo is marked nowhere"
    for _ in range(2):  # Move to Trash, twice, as the window does
        outcomes = trash_groups(review.trash_plan(), policy=policy)
        review.forget([o.path for o in outcomes if o.status == "trashed"])
    assert original.exists() and other_shot.exists()


def test_case_49_a_protected_folder_named_through_a_link_protects_what_the_scan_saw(tmp_path):
    from test_wrong_trash import photodedup, write_report

    library = tmp_path / "lib"
    protected = photo(library / "archive2024" / "cat.jpg", 95)
    copy = photo(library / "downloads" / "cat.jpg", 90)
    (library / "archive2025").mkdir()
    link = library / "Originals"
    link.symlink_to("archive2024")
    report = tmp_path / "report.json"
    done = photodedup("scan", str(library), "--protect", str(link), "--json", str(report), "--quiet")
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    assert str(library / "archive2024") in data["settings"]["protected"]
    for group in data["groups"]:  # the person hand-marks the protected file, keeping the other
        for entry in group["files"]:
            entry["keeper"] = entry["path"] == str(copy)
    link.unlink()
    link.symlink_to("archive2025")  # the yearly roll-over, between the scan and the trash
    done = photodedup("trash", write_report(tmp_path, data), "--apply")
    assert protected.exists() and copy.exists(), done.stdout + done.stderr


def test_case_46_a_report_whose_kept_file_is_gone_says_so(tmp_path):
    from test_wrong_trash import scan_report, write_report

    from photodedup.core.trash.report_plan import read_trash_plan

    folder = tmp_path / "photos"
    keeper, copy = photo(folder / "cat.jpg", 95), photo(folder / "cat_q60.jpg", 60)
    data = scan_report(tmp_path, str(folder))
    report = write_report(tmp_path, data)
    os.rename(keeper, tmp_path / "moved-away.jpg")  # trashed or moved since the scan
    plan = read_trash_plan(report)
    assert plan.groups == [] and [o.path for o in plan.refused] == [str(copy)]
    assert "cat.jpg, is not as the scan saw it (gone" in plan.refused[0].reason, plan.refused[0].reason


def test_case_45_a_photo_whose_sidecar_cannot_be_read_stays_with_it(tmp_path, monkeypatch):
    keeper, copy = photo(tmp_path / "keep.jpg", 95), photo(tmp_path / "copy.jpg", 70)
    sidecar = tmp_path / "copy.jpg.xmp"
    sidecar.write_text('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
    real_open = open

    def unreadable(path, *args, **kwargs):  # chmod 000 does not stop root, who runs CI: refuse the read here
        if os.fspath(path) == str(sidecar):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", unreadable)
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    monkeypatch.undo()
    assert outcome.status == "skipped" and "copy.jpg.xmp can't be read" in outcome.reason, outcome
    assert copy.exists() and sidecar.exists()


def test_case_31_the_keepers_measure_opens_files_with_every_guard_of_the_scan(tmp_path):
    import threading

    from photodedup.core.analyse.cache import Cache
    from photodedup.core.match.measures import KeeperFacts, keeper_facts

    fifo = tmp_path / "a.jpg"  # what the cache knew as a photo is now a FIFO nobody writes to
    os.mkfifo(fifo)
    postscript = tmp_path / "b.jpg"  # or a PostScript program that never ends
    postscript.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 200 200\n%%EndComments\n{ } loop\n%%EOF\n")
    answers = []
    with Cache(tmp_path / "cache", "test-model") as cache:
        worker = threading.Thread(target=lambda: answers.extend(
            keeper_facts(str(path), f"hash-{path.name}", cache) for path in (fifo, postscript)), daemon=True)
        worker.start()
        worker.join(20)
    assert not worker.is_alive(), "measuring a FIFO or a PostScript file must not hang the scan"
    assert answers == [KeeperFacts(), KeeperFacts()]


def test_case_35_tags_are_not_read_from_a_huge_png_text_chunk_nor_a_fifo(tmp_path):
    import io
    import struct
    import time
    import zlib

    from conftest import sample

    from photodedup.core.analyse.photo_tags import read_tags

    buffer = io.BytesIO()
    sample("coffee").save(buffer, "PNG")
    data = buffer.getvalue()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + b"<k>keyword</k>" * 400_000 + b"</x:xmpmeta>"  # 6 MB
    payload = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp
    chunk = struct.pack(">I", len(payload)) + b"iTXt" + payload + struct.pack(">I", zlib.crc32(b"iTXt" + payload))
    huge = tmp_path / "export.png"
    huge.write_bytes(data[:33] + chunk + data[33:])
    started = time.monotonic()
    assert read_tags(str(huge)).is_empty() and time.monotonic() - started < 2
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    assert read_tags(str(fifo)).is_empty(), "a FIFO put where a photo was is not read (nor waited on)"

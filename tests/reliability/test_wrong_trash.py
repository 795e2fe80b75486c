"""docs/RELIABILITY.md, Never the wrong file (cases 21-25): protected files, the Trash itself,
two trashes at once, symbolic links, forged reports. Real files, the real model through the
real command line, the real trash in the tests' temporary XDG_DATA_HOME, real processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import jpeg_bytes, sample, trash_dir

from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.journal import Journal, TrashBusy
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.analyse.scan import scan_roots
from photodedup.core.trash.safe_trash import TrashGroup, trash_groups
from test_deleting import as_scanned, photo


def photodedup(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photodedup", *args], capture_output=True, text=True, timeout=timeout)


def scan_report(tmp_path: Path, *args: str) -> dict:
    report = tmp_path / "report.json"
    done = photodedup("scan", *args, "--json", str(report), "--quiet")  # the user's cache, which trash reads
    assert done.returncode == 0, done.stderr
    return json.loads(report.read_text())


def write_report(tmp_path: Path, data: dict, name: str = "edited.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def copies_of_the_cat(folder: Path, qualities=(95, 70)) -> list[Path]:
    return [photo(folder / f"cat_q{q}.jpg", q) for q in qualities]


def test_case_21_protected_files_are_never_marked_nor_trashed(tmp_path):
    """Two copies inside a protected folder, reached through a symlinked name, with keeper rules
    that leave "protected" out: both stay "keeper": true, and trash refuses them however the
    report is edited, from its own settings or from --protect."""
    originals = copies_of_the_cat(tmp_path / "photos" / "originals")
    export = photo(tmp_path / "photos" / "export" / "cat.jpg", 60)
    (tmp_path / "mine").symlink_to(tmp_path / "photos" / "originals")
    data = scan_report(tmp_path, str(tmp_path / "photos"), "--protect", str(tmp_path / "mine"),
                       "--keeper-rules", "pixels,largest-file")
    (group,) = data["groups"]
    flags = {f["path"]: f["keeper"] for f in group["files"]}
    assert flags == {str(originals[0]): True, str(originals[1]): True, str(export): False}
    assert all("protected" in f["kept_because"] for f in group["files"] if f["path"] != str(export))

    for file in group["files"]:  # someone marks everything but the export
        file["keeper"] = file["path"] == str(export)
    edited = write_report(tmp_path, data)
    done = photodedup("trash", edited, "--apply")
    assert done.returncode == 1 and done.stdout.count("protected folder") == 2, done.stdout
    assert all(p.exists() for p in originals)

    data["settings"]["protected"] = []  # ... and drops the protection from the report too
    edited = write_report(tmp_path, data)
    done = photodedup("trash", edited, "--apply", "--protect", str(tmp_path / "mine"))
    assert done.returncode == 1 and done.stdout.count("protected folder") == 2, done.stdout
    assert all(p.exists() for p in originals) and not list((trash_dir() / "files").glob("*"))


def test_case_22_the_trash_is_never_scanned_and_nothing_in_it_is_trashed(tmp_path):
    home = Path(os.environ["XDG_DATA_HOME"]).parent
    pictures = copies_of_the_cat(home / "Pictures", (90,))
    in_trash = photo(trash_dir() / "files" / "cat.jpg", 95)
    (trash_dir() / "info").mkdir(parents=True)
    volume_trash = photo(home / "disk" / ".Trash-1000" / "files" / "cat.jpg", 95)
    files, problems = scan_roots([str(home)])
    assert [f.path for f in files] == [str(pictures[0])]
    skipped = {p.path for p in problems if "trash folder" in p.reason}
    assert str(trash_dir()) in skipped and str(volume_trash.parent.parent) in skipped

    # Even named in a plan, a file in a trash folder never goes (and the photo it copies stays).
    outcomes = trash_groups([TrashGroup([as_scanned(pictures[0])], [as_scanned(in_trash)]),
                             TrashGroup([as_scanned(in_trash)], [as_scanned(pictures[0])])])
    assert [o.status for o in outcomes] == ["skipped", "skipped"]
    assert "trash folder" in outcomes[0].reason and pictures[0].exists() and in_trash.exists()


def test_case_23_two_trashes_at_once_never_trash_both_copies(tmp_path):
    """Two real processes apply reports with opposite keepers, again and again: one of the two
    copies always stays, and every journal id is unique."""
    folder = tmp_path / "photos"
    first, second = copies_of_the_cat(folder)
    saved = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (first, second)}
    data = scan_report(tmp_path, str(folder))
    opposite = json.loads(json.dumps(data))
    for file in opposite["groups"][0]["files"]:
        file["keeper"] = not file["keeper"]
    reports = [write_report(tmp_path, data, "a.json"), write_report(tmp_path, opposite, "b.json")]
    both_gone = busy = 0
    for _ in range(6):
        runs = [subprocess.Popen([sys.executable, "-m", "photodedup", "trash", r, "--apply"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for r in reports]
        results = [run.communicate(timeout=120) for run in runs]
        busy += sum("another photodedup" in err for _, err in results)
        both_gone += not first.exists() and not second.exists()
        for path, (data_bytes, mtime_ns) in saved.items():  # put the photo back as it was scanned
            if not path.exists():
                path.write_bytes(data_bytes)
                os.utime(path, ns=(mtime_ns, mtime_ns))
    assert both_gone == 0
    ids = [r.id for r in Journal().records()]
    assert len(ids) == len(set(ids)) and len(ids) >= 6
    assert busy + len(ids) >= 6  # each round, one trashed its copy or was told the other was busy


def test_case_23_a_second_trash_is_refused_while_one_runs(tmp_path):
    keeper, copy = copies_of_the_cat(tmp_path)
    journal = Journal()
    with journal.exclusive():  # another process would hold this same lock file
        holder = subprocess.run([sys.executable, "-c", (
            "import sys; from photodedup.core.trash.journal import Journal, TrashBusy\n"
            "try:\n with Journal().exclusive(): sys.exit(0)\n"
            "except TrashBusy as e: print(e); sys.exit(3)")], capture_output=True, text=True, timeout=60)
        assert holder.returncode == 3 and "another photodedup" in holder.stdout
        with pytest.raises(TrashBusy):
            trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    assert copy.exists() and journal.records() == []


def test_case_23_journal_ids_are_unique_across_processes(tmp_path):
    writer = ("import sys; from photodedup.core.trash.journal import Journal\n"
              "j = Journal()\n"
              "for n in range(40):\n"
              "    i = j.begin('b', f'/p/{sys.argv[1]}-{n}.jpg', 1, 'ab')\n"
              "    j.finish(i, 'trashed', None)\n")
    runs = [subprocess.Popen([sys.executable, "-c", writer, str(k)]) for k in range(4)]
    assert all(run.wait(timeout=120) == 0 for run in runs)
    records = Journal().records()
    assert len(records) == 160 and len({r.id for r in records}) == 160
    assert all(r.state == "trashed" for r in records)


def test_case_24_symlinked_folders_are_not_followed_and_never_trashed_through(tmp_path):
    root = tmp_path / "photos"
    keeper = photo(root / "cat.jpg", 95)
    elsewhere = copies_of_the_cat(tmp_path / "elsewhere", (70,))[0]
    (root / "linked").symlink_to(tmp_path / "elsewhere")
    files, problems = scan_roots([str(root)])
    assert [f.path for f in files] == [str(keeper)]
    assert [p.path for p in problems] == [str(root / "linked")] and "not followed" in problems[0].reason
    followed, _ = scan_roots([str(root)], follow_symlinks=True)
    assert {f.path for f in followed} == {str(keeper), str(root / "linked" / elsewhere.name)}

    policy = TrashPolicy(roots=(str(root),))
    through_link = root / "linked" / elsewhere.name
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(through_link)])], policy=policy)
    assert outcome.status == "skipped" and "outside the scanned folders" in outcome.reason and elsewhere.exists()
    protected_elsewhere = TrashPolicy(protected=(str(tmp_path / "elsewhere"),))
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(through_link)])],
                            policy=protected_elsewhere)
    assert outcome.status == "skipped" and "protected" in outcome.reason and elsewhere.exists()


def test_case_25_a_forged_report_is_refused(tmp_path):
    folder = tmp_path / "photos"
    keeper, copy = copies_of_the_cat(folder)
    (folder / "coffee.jpg").write_bytes(jpeg_bytes(sample("coffee")))
    data = scan_report(tmp_path, str(folder))
    (group,) = data["groups"]
    template = next(f for f in group["files"] if f["path"] == str(copy))

    outside = tmp_path / "outside" / "cat.jpg"  # outside every scanned folder
    outside.parent.mkdir()
    shutil.copy2(copy, outside)
    coffee = folder / "coffee.jpg"  # scanned, but not a copy of the cat
    forged = json.loads(json.dumps(data))
    forged["groups"][0]["files"] += [
        {**template, "path": str(outside)},
        {**template, "path": str(coffee), "size": coffee.stat().st_size, "mtime_ns": coffee.stat().st_mtime_ns,
         "content_hash": hash_file(str(coffee))},
    ]
    done = photodedup("trash", write_report(tmp_path, forged), "--apply")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if line.strip().startswith(("skipped", "trashed"))}
    assert "outside the scanned folders" in lines[str(outside)]
    assert "not a copy" in lines[str(coffee)]
    assert lines[str(copy)].strip().startswith("trashed")
    assert outside.exists() and coffee.exists() and keeper.exists() and not copy.exists()

    no_hash = json.loads(json.dumps(data))
    del no_hash["groups"][0]["files"][0]["content_hash"]
    done = photodedup("trash", write_report(tmp_path, no_hash), "--apply")
    assert done.returncode == 2 and "content_hash" in done.stderr

    no_roots = json.loads(json.dumps(data))
    del no_roots["settings"]["roots"]
    done = photodedup("trash", write_report(tmp_path, no_roots), "--apply")
    assert done.returncode == 2 and "which folders were scanned" in done.stderr


@pytest.mark.parametrize("text", ['{"version": 1, "groups": [{"files": [{"path": "/a", "size": 1e400}]}]}',
                                  "[" * 100_000 + "]" * 100_000,
                                  '{"version": 1, "settings": {"roots": ["/"]}, "groups": [{"files": '
                                  '[{"path": "/a\\u0000b", "size": 1, "mtime_ns": 1, "keeper": false}]}]}'])
def test_case_25_malformed_values_are_a_clear_error(tmp_path, text):
    report = tmp_path / "odd.json"
    report.write_text(text)
    done = photodedup("trash", str(report), "--apply")
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.startswith("photodedup trash:")


# -- found by an adversarial pass -----------------------------------------------------------

def mounted(kind: str, source: Path, target: Path, options: str = "") -> bool:
    """Mount (tests run as root here); False where this machine does not allow it."""
    target.mkdir(parents=True, exist_ok=True)
    command = ["mount", "--bind", str(source), str(target)] if kind == "bind" else \
        ["mount", "-t", kind, kind, "-o", options, str(target)]
    return subprocess.run(command, capture_output=True).returncode == 0


def test_case_22_a_trash_reached_as_a_root_through_a_link_or_in_a_snap_is_never_scanned(tmp_path):
    home = tmp_path  # only the real trash is in $XDG_DATA_HOME
    pictures = home / "Pictures"
    live = photo(pictures / "cat.jpg", 90)
    photo(trash_dir() / "files" / "cat.jpg", 95)
    (trash_dir() / "info").mkdir(parents=True)
    snap_trash = home / "snap" / "app" / "7" / ".local" / "share" / "Trash"
    photo(snap_trash / "files" / "cat.jpg", 95)
    (snap_trash / "info").mkdir()
    (pictures / "binned").symlink_to(trash_dir() / "files")
    roots = [str(pictures), str(trash_dir() / "files"), str(pictures / "binned"), str(home / "snap")]
    for follow in (False, True):
        files, _ = scan_roots(roots, follow_symlinks=follow)
        assert [f.path for f in files] == [str(live)]


def test_case_22_a_kept_file_in_the_trash_or_outside_the_roots_does_not_count(tmp_path):
    root = tmp_path / "photos"
    copy = photo(root / "cat.jpg", 90)
    in_trash = photo(trash_dir() / "files" / "cat.jpg", 90)
    outside = photo(tmp_path / "elsewhere" / "cat.jpg", 90)
    policy = TrashPolicy(roots=(str(root),))
    for kept in (in_trash, outside):
        outcome, = trash_groups([TrashGroup([as_scanned(kept)], [as_scanned(copy)])], policy=policy)
        assert outcome.status == "skipped" and "stays where a person finds it" in outcome.reason
    assert copy.exists()


def test_case_21_protection_holds_through_a_bind_mount_and_link_dotdot(tmp_path):
    originals = copies_of_the_cat(tmp_path / "photos" / "originals", (95,))[0]
    (tmp_path / "photos" / "sub").mkdir()
    (tmp_path / "photos" / "link").symlink_to(tmp_path / "photos" / "originals" / "deeper", target_is_directory=True)
    (tmp_path / "photos" / "originals" / "deeper").mkdir()
    policy = TrashPolicy(protected=(str(tmp_path / "photos" / "originals"),))
    assert policy.is_protected(f"{tmp_path}/photos/link/../{originals.name}")  # the kernel's reading of ".."
    mount_point = tmp_path / "view"
    if not mounted("bind", tmp_path / "photos" / "originals", mount_point):
        pytest.skip("bind mounts are not allowed here")
    try:
        assert policy.is_protected(str(mount_point / originals.name))
        keeper = photo(tmp_path / "photos" / "sub" / "cat.jpg", 80)
        outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(mount_point / originals.name)])],
                                policy=policy)
        assert outcome.status == "skipped" and "protected" in outcome.reason and originals.exists()
    finally:
        subprocess.run(["umount", str(mount_point)])


def test_case_02_one_file_seen_through_two_mounts_is_one_file(tmp_path):
    lower, upper, work, view = (tmp_path / n for n in ("lower", "upper", "work", "view"))
    original = copies_of_the_cat(lower, (90,))[0]
    upper.mkdir(), work.mkdir()
    if not mounted("overlay", tmp_path, view, f"lowerdir={lower},upperdir={upper},workdir={work}"):
        pytest.skip("overlay mounts are not allowed here")
    try:
        seen_twice = view / original.name  # another device number, the same inode number
        files, problems = scan_roots([str(lower), str(view)])
        assert [f.path for f in files] == [str(original)] and "another mount" in problems[0].reason
        outcome, = trash_groups([TrashGroup([as_scanned(seen_twice)], [as_scanned(original)])])
        assert outcome.status == "skipped" and "same file as the kept" in outcome.reason
        assert original.exists() and seen_twice.read_bytes() == original.read_bytes()
    finally:
        subprocess.run(["umount", str(view)])


def test_case_03_a_file_swapped_during_the_move_is_put_back(tmp_path):
    from send2trash import send2trash

    keeper, copy = copies_of_the_cat(tmp_path)
    unique = jpeg_bytes(sample("astronaut"))

    def swapped_just_before_the_move(path: str) -> None:
        Path(path).write_bytes(unique)  # after every check, before the move
        send2trash(path)

    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], send=swapped_just_before_the_move)
    assert outcome.status == "failed" and "not the file that was checked" in outcome.reason
    assert copy.read_bytes() == unique and not list((trash_dir() / "files").iterdir())


def test_case_25_an_unrelated_photo_or_a_cache_the_report_names_is_not_evidence(tmp_path):
    folder = tmp_path / "photos"
    (folder).mkdir()
    coffee = folder / "coffee.jpg"
    coffee.write_bytes(jpeg_bytes(sample("coffee")))
    astronaut = sample("astronaut")
    crop = folder / "astronaut-crop.jpg"
    crop.write_bytes(jpeg_bytes(astronaut.crop((64, 64, 448, 448))))
    data = scan_report(tmp_path, str(folder))
    entry = {f: {"path": str(f), "size": f.stat().st_size, "mtime_ns": f.stat().st_mtime_ns,
                 "content_hash": hash_file(str(f))} for f in (coffee, crop)}
    forged = {**data, "groups": [{"files": [{**entry[coffee], "keeper": True}, {**entry[crop], "keeper": False}]}]}
    forged["settings"]["threshold"] = 0.8
    done = photodedup("trash", write_report(tmp_path, forged), "--apply")
    assert done.returncode == 1 and "not a copy" in done.stdout and crop.exists(), done.stdout

    other_cache = tmp_path / "their-cache"  # the scan's cache is elsewhere; the report names one
    done = photodedup("scan", str(folder), "--cache-dir", str(other_cache), "--json", str(tmp_path / "r.json"), "--quiet")
    assert done.returncode == 0
    named = json.loads((tmp_path / "r.json").read_text())
    named["groups"] = forged["groups"]
    named["settings"]["cache_dir"] = str(other_cache)
    done = photodedup("trash", write_report(tmp_path, named), "--apply")
    assert "not a copy" in done.stdout and crop.exists()

    dotted = json.loads(json.dumps(data))
    dotted["groups"] = [{"files": [{**entry[coffee], "keeper": True},
                                   {**entry[crop], "path": f"{folder}/../photos/{crop.name}", "keeper": False}]}]
    done = photodedup("trash", write_report(tmp_path, dotted), "--apply")
    assert done.returncode == 2 and "normalised" in done.stderr


def test_case_06_a_read_only_drive_is_named_as_such(tmp_path):
    keeper = photo(tmp_path / "keep.jpg", 95)
    copy = photo(tmp_path / "drive" / "copy.jpg", 70)
    view = tmp_path / "mounted"
    if not mounted("bind", tmp_path / "drive", view):
        pytest.skip("bind mounts are not allowed here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True).returncode:
            pytest.skip("read-only remounts are not allowed here")
        outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(view / "copy.jpg")])])
        assert outcome.status == "failed" and outcome.trash_unavailable and "read-only" in outcome.reason
        assert copy.exists()
    finally:
        subprocess.run(["umount", str(view)])


def test_case_21_a_protected_folder_spelled_oddly_in_a_report_still_protects(tmp_path):
    folder = tmp_path / "photos"
    keeper, copy = copies_of_the_cat(folder / "orig")
    other = photo(folder / "other" / "cat.jpg", 60)
    data = scan_report(tmp_path, str(folder))
    (group,) = data["groups"]
    for file in group["files"]:
        file["keeper"] = file["path"] == str(other)
    for spelling in (f"{folder}/orig/", f"{folder}/other/../orig", f"{folder}//orig"):
        data["settings"]["protected"] = [spelling]
        done = photodedup("trash", write_report(tmp_path, data), "--apply")
        assert "protected folder" in done.stdout and keeper.exists() and copy.exists(), (spelling, done.stdout)
    data["settings"]["protected"] = [42]
    done = photodedup("trash", write_report(tmp_path, data), "--apply")
    assert done.returncode == 2 and "protected folders" in done.stderr and keeper.exists()

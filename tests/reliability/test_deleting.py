"""docs/RELIABILITY.md, Deleting (cases 1-8): against the real freedesktop trash in a temporary
XDG_DATA_HOME, on real files."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest
from conftest import jpeg_bytes, sample

from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.journal import Journal
from photodedup.core.trash.safe_trash import ScannedFile, TrashGroup, restore, trash_groups


def photo(path: Path, quality: int = 90) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(sample("chelsea"), quality))
    return path


def as_scanned(path: Path) -> ScannedFile:
    status = path.stat()
    return ScannedFile(str(path), status.st_size, status.st_mtime_ns, hash_file(str(path)))


def in_trash(outcome) -> bool:
    return outcome.location is not None and os.path.isfile(outcome.location)


def test_case_01_every_member_selected_is_refused_and_nothing_touched(tmp_path):
    files = [photo(tmp_path / f"{n}.jpg", 90 - n) for n in range(3)]
    before = {f: f.read_bytes() for f in files}
    outcomes = trash_groups([TrashGroup(keep=[], remove=[as_scanned(f) for f in files])])
    assert [o.status for o in outcomes] == ["skipped"] * 3
    assert all("at least one must stay" in o.reason for o in outcomes)
    assert {f: f.read_bytes() for f in files} == before
    assert Journal().records() == []


def test_case_02_a_second_path_to_the_keeper_is_never_trashed(tmp_path):
    keeper = photo(tmp_path / "photos" / "cat.jpg")
    hard_link = tmp_path / "other" / "cat-link.jpg"
    hard_link.parent.mkdir()
    os.link(keeper, hard_link)
    (tmp_path / "via").symlink_to(tmp_path / "photos")
    through_symlink = tmp_path / "via" / "cat.jpg"
    for second_path in (hard_link, through_symlink):
        outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(second_path)])])
        assert outcome.status == "skipped" and "same file as the kept" in outcome.reason
    assert keeper.read_bytes() == hard_link.read_bytes() and keeper.stat().st_nlink == 2


def test_case_03_changed_copies_are_skipped_and_a_changed_keeper_skips_its_group(tmp_path):
    keeper = photo(tmp_path / "keep.jpg")
    grown, touched, rewritten = (photo(tmp_path / f"{n}.jpg", 70) for n in ("grown", "touched", "rewritten"))
    scanned = {p: as_scanned(p) for p in (keeper, grown, touched, rewritten)}
    with open(grown, "ab") as handle:
        handle.write(b"more")
    os.utime(touched, ns=(scanned[touched].mtime_ns + 5 * 10**9,) * 2)
    data = bytearray(rewritten.read_bytes())
    data[-20] ^= 0xFF  # same size, content changed, then the mtime is put back
    rewritten.write_bytes(bytes(data))
    os.utime(rewritten, ns=(scanned[rewritten].mtime_ns,) * 2)
    outcomes = trash_groups([TrashGroup([scanned[keeper]], [scanned[p] for p in (grown, touched, rewritten)])])
    assert [o.status for o in outcomes] == ["skipped"] * 3
    assert "size" in outcomes[0].reason and "modified" in outcomes[1].reason and "put back" in outcomes[2].reason
    assert all(p.exists() for p in (grown, touched, rewritten))

    copy = photo(tmp_path / "copy.jpg", 60)
    group = TrashGroup([as_scanned(keeper)], [as_scanned(copy)])
    keeper.write_bytes(b"not the photo any more")
    outcome, = trash_groups([group])
    assert outcome.status == "skipped" and "file to keep" in outcome.reason and copy.exists()
    keeper.unlink()
    outcome, = trash_groups([group])
    assert outcome.status == "skipped" and "gone" in outcome.reason and copy.exists()


def test_case_04_a_file_already_gone_is_reported_and_the_rest_go_on(tmp_path):
    keeper = photo(tmp_path / "keep.jpg")
    gone, present = photo(tmp_path / "gone.jpg", 70), photo(tmp_path / "present.jpg", 60)
    group = TrashGroup([as_scanned(keeper)], [as_scanned(gone), as_scanned(present)])
    gone.unlink()
    first, second = trash_groups([group])
    assert first.status == "skipped" and first.reason.startswith("gone")
    assert second.status == "trashed" and not present.exists() and in_trash(second)
    assert keeper.exists()


def test_case_05_failure_on_the_second_of_three_gives_exact_results(tmp_path):
    from send2trash import send2trash

    keeper = photo(tmp_path / "keep.jpg")
    copies = [photo(tmp_path / f"copy{n}.jpg", 80 - 10 * n) for n in range(3)]
    calls = []

    def flaky_trash(path: str) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        if len(calls) == 3:
            return  # claims success without doing anything
        send2trash(path)

    outcomes = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(c) for c in copies])], send=flaky_trash)
    assert [o.status for o in outcomes] == ["trashed", "failed", "failed"]
    assert "Input/output error" in outcomes[1].reason
    assert "still there" in outcomes[2].reason
    assert not copies[0].exists() and copies[1].exists() and copies[2].exists()
    states = {r.path: r.state for r in Journal().records()}
    assert states == {str(copies[0]): "trashed", str(copies[1]): "failed", str(copies[2]): "failed"}


def test_case_06_trash_unavailable_leaves_the_file_and_says_so(tmp_path):
    from send2trash import TrashPermissionError

    keeper, copy = photo(tmp_path / "keep.jpg"), photo(tmp_path / "copy.jpg", 70)

    def no_trash_on_this_volume(path: str) -> None:  # what send2trash raises on a volume without a trash
        raise TrashPermissionError(path)

    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], send=no_trash_on_this_volume)
    assert outcome.status == "failed" and outcome.trash_unavailable
    assert "left in place" in outcome.reason and "nothing was deleted" in outcome.reason
    assert copy.exists() and copy.read_bytes() == (tmp_path / "copy.jpg").read_bytes()

    # A real read-only volume is not available in a test, a read-only folder is: send2trash
    # cannot move the file out of it, and the file stays.
    locked = tmp_path / "locked"
    inside = photo(locked / "copy.jpg", 60)
    locked.chmod(0o555)
    try:
        outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(inside)])])
        if os.geteuid() != 0:  # root may write anywhere: then the file is trashed, which is also fine
            assert outcome.status == "failed" and "left in place" in outcome.reason and inside.exists()
        else:
            assert outcome.status == "trashed" and in_trash(outcome)
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("name", [
    unicodedata.normalize("NFC", "café été.jpg"),
    unicodedata.normalize("NFD", "café été.jpg"),
    "🐈 cat 📷.jpg",
    "x" * 200 + ".jpg",
])
def test_case_07_odd_names_are_trashed_and_restored(tmp_path, name):
    deep = tmp_path
    for level in range(12):  # a long path: > 2000 characters with the long name
        deep = deep / (f"{level:02d}" + "d" * 150)
    keeper = photo(tmp_path / "keep.jpg")
    copy = photo(deep / name, 70)
    scanned_copy = as_scanned(copy)
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [scanned_copy])])
    assert outcome.status == "trashed" and not copy.exists() and in_trash(outcome)
    assert os.path.basename(outcome.location) == name
    restored, = restore(last=True)
    assert restored.status == "restored" and hash_file(str(copy)) == scanned_copy.content_hash
    assert not os.path.exists(outcome.location)


def test_case_07_read_only_photo_is_trashed_or_gets_a_clear_error(tmp_path):
    keeper, copy = photo(tmp_path / "keep.jpg"), photo(tmp_path / "copy.jpg", 70)
    copy.chmod(0o444)
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    if outcome.status == "trashed":
        assert not copy.exists() and in_trash(outcome)
    else:
        assert outcome.status == "failed" and "read-only" in outcome.reason and copy.exists()


def test_case_08_the_journal_is_written_before_the_trash_call_and_lists_what_to_restore(tmp_path):
    keeper = photo(tmp_path / "keep.jpg")
    copies = [photo(tmp_path / f"copy{n}.jpg", 80 - 10 * n) for n in range(2)]
    journal = Journal()
    seen_in_journal = []

    def trash_after_checking_the_journal(path: str) -> None:
        # What a crash right now would leave on disk: the entry must already be there.
        records = Journal(journal.path).records()
        seen_in_journal.append([(r.path, r.state) for r in records if r.path == path])
        from send2trash import send2trash
        send2trash(path)

    scanned = [as_scanned(c) for c in copies]
    trash_groups([TrashGroup([as_scanned(keeper)], scanned)], journal, send=trash_after_checking_the_journal)
    assert seen_in_journal == [[(str(c), "pending")] for c in copies]
    records = journal.records()
    assert [(r.path, r.size, r.content_hash, r.state) for r in records] == [
        (s.path, s.size, s.content_hash, "trashed") for s in scanned]
    assert all(r.location and os.path.isfile(r.location) for r in records)

    # A crash mid-write leaves a torn last line: the journal still reads, and appends go on.
    with open(journal.path, "a", encoding="utf-8") as handle:
        handle.write('{"event": "trashing", "id": 99, "pa')
    assert [r.id for r in Journal(journal.path).records()] == [r.id for r in records]
    outcomes = restore([records[0].id], Journal(journal.path))
    assert outcomes[0].status == "restored" and copies[0].exists()
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["event"] == "restored"

    # Restore never overwrites a file that now sits at the original path.
    copies[1].write_bytes(b"a new file with the same name")
    refused, = restore([records[1].id], journal)
    assert refused.status == "refused" and "not overwritten" in refused.reason
    assert copies[1].read_bytes() == b"a new file with the same name" and os.path.isfile(records[1].location)

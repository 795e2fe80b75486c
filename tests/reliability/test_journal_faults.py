"""docs/RELIABILITY.md, Journal and restore (cases 26-30): a damaged journal, a kill -9 between
the trash call and its journal line, the home trash's relative paths, orphan .trashinfo files,
a symlinked keeper, and arguments checked before any work. Real files, the real trash in the
tests' temporary XDG_DATA_HOME, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import trash_dir

from photodedup.core.trash import freedesktop as freedesktop_trash
from photodedup.core.trash.journal import Journal
from photodedup.core.trash.safe_trash import TrashGroup, restore, trash_groups
from test_deleting import as_scanned, photo
from test_wrong_trash import photodedup


def test_case_26_a_damaged_journal_still_lists_restores_and_trashes(tmp_path):
    keeper, first, second = (photo(tmp_path / f"{n}.jpg", q) for n, q in (("keep", 95), ("a", 80), ("b", 70)))
    trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(first)])])
    journal = Journal()
    with open(journal.path, "ab") as handle:  # a torn line with bytes that are not UTF-8, and a
        handle.write(b'{"event": "trashing", "id": 7, "path": "/x\xff\xfe')  # record missing its keys
        handle.write(b'\n{"event": "trashing", "id": 8}\n{"event": "trashed", "id": 8, "location": 5}\n')
    history = photodedup("history")
    assert history.returncode == 0 and str(first) in history.stdout, history.stderr
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(second)])])
    assert outcome.status == "trashed" and outcome.record_id not in (1, 7, 8)
    restored = photodedup("restore", "--last")
    assert restored.returncode == 0 and second.exists(), restored.stdout + restored.stderr
    assert [r.path for r in Journal().records()] == [str(first), str(second)]


KILLED_MID_TRASH = """
import os, signal, sys
from send2trash import send2trash
from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.safe_trash import ScannedFile, TrashGroup, trash_groups

def scanned(path):
    status = os.stat(path)
    return ScannedFile(path, status.st_size, status.st_mtime_ns, hash_file(path))

def trash_then_die(path):
    send2trash(path)
    os.kill(os.getpid(), signal.SIGKILL)  # after the trash call, before the journal says so

trash_groups([TrashGroup([scanned(sys.argv[1])], [scanned(sys.argv[2])])], send=trash_then_die)
"""


def test_case_27_restore_last_after_kill_9_takes_the_file_the_journal_left_pending(tmp_path):
    keeper, earlier, killed = (photo(tmp_path / f"{n}.jpg", q) for n, q in (("keep", 95), ("earlier", 80), ("killed", 70)))
    trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(earlier)])])  # an earlier, unrelated batch
    child = subprocess.run([sys.executable, "-c", KILLED_MID_TRASH, str(keeper), str(killed)], timeout=120)
    assert child.returncode == -9 and not killed.exists()
    assert [r.state for r in Journal().records()] == ["trashed", "pending"]
    done = photodedup("restore", "--last")
    assert done.returncode == 0, done.stdout + done.stderr
    assert killed.exists() and not earlier.exists(), "the pending file comes back, the earlier batch stays"


def test_case_27_a_pending_file_that_never_left_is_reported_and_closed(tmp_path):
    copy = photo(tmp_path / "copy.jpg", 70)
    journal = Journal()
    record_id = journal.begin(journal.new_batch(), str(copy), copy.stat().st_size, as_scanned(copy).content_hash)
    outcome, = restore(last=True)
    assert outcome.status == "refused" and "never left its folder" in outcome.reason and copy.exists()
    assert {r.id: r.state for r in journal.records()} == {record_id: "failed"}


def test_case_28_restore_reads_relative_paths_and_checks_the_content(tmp_path):
    data_home = Path(os.environ["XDG_DATA_HOME"])
    keeper = photo(data_home / "photos" / "keep.jpg", 95)  # under $XDG_DATA_HOME: Path= is relative
    copy, other = photo(data_home / "photos" / "copy.jpg", 70), photo(data_home / "photos" / "other.jpg", 60)
    first, second = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy), as_scanned(other)])])
    info = (trash_dir() / "info" / "copy.jpg.trashinfo").read_text()
    assert "Path=photos/copy.jpg" in info
    restored, = restore([first.record_id])
    assert restored.status == "restored" and copy.exists()

    in_trash = Path(second.location)
    data = bytearray(in_trash.read_bytes())
    data[-10] ^= 0xFF  # same size, other content
    in_trash.write_bytes(bytes(data))
    refused, = restore([second.record_id])
    assert refused.status == "refused" and "content differs" in refused.reason and not other.exists()


def test_case_29_a_failed_move_leaves_no_orphan_trashinfo(tmp_path):
    keeper, copy = photo(tmp_path / "keep.jpg", 95), photo(tmp_path / "copy.jpg", 70)

    def info_written_then_move_fails(path: str) -> None:  # what the system trash does on a failed rename
        info = trash_dir() / "info"
        info.mkdir(parents=True, exist_ok=True)
        (info / "copy.jpg.trashinfo").write_text(f"[Trash Info]\nPath={path}\nDeletionDate=2026-01-01T00:00:00\n")
        raise OSError(5, "Input/output error")

    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], send=info_written_then_move_fails)
    assert outcome.status == "failed" and copy.exists()
    assert list((trash_dir() / "info").iterdir()) == []
    assert freedesktop_trash.locate(str(copy)) is None


def test_case_30_a_symlinked_keeper_is_checked_through_its_link(tmp_path):
    real = photo(tmp_path / "originals" / "cat.jpg", 95)
    (tmp_path / "photos").mkdir()
    keeper = tmp_path / "photos" / "cat-link.jpg"
    keeper.symlink_to(real)
    copy = photo(tmp_path / "photos" / "copy.jpg", 70)
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    assert outcome.status == "trashed", outcome.reason
    assert real.exists() and keeper.exists()


def test_case_30_bad_arguments_are_refused_before_any_work(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "out").mkdir()
    done = photodedup("scan", str(tmp_path / "photos"), "--json", str(tmp_path / "out"))
    assert done.returncode == 2 and "is a folder" in done.stderr
    done = photodedup("scan", str(tmp_path / "photos"), "--protect", str(tmp_path / "typo"))
    assert done.returncode == 2 and "typo does not exist" in done.stderr


def test_case_28_restore_finds_the_right_one_of_two_trashed_files_from_one_path(tmp_path):
    keeper = photo(tmp_path / "keep.jpg", 95)
    copy = photo(tmp_path / "copy.jpg", 70)
    first, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    photo(copy, 50)  # another file at the same path, trashed after it
    trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    restored, = restore([first.record_id])
    assert restored.status == "restored", restored.reason
    assert as_scanned(copy).content_hash == Journal().records()[0].content_hash


def test_case_28_a_relative_path_through_another_volume_is_read(tmp_path):
    info = tmp_path / "x.trashinfo"
    info.write_text("[Trash Info]\nPath=../../home/me/Pictures/usb/x.jpg\nDeletionDate=2026-01-01T00:00:00\n")
    assert freedesktop_trash.read_trashinfo(info, "/media/usb")[0] == "/home/me/Pictures/usb/x.jpg"


def test_case_28_a_restore_stopped_between_link_and_unlink_finishes(tmp_path):
    keeper, copy = photo(tmp_path / "keep.jpg", 95), photo(tmp_path / "copy.jpg", 70)
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    os.link(outcome.location, copy)  # what a kill between the two steps of move_back leaves
    restored, = restore([outcome.record_id])
    assert restored.status == "restored" and copy.exists() and not os.path.exists(outcome.location)


def test_case_26_a_journal_folder_that_cannot_be_written_is_a_message(tmp_path):
    data_home = Path(os.environ["XDG_DATA_HOME"])
    (data_home / "photodedup").write_text("a file where the folder should be")
    done = photodedup("restore", "--last")
    assert done.returncode == 1 and "cannot be written" in done.stderr and "Traceback" not in done.stderr

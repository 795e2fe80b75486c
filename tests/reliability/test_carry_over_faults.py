"""docs/RELIABILITY.md, Companions and carry-over (cases 40-42): the keeper's sidecar is journalled
before it is written, put back by restore, and a kill -9 between the sidecar write and the trash
call leaves a state `restore --last` repairs. Real photos, metadata written by libexiv2."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from metadata_files import photo, write_metadata

from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.journal import Journal
from photodedup.core.analyse.photo_tags import read_sidecar_tags
from photodedup.core.trash.safe_trash import ScannedFile, TrashGroup, restore, trash_groups


def as_scanned(path: Path) -> ScannedFile:
    status = path.stat()
    return ScannedFile(str(path), status.st_size, status.st_mtime_ns, hash_file(str(path)))


def photodedup(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photodedup", *args], capture_output=True, text=True, timeout=120)


def journal_events() -> list[dict]:
    return [json.loads(line) for line in Journal().path.read_text().splitlines() if line.strip()]


def test_case_40_the_old_sidecar_is_journalled_before_the_write_and_restore_puts_it_back(tmp_path):
    keeper = photo(tmp_path / "IMG_1.jpg")
    sidecar = write_metadata(tmp_path / "IMG_1.jpg.xmp", {"Xmp.dc.subject": ["mine"]}, sidecar=True)
    before = sidecar.read_bytes()
    copy = write_metadata(photo(tmp_path / "IMG_1-copy.jpg", 70), {"Xmp.dc.subject": ["theirs"], "Xmp.xmp.Rating": "5"})
    seen_at_trash = []
    def send(path):  # the trash call: by now the journal holds the old sidecar and the new one is in place
        seen_at_trash.append((journal_events(), sidecar.read_bytes()))
        os.rename(path, tmp_path / "elsewhere")
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True, send=send)
    events, sidecar_then = seen_at_trash[0]
    change = next(e for e in events if e["event"] == "sidecar")
    assert base64.b64decode(change["old"]) == before and change["copy"] == str(copy)
    assert events.index(change) < [e["event"] for e in events].index("trashing")
    assert read_sidecar_tags(str(sidecar)).keywords == ["mine", "theirs"] and sidecar_then == sidecar.read_bytes()
    os.rename(tmp_path / "elsewhere", copy)  # the copy is back (as a restore from the Trash would do)
    results = restore([outcome.record_id])
    assert [r.status for r in results][-1] == "restored" and sidecar.read_bytes() == before


def test_case_40_while_the_copy_is_not_back_its_carried_metadata_stays_in_the_sidecar(tmp_path):
    keeper = photo(tmp_path / "a.jpg")
    copy = write_metadata(photo(tmp_path / "b.jpg", 70), {"Xmp.xmp.Rating": "4"})
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    os.unlink(outcome.location)  # the Trash was emptied: the sidecar now holds the only rating
    results = restore(last=True)
    assert results[-1].status == "refused" and "not back" in results[-1].reason
    assert read_sidecar_tags(str(tmp_path / "a.jpg.xmp")).rating == 4
    again = restore(last=True)  # --last says once why the sidecar stays, then leaves it be
    assert [r.path for r in again] == [str(copy)]


KILLED_AFTER_SIDECAR = """
import os, signal, sys
from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.safe_trash import ScannedFile, TrashGroup, trash_groups

def scanned(path):
    status = os.stat(path)
    return ScannedFile(path, status.st_size, status.st_mtime_ns, hash_file(path))

def die(path):
    os.kill(os.getpid(), signal.SIGKILL)  # the sidecar is written; the copy has not moved

trash_groups([TrashGroup([scanned(sys.argv[1])], [scanned(sys.argv[2])])], send=die, carry_over=True)
"""


def test_case_41_kill_9_between_the_sidecar_write_and_the_trash_is_repaired_by_restore_last(tmp_path):
    keeper = photo(tmp_path / "IMG_1.jpg")
    sidecar = write_metadata(tmp_path / "IMG_1.xmp", {"Xmp.xmp.Label": "Blue"}, sidecar=True)  # Lightroom's name
    before, keeper_hash = sidecar.read_bytes(), hash_file(str(keeper))
    copy = write_metadata(photo(tmp_path / "copy" / "IMG_1.jpg", 70), {"Xmp.dc.subject": ["cat"]})
    child = subprocess.run([sys.executable, "-c", KILLED_AFTER_SIDECAR, str(keeper), str(copy)], timeout=120)
    assert child.returncode == -9 and copy.exists()
    assert read_sidecar_tags(str(sidecar)).keywords == ["cat"], "the sidecar was written before the kill"
    done = photodedup("restore", "--last")
    assert "never left its folder" in done.stdout and "sidecar put back" in done.stdout, done.stdout + done.stderr
    assert sidecar.read_bytes() == before and copy.exists() and hash_file(str(keeper)) == keeper_hash
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert photodedup("restore", "--last").stdout.startswith("Nothing to restore")


def test_case_42_the_keepers_bytes_are_never_written_and_an_unreadable_sidecar_keeps_the_copy(tmp_path):
    keeper = photo(tmp_path / "a.jpg")
    keeper_bytes = keeper.read_bytes()
    (tmp_path / "a.jpg.xmp").write_bytes(b"not XMP at all")
    copy = write_metadata(photo(tmp_path / "b.jpg", 70), {"Xmp.xmp.Rating": "4"})
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    assert outcome.status == "skipped" and "not XMP" in outcome.reason and copy.exists()
    assert (tmp_path / "a.jpg.xmp").read_bytes() == b"not XMP at all" and keeper.read_bytes() == keeper_bytes
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=False)
    assert outcome.status == "trashed" and keeper.read_bytes() == keeper_bytes


def test_case_42_a_planted_link_never_makes_carry_over_write_elsewhere(tmp_path):
    """A link planted beside the keeper under a name the write might use, or as the sidecar itself,
    is never followed: the file it points to keeps its bytes."""
    victim = tmp_path / "victim" / "thesis.txt"
    victim.parent.mkdir()
    victim.write_text("my thesis, only copy")
    keeper = photo(tmp_path / "keep" / "IMG_1.jpg")
    copy = write_metadata(photo(tmp_path / "copy" / "IMG_1.jpg", 70), {"Xmp.xmp.Rating": "4"})
    pid = os.getpid()
    for guess in range(pid - 50, pid + 50):  # the names an earlier version used: .NAME.xmp.photodedup-PID.tmp
        os.symlink(victim, tmp_path / "keep" / f".IMG_1.jpg.xmp.photodedup-{guess}.tmp")
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    assert outcome.status == "trashed" and victim.read_text() == "my thesis, only copy"
    sidecar = tmp_path / "keep" / "IMG_1.jpg.xmp"
    assert sidecar.is_file() and not sidecar.is_symlink()
    restore(last=True)
    assert victim.read_text() == "my thesis, only copy"

    other_keeper = photo(tmp_path / "keep2" / "IMG_2.jpg")
    (tmp_path / "keep2" / "IMG_2.jpg.xmp").symlink_to(victim)  # the sidecar itself is a link
    other_copy = write_metadata(photo(tmp_path / "copy2" / "IMG_2.jpg", 70), {"Xmp.xmp.Rating": "3"})
    outcome, = trash_groups([TrashGroup([as_scanned(other_keeper)], [as_scanned(other_copy)])], carry_over=True)
    assert outcome.status == "skipped" and "link" in outcome.reason and other_copy.exists()
    assert victim.read_text() == "my thesis, only copy"


def test_case_42_a_read_only_sidecar_is_never_rewritten(tmp_path):
    keeper = photo(tmp_path / "IMG_1.jpg")
    sidecar = write_metadata(tmp_path / "IMG_1.xmp", {"Xmp.dc.subject": ["mine"]}, sidecar=True)
    sidecar.chmod(0o444)
    before = sidecar.read_bytes()
    copy = write_metadata(photo(tmp_path / "copies" / "IMG_1.jpg", 70), {"Xmp.xmp.Rating": "5"})
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    assert outcome.status == "skipped" and "read-only" in outcome.reason and copy.exists()
    assert sidecar.read_bytes() == before and sidecar.stat().st_mode & 0o777 == 0o444

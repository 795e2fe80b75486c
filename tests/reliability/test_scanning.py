"""docs/RELIABILITY.md, Scanning (cases 9-12): the whole pipeline, real model, real cache."""

from __future__ import annotations

import os
import threading

from conftest import jpeg_bytes, sample, save

from photodedup.core.dedupe import ScanOptions, run_scan
from photodedup.core.analyse.read import CHANGED_DURING_SCAN
from photodedup.core.progress import NullProgress


def names(result) -> list[list[str]]:
    return [sorted(os.path.relpath(m.path, m.path.split("/p/")[0] + "/p") for m in g.members) for g in result.groups]


def two_pairs(root):
    """/p holds a cat and its copy, /p/2020 a coffee and its copy."""
    cat, coffee = sample("chelsea"), sample("coffee")
    save(cat, root / "p" / "cat.jpg", quality=95)
    save(cat.resize((cat.width // 2, cat.height // 2)), root / "p" / "cat_small.jpg", quality=85)
    save(coffee, root / "p" / "2020" / "coffee.jpg", quality=95)
    save(coffee, root / "p" / "2020" / "coffee_q40.jpg", quality=40)


def scan(roots, tmp_path, embedder, progress=None):
    options = ScanOptions([str(r) for r in roots], cache_dir=tmp_path / "cache")
    return run_scan(options, progress or NullProgress(), embedder_factory=lambda: embedder)


def test_case_09_overlapping_roots_give_each_file_once(tmp_path, embedder):
    two_pairs(tmp_path)
    expected = [["2020/coffee.jpg", "2020/coffee_q40.jpg"], ["cat.jpg", "cat_small.jpg"]]
    for roots in ([tmp_path / "p", tmp_path / "p" / "2020"], [tmp_path / "p" / "2020", tmp_path / "p", tmp_path / "p"]):
        result = scan(roots, tmp_path, embedder)
        assert result.stats.files_found == 4
        assert sorted(names(result)) == expected


def test_case_10_a_symlink_loop_ends_and_adds_nothing(tmp_path, embedder):
    two_pairs(tmp_path)
    (tmp_path / "p" / "2020" / "loop").symlink_to(tmp_path / "p")
    (tmp_path / "p" / "self").symlink_to(".")
    finished = []
    worker = threading.Thread(target=lambda: finished.append(scan([tmp_path / "p"], tmp_path, embedder)))
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the scan did not end"
    (result,) = finished
    assert result.stats.files_found == 4 and len(result.groups) == 2


def test_case_11_an_unreadable_folder_is_listed_and_the_scan_completes(tmp_path, embedder, monkeypatch):
    two_pairs(tmp_path)
    locked = tmp_path / "p" / "private"
    save(sample("astronaut"), locked / "a.jpg")
    locked.chmod(0)
    real_scandir = os.scandir

    def scandir(path):  # root ignores permission bits: refuse as the kernel does for anyone else
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    if os.geteuid() == 0:
        monkeypatch.setattr(os, "scandir", scandir)
    try:
        result = scan([tmp_path / "p"], tmp_path, embedder)
    finally:
        locked.chmod(0o755)
    assert [(p.path, p.reason) for p in result.problems] == [(str(locked), "folder skipped: permission denied")]
    assert len(result.groups) == 2 and result.stats.files_found == 4


class ChangesFilesWhenAnalysisStarts(NullProgress):
    """Between the folder walk and the decoding: delete one file, grow one, touch one."""

    def __init__(self, deleted, grown, touched):
        super().__init__()
        self.deleted, self.grown, self.touched = deleted, grown, touched

    def start(self, stage, total=None):
        if stage == "Analysing photos":
            self.deleted.unlink()
            with open(self.grown, "ab") as handle:
                handle.write(b"\0" * 1000)
            status = self.touched.stat()
            self.touched.write_bytes(jpeg_bytes(sample("astronaut").resize((300, 300)), 90))  # another photo
            os.utime(self.touched, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))


def test_case_12_files_deleted_or_growing_during_the_scan(tmp_path, embedder):
    two_pairs(tmp_path)
    cat_copy = tmp_path / "p" / "cat_small.jpg"
    coffee_copy = tmp_path / "p" / "2020" / "coffee_q40.jpg"
    extra = save(sample("chelsea"), tmp_path / "p" / "cat_again.jpg", quality=70)
    progress = ChangesFilesWhenAnalysisStarts(deleted=cat_copy, grown=coffee_copy, touched=extra)
    result = scan([tmp_path / "p"], tmp_path, embedder, progress)
    changed = {p.path: p.reason for p in result.problems}
    assert changed == {str(p): CHANGED_DURING_SCAN for p in (cat_copy, coffee_copy, extra)}
    assert result.groups == [], "no match from a file that changed under the scan"

    again = scan([tmp_path / "p"], tmp_path, embedder)  # the next scan sees the files as they are now
    assert again.problems == []
    assert names(again) == [["2020/coffee.jpg", "2020/coffee_q40.jpg"]]

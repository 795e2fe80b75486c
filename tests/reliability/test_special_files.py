"""Issue #16: FIFOs and devices named like photos never hang a scan and are listed; a folder
named like a photo is a folder (its photos are scanned)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest
from conftest import ROOT, sample, save

from photodedup.core.models import ImageFile
from photodedup.core.dedupe import ScanOptions, run_scan
from photodedup.core.analyse.read import read_and_decode


def special_folder(tmp_path):
    folder = tmp_path / "photos"
    save(sample("chelsea"), folder / "cat.jpg", quality=95)
    save(sample("chelsea"), folder / "cat_q50.jpg", quality=50)
    os.mkfifo(folder / "pipe.jpg")
    os.mknod(folder / "null.jpg", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null (tests run as root)
    os.symlink("/dev/zero", folder / "zero.jpg")
    return folder


def test_case_35_a_scan_over_fifos_and_devices_named_jpg_finishes(tmp_path):
    folder = special_folder(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "photodedup", "scan", str(folder), "--cache-dir", str(tmp_path / "c"),
                           "--quiet"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 groups of duplicates" in done.stdout


def test_case_35_a_file_replaced_by_a_fifo_after_the_walk_is_a_problem_not_a_hang(tmp_path):
    """The walk saw a regular file; by the time it is read it is a FIFO with no writer, which a
    plain open() would wait on for ever."""
    path = tmp_path / "photo.jpg"
    save(sample("coffee"), path)
    info = path.stat()
    path.unlink()
    os.mkfifo(path)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(read_and_decode(
        ImageFile(str(path), info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino))), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():
        with open(path, "wb"):  # let the stuck reader go
            pass
        pytest.fail("reading a FIFO named .jpg hung")
    assert outcome[0].image is None and outcome[0].error


def test_case_35_fifos_devices_and_folders_named_jpg_are_listed_as_problems(tmp_path, embedder):
    folder = special_folder(tmp_path)
    save(sample("coffee"), folder / "album.jpg" / "coffee.jpg")  # a folder named like a photo is a folder
    result = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    problems = {os.path.basename(p.path): p.reason for p in result.problems}
    assert set(problems) == {"pipe.jpg", "null.jpg", "zero.jpg"}
    assert "not followed" in problems.pop("zero.jpg")  # a link to /dev/zero: outside the folders
    assert all("not a regular file" in reason for reason in problems.values()), problems
    assert len(result.groups) == 1 and result.stats.files_found == 3
    followed = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache", follow_symlinks=True),
                        embedder_factory=lambda: embedder)
    assert "not a regular file" in {os.path.basename(p.path): p.reason for p in followed.problems}["zero.jpg"]

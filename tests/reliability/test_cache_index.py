"""docs/RELIABILITY.md, Cache and index (cases 18-20)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from conftest import ROOT

from photodedup.core.analyse.cache import CACHE_FILE, Cache
from photodedup.core.match.index import VectorIndex
from photodedup.core.models import ImageFile
from photodedup.core.dedupe import ScanOptions, run_scan

WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from photodedup.core.analyse.cache import Cache
    from photodedup.core.models import ImageFile, ImageInfo

    def vector(n):
        v = np.random.default_rng(n).normal(size=1280).astype(np.float32)
        return v / np.linalg.norm(v)

    with Cache(sys.argv[1], "writer-model") as cache:
        print("ready", flush=True)
        n = int(sys.argv[2])
        while True:
            for _ in range(25):
                info = ImageInfo(ImageFile(f"/photos/{n}.jpg", 1000 + n, n, 1, n), 640, 480, "JPEG", f"h{n}", vector(n))
                cache.store(info, np.full((32, 32), n % 256, np.uint8))
                n += 1
            cache.commit()
""")


def names(result):
    return sorted(sorted(os.path.basename(m.path) for m in g.members) for g in result.groups)


EXPECTED = [["cat copy.jpg", "cat.jpg", "cat_q45.jpg", "cat_small.jpg"]]


def check_rows(folder) -> int:
    """Open the cache the way the app does; every row it holds must be exactly what was written."""
    with Cache(folder, "writer-model") as cache:
        rows = cache._db.execute("SELECT path FROM images").fetchall()
        for (path,) in random.sample(rows, min(len(rows), 40)):
            n = int(os.path.basename(path).split(".")[0])
            info = cache.lookup(ImageFile(path, 1000 + n, n, 1, n))
            expected = np.random.default_rng(n).normal(size=1280).astype(np.float32)
            written = (expected / np.linalg.norm(expected)).astype(np.float16)  # the cache keeps float16
            assert info is not None and np.array_equal(info.vector, written.astype(np.float32))
        return len(rows)


def test_case_18_kill_9_while_writing_the_cache(tmp_path, library, embedder):
    folder = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    rng = random.Random(18)
    written = 0
    for attempt in range(20):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(written)],
                                 stdout=subprocess.PIPE, env=env, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        written = check_rows(folder)  # opens, or is rebuilt; never raises
    assert written > 0

    # Killing a real scan mid-analysis, then scanning again, gives the right groups.
    for delay in (0.5, 1.5, 3.0):
        scan = subprocess.Popen([sys.executable, "-m", "photodedup", "scan", str(library["root"]), "--cache-dir",
                                 str(folder), "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        scan.send_signal(signal.SIGKILL)
        scan.wait()
    result = run_scan(ScanOptions([str(library["root"])], cache_dir=folder), embedder_factory=lambda: embedder)
    assert names(result) == EXPECTED


class SameVectorForEverything:
    """What another model's vectors could look like to this one: everything matches."""

    model_id = "other"

    def embed(self, images):
        vectors = np.ones((len(images), 1280), np.float32)
        return vectors / np.linalg.norm(vectors[0])


@pytest.mark.parametrize("damage", ["zero bytes", "garbage", "old schema", "other model"])
def test_case_19_damaged_old_or_foreign_caches_are_recomputed(tmp_path, library, embedder, damage):
    folder = tmp_path / "cache"
    folder.mkdir()
    options = ScanOptions([str(library["root"])], cache_dir=folder)
    if damage == "zero bytes":
        (folder / CACHE_FILE).write_bytes(b"")
    elif damage == "garbage":
        (folder / CACHE_FILE).write_bytes(os.urandom(50000))
    elif damage == "old schema":
        db = sqlite3.connect(folder / CACHE_FILE)
        db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '1');"
                         "CREATE TABLE images (path TEXT, vector BLOB);")
        db.commit()
        db.close()
    else:
        poisoned = run_scan(options, embedder_factory=SameVectorForEverything, model_id="other-model")
        assert poisoned.groups, "the other model's cache holds vectors that call every photo alike"
    result = run_scan(options, embedder_factory=lambda: embedder)
    assert names(result) == EXPECTED, "no false match from the old cache"
    assert result.stats.files_decoded == 6 and result.stats.cache_hits == 0
    rebuilt = [p.reason for p in result.problems if p.reason.startswith("cache rebuilt")]
    assert bool(rebuilt) == (damage in ("garbage", "old schema"))
    assert [p for p in result.problems if not p.reason.startswith("cache rebuilt")] == []


def test_case_20_the_index_is_written_atomically_and_a_disagreeing_one_is_rebuilt(tmp_path, monkeypatch):
    rng = np.random.default_rng(20)
    vectors = rng.normal(size=(300, 1280)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    folder = tmp_path / "index"
    first = VectorIndex.open_or_build(vectors, folder, "key1")
    assert first.nearest_to(vectors[0], 1) == [0]  # a working index: a photo is its own nearest
    saved = folder / "vectors-key1.ann"
    assert sorted(p.name for p in folder.iterdir()) == ["vectors-key1.ann"], "no temporary file left behind"

    # An index file holding a different number of items (another scan's) is rebuilt.
    VectorIndex.build(vectors[:100], folder, name="vectors-key1.ann")
    rebuilt = VectorIndex.open_or_build(vectors, folder, "key1")
    assert rebuilt.count == 300 and rebuilt.nearest_to(vectors[299], 5)[0] == 299
    saved.write_bytes(b"\0" * 1000)  # garbage
    assert VectorIndex.open_or_build(vectors, folder, "key1").count == 300

    # A crash between writing and moving into place leaves the previous index untouched
    # and no half-written file behind.
    import photodedup.core.match.index as index_module

    before = saved.read_bytes()

    def crash(source, destination):
        raise OSError("power cut")

    monkeypatch.setattr(index_module.os, "replace", crash)
    with pytest.raises(OSError):
        VectorIndex.build(vectors[:50], folder, name="vectors-key1.ann")
    monkeypatch.undo()
    assert saved.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["vectors-key1.ann"]

    # Different vectors get a different key: the old index is never reused. It may be another
    # running scan's (concurrent scans share the cache), so it is removed only once stale.
    other = VectorIndex.open_or_build(vectors[::-1].copy(), folder, "key2")
    assert other.count == 300 and sorted(p.name for p in folder.iterdir()) == ["vectors-key1.ann", "vectors-key2.ann"]
    os.utime(saved, (time.time() - index_module.STALE_SECONDS - 1,) * 2)
    VectorIndex.open_or_build(vectors[:200].copy(), folder, "key3")
    assert sorted(p.name for p in folder.iterdir()) == ["vectors-key2.ann", "vectors-key3.ann"]


def test_case_20_a_tampered_index_in_the_cache_does_not_change_the_groups(tmp_path, library, embedder):
    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    assert names(run_scan(options, embedder_factory=lambda: embedder)) == EXPECTED
    # What a scan keeps is the index's neighbour table (issue 22), not the index: the same name and
    # shape (5 photos: the exact copy counts once), the rows of other photos.
    (saved,) = (tmp_path / "cache" / "index").glob("vectors-*.nbrs16.npy")
    table = np.load(saved)
    np.save(saved, table[::-1].copy())
    assert names(run_scan(options, embedder_factory=lambda: embedder)) == EXPECTED
    assert not np.array_equal(np.load(saved), table[::-1]), "the tampered table was made again"


# -- issue #16: names that are not UTF-8, concurrent scans, cache faults, leaked scratch -----

import contextlib
import shutil
from pathlib import Path

from conftest import sample, save

from photodedup.core.copy_check import CopyCheckOptions, find_copies

NOT_UTF8 = os.fsdecode(b"caf\xff copy.jpg")  # byte 0xff: a Latin-1 name on a UTF-8 system


def test_case_32_a_file_name_that_is_not_utf8_is_scanned_cached_and_matched(tmp_path, library, embedder):
    odd = library["root"] / NOT_UTF8
    odd.write_bytes(library["original"].read_bytes()[:-2] + b"\xff\xd9")  # same picture, other bytes
    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    first = run_scan(options, embedder_factory=lambda: embedder)
    assert first.problems == []
    assert names(first) == [sorted(EXPECTED[0] + [NOT_UTF8])]
    again = run_scan(options, embedder_factory=lambda: embedder)
    assert names(again) == names(first) and again.stats.cache_hits == 7 and again.stats.files_decoded == 0
    assert os.fsencode(next(m.path for m in again.groups[0].members if "caf" in m.path)).endswith(b"caf\xff copy.jpg")

    copies = find_copies(CopyCheckOptions([str(library["original"].parent / "exports")], [str(library["root"])],
                                          cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    found = {os.path.basename(c.info.file.path) for entry in copies.originals for c in entry.copies}
    assert NOT_UTF8 in found and copies.problems == []


def test_case_32_the_cli_reports_a_file_name_that_is_not_utf8(tmp_path, library):
    import json

    odd = library["root"] / NOT_UTF8
    odd.write_bytes(library["original"].read_bytes())
    report = tmp_path / "report.json"
    scan = cli_scan(library["root"], tmp_path / "cache", report)
    errors = scan.communicate(timeout=300)[1]
    assert scan.returncode == 0, errors
    paths = [f["path"] for g in json.loads(report.read_text())["groups"] for f in g["files"]]
    assert any(os.fsencode(path).endswith(b"caf\xff copy.jpg") and os.path.exists(path) for path in paths)


def folder_of_coffee(root: Path) -> Path:
    save(sample("coffee"), root / "coffee.jpg", quality=92)
    save(sample("coffee"), root / "coffee_q40.jpg", quality=40)
    save(sample("astronaut"), root / "astronaut.jpg", quality=90)
    return root


def cli_scan(root, cache_dir, report) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "photodedup", "scan", str(root), "--cache-dir", str(cache_dir),
                             "--json", str(report), "--quiet"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def report_groups(report) -> list[list[str]]:
    import json

    data = json.loads(Path(report).read_text())
    return sorted(sorted(os.path.basename(f["path"]) for f in g["files"]) for g in data["groups"])


def test_case_36_concurrent_scans_of_different_folders_share_one_cache(tmp_path, library):
    coffee = folder_of_coffee(tmp_path / "coffee")
    cache_dir = tmp_path / "cache"
    for attempt in range(10):
        scans = [cli_scan(root, cache_dir, tmp_path / f"{name}.json")
                 for name, root in (("cats", library["root"]), ("coffee", coffee))]
        for scan in scans:
            errors = scan.communicate(timeout=300)[1]
            assert scan.returncode == 0, f"attempt {attempt}: {errors}"
        assert report_groups(tmp_path / "cats.json") == EXPECTED
        assert report_groups(tmp_path / "coffee.json") == [["coffee.jpg", "coffee_q40.jpg"]]


def cache_warnings(result) -> list[str]:
    return [p.reason for p in result.problems if p.reason.startswith("cache")]


def test_case_36_a_cache_folder_that_cannot_be_created_means_a_scan_without_cache(tmp_path, library, embedder):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder's parent should be")  # fails for root too
    result = run_scan(ScanOptions([str(library["root"])], cache_dir=blocker / "cache"), embedder_factory=lambda: embedder)
    assert names(result) == EXPECTED
    (warning,) = cache_warnings(result)
    assert "cache not used" in warning


@contextlib.contextmanager
def mounted(target: Path, *options: str):
    """A real mount (tests run as root here); the test is skipped where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *options, str(target)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_case_36_a_read_only_cache_means_a_scan_without_writing(tmp_path, library, embedder):
    source = tmp_path / "cache"
    options = ScanOptions([str(library["root"])], cache_dir=source)
    assert names(run_scan(options, embedder_factory=lambda: embedder)) == EXPECTED
    read_only = tmp_path / "read-only-cache"
    with mounted(read_only, "--bind", str(source)):
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(read_only)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        assert not os.access(read_only, os.W_OK) or subprocess.run(["touch", str(read_only / "x")]).returncode != 0
        result = run_scan(ScanOptions([str(library["root"])], cache_dir=read_only), embedder_factory=lambda: embedder)
        assert names(result) == EXPECTED
        assert result.stats.cache_hits == 6, "what the read-only cache holds is still used"
        (warning,) = cache_warnings(result)
        assert "cache not updated (read-only disk)" in warning, warning
        assert [p for p in result.problems if not p.reason.startswith("cache")] == []


def corrupt_table(database: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, as a bad sector would."""
    db = sqlite3.connect(database)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    db.close()
    with open(database, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(np.random.default_rng(7).bytes(page_size))


@pytest.mark.parametrize("table", ["verifications", "failures", "meta"])
def test_case_36_a_damaged_page_in_any_table_means_a_rebuilt_cache(tmp_path, library, embedder, table):
    (library["root"] / "broken.jpg").write_bytes(b"not a picture at all, but named like one")
    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    assert names(run_scan(options, embedder_factory=lambda: embedder)) == EXPECTED
    corrupt_table(tmp_path / "cache" / CACHE_FILE, table)
    for scan in ("first after the damage", "the next"):
        result = run_scan(options, embedder_factory=lambda: embedder)
        assert names(result) == EXPECTED
        assert [os.path.basename(p.path) for p in result.problems if not p.reason.startswith("cache")] == ["broken.jpg"]
        warned = [w for w in cache_warnings(result) if w.startswith("cache rebuilt")]
        assert bool(warned) == (scan == "first after the damage"), (scan, result.problems)


def fill(disk: Path) -> None:
    """Fill a small disk to the last byte."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        except OSError:
            pass


def test_case_36_a_full_disk_means_a_scan_without_cache(tmp_path, library, embedder):
    disk = tmp_path / "full-disk"
    with mounted(disk, "-t", "tmpfs", "-o", "size=256k", "tmpfs"):
        (disk / "cache").mkdir()
        fill(disk)
        result = run_scan(ScanOptions([str(library["root"])], cache_dir=disk / "cache"), embedder_factory=lambda: embedder)
    assert names(result) == EXPECTED
    (warning,) = cache_warnings(result)
    assert "cache not used" in warning and "full" in warning


def test_case_36_a_disk_that_fills_up_mid_scan_means_a_scan_that_stops_caching(tmp_path, many_photos, embedder):
    folder = many_photos(24)
    disk = tmp_path / "small-disk"
    with mounted(disk, "-t", "tmpfs", "-o", "size=256k", "tmpfs"):
        result = run_scan(ScanOptions([str(folder)], cache_dir=disk / "cache"), embedder_factory=lambda: embedder)
        assert result.stats.files_found == 24 and result.stats.files_decoded == 24
        assert [p for p in result.problems if not p.reason.startswith("cache")] == []
        assert any("full" in w for w in cache_warnings(result)), cache_warnings(result)
    # (Its groups are not compared with a roomy disk's: the photos whose scratch pictures no
    # longer fitted get their local features from a fresh decode, which can tip a borderline
    # pair of these look-alike crops either way; the library's clear copies are checked above.)


def test_case_36_a_full_disk_at_the_one_write_seam_means_a_scan_that_stops_caching(tmp_path, library, embedder, monkeypatch):
    """Where no small disk can be mounted: SQLite's own 'disk is full' at the cache's writes."""
    real_write = Cache._execute_write

    def write(self, sql, parameters):
        if not self.in_memory and sql.startswith("INSERT") and self.count() >= 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real_write(self, sql, parameters)

    monkeypatch.setattr(Cache, "_execute_write", write)
    result = run_scan(ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert names(result) == EXPECTED
    assert any("full" in w for w in cache_warnings(result)), result.problems


def scratch_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".scan-scratch-*"))


HOLD_SCRATCH = textwrap.dedent("""
    import sys, time
    from photodedup.core.analyse.scratch import ScratchStore
    store = ScratchStore(sys.argv[1])
    store.put("a", b"x" * 1000)
    print(store.path, flush=True)
    time.sleep(600)
""")


def test_case_37_a_killed_scans_scratch_file_is_removed_by_the_next_scan_but_a_running_ones_is_not(
        tmp_path, many_photos, embedder):
    folder = many_photos(40)
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    scan = subprocess.Popen([sys.executable, "-m", "photodedup", "scan", str(folder), "--cache-dir", str(cache_dir),
                             "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (cache_dir.exists() and any(p.stat().st_size > 0 for p in cache_dir.glob(".scan-scratch-*"))):
        assert time.monotonic() < deadline and scan.poll() is None, "the scan never wrote its scratch file"
        time.sleep(0.05)
    scan.send_signal(signal.SIGKILL)
    scan.wait()
    (leaked,) = scratch_files(cache_dir)
    running = subprocess.Popen([sys.executable, "-c", HOLD_SCRATCH, str(cache_dir)], env=env, stdout=subprocess.PIPE,
                               text=True)
    try:
        live = os.path.basename(running.stdout.readline().strip())
        result = run_scan(ScanOptions([str(folder)], cache_dir=cache_dir), embedder_factory=lambda: embedder)
        assert result.stats.files_found == 40
        assert scratch_files(cache_dir) == [live], "the killed scan's file is gone, the running one's kept"
        assert running.poll() is None
    finally:
        running.kill()
        running.wait()
        running.stdout.close()

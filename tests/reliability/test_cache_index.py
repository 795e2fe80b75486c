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

from photodedup.core.cache import CACHE_FILE, Cache
from photodedup.core.index import VectorIndex
from photodedup.core.models import ImageFile
from photodedup.core.pipeline import ScanOptions, run_scan

WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from photodedup.core.cache import Cache
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
            assert info is not None and np.allclose(info.vector, expected / np.linalg.norm(expected), atol=1e-6)
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
        assert len(poisoned.groups[0].members) == 6, "in the other model's cache, everything matches"
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
    assert first.neighbours(0, 1)[0][0] != 0
    saved = folder / "vectors-key1.ann"
    assert sorted(p.name for p in folder.iterdir()) == ["vectors-key1.ann"], "no temporary file left behind"

    # An index file holding a different number of items (another scan's) is rebuilt.
    VectorIndex.build(vectors[:100], folder, name="vectors-key1.ann")
    rebuilt = VectorIndex.open_or_build(vectors, folder, "key1")
    assert rebuilt.count == 300 and len(rebuilt.neighbours(299, 5)) == 5
    saved.write_bytes(b"\0" * 1000)  # garbage
    assert VectorIndex.open_or_build(vectors, folder, "key1").count == 300

    # A crash between writing and moving into place leaves the previous index untouched
    # and no half-written file behind.
    import photodedup.core.index as index_module

    before = saved.read_bytes()

    def crash(source, destination):
        raise OSError("power cut")

    monkeypatch.setattr(index_module.os, "replace", crash)
    with pytest.raises(OSError):
        VectorIndex.build(vectors[:50], folder, name="vectors-key1.ann")
    monkeypatch.undo()
    assert saved.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["vectors-key1.ann"]

    # Different vectors get a different key: the old index is replaced, never reused.
    other = VectorIndex.open_or_build(vectors[::-1].copy(), folder, "key2")
    assert other.count == 300 and sorted(p.name for p in folder.iterdir()) == ["vectors-key2.ann"]


def test_case_20_a_tampered_index_in_the_cache_does_not_change_the_groups(tmp_path, library, embedder):
    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    assert names(run_scan(options, embedder_factory=lambda: embedder)) == EXPECTED
    (saved,) = (tmp_path / "cache" / "index").glob("vectors-*.ann")
    # The same name and item count (5: the exact copy counts once), other vectors.
    noise = np.random.default_rng(3).normal(size=(5, 1280)).astype(np.float32)
    VectorIndex.build(noise, saved.parent, name=saved.name)
    assert VectorIndex.load(saved, 1280, 5).count == 5
    assert names(run_scan(options, embedder_factory=lambda: embedder)) == EXPECTED

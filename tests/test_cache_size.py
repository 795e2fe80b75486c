"""The cache stays small (float16 vectors, 16 KB pages) and an older cache is never misread."""

from __future__ import annotations

import sqlite3

import numpy as np

from photodedup.core.analyse.cache import CACHE_FILE, SCHEMA_VERSION, Cache
from photodedup.core.models import ImageFile, ImageInfo, PhotoMetadata


def _info(n: int, rng: np.random.Generator) -> ImageInfo:
    vector = rng.standard_normal(1280).astype(np.float32)
    path = f"/home/someone/Pictures/{2000 + n // 5000}/{n // 500 % 12 + 1:02d}-holiday in the hills/IMG_{n:06d}.jpg"
    return ImageInfo(ImageFile(path, 80_000 + n, 1_700_000_000_000_000_000 + n, 2049, n), 640, 480, "JPEG",
                     f"{n:032x}", vector / np.linalg.norm(vector), 0.97,
                     PhotoMetadata("2021:07:14 10:22:31", "Canon EOS 80D", "EF-S18-55mm", True, True))


def test_a_photo_costs_at_most_4_kb_of_cache_on_disk(tmp_path):
    """What each more photo adds to the file (its row and its key in the path index; the few
    pages every cache has, 0.5 MB, are not per photo)."""
    rng = np.random.default_rng(4)

    def size_after(photos: int) -> int:
        with Cache(tmp_path, "mobilenet_v2-5aa3074d3934fc05+luma-trim-squash-v2") as cache:
            for n in range(cache.count(), photos):
                cache.store(_info(n, rng), rng.integers(0, 256, (32, 32), dtype=np.uint8))  # a detailed thumbnail
            cache.commit()
            cache._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in tmp_path.glob(CACHE_FILE + "*"))

    first = size_after(1000)
    per_photo = (size_after(5000) - first) / 4000
    assert 3000 < per_photo <= 4096, f"{per_photo:.0f} bytes a photo"


def test_the_vector_read_back_is_the_one_the_scan_went_on_with(tmp_path):
    """A cold scan and a rescan from the cache group the same vectors: store() rounds the
    scan's own copy to what the cache keeps."""
    rng = np.random.default_rng(5)
    info = _info(1, rng)
    original = info.vector.copy()
    with Cache(tmp_path, "m") as cache:
        cache.store(info, np.zeros((32, 32), np.uint8))
        cache.commit()
        again = cache.lookup(info.file)
    assert again is not None and again.vector.dtype == np.float32
    assert np.array_equal(again.vector, info.vector)
    assert 0 < np.abs(info.vector - original).max() < 1e-3  # rounded, and only just
    assert np.linalg.norm(again.vector - original) < 1e-3  # distances move by less than 0.001


def test_a_cache_of_float32_vectors_is_set_aside_not_read_as_float16(tmp_path):
    """A cache of schema 5 (float32 vectors) would read as nonsense float16: it is moved aside."""
    rng = np.random.default_rng(6)
    info = _info(2, rng)
    with Cache(tmp_path, "m") as cache:
        cache.store(info, np.zeros((32, 32), np.uint8))
        cache.commit()
    db = sqlite3.connect(tmp_path / CACHE_FILE)
    db.execute("UPDATE images SET vector=?", (info.vector.astype(np.float32).tobytes(),))
    db.execute("UPDATE meta SET value='5' WHERE key='schema_version'")
    db.commit()
    db.close()
    assert SCHEMA_VERSION == 6
    with Cache(tmp_path, "m") as cache:
        assert cache.lookup(info.file) is None
        assert "schema version 5" in (cache.rebuilt_reason or "")
    assert list(tmp_path.glob(CACHE_FILE + ".broken-*"))

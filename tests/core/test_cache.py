import sqlite3

import numpy as np

from photodedup.core.analyse.cache import CACHE_FILE, Cache
from photodedup.core.models import ImageFile, ImageInfo


def make_info(path="/p/a.jpg", size=100, mtime_ns=5, seed=0):
    vector = np.random.default_rng(seed).normal(size=1280).astype(np.float32)
    vector /= np.linalg.norm(vector)
    return ImageInfo(ImageFile(path, size, mtime_ns, 1, 2), 640, 480, "JPEG", "abc123", vector)


def test_round_trip_and_exact_key(tmp_path):
    info = make_info()
    with Cache(tmp_path, "model-A") as cache:
        cache.store(info, np.full((32, 32), 7, np.uint8))
        cache.commit()
    with Cache(tmp_path, "model-A") as cache:
        found = cache.lookup(info.file)
        assert found is not None and np.array_equal(found.vector, info.vector)
        assert (found.width, found.height, found.format, found.content_hash) == (640, 480, "JPEG", "abc123")
        assert cache.lookup_thumb(info.file).max() == 7
        changed_size = ImageFile("/p/a.jpg", 101, 5, 1, 2)
        changed_mtime = ImageFile("/p/a.jpg", 100, 6, 1, 2)
        assert cache.lookup(changed_size) is None and cache.lookup(changed_mtime) is None
    with Cache(tmp_path, "model-B") as cache:
        assert cache.lookup(info.file) is None, "another model's vectors are never used"


def test_garbage_cache_file_is_moved_aside_and_rebuilt(tmp_path):
    (tmp_path / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    with Cache(tmp_path, "m") as cache:
        assert cache.rebuilt_reason and "unreadable" in cache.rebuilt_reason
        assert cache.count() == 0
        cache.store(make_info(), np.zeros((32, 32), np.uint8))
        cache.commit()
    assert list(tmp_path.glob(CACHE_FILE + ".broken-*"))


def test_zero_byte_cache_file_works(tmp_path):
    (tmp_path / CACHE_FILE).write_bytes(b"")
    with Cache(tmp_path, "m") as cache:
        assert cache.lookup(make_info().file) is None


def test_old_schema_version_is_rebuilt(tmp_path):
    db = sqlite3.connect(tmp_path / CACHE_FILE)
    db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '0');")
    db.commit()
    db.close()
    with Cache(tmp_path, "m") as cache:
        assert "schema version 0" in cache.rebuilt_reason
        assert cache.count() == 0


def test_failures_are_remembered_per_file_version(tmp_path):
    file = ImageFile("/p/bad.jpg", 10, 1, 1, 3)
    with Cache(tmp_path, "m") as cache:
        cache.store_failure(file, "corrupt")
        cache.commit()
        assert cache.lookup_failure(file) == "corrupt"
        assert cache.lookup_failure(ImageFile("/p/bad.jpg", 11, 1, 1, 3)) is None


def test_verifications_are_keyed_by_content_and_method(tmp_path):
    with Cache(tmp_path, "m") as cache:
        cache.store_verification("hash-b", "hash-a", "orb-v1", 57)
        cache.commit()
    with Cache(tmp_path, "m") as cache:
        assert cache.lookup_verification("hash-a", "hash-b", "orb-v1") == 57
        assert cache.lookup_verification("hash-a", "hash-b", "orb-v2") is None
        assert cache.lookup_verification("hash-a", "hash-c", "orb-v1") is None

"""The warm rescan's bulk read of the cache (Cache.lookup_many) answers exactly what lookup and
lookup_failure answer one file at a time, on a real SQLite cache."""

import os

import numpy as np

from photodedup.core.analyse.cache import LOOKUP_CHUNK, Cache
from photodedup.core.models import ImageFile, ImageInfo, PhotoMetadata


def stored(cache, path, size=100, mtime_ns=5, seed=0):
    vector = np.random.default_rng(seed).normal(size=1280).astype(np.float32)
    info = ImageInfo(ImageFile(path, size, mtime_ns, 1, seed), 640, 480, "JPEG", f"hash{seed}", vector / np.linalg.norm(vector),
                     0.9, PhotoMetadata("2024-05-01 10:00:00", "Canon", "50mm", True, True))
    cache.store(info, np.full((32, 32), seed % 256, np.uint8))
    return info


def test_bulk_read_answers_as_one_file_at_a_time(tmp_path):
    latin = os.fsdecode(b"/p/caf\xe9.jpg")  # a name that is not UTF-8: keyed by its bytes
    with Cache(tmp_path, "model-A") as cache:
        infos = [stored(cache, f"/p/{n:05d}.jpg", seed=n) for n in range(LOOKUP_CHUNK + 50)]
        latin_info = stored(cache, latin, seed=7777)
        cache.store_failure(ImageFile("/p/broken.jpg", 10, 1, 1, 9), "cannot be decoded")
        cache.store_failure(ImageFile("/p/fixed.jpg", 10, 1, 1, 9), "cannot be decoded")
        cache.commit()
    with Cache(tmp_path, "model-B") as other:
        stored(other, "/p/other-model.jpg", seed=3)
        other.commit()
    asked = [info.file for info in infos] + [
        latin_info.file,
        ImageFile("/p/00001.jpg", 101, 5, 1, 1),  # changed size
        ImageFile("/p/00002.jpg", 100, 6, 1, 2),  # changed time
        ImageFile("/p/other-model.jpg", 100, 5, 1, 3),
        ImageFile("/p/broken.jpg", 10, 1, 1, 9),
        ImageFile("/p/fixed.jpg", 11, 1, 1, 9),  # changed since it failed
        ImageFile("/p/never-seen.jpg", 1, 1, 1, 1),
        infos[3].file,  # named twice: answered twice
    ]
    with Cache(tmp_path, "model-A") as cache:
        found, failures = cache.lookup_many(asked)
        for file, info, failure in zip(asked, found, failures):
            single = cache.lookup(file)
            assert (info is None) == (single is None), file
            if info is not None:
                assert info.file is file and np.array_equal(info.vector, single.vector)
                assert (info.width, info.height, info.format, info.content_hash, info.content_fraction, info.metadata) == \
                    (single.width, single.height, single.format, single.content_hash, single.content_fraction,
                     single.metadata)
            assert failure == (cache.lookup_failure(file) if single is None else None), file
    assert sum(info is not None for info in found) == len(infos) + 2
    assert failures[-4] == "cannot be decoded" and failures[-3] is None
    assert found[len(infos)].content_hash == "hash7777"
    assert np.array_equal(found[-1].vector, found[3].vector)


def test_a_damaged_vector_is_not_used(tmp_path):
    with Cache(tmp_path, "m") as cache:
        good = stored(cache, "/p/good.jpg", seed=1)
        bad = stored(cache, "/p/bad.jpg", seed=2)
        cache._db.execute("UPDATE images SET vector=? WHERE path=?", (np.full(1280, np.inf, np.float16).tobytes(),
                                                                       "/p/bad.jpg"))
        cache.commit()
        found, failures = cache.lookup_many([good.file, bad.file])
    assert found[0] is not None and found[1] is None and failures == [None, None]


def test_a_cache_written_by_anyone_since_this_process_closed_it_is_checked_whole_again(tmp_path):
    """The whole-file check is skipped only for a file this process left checked and nobody wrote since:
    a bad sector's worth of garbage written in place (same size) is found at the next open."""
    from photodedup.core.analyse.cache import CACHE_FILE
    from photodedup.core.analyse.cache_folder import still_as_left

    with Cache(tmp_path, "m") as cache:
        for n in range(40):
            stored(cache, f"/p/{n}.jpg", seed=n)
        cache.commit()
    database = tmp_path / CACHE_FILE
    assert still_as_left(database)
    with Cache(tmp_path, "m") as cache:  # opened unchecked: still whole
        assert cache.rebuilt_reason is None and cache.count() == 40
    assert still_as_left(database)
    size = database.stat().st_size
    with open(database, "r+b") as handle:  # the last page, where rows live, overwritten in place
        handle.seek(size - 65536)
        handle.write(np.random.default_rng(7).bytes(65536))
    assert database.stat().st_size == size and not still_as_left(database)
    with Cache(tmp_path, "m") as cache:
        assert cache.rebuilt_reason and cache.count() == 0

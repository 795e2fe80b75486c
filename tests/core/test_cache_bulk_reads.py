"""The warm rescan's bulk reads (issue 22): verdicts read whole once many are asked, thumbnails
read 900 a query, the cycle collector paused while a library is read and grouped. The real
SQLite cache in a temporary folder."""

import gc

import numpy as np

from photodedup.core import dedupe
from photodedup.core.analyse import cache_rows
from photodedup.core.analyse.cache import Cache
from photodedup.core.models import ImageFile, ImageInfo


def test_verdicts_read_whole_once_many_are_asked_and_a_miss_still_asks_the_file(tmp_path):
    with Cache(tmp_path, "m") as writer:
        for n in range(cache_rows.ANSWERS_READ_AFTER + 50):
            writer.store_verification(f"b{n:04}", f"a{n:04}", "pixels", n)
        writer.commit()
        reader = Cache(tmp_path, "m")
        try:
            answers = [reader.lookup_verification(f"a{n:04}", f"b{n:04}", "pixels")
                       for n in range(cache_rows.ANSWERS_READ_AFTER + 50)]
            assert answers == list(range(cache_rows.ANSWERS_READ_AFTER + 50))
            assert reader._answers.by_method is not None, "read whole after ANSWERS_READ_AFTER queries"
            assert reader.lookup_verification("a0001", "b0001", "other method") is None
            writer.store_verification("late-a", "late-b", "pixels", 7)  # another connection, after the read
            writer.commit()
            assert reader.lookup_verification("late-b", "late-a", "pixels") == 7, "a miss asks the file"
            reader.store_verification("a0003", "b0003", "pixels", 99)  # its own write: seen at once
            assert reader.lookup_verification("a0003", "b0003", "pixels") == 99
        finally:
            reader.close()


def test_held_thumbnails_are_the_files_own_and_only_for_that_version(tmp_path):
    infos = []
    with Cache(tmp_path, "m") as cache:
        for n in range(5):
            vector = np.full(1280, 1 / np.sqrt(1280), np.float32)
            info = ImageInfo(ImageFile(f"/p/{n}.jpg", 100 + n, 5, 1, n), 64, 48, "JPEG", f"h{n}", vector)
            cache.store(info, np.full((32, 32), n, np.uint8))
            infos.append(info)
        cache.commit()
        one_by_one = [cache.lookup_thumb(i.file) for i in infos]
        cache.hold_thumbs([i.file for i in infos])
        assert all(np.array_equal(cache.lookup_thumb(i.file), t) for i, t in zip(infos, one_by_one))
        assert cache.lookup_thumb(ImageFile("/p/2.jpg", 999, 5, 1, 2)) is None, "another version of the file"
        cache.hold_thumbs([])
        assert cache._thumbs == {} and cache.lookup_thumb(infos[4].file).max() == 4


def test_the_collector_is_paused_and_given_back_as_it_was():
    assert gc.isenabled()
    with dedupe._collector_paused():
        assert not gc.isenabled()
        with dedupe._collector_paused():  # nested (a scan inside a scan's pause): the outer one resumes
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with dedupe._collector_paused():
            pass
        assert not gc.isenabled(), "paused by someone else: left paused"
    finally:
        gc.enable()

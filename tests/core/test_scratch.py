import gc
import os

import numpy as np

from photodedup.core.match.index import VectorIndex
from photodedup.core.analyse.scratch import ScratchStore


def test_scratch_store_keeps_blobs_until_closed(tmp_path):
    store = ScratchStore(tmp_path)
    store.put("/a.jpg", b"first")
    store.put("/b.jpg", b"second blob")
    assert store.get("/a.jpg") == b"first" and store.get("/b.jpg") == b"second blob" and store.get("/c") is None
    path = store.path
    assert os.path.exists(path)
    store.close()
    assert not os.path.exists(path) and store.get("/a.jpg") is None
    store.put("/late.jpg", b"ignored after close")  # no error, nothing written


def test_scratch_file_is_deleted_when_the_store_is_collected(tmp_path):
    store = ScratchStore(tmp_path)
    path = store.path
    del store
    gc.collect()
    assert not os.path.exists(path)


def test_neighbour_table_is_saved_beside_the_index_and_reused(tmp_path):
    vectors = np.random.default_rng(1).standard_normal((200, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex.open_or_build(vectors, tmp_path, "k")
    table = index.neighbour_table(8)
    assert table.shape == (200, 8) and (table != np.arange(200)[:, None]).all()
    exact = np.argsort(-(vectors @ vectors.T), axis=1)[:, 1:9]
    assert np.mean([len(set(a) & set(b)) / 8 for a, b in zip(table, exact)]) > 0.8  # random data: the hardest case for Annoy
    saved = list(tmp_path.glob("vectors-k.nbrs8.npy"))
    assert saved
    again = VectorIndex.open_or_build(vectors, tmp_path, "k")
    np.save(saved[0], np.zeros((200, 8), np.int32))  # a rescan reads the table, asks Annoy nothing
    assert (again.neighbour_table(8) == 0).all()
    import time

    from photodedup.core.match.index import STALE_SECONDS

    for path in tmp_path.glob("vectors-k*"):  # no longer used by any scan
        os.utime(path, (time.time() - STALE_SECONDS - 1,) * 2)
    VectorIndex.open_or_build(vectors[::-1].copy(), tmp_path, "other")
    assert not list(tmp_path.glob("vectors-k*")), "a stale index takes its table with it"

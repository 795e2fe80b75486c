"""The grouping's close pairs (group._close_pairs: the pairs a neighbour table lists within the
threshold, with their distances), saved beside the table they come from and, after a change,
updated from the previous table's rather than computed for every row.

A warm rescan of 110,000 photos computed the distances of all 1.7 million listed pairs again
(3.0-4.3 s by per-phase timers on the loaded machine); a rescan after 1,000 photos came, with the vectors read row by
row from the photos (no packed copy), 7.2-9.0 s (profiled). Saved: 7,775 pairs at --threshold
0.30, 12 bytes each (0.85 bytes a photo).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from photodedup.core.match.neighbour_tables import (NeighbourTables, load_array, save_atomically, table_digest,
                                                    touch)

CLOSE_PAIRS = np.dtype([("first", "<i4"), ("second", "<i4"), ("distance", "<f4")])  # 12 bytes a pair
Pairs = tuple[list[int], list[int], list[float]]


def close_pairs(tables: NeighbourTables, vectors: np.ndarray, table: np.ndarray, threshold: float,
                compute: Callable[..., Pairs]) -> Pairs:
    """compute()'s (firsts, seconds, distances) of the pairs ``table`` lists within ``threshold``, saved
    under a digest of the table and the threshold: a rescan reads them (checked against the vectors).
    After an update of the table, compute(rows) is asked only for the rows whose list changed."""
    if tables.folder is None:
        return compute()
    path = tables.folder / f"vectors-{tables.key}.close-{table_digest(table)}-{threshold!r}.npy"
    saved = load_array(path)
    if saved is not None and _hold(saved, vectors, threshold):
        touch(path)
        return saved["first"].tolist(), saved["second"].tolist(), saved["distance"].tolist()
    first, second, distance = _updated(tables, vectors, table, threshold, compute) or compute()
    pairs = _as_array(np.asarray(first), np.asarray(second), np.asarray(distance, dtype=np.float32))
    if not np.array_equal(pairs["distance"], np.asarray(distance, dtype=np.float64)):
        return first, second, distance  # not float32 distances: kept as they are, not saved
    try:
        for other in tables.folder.glob(f"vectors-{tables.key}.close-*.npy"):  # another threshold's
            other.unlink(missing_ok=True)
        save_atomically(path, pairs)
    except OSError:
        pass
    return first, second, distance


def _updated(tables: NeighbourTables, vectors: np.ndarray, table: np.ndarray, threshold: float,
             compute: Callable[..., Pairs]) -> Pairs | None:
    """The close pairs of the table this one was updated from, kept where a row that lists the other
    still has its list, with those of the rows whose list changed computed; None when there is
    nothing to update from. The rows of an unchanged list give the pairs they gave (the same two
    vectors, the same product), so the result is what compute() would give for every row."""
    if "" not in tables.relisted:
        return None
    key, digest, new_of_old, relisted = tables.relisted[""]
    saved = load_array(tables.folder / f"vectors-{key}.close-{digest}-{threshold!r}.npy")
    if saved is None or saved.dtype != CLOSE_PAIRS or saved.ndim != 1 or (saved.size and (
            min(saved["first"].min(), saved["second"].min()) < 0
            or max(saved["first"].max(), saved["second"].max()) >= len(new_of_old) - 1)):
        return None
    a, b = new_of_old[saved["first"]], new_of_old[saved["second"]]
    there = (a >= 0) & (b >= 0)
    a, b, gap = a[there], b[there], saved["distance"][there]
    still = (~relisted[a] & (table[a] == b[:, None]).any(axis=1)) | (~relisted[b] & (table[b] == a[:, None]).any(axis=1))
    first, second, distance = compute(np.flatnonzero(relisted))
    a, b = np.r_[np.minimum(a, b)[still], first].astype(np.int64), np.r_[np.maximum(a, b)[still], second].astype(np.int64)
    gap = np.r_[gap[still], np.asarray(distance, dtype=np.float32)].astype(np.float32)
    _, last = np.unique((a * len(table) + b)[::-1], return_index=True)  # each pair once: the later (computed)
    latest = len(a) - 1 - last
    a, b, gap = a[latest], b[latest], gap[latest]
    order = np.lexsort((b, a, gap))
    merged = _as_array(a[order], b[order], gap[order])
    if not _hold(merged, vectors, threshold):
        return None
    return merged["first"].tolist(), merged["second"].tolist(), merged["distance"].tolist()


def _as_array(first: np.ndarray, second: np.ndarray, distance: np.ndarray) -> np.ndarray:
    pairs = np.empty(len(first), dtype=CLOSE_PAIRS)
    pairs["first"], pairs["second"], pairs["distance"] = first, second, distance
    return pairs


def _hold(saved: np.ndarray, vectors: np.ndarray, threshold: float, samples: int = 64) -> bool:
    """Whether saved close pairs are rows of ``vectors``, in order, within ``threshold``, at the distances
    their vectors give (a sample; compared as cosines, as a distance near 0 magnifies a rounding)."""
    if saved.dtype != CLOSE_PAIRS or saved.ndim != 1:
        return False
    if not saved.size:
        return True
    first, second, distance = saved["first"], saved["second"], saved["distance"]
    if first.min() < 0 or second.max() >= len(vectors) or (first >= second).any() or distance.max() > threshold \
            or (np.diff(distance) < 0).any():
        return False
    some = np.linspace(0, len(saved) - 1, min(samples, len(saved))).astype(np.int64)
    cosines = np.einsum("ij,ij->i", vectors[first[some]], vectors[second[some]])
    return bool(np.allclose(np.minimum(cosines, 1.0), 1.0 - distance[some].astype(np.float64) ** 2 / 2, rtol=0, atol=1e-5))

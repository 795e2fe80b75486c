"""Annoy nearest-neighbour index over the embedding vectors (angular metric)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np
from annoy import AnnoyIndex

from photodedup.core.progress import NULL_PROGRESS, Progress

# Annoy indexes a fixed random projection of the embeddings to 256 dimensions, not all 1280:
# it only proposes neighbours (grouping decides with distances of the full vectors), and it
# proposes as many of the pairs under the threshold (speed corpus: 0.968 against 0.961 for
# all 1280; accuracy corpus: 1.000 for both), in a fifth of the memory and time.
INDEXED_DIM = 256
_PROJECTION_SEED = 20261127


@lru_cache(maxsize=4)
def _projection(dim: int) -> np.ndarray | None:
    """(dim, INDEXED_DIM) Gaussian matrix, the same every run; None when dim is small already."""
    if dim <= INDEXED_DIM:
        return None
    rng = np.random.default_rng(_PROJECTION_SEED)
    return (rng.standard_normal((dim, INDEXED_DIM)) / np.sqrt(INDEXED_DIM)).astype(np.float32)


def _indexed(vector: np.ndarray, dim: int) -> np.ndarray:
    """What Annoy holds for a vector: its projection (angles are kept closely enough)."""
    vector = np.asarray(vector, dtype=np.float32)
    matrix = _projection(dim)
    return vector if matrix is None else vector @ matrix


# Each query looks at SEARCH_WIDER × Annoy's default number of nodes: a table updated with a change
# keeps the answers of an older index for unchanged photos, and agrees with a table made anew only
# where both find every near neighbour. Measured on bench/corpus-100k part a (11,000 photos, 1% of
# them changed three times, threshold 0.30): at Annoy's default 7 of 930 groups differed from a cold
# scan's; at 4 (and the thumbnails' index at 32) the same 939 groups after one change.
SEARCH_WIDER = 4

# A saved index not used for this long belongs to no running scan: removed by the next build.
# (Another scan's index, in use this minute, is left alone: concurrent scans of different
# folders share one cache folder.)
STALE_SECONDS = 3600


def _remove_stale(folder: Path, keep: Path) -> None:
    """Remove saved indexes (and their neighbour tables) of other keys unused for STALE_SECONDS."""
    now = time.time()
    for stale in folder.glob("vectors-*"):
        try:
            if stale != keep and not stale.name.startswith(keep.stem) and now - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()
        except OSError:  # gone already, or not ours to remove
            pass


class VectorIndex:
    """Integer ids 0..n-1 are positions in the vector list given to ``build``."""

    def __init__(self, annoy: AnnoyIndex, count: int, path: Path | None = None, dim: int = 0) -> None:
        self._annoy = annoy
        self.count = count
        self.path = path  # where it is saved; its neighbour table is kept beside it
        self.dim = dim or annoy.f  # of the vectors given, before projection

    @classmethod
    def build(
        cls,
        vectors: Sequence[np.ndarray],
        folder: Path | None = None,
        trees: int = 16,
        progress: Progress = NULL_PROGRESS,
        name: str = "vectors.ann",
    ) -> "VectorIndex":
        """Build the index of ``vectors`` (a matrix, or a list of rows: no stacked copy needed);
        with ``folder``, write it atomically there and memory-map it."""
        count, dim = len(vectors), len(vectors[0])
        progress.start("Indexing", count)
        annoy = AnnoyIndex(min(dim, INDEXED_DIM), "angular")
        annoy.set_seed(42)
        for start in range(0, count, 1024):  # projected 1,024 at a time: one product, not 1,024
            progress.check()
            block = _indexed(np.asarray(vectors[start:start + 1024], dtype=np.float32), dim)
            for item, vector in enumerate(block, start):
                annoy.add_item(item, vector)
        annoy.build(trees, n_jobs=-1)
        progress.advance(count)
        if folder is None:
            return cls(annoy, count, dim=dim)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / name
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".vectors-", suffix=".ann")
        os.close(handle)
        try:
            # Annoy maps the file it saved; the mapping follows the file through the rename and
            # outlives its deletion, so another scan removing it can't pull it from under us.
            annoy.save(temporary)
            os.replace(temporary, final)
        except BaseException:
            annoy.unload()
            raise
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return cls(annoy, count, final, dim)

    @classmethod
    def open_or_build(
        cls, vectors: Sequence[np.ndarray], folder: Path, key: str, progress: Progress = NULL_PROGRESS,
    ) -> "VectorIndex":
        """Reuse the index saved in ``folder`` for exactly these vectors (named by ``key``), else build it.

        ``key`` must change whenever the vectors do (the caller hashes what they came from).
        A saved index that cannot be loaded or holds the wrong number of items is rebuilt;
        indexes saved for other keys are removed.
        """
        count, dim = len(vectors), len(vectors[0])
        final = folder / f"vectors-{key}.ann"
        if final.exists():
            try:
                index = cls.load(final, dim, count)
                if index.holds(vectors):
                    os.utime(final)  # in use: not stale for another scan
                    return index
                index._annoy.unload()
            except (OSError, ValueError):
                pass
            final.unlink(missing_ok=True)
            for table in folder.glob(final.stem + ".nbrs*.npy"):
                table.unlink(missing_ok=True)
        index = cls.build(vectors, folder, progress=progress, name=final.name)
        _remove_stale(folder, keep=final)
        return index

    @classmethod
    def load(cls, path: Path, dim: int, expected_count: int) -> "VectorIndex":
        """Memory-map a saved index of ``dim``-dimensional vectors; refuse one whose item count disagrees."""
        annoy = AnnoyIndex(min(dim, INDEXED_DIM), "angular")
        annoy.load(str(path), prefault=False)
        held = annoy.get_n_items()
        if held != expected_count:
            annoy.unload()
            raise ValueError(f"index {path} holds {held} items, expected {expected_count}")
        return cls(annoy, expected_count, Path(path), dim)

    def holds(self, vectors: Sequence[np.ndarray], samples: int = 64) -> bool:
        """Whether a spread of sampled items match ``vectors`` (a cheap check of a saved index)."""
        count = len(vectors)
        for item in np.unique(np.linspace(0, count - 1, min(samples, count)).astype(int)):
            stored = np.asarray(self._annoy.get_item_vector(int(item)), dtype=np.float32)
            expected = _indexed(vectors[item], self.dim)
            if stored.shape != expected.shape or not np.allclose(stored, expected, atol=1e-4):
                return False
        return True

    def neighbour_table(self, count: int, progress: Progress = NULL_PROGRESS) -> np.ndarray:
        """(items, count) int32: each item's nearest other items, closest first, -1 where fewer.

        Queried on all cores (Annoy releases the GIL) and, for a saved index, kept beside it,
        so a rescan or a regroup at another threshold asks Annoy nothing.
        """
        saved = self.path.with_suffix(f".nbrs{count}.npy") if self.path is not None else None
        if saved is not None and saved.exists():
            try:
                table = np.load(saved, allow_pickle=False)
                if table.shape == (self.count, count) and table.dtype == np.int32:
                    return table
            except (OSError, ValueError):
                pass
        table = self.query(range(self.count), count, progress)
        if saved is not None:
            temporary = saved.with_name(f".{saved.name}.tmp-{os.getpid()}.npy")
            try:
                np.save(temporary, table)
                os.replace(temporary, saved)
            except OSError:
                temporary.unlink(missing_ok=True)
            # The queries read every page of the memory-mapped file (55 MB for 10,000 photos),
            # which then count as this process's memory; map it afresh so they don't (unless
            # another scan has replaced or removed the file meanwhile: then keep this mapping).
            fresh = AnnoyIndex(self._annoy.f, "angular")
            try:
                fresh.load(str(self.path), prefault=False)
            except OSError:
                return table
            if fresh.get_n_items() == self.count:
                self._annoy.unload()
                self._annoy = fresh
            else:
                fresh.unload()
        return table

    def query(self, items: Sequence[int], count: int, progress: Progress = NULL_PROGRESS,
              wider: int = 0) -> np.ndarray:
        """(len(items), count) int32: each item's nearest other items, closest first, -1 where
        fewer; on all cores (Annoy releases the GIL), looking at ``wider`` (default SEARCH_WIDER) ×
        Annoy's default number of nodes."""
        items = list(items)
        table = np.full((len(items), count), -1, dtype=np.int32)
        search_k = (wider or SEARCH_WIDER) * self._annoy.get_n_trees() * (count + 1)

        def query(row: int) -> None:
            item = items[row]
            others = [other for other in self._annoy.get_nns_by_item(item, count + 1, search_k) if other != item][:count]
            table[row, : len(others)] = others

        progress.start("Finding look-alikes", len(items))
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="index") as pool:
            for start in range(0, len(items), 1024):
                progress.check()
                list(pool.map(query, range(start, min(start + 1024, len(items)))))
                progress.advance(min(1024, len(items) - start))
        return table

    def distance(self, first: int, second: int) -> float:
        """The distance the index orders neighbours by (angular, of what it holds)."""
        return self._annoy.get_distance(first, second)

    def close(self) -> None:
        """Let the index go (its memory, or its file's mapping) now, not when collected."""
        self._annoy.unload()

    def nearest_to(self, vector: np.ndarray, count: int) -> list[int]:
        """Up to ``count`` items nearest to a vector that is not in the index, closest first."""
        return list(self._annoy.get_nns_by_vector(_indexed(vector, self.dim), count))


def ordered_like_an_index(vectors: np.ndarray, table: np.ndarray, samples: int = 64) -> bool:
    """Whether a spread of sampled rows of a neighbour table list valid items closest first, as an
    index of ``vectors`` would (a cheap check of a saved table: a tampered or foreign one fails)."""
    count, dim = len(vectors), vectors.shape[1]
    if table.ndim != 2 or table.shape[0] != count or (table.size and (table.min() < -1 or table.max() >= count)):
        return False
    sampled = np.unique(np.linspace(0, count - 1, min(samples, count)).astype(int))
    rows = table[sampled]
    if np.any(rows == sampled[:, None]):
        return False
    held = _indexed(np.asarray(vectors[np.r_[sampled, np.maximum(rows, 0).reshape(-1)]], dtype=np.float32), dim)
    held /= np.maximum(np.linalg.norm(held, axis=1, keepdims=True), 1e-12)  # one projection for all samples
    own, listed = held[:len(sampled)], held[len(sampled):].reshape(len(sampled), rows.shape[1], -1)
    distances = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * np.einsum("ijk,ik->ij", listed, own)))
    distances[rows < 0] = np.inf  # -1 (fewer neighbours) only at the end
    return not np.any(np.diff(distances, axis=1) < -1e-3)

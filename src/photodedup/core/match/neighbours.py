"""The grouping's candidates, made to scale: the library's vectors packed in one matrix, its saved
neighbour tables (neighbour_tables.py), and the pairs the thumbnails propose (turned.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.match.close_pairs import close_pairs
from photodedup.core.match.neighbour_tables import NeighbourTables, row_ids
from photodedup.core.match.turned import TurnedSearch
from photodedup.core.models import ImageInfo
from photodedup.core.progress import NULL_PROGRESS, Progress

# A photo this small (long side, px) is a thumbnail whose squashed picture may be trimmed unlike
# its original's: its TINY_PER_PHOTO best thumbnail matches over TINY_CORRELATION are candidates
# too (the pixels decide; they are not taken as alike for similar shots). Measured on bench/corpus:
# the 100-px thumbnails "Path", "Wood" and "hubble_deep_field" matched their own scene best, at
# 0.53, 0.80 and 0.88, under the 0.93 of turned_candidates, and the embedding put them 0.67-0.91 away.
TINY_SIDE = 160
TINY_CORRELATION = 0.4
TINY_PER_PHOTO = 2
# The thumbnails' index (36 numbers a photo) is asked 32 × as far as Annoy would: cheap in so few
# dimensions, and a table updated after a change then agrees with one made anew (at index.SEARCH_WIDER,
# 3 of 939 groups of part a of bench/corpus-100k differed after 1% changed, all from this table).
THUMBNAILS_SEARCH_WIDER = 32


def release_free_memory() -> None:
    """Hand memory freed in small blocks back to the system (glibc keeps it otherwise, and it
    counts as the process's for as long as it runs); nothing where the C library can't."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows): nothing to do
        pass


class LibraryIndex:
    """What grouping asks an index for (group.NeighbourIndex): one library's saved neighbour table."""

    def __init__(self, tables: NeighbourTables, vectors: np.ndarray, kind: str = "") -> None:
        self.tables, self.vectors, self.kind = tables, vectors, kind

    def neighbour_table(self, count: int, progress: Progress = NULL_PROGRESS) -> np.ndarray:
        return self.tables.table(self.vectors, self.kind, count, progress)

    def remembered_pairs(self, table: np.ndarray, threshold: float,
                         compute: Callable[..., tuple[list[int], list[int], list[float]]]) -> tuple[list, list, list]:
        """group._close_pairs's answer for ``table`` at ``threshold``: saved beside the table, or computed
        and saved (a warm rescan of 110,000 photos spent 3.0-4.3 s, loaded machine, on the distances of
        the 1.7 million pairs the table lists)."""
        return close_pairs(self.tables, self.vectors, table, threshold, compute)


def library_tables(infos: list[ImageInfo], positions: list[int], cache: cache_module.Cache) -> NeighbourTables:
    """The neighbour tables of these photos, kept in the cache's index folder (if it has one)."""
    return NeighbourTables(cache.index_folder, row_ids([infos[p].content_hash for p in positions], cache.model_id),
                           cache.model_id)


class LibraryVectors:
    """The vectors of ``infos[p]`` for p in ``positions``, as rows 0..n-1 of a matrix that is never
    made: a row is the photo's own vector (from the cache: a row of the block it read it in), and
    rows asked together (a slice, an array of rows) are stacked as asked. Packing every vector into
    one matrix first copied the library's vectors (555 MB at 110,000 photos): 1.2-2.3 s of a warm
    rescan that asks for none of them (its neighbour tables and close pairs are saved), and the
    index, the distances and the checks read the rows they need the same either way."""

    def __init__(self, infos: list[ImageInfo], positions: list[int]) -> None:
        self.infos, self.positions = infos, positions
        self.dtype = np.dtype(np.float32)
        self.shape = (len(positions), len(infos[positions[0]].vector) if positions else 0)

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, rows):
        if isinstance(rows, (int, np.integer)):
            return self._row(int(rows))
        wanted = np.arange(len(self))[rows] if isinstance(rows, slice) else np.asarray(rows)
        flat = [self._row(int(row)) for row in wanted.reshape(-1)]
        stacked = np.stack(flat) if flat else np.empty((0, self.shape[1]), dtype=np.float32)
        return stacked.reshape(*wanted.shape, self.shape[1])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self[:], dtype=dtype)

    def _row(self, row: int) -> np.ndarray:
        if row < 0:
            row += len(self)
        vector = self.infos[self.positions[row]].vector
        return vector if vector.dtype == np.float32 else vector.astype(np.float32)


def thumbs_of(infos: list[ImageInfo], positions: list[int], cache: cache_module.Cache,
              chunk: int = 4096) -> np.ndarray | None:
    """The photos' grey thumbnails as one (count, side, side) uint8 array (1 KB a photo, filled row
    by row: never a list of arrays and then a stacked copy), or None when one is missing; read from
    the cache ``chunk`` at a time, 900 a query (136,000 queries took 1.9 s of a rescan, profiled)."""
    thumbs = None
    try:
        for start in range(0, len(positions), chunk):
            cache.hold_thumbs([infos[p].file for p in positions[start:start + chunk]])
            for row in range(start, min(start + chunk, len(positions))):
                thumb = cache.lookup_thumb(infos[positions[row]].file)
                if thumb is None:
                    return None
                if thumbs is None:
                    thumbs = np.empty((len(positions), *thumb.shape), dtype=np.uint8)
                if thumb.shape != thumbs.shape[1:]:
                    return None
                thumbs[row] = thumb
    finally:
        cache.hold_thumbs([])
    return thumbs


def thumbnail_pairs(infos: list[ImageInfo], positions: list[int], cache: cache_module.Cache,
                    tables: NeighbourTables, progress: Progress) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(turned or mirrored candidates, tiny photos' candidates) among ``positions`` by their thumbnails,
    as rows of ``positions``; a large library's thumbnail table, and the pairs found, are saved
    beside the cache: a rescan of the same photos reads no thumbnail."""
    saved = [tables.saved_pairs(name, len(positions)) for name in ("turned", "tiny")]
    if all(pairs is not None for pairs in saved):
        return [[(a, b) for a, b in pairs.tolist()] for pairs in saved]
    thumbs = thumbs_of(infos, positions, cache)
    if thumbs is None:
        return [], []
    aspects = np.array([infos[p].width / max(1, infos[p].height) for p in positions])

    def neighbours(descriptors: np.ndarray, count: int) -> np.ndarray:
        return tables.table(descriptors, "-turned", count, progress, THUMBNAILS_SEARCH_WIDER)

    search = TurnedSearch(thumbs, aspects, neighbours)
    del thumbs
    tiny_rows = [row for row, p in enumerate(positions) if max(infos[p].width, infos[p].height) <= TINY_SIDE]
    turned = search.pairs(known=lambda: tables.previous_found("-turned"))
    if search.table is not None:  # searched by the table: what it found helps the next update
        tables.save_found("-turned", *search.found)
    found = turned, search.pairs(tiny_rows, TINY_CORRELATION, TINY_PER_PHOTO)
    for name, pairs in zip(("turned", "tiny"), found):
        tables.save_pairs(name, np.array(pairs, dtype=np.int64).reshape(-1, 2))
    return found



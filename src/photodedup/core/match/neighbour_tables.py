"""Neighbour tables saved beside the cache, and updated with the change rather than rebuilt.

A library's table (each photo's nearest others, by the index) is saved with the ids of its rows (a
digest of each photo's content hash). A rescan of the same photos reads it and asks no index. After
some photos changed, came or went, the index is built again (a few seconds: it is the queries that
cost) and only these rows are asked again: the new photos', and those of unchanged photos that
listed a photo now gone; an unchanged photo that now has a new photo among its nearest gets it
merged into its row (the new photos are asked for REACH × as many neighbours, so such a photo is
found from the new one's side). Rows of untouched photos are kept as they were. Measured at 55,000
photos with 1% changed (README "A photographer's archive"): the rebuild took 280 s.

Only the tables and the row ids are kept (80 + 16 bytes a photo), not the Annoy index (1,229 bytes
a photo at 55,000): a rescan never reads it, and a changed library builds a new one anyway.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from photodedup.core.match.index import STALE_SECONDS, VectorIndex, ordered_like_an_index
from photodedup.core.progress import NULL_PROGRESS, Progress

TABLE_FORMAT = "tables-1"  # in every key: tables made another way are never read as these
REACH = 4  # a new photo is asked for REACH × the table's width of neighbours, to merge it into theirs
# A previous table is updated when it holds at least this share of the photos: past it, asking the
# new photos REACH × as far costs more than asking every photo once.
REUSE_SHARE = 1 - 1 / REACH
PREVIOUS_LOOKED_AT = 3  # the most recently used tables tried as the previous one


def row_ids(content_hashes: Sequence[str], model_id: str) -> np.ndarray:
    """(count, 2) uint64: a 128-bit digest of each row's content hash and the model (what its vector
    comes from), so no row of another model's table is ever taken for one of this model's."""
    salt = f"{TABLE_FORMAT}\0{model_id}\0".encode()
    digests = b"".join(hashlib.blake2b(salt + h.encode(), digest_size=16).digest() for h in content_hashes)
    return np.frombuffer(digests, dtype=np.uint64).reshape(-1, 2).copy()


class NeighbourTables:
    """The tables of one library (rows ``ids``) in ``folder`` (None: kept in memory only)."""

    def __init__(self, folder: Path | None, ids: np.ndarray, model_id: str) -> None:
        self.folder = folder
        self.ids = ids
        digest = hashlib.blake2b(digest_size=12)
        digest.update(f"{TABLE_FORMAT}\0{model_id}\0".encode())
        digest.update(ids.tobytes())
        self.key = digest.hexdigest()
        self.asked = 0  # rows the last table asked an index about (a rescan: 0)
        # kind → (key of the table it came from, row now of each row then (-1: gone; one more -1
        # at the end), rows whose neighbours, or who lists them, may have changed)
        self.changes: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}
        # kind → (key then, digest of the table then, row now of each row then, rows whose own list is not
        # the one they had): what close_pairs.py updates the close pairs from
        self.relisted: dict[str, tuple[str, str, np.ndarray, np.ndarray]] = {}

    def _path(self, kind: str, count: int) -> Path:
        return self.folder / f"vectors-{self.key}{kind}.nbrs{count}.npy"

    def table(self, vectors: np.ndarray, kind: str, count: int, progress: Progress = NULL_PROGRESS,
              wider: int = 0) -> np.ndarray:
        """(rows, count) int32: each row's nearest others among ``vectors`` (row i is ids[i]'s),
        closest first, -1 where fewer: saved, or updated from the previous table, or made (asking
        the index ``wider`` × as far as Annoy would, index.SEARCH_WIDER by default)."""
        self.relisted.pop(kind, None)  # what an earlier call found is not this table's
        saved = self._saved(vectors, kind, count)
        if saved is not None:
            self.asked = 0
            self.changes[kind] = (self.key, np.r_[np.arange(len(vectors)), -1], np.zeros(len(vectors), dtype=bool))
            return saved
        previous = self._previous(kind, count)
        index = VectorIndex.build(vectors, progress=progress)
        self.changes.pop(kind, None)
        try:
            table = None
            if previous is not None:
                table, self.asked, new_of_old, changed = updated_table(*previous[1:], self.ids, index, count,
                                                                       progress, wider)
                self.changes[kind] = (previous[0], new_of_old, changed)
                self.relisted[kind] = (previous[0], table_digest(previous[2]), new_of_old,
                                       relisted_rows(table, previous[2], new_of_old))
                if not ordered_like_an_index(vectors, table):  # a previous table tampered with
                    table = None
                    self.changes.pop(kind)
                    self.relisted.pop(kind)  # close_pairs must not trust the rows of a rejected update
            if table is None:
                table = index.query(range(len(vectors)), count, progress, wider)
                self.asked = len(vectors)
        finally:
            index.close()
        self._save(kind, count, table)
        return table

    def saved_pairs(self, name: str, rows: int) -> np.ndarray | None:
        """(pairs, 2) int64 rows saved for this library under ``name``, or None."""
        pairs = load_array(self.folder / f"vectors-{self.key}-{name}.pairs.npy") if self.folder is not None else None
        if pairs is None or pairs.dtype != np.int64 or pairs.ndim != 2 or pairs.shape[1] != 2 \
                or (pairs.size and (pairs.min() < 0 or pairs.max() >= rows)):
            return None
        return pairs

    def save_pairs(self, name: str, pairs: np.ndarray) -> None:
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                save_atomically(self.folder / f"vectors-{self.key}-{name}.pairs.npy", pairs.astype(np.int64))
            except OSError:
                pass

    def save_found(self, kind: str, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray) -> None:
        """Keep what a search over the ``kind`` table found (row, col, score), for the next update."""
        if self.folder is not None:
            try:
                save_atomically(self.folder / f"vectors-{self.key}{kind}.found.npy",
                                 np.column_stack([rows, cols, scores]).astype(np.float64))
            except OSError:
                pass

    def previous_found(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(rows, cols, scores, rows to search again) from what was found over the table the ``kind``
        table was updated from, in this library's rows; None when it was made anew."""
        if kind not in self.changes or self.folder is None:
            return None
        key, new_of_old, changed = self.changes[kind]
        found = load_array(self.folder / f"vectors-{key}{kind}.found.npy")
        if found is None or found.ndim != 2 or found.shape[1] != 3 or (found.size and (
                found[:, :2].min() < 0 or found[:, :2].max() >= len(new_of_old) - 1)):
            return None
        rows, cols = new_of_old[found[:, 0].astype(np.int64)], new_of_old[found[:, 1].astype(np.int64)]
        there = (rows >= 0) & (cols >= 0)
        return rows[there], cols[there], found[there, 2].astype(np.float32), changed

    def _saved(self, vectors: np.ndarray, kind: str, count: int) -> np.ndarray | None:
        if self.folder is None:
            return None
        path = self._path(kind, count)
        ids = load_array(self.folder / f"vectors-{self.key}.ids.npy")
        table = load_array(path)
        if ids is None or table is None or not np.array_equal(ids, self.ids) or table.dtype != np.int32 \
                or table.shape != (len(vectors), count) or not ordered_like_an_index(vectors, table):
            return None
        touch(path, self.folder / f"vectors-{self.key}.ids.npy")
        return table

    def _previous(self, kind: str, count: int) -> tuple[str, np.ndarray, np.ndarray] | None:
        """(key, ids, table) of the recently used table of this kind sharing most rows with this library,
        when it shares at least REUSE_SHARE of them."""
        if self.folder is None or not self.folder.is_dir():
            return None
        pattern = f"vectors-{'?' * len(self.key)}{kind}.nbrs{count}.npy"
        tables = sorted(self.folder.glob(pattern), key=_mtime, reverse=True)[:PREVIOUS_LOOKED_AT]
        best, shared = None, REUSE_SHARE * len(self.ids)
        current = {row.tobytes() for row in self.ids}
        for path in tables:
            key = path.name[len("vectors-"):len("vectors-") + len(self.key)]
            if key == self.key:  # this library's own table, found wrong
                continue
            ids, table = load_array(self.folder / f"vectors-{key}.ids.npy"), load_array(path)
            if ids is None or table is None or ids.ndim != 2 or table.shape[0] != len(ids) or table.shape[1] != count:
                continue
            common = sum(row.tobytes() in current for row in ids)
            if common >= shared:
                best, shared = (key, ids, table), common
        return best

    def _save(self, kind: str, count: int, table: np.ndarray) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            save_atomically(self.folder / f"vectors-{self.key}.ids.npy", self.ids)
            save_atomically(self._path(kind, count), table)
        except OSError:  # a full or read-only disk: the table was made, only not kept
            return
        _remove_stale(self.folder, f"vectors-{self.key}")


def updated_table(old_ids: np.ndarray, old_table: np.ndarray, ids: np.ndarray, index: VectorIndex, count: int,
                  progress: Progress = NULL_PROGRESS, wider: int = 0) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """(the table of ``ids`` from the one of ``old_ids``, rows asked, the row now of each old row (-1:
    gone; one more -1 at the end), rows whose neighbours or listers may differ): rows of photos still
    there are kept, new photos and photos that listed a photo now gone are asked, and a new photo
    near an unchanged one is merged into its row (see the module's note)."""
    old_row = {row.tobytes(): number for number, row in enumerate(old_ids)}
    old_of_new = np.array([old_row.get(row.tobytes(), -1) for row in ids], dtype=np.int64)
    new_of_old = np.full(len(old_ids) + 1, -1, dtype=np.int64)  # the last: where -1 (no neighbour) goes
    kept = np.flatnonzero(old_of_new >= 0)
    new_of_old[old_of_new[kept]] = kept
    table = np.full((len(ids), count), -1, dtype=np.int32)
    listed = old_table[old_of_new[kept]]
    table[kept] = new_of_old[listed]
    lost = kept[((listed >= 0) & (table[kept] < 0)).any(axis=1)]
    new = np.flatnonzero(old_of_new < 0)
    wide = index.query(new, REACH * count, progress, wider)
    table[new] = wide[:, :count]
    table[lost] = index.query(lost, count, progress, wider)
    touched = np.zeros(len(ids), dtype=bool)
    touched[new] = touched[lost] = True
    merges: dict[int, set[int]] = {}
    for row, near in zip(new.tolist(), wide.tolist()):
        for other in near:
            if other >= 0 and not touched[other]:
                merges.setdefault(other, set()).add(row)
    for row, newcomers in merges.items():
        others = set(table[row][table[row] >= 0].tolist()) | newcomers
        closest = sorted(others, key=lambda other: (index.distance(row, other), other))[:count]
        table[row] = -1
        table[row, :len(closest)] = closest
    return table, len(new) + len(lost), new_of_old, _changed_rows(table, kept, new_of_old[listed], new,
                                                                  new_of_old[old_table[old_of_gone(old_of_new, len(old_ids))]])


def table_digest(table: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(table).tobytes(), digest_size=8).hexdigest()


def relisted_rows(table: np.ndarray, old_table: np.ndarray, new_of_old: np.ndarray) -> np.ndarray:
    """Rows of ``table`` (bool) that are new or whose list of others (as a set) is not their old row's."""
    old_of_new = np.full(len(table), -1, dtype=np.int64)
    olds = np.flatnonzero(new_of_old[:-1] >= 0)
    old_of_new[new_of_old[olds]] = olds
    relisted = old_of_new < 0
    kept = np.flatnonzero(~relisted)
    before = new_of_old[old_table[old_of_new[kept]]]  # -1 (none) stays -1: new_of_old's last
    relisted[kept] = (np.sort(before, axis=1) != np.sort(table[kept], axis=1)).any(axis=1)
    return relisted


def old_of_gone(old_of_new: np.ndarray, old_count: int) -> np.ndarray:
    """Rows of the old table whose photo is gone."""
    still = np.zeros(old_count, dtype=bool)
    still[old_of_new[old_of_new >= 0]] = True
    return np.flatnonzero(~still)


def _changed_rows(table: np.ndarray, kept: np.ndarray, before: np.ndarray, new: np.ndarray,
                  listed_by_gone: np.ndarray) -> np.ndarray:
    """Rows whose neighbours, or the rows listing them, may differ from the old table's: new rows,
    kept rows whose list changed, every row either list of those names, every row a gone one listed."""
    changed = np.zeros(len(table), dtype=bool)
    changed[new] = True
    differs = kept[(np.sort(before, axis=1) != np.sort(table[kept], axis=1)).any(axis=1)]
    changed[differs] = True
    for named in (table[new], table[differs], before[np.isin(kept, differs)], listed_by_gone):
        changed[named[named >= 0]] = True
    return changed


def load_array(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None


def save_atomically(path: Path, array: np.ndarray) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}.npy")
    try:
        np.save(temporary, array)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def touch(*paths: Path) -> None:
    for path in paths:
        try:
            os.utime(path)  # in use: not stale for another scan
        except OSError:
            pass


def _remove_stale(folder: Path, keep: str) -> None:
    """Remove saved tables, ids and indexes of other libraries unused for STALE_SECONDS (another
    scan's, in use this hour, are left alone: concurrent scans share one cache folder)."""
    now = time.time()
    for stale in folder.glob("vectors-*"):
        try:
            if not stale.name.startswith(keep) and now - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()
        except OSError:  # gone already, or not ours to remove
            pass

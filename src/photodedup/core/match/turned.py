"""Candidates the embedding misses: photos whose small grey thumbnails match when one is turned or
mirrored (or as they are). The embedding sees a turned picture, or a tiny thumbnail, as another
picture; the pixels decide every pair proposed here.

Scoring every pair grows as the square of the library: 11,000 photos took 34 s of a 38 s grouping,
and 110,000 would take 8 × 12·10⁹ products of 256 numbers (a quarter of an hour) with a 2,048 × N
block of scores (0.9 GB). So up to TURNED_EXACT_UP_TO photos (more exactly: up to its square of
pairs asked) every pair is scored, and beyond that each photo's candidates are its
TURNED_NEIGHBOURS nearest (either way) by a thumbnail no turn or mirror changes (_turn_free), from
an index; both are scored in blocks, never more than a few MB of scores at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

TURNED_SIDE = 16  # thumbnails compared at 16×16
TURNED_CORRELATION = 0.93  # thumbnails this alike (any turn or mirror) are worth a pixel check
TURNED_PER_PHOTO = 2  # at most this many such candidates per photo
TEXTURED = 4.0  # grey levels of spread under which a thumbnail is plain and matches everything
ASPECT_SLACK = 0.3  # log of width/height a turned copy may differ by (trimmed borders differ)
# All pairs are scored while (photos asked) × (photos) stays under this squared; beyond, each
# photo's TURNED_NEIGHBOURS nearest turn-free thumbnails are. Measured on bench/corpus-100k part a
# (11,000 photos, README "A photographer's archive"): the neighbours find 883 of the 947 pairs
# all pairs find, 902 of its 907 copies, in 5-8 s instead of 34 s.
TURNED_EXACT_UP_TO = 4096
TURNED_NEIGHBOURS = 8
_TURNS = (lambda t: t, lambda t: t[..., ::-1, ::-1], lambda t: np.rot90(t, 1, axes=(-2, -1)),
          lambda t: np.rot90(t, 3, axes=(-2, -1)), lambda t: t[..., :, ::-1], lambda t: t[..., ::-1, :],
          lambda t: np.rot90(t[..., :, ::-1], 1, axes=(-2, -1)), lambda t: np.rot90(t[..., :, ::-1], 3, axes=(-2, -1)))
SWAPPING = (2, 3, 6, 7)  # the turns by 90° (of _TURNS and verdict.TURNS): width and height swap
_ROWS_AT_ONCE, _COLUMNS_AT_ONCE, _PAIRS_AT_ONCE = 512, 8192, 8192  # 16 MB of scores, 2 × 8 MB of pairs

# Each photo's nearest items (rows of the (count, k) table, -1 where fewer) among unit vectors.
NeighbourFinder = Callable[[np.ndarray, int], np.ndarray]


def unit_thumbs(thumbs: np.ndarray, block: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """((count, 16, 16) float32 thumbnails squashed to 16×16, zero mean and unit norm; whether each
    is textured), computed block by block from the (count, side, side) uint8 thumbnails: 1 KB a photo."""
    count = len(thumbs)
    side = thumbs.shape[-1] // TURNED_SIDE
    base = np.empty((count, TURNED_SIDE, TURNED_SIDE), dtype=np.float32)
    textured = np.empty(count, dtype=bool)
    for start in range(0, count, block):
        part = thumbs[start:start + block]
        small = part.reshape(len(part), TURNED_SIDE, side, TURNED_SIDE, side).astype(np.float32).mean(axis=(2, 4))
        flat = small.reshape(len(part), -1)
        textured[start:start + block] = flat.std(axis=1) >= TEXTURED
        flat = flat - flat.mean(axis=1, keepdims=True)
        flat /= np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)
        base[start:start + block] = flat.reshape(len(part), TURNED_SIDE, TURNED_SIDE)
    return base, textured


_QUADRANT_ROWS, _QUADRANT_COLS = np.tril_indices(TURNED_SIDE // 2)  # a triangle of one quadrant: 36 numbers
_WEIGHTS = np.where(_QUADRANT_ROWS == _QUADRANT_COLS, 1.0, np.sqrt(2.0)).astype(np.float32)


def turn_free(base: np.ndarray, block: int = 4096) -> np.ndarray:
    """(count, 36) unit vectors no turn or mirror changes: the sum of a thumbnail's eight turns is the
    same in its four quadrants and across their diagonals, so 36 of its 256 numbers (weighted by how
    often each occurs) give the same angles between photos, in 1/7 of the index."""
    reduced = np.empty((len(base), len(_QUADRANT_ROWS)), dtype=np.float32)
    for start in range(0, len(base), block):
        part = base[start:start + block]
        symmetric = sum(turn(part) for turn in _TURNS)
        symmetric = symmetric - symmetric.mean(axis=(1, 2), keepdims=True)
        reduced[start:start + block] = symmetric[:, _QUADRANT_ROWS, _QUADRANT_COLS] * _WEIGHTS
    return reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-6)


def scores_above(turned: np.ndarray, against: np.ndarray, turns: Sequence[int], correlation: float,
                 pairs: tuple[np.ndarray, np.ndarray] | None = None):
    """(turn, rows of ``turned``, rows of ``against``, correlation) of turn(turned[row]) with
    against[col] at ``correlation`` or more, for each of ``turns``: every pair, or only ``pairs``
    (rows, cols), block by block (each block's thumbnails gathered once for all the turns)."""
    flat = against.reshape(len(against), -1)
    if pairs is None:
        for start in range(0, len(turned), _ROWS_AT_ONCE):
            part = turned[start:start + _ROWS_AT_ONCE]
            for turn in turns:
                block = np.ascontiguousarray(_TURNS[turn](part)).reshape(len(part), -1)
                for other in range(0, len(flat), _COLUMNS_AT_ONCE):
                    scores = block @ flat[other:other + _COLUMNS_AT_ONCE].T
                    rows, cols = np.nonzero(scores >= correlation)
                    yield turn, rows + start, cols + other, scores[rows, cols]
        return
    for start in range(0, len(pairs[0]), _PAIRS_AT_ONCE):
        rows, cols = pairs[0][start:start + _PAIRS_AT_ONCE], pairs[1][start:start + _PAIRS_AT_ONCE]
        left, right = turned[rows], against[cols]
        for turn in turns:
            scores = np.einsum("ijk,ijk->i", _TURNS[turn](left), right)  # a turned view: no copy
            keep = scores >= correlation
            yield turn, rows[keep], cols[keep], scores[keep]


def best_matches(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, per_photo: int) -> list[tuple[int, int]]:
    """(row, col) of each row's ``per_photo`` best cols (each col at its best score; ties: lower col)."""
    if len(rows) == 0:
        return []
    order = np.lexsort((-scores, cols, rows))  # each (row, col) once, at its best score
    rows, cols, scores = rows[order], cols[order], scores[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
    rows, cols, scores = rows[first], cols[first], scores[first]
    order = np.lexsort((cols, -scores, rows))  # per row, best first
    rows, cols = rows[order], cols[order]
    starts = np.r_[0, np.flatnonzero(rows[1:] != rows[:-1]) + 1]
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    return list(zip(rows[rank < per_photo].tolist(), cols[rank < per_photo].tolist()))


def _neighbour_pairs(table: np.ndarray, asking: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) for each row asked and each col among its neighbours or having it among theirs."""
    count, width = table.shape
    left = np.repeat(np.arange(count), width)
    right = table.reshape(-1).astype(np.int64)
    keep = (right >= 0) & (right != left)
    left, right = left[keep], right[keep]
    rows, cols = np.concatenate([left, right]), np.concatenate([right, left])
    asked = np.zeros(count, dtype=bool)
    asked[asking] = True
    return rows[asked[rows]], cols[asked[rows]]


def _default_finder(descriptors: np.ndarray, count: int) -> np.ndarray:
    from photodedup.core.match.index import VectorIndex

    return VectorIndex.build(descriptors).neighbour_table(count)


def _nearest_originals(originals: np.ndarray, others: np.ndarray, count: int) -> np.ndarray:
    """(len(others), count) int64: the rows of ``originals`` nearest to each of ``others``, -1 where fewer."""
    from photodedup.core.match.index import VectorIndex

    index = VectorIndex.build(originals)
    table = np.full((len(others), count), -1, dtype=np.int64)
    for row, vector in enumerate(others):
        found = index.nearest_to(vector, count)
        table[row, :len(found)] = found
    return table


class TurnedSearch:
    """The thumbnails of a library made ready once (1 KB a photo), asked for pairs as often as needed."""

    def __init__(self, thumbs: np.ndarray, aspects: np.ndarray, neighbours: NeighbourFinder | None = None,
                 exact_up_to: int = TURNED_EXACT_UP_TO) -> None:
        self.base, self.textured = unit_thumbs(thumbs)
        self.log_aspect = np.log(np.maximum(np.asarray(aspects, dtype=np.float64), 1e-6))
        self.neighbours = neighbours or _default_finder
        self.exact_up_to = exact_up_to
        self.table: np.ndarray | None = None

    def pairs(self, rows: Sequence[int] | None = None, correlation: float = TURNED_CORRELATION,
              per_photo: int = TURNED_PER_PHOTO, known: Callable[[], tuple | None] | None = None) -> list[tuple[int, int]]:
        """Pairs (a < b) whose squashed thumbnails match when one is turned or mirrored (or as they
        are); a turn by 90° must swap width / height (within ASPECT_SLACK). Only ``rows`` (default
        all) look for matches, each keeping its ``per_photo`` best at ``correlation`` or more.

        With the index, ``known()`` (asked once the table is made) may give what an earlier search
        found, (rows, cols, scores, rows to search again): the rows not to search again, whose
        candidates are the same photos as then, keep what they found. Everything found (rows, cols,
        scores) is left in ``self.found``."""
        count = len(self.base)
        if count < 2:
            return []
        asking = np.arange(count) if rows is None else np.asarray(sorted(rows), dtype=np.int64)
        if len(asking) == 0:
            return []
        candidates = None
        if len(asking) * count > self.exact_up_to ** 2:
            if self.table is None:
                self.table = self.neighbours(turn_free(self.base), TURNED_NEIGHBOURS)
            candidates = _neighbour_pairs(self.table, asking)
        found = []
        reuse = known() if known is not None and candidates is not None else None
        if reuse is not None:
            kept = ~reuse[3][reuse[0]]
            found.append((reuse[0][kept], reuse[1][kept], reuse[2][kept]))
            candidates = tuple(side[reuse[3][candidates[0]]] for side in candidates)
        turns = range(len(_TURNS))
        if candidates is None:
            blocks = ((t, asking[r], c, s) for t, r, c, s in scores_above(self.base[asking], self.base, turns, correlation))
        else:
            blocks = scores_above(self.base, self.base, turns, correlation, candidates)
        for turn, a, b, score in blocks:
            expected = -self.log_aspect[a] if turn in SWAPPING else self.log_aspect[a]
            ok = (a != b) & self.textured[a] & self.textured[b] & (np.abs(expected - self.log_aspect[b]) <= ASPECT_SLACK)
            found.append((a[ok], b[ok], score[ok]))
        if not found:
            self.found = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
            return []
        self.found = tuple(np.concatenate(column) for column in zip(*found))
        matched = best_matches(*self.found, per_photo)
        return sorted({(min(a, b), max(a, b)) for a, b in matched})


def turned_candidates(thumbs: np.ndarray, aspects: np.ndarray, rows: Sequence[int] | None = None,
                      correlation: float = TURNED_CORRELATION, per_photo: int = TURNED_PER_PHOTO,
                      neighbours: NeighbourFinder | None = None,
                      exact_up_to: int = TURNED_EXACT_UP_TO) -> list[tuple[int, int]]:
    """TurnedSearch(thumbs, aspects, neighbours, exact_up_to).pairs(rows, correlation, per_photo)."""
    return TurnedSearch(thumbs, aspects, neighbours, exact_up_to).pairs(rows, correlation, per_photo)


def turned_partners_of(original_thumbs: np.ndarray, original_aspects: np.ndarray, other_thumbs: np.ndarray,
                       other_aspects: np.ndarray, exact_up_to: int = TURNED_EXACT_UP_TO) -> dict[int, list[int]]:
    """For each other photo (by row) that has any, the originals (rows, best first, at most
    TURNED_PER_PHOTO) its thumbnail matches turned or mirrored (not as it is: the embedding finds
    those). Every pair is scored up to ``exact_up_to`` squared pairs; beyond, each other photo's
    TURNED_NEIGHBOURS nearest originals by their turn-free thumbnails (55,000 originals × 11,000
    photos × 7 turns of 256 numbers took over 19 minutes)."""
    originals, original_textured = unit_thumbs(original_thumbs)
    others, other_textured = unit_thumbs(other_thumbs)
    original_log = np.log(np.maximum(np.asarray(original_aspects, dtype=np.float64), 1e-6))
    other_log = np.log(np.maximum(np.asarray(other_aspects, dtype=np.float64), 1e-6))
    candidates = None
    if len(originals) * len(others) > exact_up_to ** 2:
        table = _nearest_originals(turn_free(originals), turn_free(others), TURNED_NEIGHBOURS)
        rows = np.repeat(np.arange(len(others)), table.shape[1])
        keep = table.reshape(-1) >= 0
        candidates = (rows[keep], table.reshape(-1)[keep])
    found = []
    for turn, a, b, score in scores_above(others, originals, range(1, len(_TURNS)), TURNED_CORRELATION, candidates):
        expected = -other_log[a] if turn in SWAPPING else other_log[a]
        ok = other_textured[a] & original_textured[b] & (np.abs(expected - original_log[b]) <= ASPECT_SLACK)
        found.append((a[ok], b[ok], score[ok]))
    partners: dict[int, list[int]] = {}
    if found:
        for row, original in best_matches(*(np.concatenate(column) for column in zip(*found)), TURNED_PER_PHOTO):
            partners.setdefault(row, []).append(original)
    return partners

"""Where two laid pictures differ, piece by piece, and which of them holds something there.

A piece (a Patch) is a connected set of pixels where the two differ by more than a pixel's
misplacement explains. The picture that holds content there is the one whose pixels there are
unlike the ring of pixels around the piece, while the other's are like its own ring (it shows the
background there). A piece the other picture shows a few pixels away is misalignment, not
absence. Numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLIPPED = (4, 245)  # a pixel this dark or bright in either picture holds no detail to compare
CHANGE_SHARE, MIN_CHANGE = 0.3, 24.0  # a pixel differs by this share of the spread, at least these greys
MARGIN = 6  # pixels along the frame's edge left out (interpolated, or outside the other's frame)
RING, RING_SHARE = 5, 0.25  # pixels around a patch that show what surrounds it: this many, or this share of its side
MIN_PIECE = 8  # pieces smaller than this are noise (still counted as pieces of lettering)
MIN_PIXELS = 40  # a patch smaller than this (at 512 px) says nothing of a subject: a star, a speck
BACKGROUND, HELD = 0.5, 0.3  # this like its ring: shows background; this unlike it: holds content
NEAR = 8  # pixels the holder's content may lie off in the other picture and still be there (laid a little off)
FOUND = 0.8  # share of the holder's pixels within half the change level of the other's: found there


def level_of(picture: np.ndarray) -> float:
    """The difference in greys that counts as a change in ``picture``."""
    return max(MIN_CHANGE, CHANGE_SHARE * (float(picture.std()) or 1.0))


def box(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2·radius+1)² box, edges replicated: for a small box summed by rows, then columns
    (2.4 ms at 512 px for a 3×3 box, where summed-area tables take 4.2), else by summed-area tables."""
    side = 2 * radius + 1
    height, width = values.shape
    if radius <= 2:
        padded = np.pad(values.astype(np.float64), radius, mode="edge")
        rows = sum(padded[dy:dy + height] for dy in range(side))
        total = sum(rows[:, dx:dx + width] for dx in range(side))
    else:  # summed in place behind a row and a column of zeros (the same sums; 3.1 ms at 512 px where 4.0)
        summed = np.zeros((height + side, width + side))
        inner = summed[1:, 1:]
        inner[...] = np.pad(values.astype(np.float64), radius, mode="edge")
        np.cumsum(inner, axis=0, out=inner)
        np.cumsum(inner, axis=1, out=inner)
        total = summed[side:, side:] - summed[:-side, side:]
        total -= summed[side:, :-side]
        total += summed[:-side, :-side]
    return (total / (side * side)).astype(np.float32)


def quarter_level_counts(values: np.ndarray) -> np.ndarray:
    """``np.histogram(values, np.linspace(0, 256, 1025))[0]``, the same counts (the bins' edges are
    exact quarters, so a value's bin is its quarter-level floor; 256 falls in the last, values
    outside [0, 256] in none) by one bincount: histogram sorts the values first, 0.33 of the copy
    check's tone matching on bench/corpus-speed."""
    values = values[(values >= 0) & (values <= 256)]
    return np.bincount(np.minimum((values * 4).astype(np.int32), 1023), minlength=1024)


EDGES = np.linspace(0.0, 256.0, 1025)  # quarter levels


def level_shares(values: np.ndarray) -> np.ndarray:
    """The share of ``values`` below each of EDGES."""
    counts = quarter_level_counts(values).astype(np.float64)
    return np.concatenate(([0.0], np.cumsum(counts))) / max(1.0, counts.sum())


def histogram_matched(source: np.ndarray, source_share: np.ndarray, reference_share: np.ndarray) -> np.ndarray:
    """``source`` with its grey levels mapped so their distribution (``source_share``, level_shares of
    the pixels to match) becomes the reference's (piecewise-linear distribution functions, 1024 bins)."""
    centres = (EDGES[:-1] + EDGES[1:]) / 2
    share = np.interp(centres, EDGES, source_share)
    keep = np.concatenate(([True], np.diff(reference_share) > 0))  # strictly rising, for the inverse
    table = np.interp(share, reference_share[keep], EDGES[keep]).astype(np.float32)  # a level per bin
    return table[np.clip((source * 4).astype(np.int32), 0, 1023)]


def shift(a: np.ndarray, b: np.ndarray, limit: int, known: dict | None = None) -> tuple[int, int]:
    """The whole-pixel shift (dy, dx) within ``limit`` that best lays b on a (phase correlation).
    ``known``: a dict the callers laying one pair share; the last shift found is kept there and
    given again for equal pictures (distinct and moved_subject both lay a copy at 512 px: 2.4 ms)."""
    if known and known["limit"] == limit and np.array_equal(known["a"], a) and np.array_equal(known["b"], b):
        return known["shift"]
    cross = np.fft.rfft2(a - a.mean()) * np.conj(np.fft.rfft2(b - b.mean()))
    surface = np.fft.irfft2(cross / np.maximum(np.abs(cross), 1e-9), s=a.shape)
    near = [(surface[dy, dx], (dy, dx)) for dy in range(-limit, limit + 1) for dx in range(-limit, limit + 1)]
    found = max(near)[1]
    if known is not None:
        known.update(a=a, b=b, limit=limit, shift=found)
    return found


def _nearest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel of a, the smallest difference to b's pixels within one pixel of it."""
    padded = np.pad(b, 1, mode="edge")
    height, width = a.shape
    nearest = np.abs(a - padded[1:1 + height, 1:1 + width])
    step = np.empty_like(nearest)  # one buffer for the eight neighbours' differences
    for dy in range(3):
        for dx in range(3):
            if (dy, dx) != (1, 1):
                np.abs(np.subtract(a, padded[dy:dy + height, dx:dx + width], out=step), out=step)
                np.minimum(nearest, step, out=nearest)
    return nearest


def changed(a: np.ndarray, b: np.ndarray, clipped: bool = False) -> np.ndarray:
    """Where two laid pictures differ in a way a pixel's misplacement can't explain: either's
    pixel is found nowhere near in the other (so content held by either side shows), the
    frame's edge left out, and unless ``clipped`` the pixels near black or white in either."""
    sa, sb = box(a, 1), box(b, 1)
    differs = np.maximum(_nearest(sa, sb), _nearest(sb, sa)) > level_of(a)
    if not clipped:
        differs &= ~((a <= CLIPPED[0]) | (a >= CLIPPED[1]) | (b <= CLIPPED[0]) | (b >= CLIPPED[1]))
    differs[:MARGIN], differs[-MARGIN:], differs[:, :MARGIN], differs[:, -MARGIN:] = False, False, False, False
    return differs


def components(mask: np.ndarray) -> list[np.ndarray]:
    """The 8-connected pieces of ``mask``, each as an (N, 2) array of (row, column)."""
    steps = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(steps == 1)
    ends = np.nonzero(steps == -1)[1]  # exclusive, in the same order
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of_row: dict[int, int] = {}
    for index, row in enumerate(rows.tolist()):
        first_of_row.setdefault(row, index)
    for index, (row, start, end) in enumerate(zip(rows.tolist(), starts.tolist(), ends.tolist())):
        other = first_of_row.get(row - 1)
        while other is not None and other < len(rows) and rows[other] == row - 1:
            if starts[other] <= end and start <= ends[other]:  # touching, diagonals included
                parent[root(index)] = root(other)
            other += 1
    pieces: dict[int, list[int]] = {}
    for index in range(len(rows)):
        pieces.setdefault(root(index), []).append(index)
    found = []
    for members in pieces.values():
        cells = [(rows[i], c) for i in members for c in range(starts[i], ends[i])]
        found.append(np.array(cells, dtype=np.int32))
    return found


@dataclass(frozen=True)
class Patch:
    """One piece where the pictures differ: its size and box, how like its ring it is in each
    picture (the share of its grey levels the ring has too), each picture's median level there,
    its runs per row, and whether the holder's content is missing from the other nearby."""

    pixels: int
    top: int
    left: int
    bottom: int
    right: int
    like_a: float = 1.0
    like_b: float = 1.0
    level_a: float = 0.0
    level_b: float = 0.0
    runs: float = 0.0
    absent: bool = False

    @property
    def holder(self) -> str:
        """The picture that holds content here while the other shows the background around it."""
        if self.pixels < MIN_PIXELS:
            return ""
        if self.like_b >= BACKGROUND and self.like_a <= HELD:
            return "a"
        if self.like_a >= BACKGROUND and self.like_b <= HELD:
            return "b"
        return ""

    @property
    def level(self) -> float:
        return self.level_a if self.holder == "a" else self.level_b


def _alike(inside: np.ndarray, around: np.ndarray, width: float) -> float:
    """How much of ``inside``'s grey levels ``around`` has too: the overlap of their histograms."""
    bins = np.arange(0.0, 256.0 + width, width)
    one = np.histogram(inside, bins=bins)[0] / max(1, inside.size)
    other = np.histogram(around, bins=bins)[0] / max(1, around.size)
    return float(np.minimum(one, other).sum())


def _missing(holder: np.ndarray, other: np.ndarray, cells: np.ndarray, level: float) -> bool:
    """Whether the holder's pixels at ``cells`` are found nowhere within NEAR pixels in the other."""
    held = holder[cells[:, 0], cells[:, 1]]
    height, width = other.shape
    for dy in range(-NEAR, NEAR + 1):
        ys = np.clip(cells[:, 0] + dy, 0, height - 1)
        for dx in range(-NEAR, NEAR + 1):
            xs = np.clip(cells[:, 1] + dx, 0, width - 1)
            if float(np.mean(np.abs(held - other[ys, xs]) <= level / 2)) >= FOUND:
                return False
    return True


def patch(a: np.ndarray, b: np.ndarray, mask: np.ndarray, cells: np.ndarray, level: float) -> Patch:
    """The Patch of one piece of ``mask``."""
    top, left = (int(v) for v in cells.min(axis=0))
    bottom, right = (int(v) + 1 for v in cells.max(axis=0))
    if len(cells) < MIN_PIXELS:
        return Patch(len(cells), top, left, bottom, right)
    width = max(RING, round(RING_SHARE * np.sqrt(len(cells))))
    y0, x0 = max(0, top - width), max(0, left - width)
    y1, x1 = min(mask.shape[0], bottom + width), min(mask.shape[1], right + width)
    local = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    local[cells[:, 0] - y0, cells[:, 1] - x0] = True
    ring = (box(local, width) > 0) & ~mask[y0:y1, x0:x1]
    inside_a, inside_b = a[cells[:, 0], cells[:, 1]], b[cells[:, 0], cells[:, 1]]
    around_a, around_b = a[y0:y1, x0:x1][ring], b[y0:y1, x0:x1][ring]
    like_a = _alike(inside_a, around_a, level / 2) if around_a.size >= 8 else 1.0
    like_b = _alike(inside_b, around_b, level / 2) if around_b.size >= 8 else 1.0
    runs = (np.diff(local[top - y0:bottom - y0].astype(np.int8), axis=1, prepend=0) == 1).sum(axis=1)
    found = Patch(len(cells), top, left, bottom, right, like_a, like_b, float(np.median(inside_a)),
                  float(np.median(inside_b)), float(np.median(runs)))
    if not found.holder:
        return found
    holder, other = (a, b) if found.holder == "a" else (b, a)
    return Patch(**{**found.__dict__, "absent": _missing(holder, other, cells, level)})


def patches(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> list[Patch]:
    """The Patches of ``mask`` (where a and b differ), noise left out, largest first."""
    level = level_of(a)
    found = [patch(a, b, mask, cells, level) for cells in components(mask) if len(cells) >= MIN_PIECE]
    return sorted(found, key=lambda p: -p.pixels)


def pieces(mask: np.ndarray) -> list[Patch]:
    """The pieces of ``mask`` as bare Patches (size and box), noise left out."""
    found = [(len(cells), cells.min(axis=0), cells.max(axis=0) + 1) for cells in components(mask) if len(cells) >= MIN_PIECE]
    return [Patch(n, int(top), int(left), int(bottom), int(right)) for n, (top, left), (bottom, right) in found]

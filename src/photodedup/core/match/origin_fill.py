"""Whether a file is a picture turned on a larger canvas whose corners are filled with one colour
(what "rotate" does in many viewers, and PIL or GIMP with the canvas grown to fit), and what share
of the canvas that fill takes, for the keeper's "pixels" rule (review/keeper.py): the filled corners
are no picture, so such a copy holds no more of it than the file it was turned from. The fifth
adversarial pass had a copy turned 2.5-3 degrees this way (canvas 3-5% larger each way) kept over
the camera original in 12 of 12 pairs.

Each file's answer is kept in the cache's ``verifications`` table under its content hash.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.measures import VerificationStore

FILL_METHOD = "keeper-fill-v2"
FILL_SIDE = 400  # measured on the grey picture reduced to this long side
# Pixels within FILL_LEVELS grey levels of the outer ring's median are fill: a turned canvas's
# corners saved at q90 ring by up to 8-10 levels along the turned edge (a1_rotate_nocrop.py).
FILL_LEVELS = 12
# The outer ring is the fill's when at least RING_SHARE of it is within FILL_LEVELS of its median: a
# turned picture touches each side of its canvas at one corner only. A photo's ring is far from
# that (origin.FRAME_SCREEN: 99% of bench/corpus's rings are under 0.97 within 16 levels).
RING_SHARE = 0.9
# Each side of the fill's edge, row by row, is a straight line on either side of the picture's
# corner that touches that side (a V): ON_LINE of the runs' ends lie within LINE_RESIDUAL of the
# side from two fitted lines (across the line: a steep arm's runs step by many pixels a row). Not
# all: a dark picture's own black beside a black fill lengthens runs (coffee's table in the fifth
# pass's a1_rotate_nocrop.py: 0.6 of them on the line). A thing on a plain background (a product shot, a ball, a sky
# along one side) has a curved or ragged edge.
LINE_RESIDUAL = 0.01
ON_LINE = 0.6
# ... and the corner's longer leg along a side is at least LONG_LEG of it (a turned rectangle's
# corner triangles each have one leg nearly its side's length: 0.9 of it in a1_rotate_nocrop.py); a
# frame or a border (runs of one width all along) is no turned canvas (origin.framed_fraction's).
LONG_LEG = 0.25
MIN_FILL = 0.005  # under this share there is nothing to subtract


def _runs(fill: np.ndarray) -> np.ndarray:
    """Per row, how many pixels from the left are fill before the first picture pixel (the row's width when all are)."""
    width = fill.shape[1]
    picture = ~fill
    return np.where(picture.any(axis=1), picture.argmax(axis=1), width)


def _straight_v(runs: np.ndarray, width: int) -> np.ndarray | None:
    """The fill's edge along one side, row by row, when the runs (the fill's width there) fall in a
    line to near 0 at one row and rise in a line after it, as a turned rectangle's corner makes
    them; else None. The runs are near 0 over several rows where the picture's edge is nearly
    upright: the corner is at either end of those."""
    lowest = np.flatnonzero(runs == runs.min())
    partial = runs[runs < width]  # rows of fill all across are a border's, not a corner's
    if runs[lowest[0]] > LINE_RESIDUAL * width * 2 or not partial.size or partial.max() < LONG_LEG * width:
        return None
    for vertex in (int(lowest[0]), int(lowest[-1])):
        edge = _two_lines(runs, vertex, width)
        if edge is not None:
            return edge
    return None


def _two_lines(runs: np.ndarray, vertex: int, width: int) -> np.ndarray | None:
    """The two lines the runs before and after ``vertex`` lie along (ON_LINE of them within
    LINE_RESIDUAL of the side, across it), row by row, or None. Each line is fitted again without
    the runs far beyond it: the picture's own pixels of the fill's colour lengthen runs, never
    shorten them."""
    edge = np.minimum(runs, width).astype(np.float64)
    for arm in (np.arange(0, vertex + 1), np.arange(vertex, len(runs))):
        if len(arm) < 3:
            continue
        rows, values = arm.astype(np.float64), edge[arm]
        kept = np.ones(len(arm), dtype=bool)
        for _ in range(2):
            slope, offset = np.polyfit(rows[kept], values[kept], 1)
            beyond = (values - (slope * rows + offset)) / np.hypot(1.0, slope)  # across the line
            kept = beyond <= LINE_RESIDUAL * width
            if kept.sum() < 3:
                return None
        if float((np.abs(beyond) <= LINE_RESIDUAL * width).mean()) < ON_LINE:
            return None
        edge[arm] = np.clip(slope * rows + offset, 0, width)
    return edge


def turned_fill(grey: np.ndarray) -> float:
    """The share of a picture's canvas that is the one-colour fill around a turned picture, 0.0
    when it is not one (RING_SHARE, the straight edges of _straight_v on all four sides)."""
    values = grey.astype(np.int16)
    height, width = values.shape
    if height < 16 or width < 16:
        return 0.0
    ring = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    colour = np.median(ring)
    if (np.abs(ring - colour) <= FILL_LEVELS).mean() < RING_SHARE:
        return 0.0
    fill = np.abs(values - colour) <= FILL_LEVELS
    if fill.all(axis=1).mean() > 0.05:  # whole rows of fill: bars or a plain picture, not a turned one
        return 0.0
    left, right = _straight_v(_runs(fill), width), _straight_v(_runs(fill[:, ::-1]), width)
    top, bottom = _straight_v(_runs(fill.T), height), _straight_v(_runs(fill.T[:, ::-1]), height)
    if left is None or right is None or top is None or bottom is None:
        return 0.0
    share = float(np.minimum(left + right, width).sum()) / (height * width)  # along the fitted edges
    return share if share >= MIN_FILL else 0.0


def measure_fill(path: str) -> float:
    """turned_fill of a file, from a reduced decode."""
    with open_photo(path) as image:
        image.draft("L", (FILL_SIDE, FILL_SIDE))
        grey = image.convert("L")
    if max(grey.size) > FILL_SIDE:
        grey.thumbnail((FILL_SIDE, FILL_SIDE), Image.Resampling.BOX)
    return turned_fill(np.asarray(grey))


def plainly_unfilled(grey: np.ndarray) -> bool:
    """Whether a picture's outer ring is too far from one colour for any fill (RING_SHARE)."""
    values = grey.astype(np.int16)
    ring = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    return bool((np.abs(ring - np.median(ring)) <= FILL_LEVELS).mean() < RING_SHARE)


def fill_of(path: str, content_hash: str, store: VerificationStore,
            grey: Callable[[], np.ndarray | None] | None = None) -> float:
    """measure_fill, from the cache or measured (and cached, in thousandths); 0.0 if unreadable.
    ``grey``: the file's whole (untrimmed) grey picture the scan already holds, if any: when its
    ring is plainly_unfilled, no decode is needed."""
    known = store.lookup_verification(content_hash, content_hash, FILL_METHOD)
    if known is not None:
        return known / 1000
    try:
        picture = grey() if grey is not None else None
        share = 0.0 if picture is not None and plainly_unfilled(picture) else measure_fill(path)
    except Exception:  # unreadable here: no evidence either way
        return 0.0
    store.store_verification(content_hash, content_hash, FILL_METHOD, round(share * 1000))
    return round(share * 1000) / 1000

"""Evidence that two pictures the copy check laid one over the other are different pictures.
verify.compare_pictures lays two grey pictures over each other at 160 px and asks whether their
tiles agree. That is too coarse for thin content: two e-tickets from one template (another
name, seat, QR code), two invoices, slides, a map with another route, a person pasted into
2-6% of a landscape, a burst where a small subject moved. This module looks again, finer
(SIDE px), at the ink of each picture (its edges) and asks, region by region, whether each
picture's ink is still there in the other:

- an edit keeps the picture's ink: a resized, recompressed, tone-edited copy keeps nearly all
  of it; a watermark or a logo adds ink on top, and the picture's own ink survives between
  the letters;
- different content replaces ink: where one ticket has "Anna" the other has "Ben", and in
  those cells neither picture's ink survives in the other.

It only speaks when the rest of the picture matches (well aligned, the difference local); a
misaligned pair, a crop, a picture laid by the local-feature fit, a picture under MIN_SIDE gives
no evidence. Numpy and Pillow only. verify.compare_pictures asks through either_way (the same
verdict whichever way round), which then asks moved_subject.other_moment (a subject moved).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from photodedup.core.match.another_shot import METHOD as SHOT_METHOD, turned_shot
from photodedup.core.match.moved_subject import METHOD as MOVED_METHOD, other_moment
from photodedup.core.match.patches import box, histogram_matched, level_shares, shift

SIDE = 512  # long side the two pictures are compared at (the smaller picture's, if less): decode_gray's own
MIN_SIDE = 48  # smaller than this on the long side: too little to tell
CELL = 12  # pixels per side of one cell at SIDE
MAX_SHIFT = 4  # pixels (at SIDE) the alignment may be off after scaling
ASPECT_TOLERANCE = 0.03  # log aspect ratio within which two pictures are one frame

# The ways verify lays a picture whole, by the name it gives them (tests keep the two in step).
TURNS = {
    "as is": lambda p: p,
    "turned 180°": lambda p: p[::-1, ::-1],
    "turned 90°": lambda p: np.rot90(p, 1),
    "turned 270°": lambda p: np.rot90(p, 3),
    "mirrored": lambda p: p[:, ::-1],
    "flipped": lambda p: p[::-1, :],
    "mirrored and turned 90°": lambda p: np.rot90(p[:, ::-1], 1),
    "mirrored and turned 270°": lambda p: np.rot90(p[:, ::-1], 3),
}


# Measured on made pairs (tests/core/test_distinct.py) and both labelled corpora (bench/accuracy.py):
INK_LEVEL, INK_SHARE = 6.0, 0.1  # an edge: gradient above this many greys, or this share of the spread
MATCH_LEVEL, MATCH_SHARE = 8.0, 0.1  # a pixel matches within this many greys (or share of the spread)
CONTENT_SHARE = 0.05  # a cell has content when this share of its pixels is ink, in both pictures
KEPT_WELL = 0.8  # a cell matches when each picture keeps this share of the other's ink
KEPT_BADLY = 0.5  # a cell is replaced when neither keeps this share of the other's ink ...
MAX_CORRELATION = 0.5  # ... and the two correlate less than this
MIN_MATCHING = 0.7  # share of the cells with content that must match: else the laying is off
MIN_MATCHING_SPREAD, MIN_EXTENT = 0.25, 0.75  # or this share, spanning this share of the rows and columns
MIN_REPLACED = 2  # cells replaced before the pictures count as different
OVERLAY_GAP, OVERLAY_RATIO = 0.2, 0.5  # flatness of the differing pixels, one side against the other
TEXTURED = 0.15  # one side no flatter than this where they differ, the other twice as flat: an overlay
MAX_FLAT = 0.7  # both sides this flat where they differ: tone, not content
STEPS = tuple((dy, dx) for dy in (-0.5, 0.0, 0.5) for dx in (-0.5, 0.0, 0.5)) + ((-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0))
METHOD = "distinct-v9-s512-c16-smaller-first-extent0.75-match0.7-steps13-overlay-either-" + MOVED_METHOD + "-" + SHOT_METHOD  # part of the cached copy verdict's method


INVERSE_TURNS = {"turned 90°": "turned 270°", "turned 270°": "turned 90°"}  # the others undo themselves


def _smaller_second(a_gray: np.ndarray, b_gray: np.ndarray) -> bool:
    """Whether b is the smaller picture, laid under the other (by size, then shape; equal: by their
    pixels' digest, hashed only then). On corpus seed 7 (verify alone) the edit first found 24 of 25
    crops, 22 of 25 100-px thumbnails, 34 of 34 thumbnails; the original first 23, 22, 33. Larger
    first, the scan missed Storm's crop (crop recall 0.92): laid under its original it agrees in
    1.0 of the tiles, the other way 0.58."""
    a_key, b_key = (a_gray.size, a_gray.shape), (b_gray.size, b_gray.shape)
    if a_key != b_key:
        return b_key < a_key
    digest_a, digest_b = (hashlib.blake2b(np.ascontiguousarray(p).tobytes(), digest_size=8).digest()
                          for p in (a_gray, b_gray))
    return digest_b < digest_a


def _inverse_fit(alignment):
    """verify's Alignment the other way round: its 2×3 similarity inverted."""
    if alignment is None or alignment.matrix is None:
        return alignment
    try:
        linear = np.linalg.inv(np.asarray(alignment.matrix, dtype=np.float64)[:, :2])
    except (np.linalg.LinAlgError, ValueError):  # singular or not 2×3: no fit either way round
        return replace(alignment, matrix=None)
    offset = -linear @ np.asarray(alignment.matrix, dtype=np.float64)[:, 2]
    return replace(alignment, matrix=np.hstack([linear, offset[:, None]]))


def either_way(compare: Callable, a_gray: np.ndarray, b_gray: np.ndarray, features=None, alignment=None):
    """``compare``'s verdict on (a, b) (verify's, whether b is a copy of a), the same whichever way
    round it is asked (the smaller picture first), told as b over a, with the copy withdrawn when
    different_content finds content replaced, moved_subject.other_moment a subject that moved, came
    or went, or another_shot.turned_shot a camera turned between two exposures.

    The tile agreement depends on which picture is laid under (two letter pages of one layout:
    0.333 one way, 0.280 the other, tests/core/test_distinct.py), so the report's trash check
    (keeper first) and the grouping (smaller content hash first) could disagree."""
    swap = _smaller_second(a_gray, b_gray)
    first, second = (b_gray, a_gray) if swap else (a_gray, b_gray)
    if swap:
        asked = features
        features = (lambda: tuple(asked())[::-1]) if callable(asked) else (
            tuple(asked)[::-1] if asked is not None else None)
    verdict = compare(first, second, features, _inverse_fit(alignment) if swap else alignment)
    known: dict = {}  # patches.shift's: both looks lay the pair at one size
    if verdict.copy and (different_content(first, second, verdict.how, known) or  # content replaced; a subject that moved,
                         other_moment(first, second, verdict.how, lambda a, b: different_content(a, b, "as is"), known)
                         or turned_shot(first, second, verdict.how)):  # came or went; or a crop hid the difference;
        verdict = replace(verdict, copy=False)  # or the camera turned between two exposures (another_shot)
    if swap:
        verdict = replace(verdict, how=INVERSE_TURNS.get(verdict.how, verdict.how), scale=1 / max(verdict.scale, 1e-9))
    return verdict


def _resized(picture: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``picture`` (grey) at (width, height), averaged down or interpolated up."""
    image = Image.fromarray(np.ascontiguousarray(picture, dtype=np.uint8))
    method = Image.Resampling.BOX if size[0] < image.width else Image.Resampling.BILINEAR
    return np.asarray(image.resize(size, method), dtype=np.float32)


def _matched_tones(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``source`` with its grey levels mapped so their distribution is ``reference``'s (1024 bins).

    Matching by the pixels that lie on one another instead mapped a page's text to the other
    page's paper (the text of two slides lies mostly on the other's paper): histograms it is."""
    return histogram_matched(source, level_shares(source), level_shares(reference))


@dataclass(frozen=True)
class Laid:
    """Two pictures of one frame at one size, b moved onto a and its tones matched to a's."""

    a: np.ndarray
    b: np.ndarray


def lay_same_frame(a_gray: np.ndarray, b_gray: np.ndarray, how: str, known: dict | None = None) -> Laid | None:
    """b turned as verify laid it, scaled to a's frame and shifted onto it; None when b was not
    laid whole, the frames differ in shape, or the pictures are too small to tell."""
    turn = TURNS.get(how)
    if turn is None:
        return None
    b_turned = turn(b_gray)
    (ah, aw), (bh, bw) = a_gray.shape, b_turned.shape
    if min(ah, aw, bh, bw) < 8 or abs(np.log((aw / ah) / (bw / bh))) > ASPECT_TOLERANCE:
        return None
    long_side = min(SIDE, max(ah, aw), max(bh, bw))
    if long_side < MIN_SIDE:
        return None
    factor = long_side / max(ah, aw)
    size = (max(8, round(aw * factor)), max(8, round(ah * factor)))
    a, b = _resized(a_gray, size), _resized(b_turned, size)
    if min(a.shape) <= 2 * MAX_SHIFT + 2 * CELL:
        return None
    b = np.roll(b, shift(a, b, MAX_SHIFT, known), axis=(0, 1))
    m = MAX_SHIFT
    a, b = a[m:-m, m:-m], b[m:-m, m:-m]
    return Laid(a, _matched_tones(b, a))


def _moved(picture: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """``picture`` moved by a fraction of a pixel or more (bilinear), edges replicated."""
    whole_y, whole_x = int(np.floor(dy)), int(np.floor(dx))
    fy, fx = dy - whole_y, dx - whole_x
    padded = np.pad(picture, 2, mode="edge")
    height, width = picture.shape

    def at(oy: int, ox: int) -> np.ndarray:
        return padded[2 - oy:2 - oy + height, 2 - ox:2 - ox + width]

    return ((1 - fy) * (1 - fx) * at(whole_y, whole_x) + (1 - fy) * fx * at(whole_y, whole_x + 1)
            + fy * (1 - fx) * at(whole_y + 1, whole_x) + fy * fx * at(whole_y + 1, whole_x + 1))


def _edges(picture: np.ndarray, level: float) -> np.ndarray:
    gy, gx = np.zeros_like(picture), np.zeros_like(picture)
    gy[1:-1] = (picture[2:] - picture[:-2]) / 2
    gx[:, 1:-1] = (picture[:, 2:] - picture[:, :-2]) / 2
    return np.hypot(gx, gy) > level


KEYS = ("score", "ink_a", "ink_b", "kept_a", "kept_b", "differ", "flat_a", "flat_b", "a", "b", "aa", "bb", "ab")


def _cell_sums(a: np.ndarray, b: np.ndarray, ink_a: np.ndarray, ink_level: float, match_level: float) -> dict:
    """Per cell, for b as it lies: matching pixels, each picture's ink and how much of it the
    other matches, the differing pixels where each picture is flat, and sums for a correlation."""
    match = np.abs(a - b) <= match_level
    ink_b = _edges(b, ink_level)
    rows, cols = a.shape[0] // CELL, a.shape[1] // CELL
    a, b = a[:rows * CELL, :cols * CELL], b[:rows * CELL, :cols * CELL]
    match, ink_a, ink_b = match[:rows * CELL, :cols * CELL], ink_a[:rows * CELL, :cols * CELL], ink_b[:rows * CELL, :cols * CELL]
    stack = np.stack([match, ink_a, ink_b, ink_a & match, ink_b & match, ~match, ~match & ~ink_a, ~match & ~ink_b,
                      a, b, a * a, b * b, a * b]).astype(np.float32)
    sums = stack.reshape(len(KEYS), rows, CELL, cols * CELL).sum(axis=2).reshape(len(KEYS), rows, cols, CELL).sum(axis=3)
    return dict(zip(KEYS, sums))


def _few_candidates(laid: Laid) -> bool:
    """Whether b as it lies leaves fewer than MIN_REPLACED cells that evidence could count replaced
    (content in both, neither keeping KEPT_BADLY of the other's ink), from exact counts of ink and
    matching pixels before any correlation: a copy stops here (7 of the quick look's 11 ms)."""
    spread = float(laid.a.std()) or 1.0
    ink_level, match_level = max(INK_LEVEL, INK_SHARE * spread), max(MATCH_LEVEL, MATCH_SHARE * spread)
    a, b = box(laid.a, 1), box(laid.b, 1)
    rows, cols = a.shape[0] // CELL, a.shape[1] // CELL
    match, ink_a, ink_b = (m[:rows * CELL, :cols * CELL] for m in (np.abs(a - b) <= match_level, _edges(a, ink_level),
                                                                   _edges(b, ink_level)))
    ink_a, ink_b, kept_a, kept_b = (m.reshape(rows, CELL, cols, CELL).sum(axis=(1, 3)).astype(np.float32)
                                    for m in (ink_a, ink_b, ink_a & match, ink_b & match))
    content = (ink_a >= CONTENT_SHARE * CELL * CELL) & (ink_b >= CONTENT_SHARE * CELL * CELL)
    low = np.maximum(kept_a / np.maximum(ink_a, 1), kept_b / np.maximum(ink_b, 1)) < KEPT_BADLY
    return int((content & low).sum()) < MIN_REPLACED


def cell_sums(laid: Laid, steps: tuple[tuple[float, float], ...] = STEPS) -> dict:
    """_cell_sums per cell at the step (a shift of b up to a pixel) where the cell matches best:
    a copy resampled by another program lies up to half a pixel off, differently across the frame."""
    spread = float(laid.a.std()) or 1.0
    ink_level, match_level = max(INK_LEVEL, INK_SHARE * spread), max(MATCH_LEVEL, MATCH_SHARE * spread)
    a, b = box(laid.a, 1), box(laid.b, 1)
    ink_a = _edges(a, ink_level)
    best: dict | None = None
    for dy, dx in steps:
        sums = _cell_sums(a, _moved(b, dy, dx) if (dy, dx) != (0.0, 0.0) else b, ink_a, ink_level, match_level)
        if best is None:
            best = sums
            continue
        better = sums["score"] > best["score"]
        best = {key: np.where(better, sums[key], best[key]) for key in best}
    return best


@dataclass(frozen=True)
class Evidence:
    """What the cells say: cells with content in both, the share of those that match, the cells
    whose content was replaced, and how flat each picture is where they differ in those cells."""

    content: int = 0
    matching: float = 0.0
    extent: float = 0.0
    replaced: int = 0
    flat_a: float = 0.0
    flat_b: float = 0.0

    @property
    def aligned(self) -> bool:
        """Laid right: most cells with content match, or enough of them, across the frame
        (slides of one template: 0.31-0.34 matching, spread over the whole page; a crop laid as a
        whole frame matches only near the point the two scales share)."""
        return self.content > 0 and (self.matching >= MIN_MATCHING or (
            self.matching >= MIN_MATCHING_SPREAD and self.extent >= MIN_EXTENT))

    @property
    def overlay(self) -> bool:
        """Text or a logo laid over one picture: where they differ, one side is flat fill over the
        other's detail (a watermark: 0.02-0.29 against 0.43-0.92 on corpus seed 7; white letters on
        the astronaut's white suit, seed 11: 0.12 against 0.31), where replaced content leaves
        both sides alike (tickets 0.03-0.06 each, people pasted in 0.26-0.88 each)."""
        low, high = sorted((self.flat_a, self.flat_b))
        return (high - low >= OVERLAY_GAP and low <= OVERLAY_RATIO * high) or (low <= TEXTURED and high >= 2 * TEXTURED)

    @property
    def smooth(self) -> bool:
        """Where they differ, both pictures are mostly flat: a difference of tone (a resampled
        gradient), not of content (Wood resized: 0.74 and 0.71)."""
        return min(self.flat_a, self.flat_b) >= MAX_FLAT

    @property
    def different(self) -> bool:
        return self.aligned and self.replaced >= MIN_REPLACED and not self.overlay and not self.smooth


def evidence(sums: dict) -> Evidence:
    """The Evidence of cell_sums."""
    area = float(CELL * CELL)
    content = (sums["ink_a"] >= CONTENT_SHARE * area) & (sums["ink_b"] >= CONTENT_SHARE * area)
    kept_a = sums["kept_a"] / np.maximum(sums["ink_a"], 1)
    kept_b = sums["kept_b"] / np.maximum(sums["ink_b"], 1)
    var_a = sums["aa"] / area - (sums["a"] / area) ** 2
    var_b = sums["bb"] / area - (sums["b"] / area) ** 2
    covariance = sums["ab"] / area - sums["a"] * sums["b"] / area ** 2
    correlation = covariance / np.sqrt(np.maximum(var_a * var_b, 1e-6))
    matching = content & (np.minimum(kept_a, kept_b) >= KEPT_WELL)
    replaced = content & (np.maximum(kept_a, kept_b) < KEPT_BADLY) & (correlation < MAX_CORRELATION)
    differing = max(1.0, float(sums["differ"][replaced].sum()))
    rows, cols = np.nonzero(matching)
    extent = min((rows.max() - rows.min() + 1) / matching.shape[0], (cols.max() - cols.min() + 1) / matching.shape[1]) if rows.size else 0.0
    return Evidence(int(content.sum()), float(matching.sum()) / max(1, int(content.sum())), float(extent), int(replaced.sum()),
                    float(sums["flat_a"][replaced].sum()) / differing, float(sums["flat_b"][replaced].sum()) / differing)


def _explained(a_gray: np.ndarray, b_gray: np.ndarray, how: str, found: Evidence) -> bool:
    """Whether b laid whole some other way (a near-symmetric scene laid unmirrored) matches a in
    more cells than ``found`` and shows nothing replaced."""
    for other in TURNS:
        laid = lay_same_frame(a_gray, b_gray, other) if other != how else None
        if laid is not None:
            tried = evidence(cell_sums(laid))
            if tried.aligned and not tried.different and tried.matching * tried.content > found.matching * found.content:
                return True
    return False


def _found(a_gray: np.ndarray, b_gray: np.ndarray, how: str) -> Evidence | None:
    """The Evidence with b laid over a by ``how``; None when it can't be laid whole."""
    laid = lay_same_frame(a_gray, b_gray, how)
    return evidence(cell_sums(laid)) if laid is not None else None


def different_content(a_gray: np.ndarray, b_gray: np.ndarray, how: str, known: dict | None = None) -> str:
    """Why two grey pictures that verify laid one over the other (``how``) hold different content,
    in words; "" when nothing says so (then the copy verdict stands).

    Looked at both ways round (the tones of one are matched to the other's: two slides matched
    in 0.34 of their cells one way, 0.12 the other), and only when the quick look (b as it lies,
    no shifts) finds something replaced: most copies cost one look. ``known``: patches.shift's."""
    laid = lay_same_frame(a_gray, b_gray, how, known)
    if laid is None or _few_candidates(laid) or evidence(cell_sums(laid, ((0.0, 0.0),))).replaced < MIN_REPLACED:
        return ""
    back = INVERSE_TURNS.get(how, how)
    found = [(a_gray, b_gray, how, evidence(cell_sums(laid))), (b_gray, a_gray, back, _found(b_gray, a_gray, back))]
    if any(e is not None and e.aligned and e.replaced >= MIN_REPLACED and e.overlay for *_, e in found):
        return ""  # one way round it reads as letters laid over the picture (Dune's watermark, seed 11)
    for first, second, turn, e in found:
        if e is not None and e.different and not _explained(first, second, turn, e):
            share = e.replaced * CELL * CELL / laid.a.size
            return f"different content in {share:.1%} of the picture (another name, code, person or object)"
    return ""

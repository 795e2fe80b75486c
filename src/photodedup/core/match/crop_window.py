"""Two pictures laid over the part of the frame both show, at one size, for a look at what differs.

verify lays a copy over its original and says how (turned, mirrored, or by a local-feature fit)
but not where a crop lies. Here the crop's scale and place are found again, by phase
correlation: coarse over a range of scales, then finer around the best. Numpy and Pillow only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodedup.core.match.patches import box, changed, level_of, shift
from photodedup.core.match.verdict import TURNS

SIDE = 512  # long side the pictures are compared at (the smaller's, if less)
MIN_SIDE = 96  # smaller than this: too little to tell a subject
SAME_FRAME = 0.1  # log aspect ratio within which two pictures may be one frame laid whole (trims differ)
MAX_ASPECT = 0.3  # log aspect ratio beyond which one can't be a crop of the other worth a look
COARSE_SIDE, FINE_SIDE = 96, 256  # long side of the coarse and the fine search
COARSE_SCALES = np.exp(np.linspace(np.log(0.5), np.log(1.0), 36))  # a crop's side over the whole's
FINE_STEPS = np.linspace(-0.012, 0.012, 7)  # relative steps around the coarse scale
MIN_PEAK = 0.05  # phase-correlation peak below which no place was found
MAX_CHANGED = 0.06  # more of the laid overlap than this differs: laid wrong, or not a local difference
MIN_DETAIL_CORRELATION = 0.7  # the laid pictures' fine detail must correlate this much: else laid wrong
MIN_CROP_CORRELATION = 0.85  # ... and this much for a crop laid by its found window (corpus crops laid a little off: 0.39-0.80, LadyBird 0.80; a6 frames 0.88-0.98)


@dataclass(frozen=True)
class Laid:
    """Two pictures over the part of the frame both show, at one size, b's tones matched to a's."""

    a: np.ndarray
    b: np.ndarray
    cropped: bool  # one shows only a part of the other's frame
    mask: np.ndarray  # where they differ (patches.changed)


def resized(picture: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``picture`` (grey) at (width, height), averaged down or interpolated up."""
    image = Image.fromarray(np.ascontiguousarray(np.clip(picture, 0, 255), dtype=np.uint8))
    method = Image.Resampling.BOX if size[0] < image.width else Image.Resampling.BILINEAR
    return np.asarray(image.resize(size, method), dtype=np.float32)


def _at_most(picture: np.ndarray, side: int) -> np.ndarray:
    height, width = picture.shape
    factor = min(1.0, side / max(height, width))
    return resized(picture, (max(1, round(width * factor)), max(1, round(height * factor))))


def _rising(values: list[float], weights: list[float]) -> list[float]:
    """The weighted least-squares rising fit of ``values`` (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value, weight in zip(values, weights):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (v1, w1, n1), (v2, w2, n2) = blocks.pop(-2), blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return [v for v, _, n in blocks for _ in range(n)]


def _tone_table(source: np.ndarray, reference: np.ndarray, bins: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(source levels, reference levels): the median reference level of each of 64 source bins
    (from a 64×256 table of counts), made rising; None with fewer than two bins."""
    levels = np.clip(reference, 0, 255).astype(np.int32)
    table = np.bincount(bins * 256 + levels, minlength=64 * 256).reshape(64, 256)
    counts = table.sum(axis=1)
    filled = np.nonzero(counts >= 4)[0]
    if len(filled) < 2:
        return None
    running = np.cumsum(table[filled], axis=1)
    medians = (running < (counts[filled] / 2)[:, None]).sum(axis=1).astype(np.float64)
    means = np.bincount(bins, weights=source, minlength=64)[filled] / counts[filled]
    return means, np.array(_rising(medians.tolist(), counts[filled].astype(float).tolist()))


def _mapped(source: np.ndarray, table: tuple[np.ndarray, np.ndarray], levels: np.ndarray | None = None) -> np.ndarray:
    """``source`` through the table, extended with slope 1 beyond its ends (``levels``: its quarter
    levels, _quarters(source), if known)."""
    xs, ys = table
    grid = np.arange(1024, dtype=np.float64) / 4
    lookup = np.interp(grid, xs, ys)
    lookup = np.where(grid < xs[0], ys[0] + (grid - xs[0]), lookup)
    lookup = np.where(grid > xs[-1], ys[-1] + (grid - xs[-1]), lookup).astype(np.float32)
    return lookup[_quarters(source) if levels is None else levels]


def _quarters(source: np.ndarray) -> np.ndarray:
    return np.clip((source * 4).astype(np.int32), 0, 1023)


def matched_tones(source: np.ndarray, reference: np.ndarray, level: float = 24.0) -> np.ndarray:
    """``source`` with its grey levels mapped to ``reference``'s where the two lie on one another:
    per source level (64 bins) the median reference level, made rising, fitted again without the
    pixels the first fit leaves more than ``level`` off (a subject, a caption). Matching the two
    histograms instead shifted every highlight under a white caption (Wine: 45 greys); without
    the second fit a dark bird's few pixels pulled the sky's levels down with them."""
    flat_source, flat_reference = source.ravel(), reference.ravel()
    bins = np.clip((flat_source * (64 / 256)).astype(np.int32), 0, 63)
    table = _tone_table(flat_source, flat_reference, bins)
    if table is None:
        return source.astype(np.float32)
    levels = _quarters(flat_source)
    kept = np.abs(_mapped(flat_source, table, levels) - flat_reference) <= level
    table = _tone_table(flat_source[kept], flat_reference[kept], bins[kept]) or table
    return _mapped(source, table, levels.reshape(source.shape))


def _peak(whole: np.ndarray, part: np.ndarray) -> tuple[float, int, int]:
    """(peak height, top, left) of ``part`` (no larger than ``whole``) laid in ``whole``."""
    padded = np.zeros_like(whole)
    padded[:part.shape[0], :part.shape[1]] = part - part.mean()
    cross = np.fft.rfft2(whole - whole.mean()) * np.conj(np.fft.rfft2(padded))
    surface = np.fft.irfft2(cross / np.maximum(np.abs(cross), 1e-9), s=whole.shape)
    inside = surface[:whole.shape[0] - part.shape[0] + 1, :whole.shape[1] - part.shape[1] + 1]
    top, left = np.unravel_index(int(np.argmax(inside)), inside.shape)
    return float(inside[top, left]), int(top), int(left)


def _best(whole: np.ndarray, part: np.ndarray, scales) -> tuple[float, float, float, float] | None:
    """(peak, scale, top share, left share) of ``part`` laid in ``whole`` at the best of ``scales``."""
    best = None
    aspect = part.shape[0] / part.shape[1]
    for scale in scales:
        size = (max(8, round(whole.shape[1] * scale)), max(8, round(whole.shape[1] * scale * aspect)))
        if size[0] > whole.shape[1] or size[1] > whole.shape[0]:
            continue
        peak, top, left = _peak(whole, resized(part, size))
        if best is None or peak > best[0]:
            best = (peak, float(scale), top / whole.shape[0], left / whole.shape[1])
    return best


def crop_window(whole: np.ndarray, part: np.ndarray) -> tuple[float, float, float] | None:
    """(scale, top, left) of the part of ``whole``'s frame ``part`` shows (its width over the
    whole's, its corner in shares of the whole's sides); None when no place is found."""
    coarse = _best(_at_most(whole, COARSE_SIDE), _at_most(part, COARSE_SIDE), COARSE_SCALES)
    if coarse is None or coarse[0] < MIN_PEAK:
        return None
    fine = _best(_at_most(whole, FINE_SIDE), _at_most(part, FINE_SIDE), coarse[1] * (1 + FINE_STEPS))
    return None if fine is None else fine[1:]


def one_size(a: np.ndarray, b: np.ndarray, side: int = SIDE) -> tuple[np.ndarray, np.ndarray]:
    """a and b at the smaller one's size, at most ``side`` on the long side."""
    height, width = min(a.shape, b.shape, key=lambda s: s[0] * s[1])
    factor = min(1.0, side / max(height, width))
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return resized(a, size), resized(b, size)


def detail_correlation(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    """How well the fine detail of two laid pictures (what is left after a 9×9 mean) correlates
    away from where they differ (``mask``: a caption's strokes are no sign of laying wrong)."""
    keep = box(mask, 4) == 0 if mask.any() else np.ones(mask.shape, dtype=bool)  # nothing differs: a copy's usual case
    keep[:8], keep[-8:], keep[:, :8], keep[:, -8:] = False, False, False, False
    da, db = (a - box(a, 4))[keep], (b - box(b, 4))[keep]
    return float((da * db).sum() / max(1e-9, np.sqrt(float((da * da).sum()) * float((db * db).sum()))))


def _settled(a: np.ndarray, b: np.ndarray, limit: int, least: float, known: dict | None = None) -> tuple | None:
    """(a, b, where they differ): b shifted onto a and its tones matched; None when they still differ in much of
    the frame or their detail correlates less than ``least`` (laid wrong)."""
    b = matched_tones(np.roll(b, shift(a, b, limit, known), axis=(0, 1)), a, level_of(a))
    mask = changed(a, b)
    if float(mask.mean()) > MAX_CHANGED or detail_correlation(a, b, mask) < least:
        return None
    return a, b, mask


def _overlap(a_gray: np.ndarray, b_gray: np.ndarray) -> Laid | None:
    """The part of the frame a crop shows, in both pictures, at one size; None when not found."""
    for whole, part, swapped in ((a_gray, b_gray, False), (b_gray, a_gray, True)):
        window = crop_window(whole, part)
        if window is None:
            continue
        scale, top, left = window
        height, width = whole.shape
        y, x, w = round(top * height), round(left * width), round(width * scale)
        shown = whole[y:y + min(height - y, round(w * part.shape[0] / part.shape[1])), x:x + w]
        if min(shown.shape) < MIN_SIDE:
            continue
        settled = _settled(*one_size(shown, part), 3, MIN_CROP_CORRELATION)
        if settled is not None:
            first, second, mask = settled
            return Laid(second, first, True, mask) if swapped else Laid(first, second, True, mask)
    return None


def lay(a_gray: np.ndarray, b_gray: np.ndarray, how: str, known: dict | None = None) -> Laid | None:
    """a and b (turned as ``how`` says) laid over the part of the frame both show; None when no
    overlap is found where the two agree nearly everywhere (``known``: patches.shift's)."""
    turns = dict(TURNS)
    b_turned = turns[how](b_gray) if how in turns else b_gray
    (ah, aw), (bh, bw) = a_gray.shape, b_turned.shape
    aspect = abs(np.log((aw / ah) / (bw / bh)))
    if min(ah, aw, bh, bw) < MIN_SIDE or aspect > MAX_ASPECT:
        return None
    if aspect <= SAME_FRAME:
        settled = _settled(*one_size(a_gray, b_turned), 4, MIN_DETAIL_CORRELATION, known)
        if settled is not None:
            a, b, mask = settled
            return Laid(a, b, False, mask)
    return _overlap(a_gray, b_turned)

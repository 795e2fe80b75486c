"""Whether one file of a picture holds the other's whole picture inside a larger one, and whether
what lies around it continues the picture (the other is a crop of it) or is something else pasted
around a photo (a caption band, a printed frame with a note, a viewer's window, a collage), for the
keeper rules (review/keeper.py). Measured on grey pictures reduced to SIDE pixels; each pair's
answer is kept in the cache's ``verifications`` table under both files' content hashes.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageOps

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.measures import VerificationStore

EXTENT_METHOD = "keeper-extent-v3"
SIDE = 160  # long side of the reduced grey pictures compared
# Shares of the outer picture the inner one may fill: under AREA_MIN it is too small a part to be
# told at SIDE pixels; over AREA_MAX the two show (nearly) the same picture.
AREA_MIN, AREA_MAX, AREA_STEPS = 0.3, 0.92, 48
FOUND = 0.92  # normalised correlation at which the inner picture lies there (a tone edit keeps it)
SAME_EXTENT = 0.9  # ... and at which two pictures laid whole show one extent: no search
# Around the place found, a side is a seam when the step across it (the median along the side of
# the grey difference of the lines 2 pixels outside and 1 inside) exceeds SEAM_FACTOR times the
# median of the same step taken SEAM_REFERENCES pixels further in and out, plus SEAM_LEVELS: a
# pasted edge is a step all along the side, while a picture's own content does not change at a
# crop's edge. Measured on the
# fourth adversarial pass's composites (caption band, polaroid, viewer window, collage) and its
# crops of a photo exported at the original's size (a9), and bench/corpus crops.
SEAM_FACTOR = 2.5
SEAM_LEVELS = 3.0
SEAM_REFERENCES = (4, 7, 10, 13)
# ... and the line just outside it is plain: PLAIN_SHARE of it within PLAIN_LEVELS of its median.
# What is pasted around a photo leaves a plain margin at its edge (a band, a frame, a panel, a
# collage's gap); a crop's edge along a horizon or a window's sill (bench/keeper_attack.py "Wine"
# square crop, a9 "Bridge" 70% crop) has the picture's own texture beyond it.
PLAIN_LEVELS = 8
PLAIN_SHARE = 0.8
NONE, CROP_OF_OUTER, PASTED_IN_OUTER = 0, 1, 2


@functools.lru_cache(maxsize=64)
def _reduced(path: str, content_hash: str) -> np.ndarray:
    with open_photo(path) as image:
        image.draft("L", (2 * SIDE, 2 * SIDE))
        grey = ImageOps.exif_transpose(image.convert("L"))
    grey.thumbnail((SIDE, SIDE), Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.float64)


def _correlation(outer: np.ndarray, inner: np.ndarray) -> tuple[float, int, int]:
    """The best normalised correlation of ``inner`` over every place inside ``outer``, and where."""
    (oh, ow), (ih, iw) = outer.shape, inner.shape
    template = inner - inner.mean()
    norm = float(np.sqrt((template ** 2).sum()))
    if norm < 1e-6:
        return 0.0, 0, 0
    shape = (oh, ow)
    product = np.fft.irfft2(np.fft.rfft2(outer, shape) * np.conj(np.fft.rfft2(template, shape)), shape)
    product = product[:oh - ih + 1, :ow - iw + 1]
    sums = np.pad(outer, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    squares = np.pad(outer ** 2, ((1, 0), (1, 0))).cumsum(0).cumsum(1)

    def window(table: np.ndarray) -> np.ndarray:
        return table[ih:, iw:] - table[:-ih, iw:] - table[ih:, :-iw] + table[:-ih, :-iw]

    variance = np.maximum(window(squares) - window(sums) ** 2 / (ih * iw), 1e-6)
    ncc = product / (np.sqrt(variance) * norm)
    y, x = np.unravel_index(int(np.argmax(ncc)), ncc.shape)
    return float(ncc[y, x]), int(y), int(x)


def _seam(outer: np.ndarray, y: int, x: int, h: int, w: int) -> bool:
    """Whether any side of the place (y, x, h, w) with room around it is a pasted edge."""
    sides = [(outer[:, x:x + w], y, 1), (outer[:, x:x + w], y + h - 1, -1),  # top, bottom: rows inward
             (outer.T[:, y:y + h], x, 1), (outer.T[:, y:y + h], x + w - 1, -1)]  # left, right
    for lines, first_inside, inward in sides:
        def step(depth: int) -> float | None:
            ends = first_inside + inward * (depth + 1), first_inside + inward * (depth - 2)
            if not all(0 <= end < len(lines) for end in ends):
                return None
            return float(np.median(np.abs(lines[ends[0]] - lines[ends[1]])))

        across = step(0)
        references = [r for r in (step(d) for d in SEAM_REFERENCES + tuple(-d for d in SEAM_REFERENCES)) if r is not None]
        if across is None or len(references) < len(SEAM_REFERENCES):
            continue
        if across > SEAM_FACTOR * float(np.median(references)) + SEAM_LEVELS and \
                any(_plain(lines[first_inside - inward * depth]) for depth in (1, 2)):
            return True
    return False


def _plain(line: np.ndarray) -> bool:
    """Whether a line of the outer picture is mostly one grey (a band, a frame, a window's panel, a
    collage's gap), text or lines on it aside."""
    return bool((np.abs(line - np.median(line)) <= PLAIN_LEVELS).mean() >= PLAIN_SHARE)


def _search(outer: np.ndarray, inner: np.ndarray, areas: list) -> list[tuple[float, int, int, int, int, int]]:
    """(correlation, y, x, h, w, step) of ``inner`` at its best place in ``outer`` at each share of
    ``outer``'s area (``areas``: the step's index in the whole list)."""
    (oh, ow), (ih, iw) = outer.shape, inner.shape
    found = []
    for step, area in areas:
        factor = float(np.sqrt(area * oh * ow / (ih * iw)))
        h, w = round(ih * factor), round(iw * factor)
        if h > oh or w > ow or h < 8 or w < 8 or (h, w) == (oh, ow):
            continue
        placed = np.asarray(Image.fromarray(inner.astype(np.float32)).resize((w, h), Image.Resampling.BILINEAR))
        found.append((*_correlation(outer, placed.astype(np.float64)), h, w, step))
    return found


def _half(picture: np.ndarray) -> np.ndarray:
    height, width = picture.shape
    return np.asarray(Image.fromarray(picture.astype(np.float32)).resize((max(1, width // 2), max(1, height // 2)),
                                                                          Image.Resampling.BOX), dtype=np.float64)


def _fitted(outer: np.ndarray, inner: np.ndarray) -> int | None:
    """place_inside's answer when inner lies centred across outer's whole width or height (bars
    added to fit another shape), found without the search (a letterboxed copy beside each file of
    bench/corpus took most of its cost); None when it doesn't lie so."""
    (oh, ow), (ih, iw) = outer.shape, inner.shape
    for h, w in ((round(ih * ow / iw), ow), (oh, round(iw * oh / ih))):
        if not (8 <= h <= oh and 8 <= w <= ow) or (h, w) == (oh, ow) or h * w > AREA_MAX * oh * ow:
            continue
        y, x = (oh - h) // 2, (ow - w) // 2
        band = outer[max(0, y - 2):y + h + 2, max(0, x - 2):x + w + 2]
        placed = np.asarray(Image.fromarray(inner.astype(np.float32)).resize((w, h), Image.Resampling.BILINEAR))
        score, dy, dx = _correlation(band, placed.astype(np.float64))
        if score >= FOUND:
            top, left = max(0, y - 2) + dy, max(0, x - 2) + dx
            return PASTED_IN_OUTER if _seam(outer, top, left, h, w) else CROP_OF_OUTER
    return None


def place_inside(outer: np.ndarray, inner: np.ndarray) -> int:
    """NONE, CROP_OF_OUTER (inner's whole picture lies in outer, which continues it all around: inner
    is a crop of it) or PASTED_IN_OUTER (it lies there with a pasted edge on a side: outer is made
    around it). Every share of the area is tried at half the size, the best two again at full size
    with their neighbours (a seventh of the cost of trying all at full size)."""
    (oh, ow) = outer.shape
    laid = np.asarray(Image.fromarray(inner.astype(np.float32)).resize((ow, oh), Image.Resampling.BILINEAR))
    if np.corrcoef(laid.ravel(), outer.ravel())[0, 1] >= SAME_EXTENT:
        return NONE  # one extent (a tone edit, a resize)
    fitted = _fitted(outer, inner)
    if fitted is not None:
        return fitted
    areas = list(enumerate(np.geomspace(AREA_MIN, AREA_MAX, AREA_STEPS)))
    coarse = sorted(_search(_half(outer), _half(inner), areas), reverse=True)[:2]
    steps = sorted({n for *_, step in coarse for n in (step - 1, step, step + 1) if 0 <= n < AREA_STEPS})
    fine = _search(outer, inner, [areas[n] for n in steps])
    if not fine:
        return NONE
    score, y, x, h, w, _ = max(fine)
    if score < FOUND:
        return NONE
    return PASTED_IN_OUTER if _seam(outer, y, x, h, w) else CROP_OF_OUTER


def measure_extent(first: str, first_hash: str, second: str, second_hash: str) -> int:
    """place_inside of the second in the first (the low digit) and of the first in the second (x 10)."""
    a, b = _reduced(first, first_hash), _reduced(second, second_hash)
    return place_inside(a, b) + 10 * place_inside(b, a)


def extent_of(first: str, first_hash: str, second: str, second_hash: str, store: VerificationStore) -> int:
    """measure_extent, from the cache or measured (and cached, in the order of the hashes, as the
    store keeps each pair once); NONE if either is unreadable."""
    if second_hash < first_hash:
        swapped = extent_of(second, second_hash, first, first_hash, store)
        return swapped // 10 + 10 * (swapped % 10)
    known = store.lookup_verification(first_hash, second_hash, EXTENT_METHOD)
    if known is not None:
        return known
    try:
        measured = measure_extent(first, first_hash, second, second_hash)
    except Exception:  # unreadable here: no evidence either way
        return NONE
    store.store_verification(first_hash, second_hash, EXTENT_METHOD, measured)
    return measured

"""How a copy lies over its original, for describing it: the verdict's turn or its mirror image
(whichever the local features fit better), the fit, and what follows from it (the whole picture
shown or a part; a quarter turn to lay back; bars' room per side as the copy lies)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from photodedup.core.match.changes import Geometry, covered_fraction
from photodedup.core.match.verdict import TURNS, PixelVerdict, sane_fit
from photodedup.core.match.verify import MIN_INLIERS, align, extract_features

TURN_OF = dict(TURNS)  # a verdict's "how" → the function laying the copy the way the original lies
# Each way of laying a copy and its mirror image (verify.TURNS names; a copy aligned by features: as is).
MIRROR_OF = {"as is": "mirrored", "turned 90°": "mirrored and turned 90°", "turned 270°": "mirrored and turned 270°",
             "turned 180°": "flipped", "aligned by features": "mirrored"}
MIRROR_OF.update({mirror: plain for plain, mirror in list(MIRROR_OF.items()) if plain != "aligned by features"})
# The mirror image is chosen when its fit has over this many times the inliers of the other. Bench
# (bench/copy_check.py, 25 pictures): a mirrored copy's fit laid mirrored has 418-797 inliers, laid
# as is 0-50 (a symmetric pier: 50 of 502); for 150 copies not mirrored (six kinds of edit) the fit
# laid mirrored has at most 30% of the plain fit's.
MIRROR_MARGIN = 2.0


def geometry_of(verdict: PixelVerdict, original: np.ndarray, copy: np.ndarray) -> tuple[Geometry, int]:
    """How the copy lies over the original: the verdict's turn or its mirror image, whichever the
    local features fit with over MIRROR_MARGIN times the other's inliers (else the verdict's), and
    that fit of the copy turned back, kept only when sane (verify.sane_fit) and, for a copy laid
    whole, nearly upright; and the fit's inlier count."""
    features = extract_features(original)
    fits = []
    for how in (verdict.how, MIRROR_OF.get(verdict.how, "mirrored")):
        turn = TURN_OF.get(how)
        laid = np.ascontiguousarray(turn(copy)) if turn is not None else copy
        fits.append((how, laid, align(features, extract_features(laid))))
    how, laid, alignment = fits[1] if fits[1][2].inliers > MIRROR_MARGIN * max(MIN_INLIERS, fits[0][2].inliers) \
        else fits[0]
    fit = alignment.matrix if alignment.inliers >= MIN_INLIERS and sane_fit(alignment.matrix) else None
    if fit is not None and verdict.how in TURN_OF:
        angle = abs(float(np.degrees(np.arctan2(fit[1, 0], fit[0, 0]))))
        if angle > 20:  # laid whole, the picture is upright: a fit turned further is a wrong one
            fit = None
    if fit is None and how == verdict.how and how in TURN_OF:  # laid whole, too few features: a crop?
        fit = crop_by_correlation(original, laid)
    return Geometry(how, fit, original.shape, laid.shape), alignment.inliers if fit is not None else 0


# A copy laid whole whose local features fit nothing (a smooth storm sky) is looked for as an
# upright part of its original by normalised correlation; taken when it correlates this well
# and shows at most CROP_SIDE of each side. Bench (bench/copy_check.py): the crops of "Storm"
# correlate 0.998 where they lie; a rotated crop (3°) at most 0.86, and is left unmeasured.
CROP_CORRELATION = 0.97
CROP_SIDE = 0.96


def crop_by_correlation(original: np.ndarray, laid: np.ndarray) -> np.ndarray | None:
    """The fit (original's frame → ``laid``'s, 2×3) of an upright crop ``laid`` of ``original``
    (grey pictures), found by normalised correlation at shown sides of 40-100%, coarse then fine;
    None when it is no such crop (CROP_CORRELATION, CROP_SIDE)."""
    best = _correlated(original, laid, 96, np.arange(0.40, 1.0001, 0.02))
    if best is None or best[1] > CROP_SIDE + 0.02:
        return None
    best = _correlated(original, laid, 192, np.arange(best[1] - 0.03, best[1] + 0.0301, 0.005))
    if best is None or best[0] < CROP_CORRELATION or best[1] > CROP_SIDE:
        return None
    _, _, left, top, factor, width = best
    scale = laid.shape[1] * factor / width  # laid pixels per original pixel
    return np.array([[scale, 0.0, -left / factor * scale], [0.0, scale, -top / factor * scale]])


def _correlated(original: np.ndarray, laid: np.ndarray, side: int, shares) -> tuple | None:
    """(correlation, share, left, top, factor, width) of ``laid`` best matching a part of
    ``original`` reduced by ``factor`` to ``side`` pixels: its width ``share`` of the original's."""
    factor = side / max(original.shape)
    image = _resized(original, round(original.shape[1] * factor), round(original.shape[0] * factor))
    best = None
    for share in shares:
        width = int(round(share * image.shape[1]))
        height = int(round(width * laid.shape[0] / laid.shape[1]))
        if not (8 <= width <= image.shape[1] and 8 <= height <= image.shape[0]):
            continue
        scores = _normalised_correlation(image, _resized(laid, width, height))
        if scores is None:
            continue
        top, left = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if best is None or scores[top, left] > best[0]:
            best = (float(scores[top, left]), width / image.shape[1], int(left), int(top), factor, width)
    return best


def _resized(gray: np.ndarray, width: int, height: int) -> np.ndarray:
    return np.asarray(Image.fromarray(gray).resize((max(1, width), max(1, height)), Image.Resampling.BOX),
                      dtype=np.float64)


def _normalised_correlation(image: np.ndarray, template: np.ndarray) -> np.ndarray | None:
    """The normalised correlation of ``template`` at each place it fits inside ``image`` (by FFT)."""
    height, width = template.shape
    centred = template - template.mean()
    norm = float(np.sqrt((centred * centred).sum()))
    if norm < 1e-6:  # a plain template matches anything
        return None
    shape = (image.shape[0] + height, image.shape[1] + width)
    product = np.fft.irfft2(np.fft.rfft2(image, shape) * np.fft.rfft2(centred[::-1, ::-1], shape), shape)
    product = product[height - 1:image.shape[0], width - 1:image.shape[1]]
    sums = np.pad(image, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    squares = np.pad(image * image, ((1, 0), (1, 0))).cumsum(0).cumsum(1)

    def window(table: np.ndarray) -> np.ndarray:
        return table[height:, width:] - table[:-height, width:] - table[height:, :-width] + table[:-height, :-width]

    spread = window(squares) - window(sums) ** 2 / (height * width)
    return product / (np.sqrt(np.maximum(spread, 1e-6)) * norm)


def as_it_lies(room: dict[str, float], turn) -> dict[str, float]:
    """``room`` (per side of the copy laid by ``turn``) per side of the copy as it lies."""
    marks = np.zeros((5, 7))
    marks[0, 1:-1], marks[-1, 1:-1], marks[1:-1, 0], marks[1:-1, -1] = 1, 2, 3, 4
    laid = turn(marks)
    where = {int(laid[0, 2]): "top", int(laid[-1, 2]): "bottom", int(laid[2, 0]): "left", int(laid[2, -1]): "right"}
    return {side: room[where[mark]] for side, mark in (("top", 1), ("bottom", 2), ("left", 3), ("right", 4))}


def quarter_back(geometry: Geometry):
    """For a copy aligned by features and turned by a quarter (within 1°), the TURNS function
    laying it back the way its original lies; else None."""
    if geometry.fit is None:
        return None
    angle = -float(np.degrees(np.arctan2(geometry.fit[1, 0], geometry.fit[0, 0])))  # + anticlockwise
    quarter = int(round(angle / 90)) % 4
    if quarter == 0 or abs(angle - 90 * round(angle / 90)) > 1.0:
        return None
    return TURN_OF[{1: "turned 270°", 2: "turned 180°", 3: "turned 90°"}[quarter]]


def shows_whole(geometry: Geometry) -> bool:
    """Whether the copy shows the whole picture, upright: laid whole by the pixels, and a fit (when
    there is one) covering it all without a turn."""
    if geometry.fit is None or not geometry.original_shape or not geometry.copy_shape:
        return geometry.how in TURN_OF
    covered = covered_fraction(geometry.fit, geometry.original_shape, geometry.copy_shape)
    angle = abs(float(np.degrees(np.arctan2(geometry.fit[1, 0], geometry.fit[0, 0]))))
    return covered is not None and covered >= 0.97 and angle <= 1.0


def picture_shown(original: str, copy: str, verdict: PixelVerdict) -> float | None:
    """The share of ``original``'s picture that ``copy`` shows (1.0: all of it), from the fit of their
    whole frames (``verdict``: the pixels' verdict on them in that order); None when there is no sane
    fit and the pixels did not lay the copy whole. A crop scaled back to the original's size has as
    many pixels as the original and shows less of it: a 70% crop of bench/corpus "Garden" laid "as is"
    by the pixels, and this measures 0.70."""
    from photodedup.core.match.changes import covered_fraction
    from photodedup.core.match.copy_look import read_gray

    first, second = read_gray(original), read_gray(copy)
    if first is None or second is None:
        return None
    geometry, _ = geometry_of(verdict, first, second)
    if geometry.fit is None or not geometry.original_shape or not geometry.copy_shape:
        return 1.0 if geometry.how in TURN_OF else None
    return covered_fraction(geometry.fit, geometry.original_shape, geometry.copy_shape)

"""How a copy lies over its original, for describing it: the verdict's turn or its mirror image
(whichever the local features fit better), the fit, and what follows from it (the whole picture
shown or a part; a quarter turn to lay back; bars' room per side as the copy lies)."""

from __future__ import annotations

import numpy as np

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
    return Geometry(how, fit, original.shape, laid.shape), alignment.inliers if fit is not None else 0


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

"""Confirm a candidate pair by local features: the two pictures must share geometry.

Embeddings say "these look alike"; two halves of one meadow photo look alike too. ORB
keypoints matched between the two pictures and a RANSAC similarity transform (shift,
scale, rotation) say "one is a copy of the other": copies keep many geometrically
consistent matches, different pictures keep almost none (bench/accuracy.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from photodedup.core.match.distinct import METHOD as DISTINCT_METHOD, either_way
from photodedup.core.match.patches import histogram_matched, level_shares
from photodedup.core.match.verdict import TURNS, PixelVerdict, sane_fit

MIN_INLIERS = 12
METHOD = "orb800-ratio0.8-similarity6px-v1"  # cached results are only reused for the same method
FEATURES = 800
RATIO = 0.8
REPROJECTION_PIXELS = 6.0


@dataclass
class LocalFeatures:
    points: np.ndarray  # (N, 2) float32 keypoint positions
    descriptors: np.ndarray | None  # (N, 32) uint8 ORB descriptors


def _cv2():
    import cv2

    cv2.setNumThreads(1)
    return cv2


def extract_features(gray: np.ndarray) -> LocalFeatures:
    """ORB keypoints of a gray picture (contrast equalised so dark copies still have features)."""
    cv2 = _cv2()
    equalised = cv2.equalizeHist(np.ascontiguousarray(gray, dtype=np.uint8))
    orb = cv2.ORB_create(nfeatures=FEATURES)
    keypoints, descriptors = orb.detectAndCompute(equalised, None)
    points = np.float32([k.pt for k in keypoints]).reshape(-1, 2)
    return LocalFeatures(points, descriptors)


@dataclass
class Alignment:
    """How picture b lies over picture a: inlier count and the 2×3 similarity transform a → b."""

    inliers: int
    matrix: np.ndarray | None = None  # maps a's feature-image coordinates to b's

    @property
    def scale(self) -> float:
        return float(np.hypot(self.matrix[0, 0], self.matrix[1, 0])) if self.matrix is not None else 1.0

    @property
    def rotation_degrees(self) -> float:
        return float(np.degrees(np.arctan2(self.matrix[1, 0], self.matrix[0, 0]))) if self.matrix is not None else 0.0


def align(a: LocalFeatures, b: LocalFeatures) -> Alignment:
    """Matches between a and b consistent with one similarity transform, and that transform."""
    cv2 = _cv2()
    cv2.setRNGSeed(0)  # RANSAC: the same answer every run
    if a.descriptors is None or b.descriptors is None or len(a.points) < 8 or len(b.points) < 8:
        return Alignment(0)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = [pair[0] for pair in matcher.knnMatch(a.descriptors, b.descriptors, k=2)
            if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance]
    if len(good) < 8:
        return Alignment(0)
    source = a.points[[m.queryIdx for m in good]]
    target = b.points[[m.trainIdx for m in good]]
    matrix, mask = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=REPROJECTION_PIXELS)
    if mask is None:
        return Alignment(0)
    return Alignment(int(mask.sum()), matrix)


def count_inliers(a: LocalFeatures, b: LocalFeatures) -> int:
    """Matches between a and b consistent with one similarity transform."""
    return align(a, b).inliers


# --- Copy or another shot: the pixels decide --------------------------------------------------
#
# The embedding and the local features only propose. Two pictures are copies when, laid one
# over the other (whole frame, turned or mirrored, or by a sane similarity fit), their grey
# levels agree tile by tile after the tones are matched: a brightened, grey or colour-graded copy
# agrees; a moved object, another person or another patch of texture does not.

PIXEL_METHOD = "pixels-v3-w160-t12-ncc0.5-agree0.88-changed0.04-cover0.985-textured0.1-detail0.8-" + DISTINCT_METHOD  # cached verdicts depend on all of these
WORK_SIDE = 160  # long side of the smaller picture when compared
GRID = 12  # tiles per side
MIN_TILE_CORRELATION = 0.5  # a textured tile agrees when the two correlate at least this much
MIN_AGREEMENT = 0.88  # share of comparable tiles that must agree for a copy
MIN_COVERAGE = 0.985  # share of the smaller picture inside the other: a copy is the picture or a part of it
MIN_QUICK = 0.3  # share of tiles agreeing, laid whole and unrefined, before the fit is refined
MIN_TEXTURED = 0.1  # share of tiles with detail needed before agreeing tiles mean anything
DETAIL_GREYS, DETAIL_SHARE = 0.8, 0.0  # a tile has detail when its fine structure reaches this (greys; share of spread)
MAX_CHANGED = 0.04  # share of the overlap that may differ in solid patches (added text is thin)
CHANGE_LEVEL = 0.3  # a pixel differs by this share of the picture's spread of grey levels
WHOLE_FRAME_ASPECT = 0.3  # laid whole when the aspect ratios are this close (log ratio): trims differ


def _small(gray: np.ndarray, factor: float) -> np.ndarray:
    cv2 = _cv2()
    height, width = gray.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(np.ascontiguousarray(gray, dtype=np.float32), size, interpolation=interpolation)


def _matched_tones(source: np.ndarray, reference: np.ndarray, mask: np.ndarray,
                   reference_share: np.ndarray | None = None) -> np.ndarray:
    """``source`` with its grey levels mapped so their distribution over ``mask`` is ``reference``'s
    (patches.histogram_matched); ``reference_share``: level_shares(reference[mask]), if known."""
    reference_share = level_shares(reference[mask]) if reference_share is None else reference_share
    return histogram_matched(source, level_shares(source[mask]), reference_share)


def _changed_area(first: np.ndarray, second: np.ndarray, mask: np.ndarray, spread: float) -> float:
    """Share of the overlap where the pictures (tones matched) differ in a solid patch, not a
    thin line: a pixel differs when no neighbour within one pixel comes within CHANGE_LEVEL of
    the overall spread, and lone pixels and strokes are opened away."""
    cv2 = _cv2()
    a = cv2.GaussianBlur(first, (0, 0), 1.0)
    b = cv2.GaussianBlur(second, (0, 0), 1.0)
    nearest = np.full(a.shape, np.inf, np.float32)
    padded = cv2.copyMakeBorder(b, 1, 1, 1, 1, cv2.BORDER_REPLICATE)
    height, width = a.shape
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            nearest = np.minimum(nearest, np.abs(a - padded[dy:dy + height, dx:dx + width]))
    inner = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    differs = ((nearest > CHANGE_LEVEL * spread) & inner).astype(np.uint8)
    solid = cv2.morphologyEx(differs, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return float(solid.sum()) / max(1.0, float(inner.sum()))


def _tiles(picture: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """(GRID², rows·cols): the picture's tiles, one per row (the ragged edge left out)."""
    cut = picture[:GRID * rows, :GRID * cols]
    return cut.reshape(GRID, rows, GRID, cols).transpose(0, 2, 1, 3).reshape(GRID * GRID, rows * cols)


def _under(first: np.ndarray, mask: np.ndarray, rows: int, cols: int) -> dict:
    """What tile_agreement measures of the picture laid under (and ``mask``) alone: measured once
    for the ways of laying b that _whole_frame tries over one picture (a third of its time)."""
    spread = float(first[mask].std()) or 1.0
    detail = np.abs(first - _cv2().GaussianBlur(first, (0, 0), 2.0))  # what a smooth gradient lacks
    a = _tiles(first, rows, cols)
    mean_a = a.mean(axis=1)
    da = a - mean_a[:, None]
    return {"spread": spread, "share": level_shares(first[mask]), "mean": mean_a, "deviation": da,
            "sd": np.sqrt((da * da).mean(axis=1)), "detail": _tiles(detail, rows, cols).mean(axis=1),
            "valid": _tiles(mask.astype(np.float32), rows, cols).mean(axis=1) >= 0.9}


def tile_agreement(first: np.ndarray, second: np.ndarray, mask: np.ndarray, changes: bool = True,
                   under: dict | None = None) -> tuple[float, float]:
    """(share of tiles inside ``mask`` where the two pictures, tones matched, agree; share of
    the overlap changed in solid patches, or 0 without ``changes``). ``under``: a dict the caller
    keeps across calls with one ``first`` and ``mask`` (filled by the first)."""
    height, width = first.shape
    rows, cols = height // GRID, width // GRID
    if mask.sum() < 64 or rows < 2 or cols < 2:
        return 0.0, 1.0
    if not under:
        under = {} if under is None else under
        under.update(_under(first, mask, rows, cols))
    matched = _matched_tones(second, first, mask, under["share"])
    spread, mean_a, da, sa, valid = under["spread"], under["mean"], under["deviation"], under["sd"], under["valid"]
    b = _tiles(matched, rows, cols)
    mean_b = b.mean(axis=1)
    db = b - mean_b[:, None]
    sb = np.sqrt((db * db).mean(axis=1))
    flat = 0.08 * spread
    both_flat = (sa < flat) & (sb < flat)  # plain tiles: the same level is all they can say
    one_flat = ~both_flat & ((sa < flat / 2) | (sb < flat / 2))
    correlated = (da * db).mean(axis=1) / np.maximum(sa * sb, 1e-9) >= MIN_TILE_CORRELATION
    agree = np.where(both_flat, np.abs(mean_a - mean_b) < 0.25 * spread, ~one_flat & correlated)
    textured = ~both_flat & ~one_flat & (under["detail"] >= max(DETAIL_GREYS, DETAIL_SHARE * spread))
    total, agreeing, textured = int(valid.sum()), int((agree & valid).sum()), int((textured & valid).sum())
    if total == 0:
        return 0.0, 1.0
    if textured < MIN_TEXTURED * total:  # a plain picture (a clear sky): the pixels can't tell a copy
        return min(agreeing / total, MIN_TEXTURED * textured / total), 1.0
    if not changes:
        return agreeing / total, 0.0
    clipped = (first <= 4) | (first >= 251) | (second <= 4) | (second >= 251)  # no detail left to compare
    return agreeing / total, _changed_area(first, matched, mask & ~clipped, spread)


def _is_copy(agreement: float, changed: float, coverage: float) -> bool:
    return agreement >= MIN_AGREEMENT and changed <= MAX_CHANGED and coverage >= MIN_COVERAGE


def _laid_over(a_small: np.ndarray, b_small: np.ndarray, to_b: np.ndarray, how: str, scale: float) -> PixelVerdict:
    """The verdict for b laid over a by ``to_b`` (a_small's coordinates → b_small's, 2×3)."""
    cv2 = _cv2()
    height, width = a_small.shape
    laid = cv2.warpAffine(b_small, to_b, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(np.ones(b_small.shape, np.float32), to_b, (width, height),
                            flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT,
                            borderValue=0.0) > 0.5
    linear = to_b[:, :2]
    b_area = b_small.shape[0] * b_small.shape[1] / max(1e-9, abs(float(np.linalg.det(linear))))
    coverage = min(1.0, float(inside.sum()) / max(1.0, min(float(inside.size), b_area)))
    inside = cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # no interpolated edge
    if coverage < MIN_COVERAGE:
        return PixelVerdict(False, 0.0, coverage, 1.0, how, scale)
    agreement, changed = tile_agreement(a_small, laid, inside)
    return PixelVerdict(_is_copy(agreement, changed, coverage), agreement, coverage, changed, how, scale)


def _refined(a_small: np.ndarray, b_small: np.ndarray, start: np.ndarray) -> np.ndarray | None:
    """``start`` (a_small → b_small) refined by ECC, which ignores brightness and contrast; None
    when it does not converge or ends as no sane similarity."""
    cv2 = _cv2()
    warp = np.asarray(start, dtype=np.float32).copy()
    try:
        _, warp = cv2.findTransformECC(cv2.GaussianBlur(a_small, (0, 0), 1.0), cv2.GaussianBlur(b_small, (0, 0), 1.0),
                                       warp, cv2.MOTION_AFFINE,
                                       (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-4), None, 1)
    except cv2.error:
        return None
    return warp.astype(np.float64) if sane_fit(warp) else None


def _whole_frame(a_small: np.ndarray, b: np.ndarray, under: dict) -> PixelVerdict | None:
    """The best agreement of b laid whole over a (turned or mirrored if need be, its position
    refined), or None when no way of laying b comes near a's aspect ratio. ``under``: tile_agreement's
    measures of ``a_small`` laid whole (a dict, filled by the first try)."""
    cv2 = _cv2()
    ratio = a_small.shape[1] / a_small.shape[0]
    tries, whole = [], np.ones(a_small.shape, dtype=bool)
    for name, turn in TURNS:
        turned = turn(b)  # a view: _small makes the one copy it needs, and only for a turn that can fit
        if abs(np.log(ratio / (turned.shape[1] / turned.shape[0]))) > WHOLE_FRAME_ASPECT:
            continue
        factor = min(1.0, a_small.shape[1] / turned.shape[1] * 1.25)
        b_small = _small(turned, factor)
        stretch = np.array([[b_small.shape[1] / a_small.shape[1], 0, 0], [0, b_small.shape[0] / a_small.shape[0], 0]])
        laid = cv2.warpAffine(b_small, stretch, (a_small.shape[1], a_small.shape[0]),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
        quick, _ = tile_agreement(a_small, laid, whole, changes=False, under=under)
        tries.append((quick, name, b_small, stretch, turned.shape[1] / b_small.shape[1]))
        if quick >= MIN_AGREEMENT:  # this way round it already agrees: refine it before trying others
            break
    best = None
    for quick, name, b_small, stretch, b_scale in sorted(tries, key=lambda t: -t[0])[:2]:
        if quick < MIN_QUICK:  # laid whole it looks nothing like a: no refining will make it a copy
            continue
        fits = [_refined(a_small, b_small, stretch)]
        sx, sy = stretch[0, 0], stretch[1, 1]
        if abs(np.log(sx / sy)) <= 0.04:  # the same frame: laid whole as it is, too (ECC may drift in the dark)
            fits.append(np.array([[sx, 0, 0], [0, sx, (b_small.shape[0] - sx * a_small.shape[0]) / 2]]))
        for fit in fits:
            if fit is None:
                continue
            scale = float(np.hypot(fit[0, 0], fit[1, 0])) * b_scale
            verdict = _laid_over(a_small, b_small, fit, name, scale)
            if best is None or _rank(verdict) > _rank(best):
                best = verdict
            if verdict.copy:
                return best
    return best


_LAID_UNDER, _LAID_UNDER_LOCK = {}, threading.Lock()  # id(grey) → (grey, at WORK_SIDE, tile_agreement's measures)
LAID_UNDER_KEPT = 32  # on bench/corpus-speed 239 pairs have 85 pictures first, one of them 16 times


def _laid_under(a_gray: np.ndarray, a_factor: float) -> tuple[np.ndarray, dict]:
    """``a_gray`` at ``a_factor`` and the dict of what tile_agreement measures of it laid whole,
    kept for the next pairs that lay a picture over the same ``a_gray`` (the same object)."""
    with _LAID_UNDER_LOCK:
        kept = _LAID_UNDER.get(id(a_gray))
    if kept is not None and kept[0] is a_gray:
        return kept[1], kept[2]
    a_small, under = _small(a_gray, a_factor), {}
    with _LAID_UNDER_LOCK:
        while len(_LAID_UNDER) >= LAID_UNDER_KEPT:
            del _LAID_UNDER[next(iter(_LAID_UNDER))]  # the oldest
        _LAID_UNDER[id(a_gray)] = (a_gray, a_small, under)
    return a_small, under


def _rank(verdict: PixelVerdict) -> float:
    return float(verdict.copy) * 10 + verdict.agreement - verdict.changed + verdict.coverage


def _fitted(a_small: np.ndarray, b_gray: np.ndarray, matrix: np.ndarray, a_factor: float) -> PixelVerdict:
    """Agreement of b laid over a (``a_small``: a at ``a_factor``) by ``matrix`` (a → b, local features)."""
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    b_small = _small(b_gray, min(1.0, a_factor * scale * 1.25))
    b_used = b_small.shape[1] / b_gray.shape[1]
    to_b = np.vstack([np.asarray(matrix, dtype=np.float64), [0, 0, 1]])
    to_b = (np.diag([b_used, b_used, 1.0]) @ to_b @ np.diag([1 / a_factor, 1 / a_factor, 1.0]))[:2]
    refined = _refined(a_small, b_small, to_b)
    return _laid_over(a_small, b_small, refined if refined is not None else to_b, "aligned by features", scale)


def compare_pictures(a_gray: np.ndarray, b_gray: np.ndarray,
                     features: "tuple[LocalFeatures, LocalFeatures] | Callable[[], tuple] | None" = None,
                     alignment: Alignment | None = None) -> PixelVerdict:
    """Whether b is a copy of a by their pixels (_compared), either way round the same, unless
    distinct.different_content finds other content (distinct.either_way)."""
    return either_way(_compared, a_gray, b_gray, features, alignment)


def _compared(a_gray: np.ndarray, b_gray: np.ndarray,
              features: "tuple[LocalFeatures, LocalFeatures] | Callable[[], tuple] | None" = None,
              alignment: Alignment | None = None) -> PixelVerdict:
    """Whether b is a copy of a by their pixels (grey pictures as decode_gray gives them).

    Whole-frame first (any turn or mirror of b with a's aspect ratio); then, when features
    (or an alignment already found) are given, b laid over a by the local-feature fit, if that
    fit is sane (sane_fit) and covers at least MIN_COVERAGE of the smaller picture.
    """
    if min(a_gray.shape) < 8 or min(b_gray.shape) < 8:
        return PixelVerdict(False)

    a_factor = min(1.0, WORK_SIDE / max(a_gray.shape))
    a_small, under = _laid_under(a_gray, a_factor)

    best = _whole_frame(a_small, b_gray, under)
    if best is not None and best.copy:
        return best
    if alignment is None and features is not None:
        if callable(features):  # found only now, when laying the pictures whole did not do
            features = features()
        if features[0] is not None and features[1] is not None:
            alignment = align(*features)
    if alignment is not None and alignment.inliers >= MIN_INLIERS and sane_fit(alignment.matrix):
        try:
            fitted = _fitted(a_small, b_gray, alignment.matrix, a_factor)
        except Exception:  # OpenCV refusing a degenerate warp: not a copy
            fitted = PixelVerdict(False)
        if best is None or _rank(fitted) > _rank(best):
            best = fitted
    return best or PixelVerdict(False)

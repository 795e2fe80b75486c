"""Whether two files of a picture show one extent of it at two sizes (one is the other resized,
whole), as against one holding more of the picture around the other (a crop, a straightened copy),
for the keeper's "pixels" rule (review/keeper.py): only a resize can be an upscale, which holds no
more of the picture for its extra pixels. Measured on the grey pictures the copy check uses (borders
trimmed: a screenshot's window border or title bar is no picture), each pair's answer kept in the
cache's ``verifications`` table under both files' content hashes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from photodedup.core.match.measures import VerificationStore

RESIZE_METHOD = "keeper-resize-v1"
SIDE = 320  # long side both pictures are compared at
BOX = 5  # the fine detail compared: each picture less its BOX × BOX local mean
# The smaller picture laid whole over the larger (resized to it) is the same extent when their fine
# detail correlates at least SAME_DETAIL. Measured at 320 px: the fifth adversarial pass's
# screenshots of a photo at 110-150% with a 3-px border (a7_screenshot_scaled.py) 0.74-0.89, a
# thumbnail 1.13 times smaller than its original 0.88; the crops, straightened copies and
# letterboxes of bench/corpus and corpus-s11 1.03-1.3 times smaller or larger than their
# originals 0.27 at most (a 5% shift of the extent moves fine detail by several pixels).
SAME_DETAIL = 0.6


def _detail(grey: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    picture = Image.fromarray(np.asarray(grey, dtype=np.float32))
    picture = np.asarray(picture.resize(size, Image.Resampling.BILINEAR), dtype=np.float64)
    kernel = np.ones(BOX) / BOX
    mean = np.apply_along_axis(np.convolve, 1, picture, kernel, mode="same")
    mean = np.apply_along_axis(np.convolve, 0, mean, kernel, mode="same")
    return (picture - mean)[BOX:-BOX, BOX:-BOX]


def detail_correlation(larger: np.ndarray, smaller: np.ndarray) -> float:
    """The correlation of the fine detail of two grey pictures, each resized to the larger's shape
    reduced to SIDE pixels (the smaller laid whole over it)."""
    height, width = larger.shape
    factor = min(1.0, SIDE / max(height, width))
    size = (max(2 * BOX + 2, round(width * factor)), max(2 * BOX + 2, round(height * factor)))
    first, second = _detail(larger, size), _detail(smaller, size)
    if first.std() < 1e-6 or second.std() < 1e-6:
        return 0.0
    return float(np.corrcoef(first.ravel(), second.ravel())[0, 1])


def same_extent(larger: np.ndarray, smaller: np.ndarray) -> bool:
    """Whether the smaller picture is the larger's whole extent (SAME_DETAIL), at another size."""
    return detail_correlation(larger, smaller) >= SAME_DETAIL


def same_extent_of(larger_hash: str, smaller_hash: str, greys: Callable[[], tuple[np.ndarray | None, np.ndarray | None]],
                   store: VerificationStore) -> bool:
    """same_extent, from the cache or measured (and cached); False when either grey is missing.
    The store keeps a pair under its hashes in order, and the measure depends on which file is the
    larger (both are resized to its shape): the direction goes into the method's name."""
    first, second = sorted((larger_hash, smaller_hash))
    method = RESIZE_METHOD + (">" if larger_hash <= smaller_hash else "<")
    known = store.lookup_verification(first, second, method)
    if known is not None:
        return bool(known)
    try:
        pictures = greys()
        if pictures[0] is None or pictures[1] is None:
            return False
        answer = same_extent(*pictures)
    except Exception:  # unreadable here: no evidence either way
        return False
    store.store_verification(first, second, method, int(answer))
    return answer

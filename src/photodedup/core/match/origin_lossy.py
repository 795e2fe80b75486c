"""Two JPEGs of one size told apart by their compression, each file decoded once: a plain re-save at a
higher quality (is_jpeg_resave), and a copy holding the same pixels at a lower quality: the two differ
by their compression alone (no edit), so the lower-quality one holds less of the picture, whatever
camera EXIF it carries, for the keeper (review/keeper.py, "original"; match/keeper_evidence.py).
The fifth adversarial pass had a scan saved at q92 without EXIF lose to its q85 copy carrying a
phone's Make, Model and date, its pixels unchanged, in 6 of 6 pairs (a4_exif_on_copy.py "resave").
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageChops, ImageStat, JpegImagePlugin

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.origin import RESAVE_TOLERANCE, sharpness

LOSSIER_METHOD = "jpeg-lossier-v2"
# The two differ by compression alone when their mean difference is at most COMPRESSION_ONLY times
# what the lower quality's own tables do to the higher-quality file (its pixels encoded again with
# them) ... Measured on a4_exif_on_copy.py: pixels unchanged 1.00-1.13; a warmer copy 6-21, an
# unsharp-masked one 4.0-10; a8_same_size_edit_exif_kept.py's denoised, sharpened and "clarity"
# edits 13-1100; but bench/keeper_attack.py's "round_trip_q98" (halved and scaled back, q98) 1.16-3.6.
COMPRESSION_ONLY = 1.3
# ... and the lower holds at most SAME_DETAIL times the higher's fine detail at each of
# origin.SHARP_SCALES (its JPEG noise adds some at the finest). Measured: pixels unchanged
# 0.97-1.43 at 1/2, 0.97-1.05 at 1/3.2; the round trips 1.72-16 and 1.9-4.2.
SAME_DETAIL = 1.5


def _mean_difference(first: Image.Image, second: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


def _jpeg_pair(first: str, second: str):
    """Two JPEGs of one size in RGB, each with its tables and sampling: ((rgb, tables), (rgb, tables)),
    or None when they are not that."""
    with open_photo(first) as a, open_photo(second) as b:
        if a.size != b.size or a.format != "JPEG" or b.format != "JPEG":
            return None
        return tuple((image.convert("RGB"), (image.quantization, JpegImagePlugin.get_sampling(image))) for image in (a, b))


def _reencoded(rgb: Image.Image, tables: tuple) -> Image.Image:
    """``rgb`` encoded again with another JPEG's tables and sampling, and decoded."""
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", qtables=tables[0], subsampling=max(tables[1], 0))
    with Image.open(buffer) as again:
        return again.convert("RGB")


def _resaved(higher: tuple, lower: tuple) -> bool:
    """Whether ``higher`` (rgb, tables) holds exactly what ``lower``'s pixels give encoded with its tables."""
    return _mean_difference(higher[0], _reencoded(lower[0], higher[1])) < RESAVE_TOLERANCE


def is_jpeg_resave(higher: str, lower: str) -> bool:
    """Whether the JPEG ``higher`` holds exactly what ``lower`` (a JPEG of the same size) decodes
    to, encoded again with higher's own tables: a plain re-save at a higher quality, which gains
    nothing. A copy ``lower`` made from ``higher`` differs by lower's own loss (a grey level or more)."""
    try:
        pair = _jpeg_pair(higher, lower)
        return pair is not None and _resaved(*pair)
    except Exception:  # unreadable or odd tables: not shown to be a re-save
        return False


def is_lossier_copy(lower: str, higher: str) -> bool:
    """Whether the JPEG ``lower`` holds ``higher``'s pixels (a JPEG of its size and a higher quality)
    at its lower quality: they differ by compression alone (COMPRESSION_ONLY, SAME_DETAIL), and
    ``higher`` is no plain re-save of ``lower`` (is_jpeg_resave: that one holds nothing more).
    Each file is decoded once for all three measures."""
    try:
        pair = _jpeg_pair(lower, higher)
        if pair is None:
            return False
        (lower_rgb, lower_tables), (higher_rgb, _) = pair
        own_loss = _mean_difference(higher_rgb, _reencoded(higher_rgb, lower_tables))
        if _mean_difference(lower_rgb, higher_rgb) > COMPRESSION_ONLY * max(own_loss, 0.05):
            return False
        details = [sharpness(np.asarray(rgb.convert("L"))) for rgb in (lower_rgb, higher_rgb)]
        if not all(a <= SAME_DETAIL * b for a, b in zip(*details)):
            return False  # the higher is softer: a blurred or round-tripped copy saved at a higher quality
    except Exception:  # unreadable or odd tables: not shown
        return False
    try:
        return not _resaved(pair[1], pair[0])
    except Exception:  # as is_jpeg_resave: not shown to be a re-save
        return True

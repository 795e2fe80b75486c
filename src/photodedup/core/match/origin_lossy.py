"""Whether a JPEG holds the same pixels as another JPEG of its size at a lower quality: the two differ
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
from photodedup.core.match.origin import is_jpeg_resave, sharpness

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


def is_lossier_copy(lower: str, higher: str) -> bool:
    """Whether the JPEG ``lower`` holds ``higher``'s pixels (a JPEG of its size and a higher quality)
    at its lower quality: they differ by compression alone (COMPRESSION_ONLY, SAME_DETAIL), and
    ``higher`` is no plain re-save of ``lower`` (origin.is_jpeg_resave: that one holds nothing more)."""
    try:
        with open_photo(lower) as first, open_photo(higher) as second:
            if first.size != second.size or first.format != "JPEG" or second.format != "JPEG":
                return False
            tables, sampling = first.quantization, JpegImagePlugin.get_sampling(first)
            lower_rgb, higher_rgb = first.convert("RGB"), second.convert("RGB")
        buffer = io.BytesIO()
        higher_rgb.save(buffer, "JPEG", qtables=tables, subsampling=max(sampling, 0))
        with Image.open(buffer) as again:
            own_loss = _mean_difference(higher_rgb, again.convert("RGB"))
        if _mean_difference(lower_rgb, higher_rgb) > COMPRESSION_ONLY * max(own_loss, 0.05):
            return False
        details = [sharpness(np.asarray(rgb.convert("L"))) for rgb in (lower_rgb, higher_rgb)]
        if not all(a <= SAME_DETAIL * b for a, b in zip(*details)):
            return False  # the higher is softer: a blurred or round-tripped copy saved at a higher quality
    except Exception:  # unreadable or odd tables: not shown
        return False
    return not is_jpeg_resave(higher, lower)

"""Suggest which file of a group to keep; the rest are suggested for trash."""

from __future__ import annotations

import math
from collections.abc import Sequence

from photodedup.core.models import ImageInfo


PIXEL_TOLERANCE = 1.03  # picture sizes within 3% count as equal (trimmed bars are approximate)


def keeper_rank(info: ImageInfo) -> tuple:
    """Higher is better: most picture pixels (padding bars don't count), then no padding,
    then the largest file, then the oldest, then the shortest path."""
    size_class = round(math.log(max(info.picture_pixels, 1)) / math.log(PIXEL_TOLERANCE))
    return (size_class, info.content_fraction, info.file.size, -info.file.mtime_ns, -len(info.file.path), info.file.path)


def choose_keeper(infos: Sequence[ImageInfo]) -> int:
    """Position in ``infos`` of the suggested keeper."""
    if not infos:
        raise ValueError("a group needs at least one file")
    return max(range(len(infos)), key=lambda i: keeper_rank(infos[i]))

"""Suggest which file of a group to keep; the rest are suggested for trash."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from photodedup.core.models import ImageInfo


PIXEL_TOLERANCE = 1.03  # picture sizes within 3% count as equal (trimmed bars are approximate)


def keeper_rank(info: ImageInfo) -> tuple:
    """Higher is better: most picture pixels (padding bars don't count), then no padding,
    then the largest file, then the oldest, then the shortest path."""
    size_class = round(math.log(max(info.picture_pixels, 1)) / math.log(PIXEL_TOLERANCE))
    return (size_class, info.content_fraction, info.file.size, -info.file.mtime_ns, -len(info.file.path), info.file.path)


def in_folders(path: str, folders: Sequence[str]) -> bool:
    """Whether ``path`` lies inside one of ``folders``."""
    path = os.path.abspath(path)
    return any(path.startswith(os.path.join(os.path.abspath(folder), "")) for folder in folders)


def choose_keeper(infos: Sequence[ImageInfo], protected: Sequence[str] = ()) -> int:
    """Position in ``infos`` of the suggested keeper: a file in a protected folder first."""
    if not infos:
        raise ValueError("a group needs at least one file")
    return max(range(len(infos)), key=lambda i: (in_folders(infos[i].file.path, protected), keeper_rank(infos[i])))

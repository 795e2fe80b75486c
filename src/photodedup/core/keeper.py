"""Suggest which file of a group to keep; the rest are suggested for trash."""

from __future__ import annotations

from collections.abc import Sequence

from photodedup.core.models import ImageInfo


def keeper_rank(info: ImageInfo) -> tuple:
    """Higher is better: most pixels, then the largest file, then the oldest, then the shortest path."""
    return (info.pixels, info.file.size, -info.file.mtime_ns, -len(info.file.path), info.file.path)


def choose_keeper(infos: Sequence[ImageInfo]) -> int:
    """Position in ``infos`` of the suggested keeper."""
    if not infos:
        raise ValueError("a group needs at least one file")
    return max(range(len(infos)), key=lambda i: keeper_rank(infos[i]))

"""Suggest which file of a group to keep; the rest are suggested for trash.

The keeper is chosen by an ordered list of rules: the first rule that tells two files
apart decides. The order is configurable (``ScanOptions.keeper_rules``, ``--keeper-rules``);
DEFAULT_RULES is what most libraries want.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence

from photodedup.core.models import Group, ImageInfo
from photodedup.core.raw import is_raw

PIXEL_TOLERANCE = 1.03  # picture sizes within 3% count as equal (trimmed bars are approximate)


def in_folders(path: str, folders: Sequence[str]) -> bool:
    """Whether ``path`` lies inside one of ``folders``."""
    path = os.path.abspath(path)
    return any(path.startswith(os.path.join(os.path.abspath(folder), "")) for folder in folders)


def _pixel_class(info: ImageInfo) -> int:
    """Most picture pixels (padding bars don't count), in 3% steps."""
    return -round(math.log(max(info.picture_pixels, 1)) / math.log(PIXEL_TOLERANCE))


# name → (what it means, key: smaller is better). ``protected`` is given the protected folders.
RULES: dict[str, tuple[str, Callable[[ImageInfo, Sequence[str]], object]]] = {
    "protected": ("keep files in protected folders", lambda i, p: not in_folders(i.file.path, p)),
    "raw": ("keep RAW over JPEG and other rendered files", lambda i, p: not is_raw(i.file.path)),
    "pixels": ("keep the most pixels", lambda i, p: _pixel_class(i)),
    "no-padding": ("keep the one without padding bars", lambda i, p: -i.content_fraction),
    "original": ("keep the camera original over an export without camera EXIF",
                 lambda i, p: not (i.metadata.has_exif and i.metadata.camera)),
    "oldest-taken": ("keep the oldest date taken", lambda i, p: i.metadata.date_taken or "9999"),
    "largest-file": ("keep the largest file", lambda i, p: -i.file.size),
    "oldest-file": ("keep the oldest file", lambda i, p: i.file.mtime_ns),
    "shortest-path": ("keep the shortest path", lambda i, p: (len(i.file.path), i.file.path)),
}
DEFAULT_RULES = ("protected", "raw", "pixels", "no-padding", "original", "oldest-taken", "largest-file",
                 "oldest-file", "shortest-path")


def check_rules(rules: Sequence[str]) -> list[str]:
    """The rules, validated; unknown names raise ValueError listing the known ones."""
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"unknown keeper rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
    return list(rules)


def keeper_key(info: ImageInfo, protected: Sequence[str] = (), rules: Sequence[str] = DEFAULT_RULES) -> tuple:
    """Sort key of a file as a keeper: smaller is better. The path comes last, so ties are stable."""
    return tuple(RULES[name][1](info, protected) for name in rules) + (info.file.path,)


def choose_keeper(infos: Sequence[ImageInfo], protected: Sequence[str] = (),
                  rules: Sequence[str] = DEFAULT_RULES) -> int:
    """Position in ``infos`` of the suggested keeper."""
    if not infos:
        raise ValueError("a group needs at least one file")
    return min(range(len(infos)), key=lambda i: keeper_key(infos[i], protected, rules))


def raw_jpeg_partners(group: Group) -> set[str]:
    """Paths of files that form a RAW + JPEG pair (same folder, same name) inside the group.

    A camera writes both on purpose: they are shown together but not suggested for trash
    against each other unless the person asks ("treat RAW+JPEG pairs as duplicates").
    """
    by_stem: dict[tuple[str, str], list[str]] = {}
    for member in group.members:
        stem = os.path.splitext(member.path)[0]
        by_stem.setdefault((os.path.dirname(stem), os.path.basename(stem).lower()), []).append(member.path)
    partners: set[str] = set()
    for paths in by_stem.values():
        if any(is_raw(p) for p in paths) and any(not is_raw(p) for p in paths):
            partners.update(paths)
    return partners

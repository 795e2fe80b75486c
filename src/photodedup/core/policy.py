"""The one place that decides which files may be marked for, or moved to, the Trash.

The review (the GUI's marks), the report (the JSON's ``"keeper"`` flags), the CLI's
``trash`` and the safe trash itself all ask a ``TrashPolicy``; nothing else decides.
A file is never offered for the Trash when it is protected, is already in a trash
folder, lies outside the scanned folders (by its real path: a symbolic link to a folder
elsewhere does not count), or is one half of a camera's RAW + JPEG pair. Folders are
compared by their real paths too, so a protected folder named through a symbolic link
still protects.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from photodedup.core.freedesktop_trash import is_trash_path
from photodedup.core.raw import is_raw

PROTECTED = "in a protected folder: it is always kept"
IN_TRASH = "already in a trash folder"
OUTSIDE_ROOTS = "outside the scanned folders (its real path is elsewhere, e.g. behind a symbolic link)"
RAW_JPEG_PAIR = "one half of a RAW + JPEG pair the camera wrote: both are kept"
ALL_MARKED = "At least one file of every group stays: unmark another file first."


def _folder_forms(folder: str) -> tuple[str, ...]:
    """A folder as typed (absolute) and as it really is, each ending in a separator."""
    typed = os.path.join(os.path.abspath(folder), "")
    real = os.path.join(os.path.realpath(folder), "")
    return (typed,) if typed == real else (typed, real)


def _path_forms(path: str) -> tuple[str, ...]:
    """Where a file is: as named, with its folders resolved, and its target if it is a link."""
    absolute = os.path.abspath(path)
    in_real_folder = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    return tuple(dict.fromkeys((absolute, in_real_folder, os.path.realpath(absolute))))


def in_folders(path: str, folders: Sequence[str]) -> bool:
    """Whether ``path`` lies inside one of ``folders``, comparing typed and real paths."""
    forms = _path_forms(path)
    prefixes = [prefix for folder in folders for prefix in _folder_forms(folder)]
    return any(form.startswith(prefix) for form in forms for prefix in prefixes)


def raw_jpeg_partners(paths: Iterable[str]) -> set[str]:
    """Paths that form a RAW + JPEG pair (same folder, same name) among ``paths``.

    A camera writes both on purpose: they are shown together but not suggested for trash
    against each other unless the person asks ("treat RAW+JPEG pairs as duplicates").
    """
    by_stem: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        stem = os.path.splitext(path)[0]
        by_stem.setdefault((os.path.dirname(stem), os.path.basename(stem).lower()), []).append(path)
    partners: set[str] = set()
    for group in by_stem.values():
        if any(is_raw(p) for p in group) and any(not is_raw(p) for p in group):
            partners.update(group)
    return partners


@dataclass(frozen=True)
class TrashPolicy:
    """What may go to the Trash, from the person's settings.

    ``roots`` empty means "no root check" (a caller that trashes files it did not scan
    from folders, such as a test); the scan, the report and the GUI always give them.
    """

    protected: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    raw_jpeg_pairs_are_duplicates: bool = False
    _root_prefixes: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "protected", tuple(os.path.abspath(p) for p in self.protected))
        object.__setattr__(self, "roots", tuple(os.path.abspath(r) for r in self.roots))
        object.__setattr__(self, "_root_prefixes", tuple(os.path.join(os.path.realpath(r), "") for r in self.roots))

    def is_protected(self, path: str) -> bool:
        return in_folders(path, self.protected)

    def never_trash(self, path: str) -> str | None:
        """Why this file may never be marked or trashed, whatever its group; None if it may."""
        if self.is_protected(path):
            return PROTECTED
        real = os.path.realpath(path)
        if is_trash_path(real):
            return IN_TRASH
        if self._root_prefixes and not any(real.startswith(prefix) for prefix in self._root_prefixes):
            return OUTSIDE_ROOTS
        return None

    def kept_reasons(self, paths: Sequence[str]) -> dict[str, str]:
        """The files of one group that must stay, each with the reason."""
        reasons = {}
        for path in paths:
            reason = self.never_trash(path)
            if reason is not None:
                reasons[path] = reason
        if not self.raw_jpeg_pairs_are_duplicates:
            for path in raw_jpeg_partners(paths):
                reasons.setdefault(path, RAW_JPEG_PAIR)
        return reasons

    def default_marks(self, paths: Sequence[str], keeper: str, kind: str = "copies") -> set[str]:
        """What is suggested for the Trash: in a group of copies, every file but the keeper and
        the files that must stay; in a group of similar shots (different pictures), nothing."""
        if kind != "copies":
            return set()
        kept = self.kept_reasons(paths)
        return {p for p in paths if p != keeper and p not in kept}

    def why_not_mark(self, paths: Sequence[str], marked: set[str], path: str) -> str | None:
        """Why ``path`` can't be added to ``marked`` in its group; None when it can."""
        reason = self.kept_reasons(paths).get(path)
        if reason is not None:
            return f"This file is {reason}; it is never moved to the Trash."
        if len(marked | {path}) >= len(set(paths)):
            return ALL_MARKED
        return None

    def why_not_trash(self, keep: Sequence[str], remove: Sequence[str], path: str) -> str | None:
        """The last check before the safe trash moves ``path``: the same rules, on a plan."""
        if not keep:
            return "every file of this group is marked; at least one must stay"
        reason = self.kept_reasons([*keep, *remove]).get(path)
        return None if reason is None else f"never trashed: {reason}"

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from photodedup.core.trash.freedesktop import is_trash_path
from photodedup.core.analyse.raw import is_raw
from photodedup.core.models import ImageInfo
from photodedup.core.review.witness import first_witness_gap

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
    """Where a file is: as named, with its folders resolved, and its target if it is a link.
    Links are resolved before ``..`` (as the kernel does): ``link/../a.jpg`` is where ``link`` points."""
    joined = os.path.join(os.getcwd(), path)  # not abspath: it would drop "link/.." unresolved
    in_real_folder = os.path.join(os.path.realpath(os.path.dirname(joined)), os.path.basename(joined))
    return tuple(dict.fromkeys((os.path.abspath(path), in_real_folder, os.path.realpath(joined))))


def _folder_identities(folders: Sequence[str]) -> frozenset[tuple[int, int]]:
    """(device, inode) of each folder that exists: the same through a bind mount."""
    identities = set()
    for folder in folders:
        try:
            status = os.stat(folder)
        except (OSError, ValueError):
            continue
        identities.add((status.st_dev, status.st_ino))
    return frozenset(identities)


def _inside_identities(path: str, identities: frozenset[tuple[int, int]]) -> bool:
    """Whether a folder holding ``path`` (really, walking up from its real folder) is one of ``identities``."""
    return _folder_inside_identities(os.path.dirname(os.path.realpath(os.path.join(os.getcwd(), path))), identities)


def _folder_inside_identities(folder: str, identities: frozenset[tuple[int, int]]) -> bool:
    """Whether ``folder`` (a real path) or a folder above it is one of ``identities``."""
    while True:
        try:
            status = os.stat(folder)
        except (OSError, ValueError):
            return False
        if (status.st_dev, status.st_ino) in identities:
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def in_folders(path: str, folders: Sequence[str]) -> bool:
    """Whether ``path`` lies inside one of ``folders``, comparing typed and real paths."""
    if not folders:  # the usual case: nothing protected, nothing to resolve
        return False
    forms = _path_forms(path)
    prefixes = [prefix for folder in folders for prefix in _folder_forms(folder)]
    return any(form.startswith(prefix) for form in forms for prefix in prefixes)


def raw_jpeg_partners(paths: Iterable[str]) -> set[str]:
    """Paths that form a RAW + JPEG pair (same folder, same name) among ``paths``.

    A camera writes both on purpose: they are shown together but not suggested for trash
    against each other unless the person asks ("treat RAW+JPEG pairs as duplicates").
    """
    paths = list(paths)
    if not any(is_raw(p) for p in paths):  # most groups: no RAW at all
        return set()
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
    _protected_prefixes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _protected_ids: frozenset[tuple[int, int]] = field(init=False, repr=False, compare=False)
    _by_folder: dict = field(init=False, repr=False, compare=False)  # folder → (protected, reason)

    def __post_init__(self) -> None:
        object.__setattr__(self, "protected", tuple(os.path.abspath(p) for p in self.protected))
        object.__setattr__(self, "roots", tuple(os.path.abspath(r) for r in self.roots))
        object.__setattr__(self, "_root_prefixes", tuple(os.path.join(os.path.realpath(r), "") for r in self.roots))
        object.__setattr__(self, "_protected_prefixes", tuple(p for f in self.protected for p in _folder_forms(f)))
        object.__setattr__(self, "_protected_ids", _folder_identities(self.protected))
        object.__setattr__(self, "_by_folder", {})

    def fresh(self) -> "TrashPolicy":
        """The same policy with nothing remembered: what the folders are is looked at again
        (the safe trash starts each action from one)."""
        return TrashPolicy(self.protected, self.roots, self.raw_jpeg_pairs_are_duplicates)

    def is_protected(self, path: str) -> bool:
        """In a protected folder by any name: typed, real, or another mount of the same folder."""
        return self._verdict(path)[0]

    def why_not_a_kept_copy(self, path: str) -> str | None:
        """Why a kept file can't count as the copy that stays (it is in the Trash, or outside
        the scanned folders); None when it can."""
        return self._verdict(path)[1]

    def _verdict(self, path: str) -> tuple[bool, str | None]:
        """(protected, why it can't be the copy that stays) for one file. A file that is not a
        link is judged by its folder, which is looked at once (a library has far fewer folders
        than photos); a link by all it stands for."""
        joined = os.path.join(os.getcwd(), path)  # not abspath: "link/.." must resolve as the kernel does
        if os.path.islink(joined):
            protected = in_folders(joined, self.protected) or (
                bool(self._protected_ids) and _inside_identities(joined, self._protected_ids))
            return protected, self._where(os.path.realpath(joined))
        folder = os.path.dirname(joined)
        if folder not in self._by_folder:
            typed = os.path.join(os.path.abspath(folder), "")
            real_folder = os.path.realpath(folder)
            real = os.path.join(real_folder, "")
            protected = any(form.startswith(prefix) for form in (typed, real) for prefix in self._protected_prefixes) \
                or (bool(self._protected_ids) and _folder_inside_identities(real_folder, self._protected_ids))
            self._by_folder[folder] = (protected, self._where(real_folder, real))
        return self._by_folder[folder]

    def _where(self, real: str, prefix_form: str | None = None) -> str | None:
        """Why a file or folder at real path ``real`` can't be a kept copy, or None."""
        if is_trash_path(real):
            return IN_TRASH
        form = prefix_form or real
        if self._root_prefixes and not any(form.startswith(prefix) for prefix in self._root_prefixes):
            return OUTSIDE_ROOTS
        return None

    def never_trash(self, path: str) -> str | None:
        """Why this file may never be marked or trashed, whatever its group; None if it may."""
        protected, reason = self._verdict(path)
        return PROTECTED if protected else reason

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

    def default_marks(self, paths: Sequence[str], keeper: str, kind: str = "copies",
                      kept: dict[str, str] | None = None, infos: Mapping[str, ImageInfo] | None = None) -> set[str]:
        """What is suggested for the Trash: in a group of copies, every file but the keeper and
        the files that must stay (``kept``: kept_reasons(paths), when the caller has it), and, given
        the files' ``infos``, but those no file that stays can stand for (``witness_gaps``); in a
        group of similar shots (different pictures), nothing."""
        if kind != "copies":
            return set()
        kept = self.kept_reasons(paths) if kept is None else kept
        gaps = self.witness_gaps(paths, keeper, kept, infos) if infos is not None else {}
        return {p for p in paths if p != keeper and p not in kept and p not in gaps}

    def suggested(self, group) -> tuple[set[str], dict[str, str]]:
        """A scan's ``group`` (models.Group) as suggested: the files marked for the Trash, and those
        kept with the reason (the policy's, and for copies, the files nothing staying can stand for)."""
        paths = [m.path for m in group.members]
        kept = self.kept_reasons(paths)
        if group.kind == "copies":
            infos = {m.path: m.info for m in group.members}
            kept = {**kept, **self.witness_gaps(paths, group.keeper.path, kept, infos)}
        return self.default_marks(paths, group.keeper.path, group.kind, kept), kept

    def witness_gaps(self, paths: Sequence[str], keeper: str, kept: dict[str, str],
                     infos: Mapping[str, ImageInfo]) -> dict[str, str]:
        """The files of a copies group that no file staying (the keeper, the files ``kept``) can
        stand for, from the scan's facts (core/review/witness.py), each with the reason: a full-size
        original beside a protected thumbnail, a RAW or HEIC beside its JPEG, a photo beside its GIF."""
        stays = [infos[p] for p in paths if (p == keeper or p in kept) and p in infos
                 and self.why_not_a_kept_copy(p) is None]
        gaps = {}
        for path in paths:
            if path == keeper or path in kept or path not in infos:
                continue
            witnesses, reason = first_witness_gap(stays, infos[path])
            if not witnesses and reason is not None:
                gaps[path] = reason
        return gaps

    def why_not_mark(self, paths: Sequence[str], marked: set[str], path: str) -> str | None:
        """Why ``path`` can't be added to ``marked`` in its group; None when it can."""
        reason = self.kept_reasons(paths).get(path)
        if reason is not None:
            return f"This file is {reason}; it is never moved to the Trash."
        if len(marked | {path}) >= len(set(paths)):
            return ALL_MARKED
        return None

    def why_not_trash(self, keep: Sequence[str], remove: Sequence[str], path: str) -> str | None:
        """The last check before the safe trash moves ``path``: the same rules, on a plan, and
        a kept file that really stays (not one in the Trash or outside the scanned folders)."""
        if not keep:
            return "every file of this group is marked; at least one must stay"
        reason = self.kept_reasons([*keep, *remove]).get(path)
        if reason is not None:
            return f"never trashed: {reason}"
        if all(self.why_not_a_kept_copy(k) is not None for k in keep):
            return f"no file kept in its group stays where a person finds it (the kept one is {self.why_not_a_kept_copy(keep[0])})"
        return None

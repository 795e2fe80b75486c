"""Walk the chosen folders and list each real image file exactly once."""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import re
import stat as stat_module
from collections.abc import Iterable, Sequence

from photodedup.core.trash.freedesktop import home_trash, is_trash_folder_name, is_trash_path
from photodedup.core.models import ImageFile, Problem
from photodedup.core.progress import NULL_PROGRESS, Progress

BASE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})
HEIF_EXTENSIONS = frozenset({".heic", ".heif"})
# Folders no person wants searched for duplicates: thumbnail caches. Trash folders are
# never searched, whatever the settings (a file in the Trash must never win as the keeper).
DEFAULT_EXCLUDES = (".thumbnails", ".cache", "@eaDir")
# A file whose name is no photo's (``.jfif``, ``.jpg_large``, a JPEG named ``.svg``, no extension)
# is still a photo when its first bytes say so: SNIFF_BYTES are read, no more. Companions keep
# their names' meaning (a ``.mov`` beside a photo is its live video, companions.py), so they and
# other names that are never a photo are not opened.
SNIFF_BYTES = 16
NOT_SNIFFED = frozenset({".xmp", ".json", ".mov", ".mp4", ".m4v", ".avi", ".mkv", ".txt", ".pdf", ".db", ".ini",
                         ".pp3", ".dop", ".thm", ".aae", ".lnk", ".url", ".ds_store"})
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
IN_TRASH = "folder skipped: it is a trash folder (files in the Trash are never scanned)"
LINK_NOT_FOLLOWED = ("symbolic link to a place outside the chosen folders, not followed "
                     "(add that folder itself, or ask to follow links)")


def supported_extensions() -> frozenset[str]:
    """Image extensions with a decoder installed (HEIC/HEIF need pillow-heif, AVIF a Pillow
    built with libavif), and camera RAW files (read through their embedded JPEG preview)."""
    from PIL import features

    from photodedup.core.analyse.raw import RAW_EXTENSIONS

    extensions = BASE_EXTENSIONS | RAW_EXTENSIONS
    if importlib.util.find_spec("pillow_heif") is not None:
        extensions |= HEIF_EXTENSIONS
    if features.check("avif"):
        extensions |= {".avif"}
    return extensions


def picture_kind(head: bytes, size: int, extensions: frozenset[str]) -> str | None:
    """The photo format a file's first bytes announce (one of ``extensions``, as an extension), or
    None: JPEG, PNG, GIF, WebP, TIFF, BMP (whose header states the file's own ``size``), HEIF and
    AVIF (their ``ftyp`` brand, not a video's)."""
    found = None
    if head.startswith(b"\xff\xd8\xff"):
        found = ".jpg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = ".png"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        found = ".gif"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = ".webp"
    elif head[:4] in (b"II*\x00", b"MM\x00*"):
        found = ".tif"
    elif head[:2] == b"BM" and len(head) >= 6 and int.from_bytes(head[2:6], "little") == size:
        found = ".bmp"
    elif head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        found = ".heic"
    elif head[4:8] == b"ftyp" and head[8:12] in AVIF_BRANDS:
        found = ".avif"
    return found if found in extensions else None


def _sniffed(path: str, size: int, extensions: frozenset[str]) -> bool:
    """Whether a regular file not named as a photo is one by its first SNIFF_BYTES (never more,
    never through a link; unreadable: no)."""
    if size < SNIFF_BYTES or os.path.splitext(path)[1].lower() in NOT_SNIFFED:
        return False
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        return picture_kind(os.read(handle, SNIFF_BYTES), size, extensions) is not None
    except OSError:
        return False
    finally:
        os.close(handle)


class _Excluder:
    """Whether a path is excluded: its name or its whole path matches one of the patterns (fnmatch).

    The patterns are one regular expression, matched twice a file (name, path), not each pattern
    twice: 6 fnmatch calls a file with the default excludes took 0.5 of a 0.8 s walk of 11,000
    photos (bench/warm_scan.py --profile)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [p.rstrip("/") for p in patterns if p.strip()]
        either = "|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in self.patterns)
        self._match = re.compile(either).match if self.patterns else None

    def __call__(self, path: str) -> bool:
        if self._match is None:
            return False
        path = os.path.normcase(path)
        return self._match(os.path.basename(path)) is not None or self._match(path) is not None


def scan_roots(
    roots: Sequence[str],
    excludes: Iterable[str] = (),
    extensions: frozenset[str] | None = None,
    progress: Progress = NULL_PROGRESS,
    default_excludes: bool = True,
    follow_symlinks: bool = False,
) -> tuple[list[ImageFile], list[Problem]]:
    """Every image file under ``roots``, each real file once, plus what was skipped and why.

    Overlapping roots, symlinked folders, symlink loops and hard links never make a
    file appear twice: folders and files are tracked by (device, inode). A root may be a
    link; links inside the roots are followed only with ``follow_symlinks`` (and then only
    after every real path). Trash folders are never entered.
    """
    walk = _Walk(roots, extensions or supported_extensions(),
                 _Excluder([*(DEFAULT_EXCLUDES if default_excludes else ()), *excludes]), follow_symlinks, progress)
    progress.start("Finding photos")
    walk.run()
    return walk.files, walk.problems


class _Walk:
    """One walk of the folders: what it found, what it skipped, what it has seen."""

    def __init__(self, roots: Sequence[str], extensions: frozenset[str], excluded: _Excluder, follow_symlinks: bool,
                 progress: Progress) -> None:
        self.extensions, self.excluded, self.follow_symlinks, self.progress = extensions, excluded, follow_symlinks, progress
        self.files: list[ImageFile] = []
        self.problems: list[Problem] = []
        self.seen_dirs: set[tuple[int, int]] = set()
        self.seen_files: set[tuple[int, int]] = set()
        self.seen_elsewhere: dict[tuple[int, int, int], str] = {}  # (inode, size, mtime): one file on two mounts
        self.trash_dirs = _trash_identities()
        absolute = [os.path.abspath(root) for root in roots]
        self.real_roots = [os.path.join(os.path.realpath(root), "") for root in absolute]
        # A stack: real roots first, in the order given; roots that are symlinks wait.
        self.pending = [root for root in reversed(absolute) if not os.path.islink(root)]
        self.deferred_dirs: list[str] = [root for root in absolute if os.path.islink(root)]
        self.deferred_files: list[str] = []

    def run(self) -> None:
        while self.pending or self.deferred_dirs:
            if not self.pending:
                self.pending.append(self.deferred_dirs.pop(0))
            self.progress.check()
            for entry in self._children(self.pending.pop()):
                self._take(entry)
        for path in self.deferred_files:
            try:
                info = os.stat(path)
            except OSError as error:
                self.problems.append(Problem(path, f"skipped: {_describe(error)}"))
                continue
            self._add(path, info)

    def _children(self, folder: str) -> list[os.DirEntry]:
        """The entries of a folder not seen before (and not a trash), last name first; [] otherwise."""
        try:
            status = os.stat(folder)
        except OSError as error:
            self.problems.append(Problem(folder, f"folder skipped: {_describe(error)}"))
            return []
        identity = (status.st_dev, status.st_ino)
        if identity in self.trash_dirs or is_trash_folder_name(os.path.basename(folder)) \
                or is_trash_path(os.path.realpath(folder)):
            self.problems.append(Problem(folder, IN_TRASH))
            return []
        if identity in self.seen_dirs:
            return []
        self.seen_dirs.add(identity)
        try:
            with os.scandir(folder) as entries:
                return sorted(entries, key=lambda e: e.name, reverse=True)
        except OSError as error:
            self.problems.append(Problem(folder, f"folder skipped: {_describe(error)}"))
            return []

    def _take(self, entry: os.DirEntry) -> None:
        """A folder goes on the stack, a photo file is added, a link waits or is listed."""
        if self.excluded(entry.path):
            return
        try:
            is_link = entry.is_symlink()
            is_image_name = os.path.splitext(entry.name)[1].lower() in self.extensions
            if is_link and not self.follow_symlinks:
                self._link_not_followed(entry, is_image_name)
            elif entry.is_dir(follow_symlinks=True):
                (self.deferred_dirs if is_link else self.pending).append(entry.path)
            elif is_image_name and is_link:
                self.deferred_files.append(entry.path)
            elif is_image_name:
                self._add(entry.path, entry.stat(follow_symlinks=False))
            elif not is_link and entry.is_file(follow_symlinks=False):
                status = entry.stat(follow_symlinks=False)
                if _sniffed(entry.path, status.st_size, self.extensions):
                    self._add(entry.path, status)
        except OSError as error:
            self.problems.append(Problem(entry.path, f"skipped: {_describe(error)}"))

    def _link_not_followed(self, entry: os.DirEntry, is_image_name: bool) -> None:
        # A link to somewhere under the roots is reached by its real path anyway.
        target = os.path.join(os.path.realpath(entry.path), "")
        outside = not any(target.startswith(prefix) for prefix in self.real_roots)
        if outside and (is_image_name or entry.is_dir(follow_symlinks=True)):
            self.problems.append(Problem(entry.path, LINK_NOT_FOLLOWED))

    def _add(self, path: str, info: os.stat_result) -> None:
        if not stat_module.S_ISREG(info.st_mode):
            if not stat_module.S_ISDIR(info.st_mode):
                self.problems.append(Problem(path, f"skipped: {_not_a_file(info.st_mode)}"))
            return
        identity = (info.st_dev, info.st_ino)
        if identity in self.seen_files:
            return
        self.seen_files.add(identity)
        first = self.seen_elsewhere.setdefault(same_file_key(info), path)
        if first != path:  # an overlay or a network mount of a folder already scanned
            self.problems.append(Problem(path, f"skipped: the same file as {first}, seen through another mount"))
            return
        self.files.append(ImageFile(path, info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino))
        self.progress.advance()


def same_file_key(info: os.stat_result) -> tuple[int, int, int]:
    """What one file keeps when seen through another mount (overlay, NFS of a local folder):
    its inode number, size and mtime. Two different files share all three only by a freak."""
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _trash_identities() -> set[tuple[int, int]]:
    """(device, inode) of the home trash, however it is reached."""
    try:
        status = os.stat(home_trash())
    except OSError:
        return set()
    return {(status.st_dev, status.st_ino)}


def _not_a_file(mode: int) -> str:
    """Why a path with a photo's name is not read, in words (it is never opened)."""
    kind = ("a named pipe (FIFO)" if stat_module.S_ISFIFO(mode)
            else "a device" if stat_module.S_ISCHR(mode) or stat_module.S_ISBLK(mode)
            else "a socket" if stat_module.S_ISSOCK(mode) else "not a file")
    return f"not a regular file ({kind} named like a photo)"


def _describe(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "no longer exists"
    return error.strerror or str(error)

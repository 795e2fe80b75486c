"""Walk the chosen folders and list each real image file exactly once."""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import stat as stat_module
from collections.abc import Iterable, Sequence

from photodedup.core.freedesktop_trash import home_trash, is_trash_folder_name, is_trash_path
from photodedup.core.models import ImageFile, Problem
from photodedup.core.progress import NULL_PROGRESS, Progress

BASE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})
HEIF_EXTENSIONS = frozenset({".heic", ".heif"})
# Folders no person wants searched for duplicates: thumbnail caches. Trash folders are
# never searched, whatever the settings (a file in the Trash must never win as the keeper).
DEFAULT_EXCLUDES = (".thumbnails", ".cache", "@eaDir")
IN_TRASH = "folder skipped: it is a trash folder (files in the Trash are never scanned)"
LINK_NOT_FOLLOWED = ("symbolic link to a place outside the chosen folders, not followed "
                     "(add that folder itself, or ask to follow links)")


def supported_extensions() -> frozenset[str]:
    """Image extensions with a decoder installed (HEIC/HEIF need pillow-heif, AVIF a Pillow
    built with libavif), and camera RAW files (read through their embedded JPEG preview)."""
    from PIL import features

    from photodedup.core.raw import RAW_EXTENSIONS

    extensions = BASE_EXTENSIONS | RAW_EXTENSIONS
    if importlib.util.find_spec("pillow_heif") is not None:
        extensions |= HEIF_EXTENSIONS
    if features.check("avif"):
        extensions |= {".avif"}
    return extensions


class _Excluder:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [p.rstrip("/") for p in patterns if p.strip()]

    def __call__(self, path: str) -> bool:
        name = os.path.basename(path)
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(path, p) for p in self.patterns)


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
    extensions = extensions or supported_extensions()
    excluded = _Excluder([*(DEFAULT_EXCLUDES if default_excludes else ()), *excludes])
    files: list[ImageFile] = []
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()
    trash_dirs = _trash_identities()
    seen_files: set[tuple[int, int]] = set()
    seen_elsewhere: dict[tuple[int, int, int], str] = {}  # (inode, size, mtime): one file on two mounts
    progress.start("Finding photos")

    def add_file(path: str, info: os.stat_result) -> None:
        identity = (info.st_dev, info.st_ino)
        if identity in seen_files:
            return
        seen_files.add(identity)
        first = seen_elsewhere.setdefault(same_file_key(info), path)
        if first != path:  # an overlay or a network mount of a folder already scanned
            problems.append(Problem(path, f"skipped: the same file as {first}, seen through another mount"))
            return
        files.append(ImageFile(path, info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino))
        progress.advance()

    absolute = [os.path.abspath(root) for root in roots]
    real_roots = [os.path.join(os.path.realpath(root), "") for root in absolute]
    # A stack: real roots first, in the order given; roots that are symlinks wait.
    pending = [root for root in reversed(absolute) if not os.path.islink(root)]
    deferred_dirs: list[str] = [root for root in absolute if os.path.islink(root)]
    deferred_files: list[str] = []
    while pending or deferred_dirs:
        if not pending:
            pending.append(deferred_dirs.pop(0))
        folder = pending.pop()
        progress.check()
        try:
            folder_stat = os.stat(folder)
        except OSError as error:
            problems.append(Problem(folder, f"folder skipped: {_describe(error)}"))
            continue
        identity = (folder_stat.st_dev, folder_stat.st_ino)
        if identity in trash_dirs or is_trash_folder_name(os.path.basename(folder)) \
                or is_trash_path(os.path.realpath(folder)):
            problems.append(Problem(folder, IN_TRASH))
            continue
        if identity in seen_dirs:
            continue
        seen_dirs.add(identity)
        try:
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda e: e.name, reverse=True)
        except OSError as error:
            problems.append(Problem(folder, f"folder skipped: {_describe(error)}"))
            continue
        for entry in children:
            if excluded(entry.path):
                continue
            try:
                is_link = entry.is_symlink()
                is_image_name = os.path.splitext(entry.name)[1].lower() in extensions
                if is_link and not follow_symlinks:
                    # A link to somewhere under the roots is reached by its real path anyway.
                    target = os.path.join(os.path.realpath(entry.path), "")
                    outside = not any(target.startswith(prefix) for prefix in real_roots)
                    if outside and (is_image_name or entry.is_dir(follow_symlinks=True)):
                        problems.append(Problem(entry.path, LINK_NOT_FOLLOWED))
                    continue
                if entry.is_dir(follow_symlinks=True):
                    (deferred_dirs if is_link else pending).append(entry.path)
                    continue
                if not is_image_name:
                    continue
                if is_link:
                    deferred_files.append(entry.path)
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                problems.append(Problem(entry.path, f"skipped: {_describe(error)}"))
                continue
            if stat_module.S_ISREG(info.st_mode):
                add_file(entry.path, info)
            else:
                problems.append(Problem(entry.path, f"skipped: {_not_a_file(info.st_mode)}"))
    for path in deferred_files:
        try:
            info = os.stat(path)
        except OSError as error:
            problems.append(Problem(path, f"skipped: {_describe(error)}"))
            continue
        if stat_module.S_ISREG(info.st_mode):
            add_file(path, info)
        else:
            problems.append(Problem(path, f"skipped: {_not_a_file(info.st_mode)}"))
    return files, problems


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

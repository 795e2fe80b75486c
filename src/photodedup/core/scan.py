"""Walk the chosen folders and list each real image file exactly once."""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import stat as stat_module
from collections.abc import Iterable, Sequence

from photodedup.core.models import ImageFile, Problem
from photodedup.core.progress import NULL_PROGRESS, Progress

BASE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})
HEIF_EXTENSIONS = frozenset({".heic", ".heif"})
# Folders no person wants searched for duplicates: trash cans and thumbnail caches.
DEFAULT_EXCLUDES = (".Trash", ".Trash-*", ".thumbnails", ".cache", "@eaDir", "$RECYCLE.BIN")


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
) -> tuple[list[ImageFile], list[Problem]]:
    """Every image file under ``roots``, each real file once, plus folders that could not be read.

    Overlapping roots, symlinked folders, symlink loops and hard links never make a
    file appear twice: folders and files are tracked by (device, inode). Real paths are
    preferred: symlinked folders and files are only followed after everything else.
    """
    extensions = extensions or supported_extensions()
    excluded = _Excluder([*(DEFAULT_EXCLUDES if default_excludes else ()), *excludes])
    files: list[ImageFile] = []
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    progress.start("Finding photos")

    def add_file(path: str, info: os.stat_result) -> None:
        identity = (info.st_dev, info.st_ino)
        if identity in seen_files:
            return
        seen_files.add(identity)
        files.append(ImageFile(path, info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino))
        progress.advance()

    absolute = [os.path.abspath(root) for root in roots]
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
                if entry.is_dir(follow_symlinks=True):
                    (deferred_dirs if is_link else pending).append(entry.path)
                    continue
                if os.path.splitext(entry.name)[1].lower() not in extensions:
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
    for path in deferred_files:
        try:
            info = os.stat(path)
        except OSError as error:
            problems.append(Problem(path, f"skipped: {_describe(error)}"))
            continue
        if stat_module.S_ISREG(info.st_mode):
            add_file(path, info)
    return files, problems


def _describe(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "no longer exists"
    return error.strerror or str(error)

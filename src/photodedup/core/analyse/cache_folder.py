"""Where the cache lives and what is in it: its folder, its files, how a path is keyed, and why
it could not be written, in words. (The SQLite cache itself is cache.py.)"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_FILE = "photodedup-cache.sqlite3"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("photodedup", "photodedup"))


def cache_files(folder: Path | str) -> list[Path]:
    """The files photodedup keeps in a cache folder (the database, set-aside broken copies, saved
    indexes), and nothing else that may share the folder."""
    folder = Path(folder)
    files = [p for p in folder.glob(CACHE_FILE + "*") if p.is_file()]
    index = folder / "index"
    if index.is_dir():
        files += [p for p in index.glob("*.ann*") if p.is_file()]
        files += [p for p in index.glob("vectors-*.npy") if p.is_file()]
    return files


def clear_cache(folder: Path | str) -> int:
    """Delete the cache's files (each is rebuilt by the next scan); returns the bytes freed.
    Photos are never here: only what was learned about them."""
    freed = 0
    for path in cache_files(folder):
        try:
            size = path.stat().st_size
            path.unlink()
            freed += size
        except OSError:
            pass
    return freed


def stored_path(path: str) -> str | bytes:
    """A path as the cache keys it: the text itself, or, for a name that is not valid UTF-8
    (a Latin-1 name from an old disk, held by Python as surrogates), its exact bytes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def on_read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no such folder; no statvfs (Windows)
        return False


def describe(error: Exception) -> str:
    """An OSError or SQLite error in words: 'the disk is full', 'read-only', or SQLite's own."""
    text = getattr(error, "strerror", None) or str(error)
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or "full" in text:
        return f"the disk is full: {text}"
    if name.startswith("SQLITE_READONLY") or "read-only" in text or "readonly" in text:
        return f"read-only: {text}"
    return text

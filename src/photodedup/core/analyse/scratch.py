"""A scan's scratch space: small blobs kept on disk for the scan's lifetime, then deleted.

The analysis stage already decodes every photo; the small gray picture it makes is kept
here so the verification stage can find local features without decoding the original
again (for a 12 MP JPEG that second decode used to be most of the verification's cost).
Memory holds only an offset per file; the blobs live in one temporary file.

A scan that is killed can't delete its file: each file is named with its process id and
held under an exclusive flock for its lifetime, and a new store removes the files in its
folder whose lock is free (their scan is gone), never one a running scan holds.
"""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: an open file can't be deleted there anyway
    fcntl = None  # type: ignore[assignment]

PREFIX = ".scan-scratch-"


class ScratchStore:
    """Append-only blobs by key in a temporary file, deleted on close (or when collected)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            Path(folder).mkdir(parents=True, exist_ok=True)
        remove_abandoned(Path(folder) if folder is not None else Path(tempfile.gettempdir()))
        handle, self.path = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".bin", dir=folder)
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: no one else holds it
        self._fd = handle
        self.failed = False  # a write failed (a full disk): nothing more is kept, get() finds nothing new
        self._index: dict[str, tuple[int, int]] = {}
        self._end = 0
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _remove, handle, self.path)

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            if not self._finalizer.alive or self.failed:
                return
            try:
                os.pwrite(self._fd, data, self._end)
            except OSError:  # a full disk: the picture is decoded again from the file when needed
                self.failed = True
                return
            self._index[key] = (self._end, len(data))
            self._end += len(data)

    def get(self, key: str) -> bytes | None:
        place = self._index.get(key)
        if place is None or not self._finalizer.alive:
            return None
        try:
            return os.pread(self._fd, place[1], place[0])
        except OSError:
            return None

    def close(self) -> None:
        with self._lock:
            self._index.clear()
            self._finalizer()


def remove_abandoned(folder: Path) -> list[Path]:
    """Delete the scratch files in ``folder`` left by scans that are no longer running."""
    removed = []
    for path in folder.glob(f"{PREFIX}*.bin"):
        if _abandoned(path):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def _abandoned(path: Path) -> bool:
    """Whether no running process holds this scratch file: its lock is free (or, without
    flock, the process id in its name is not running)."""
    if fcntl is None:
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        return pid.isdigit() and not _running(int(pid))
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held: its scan is running
        return False
    finally:
        os.close(fd)  # releases the lock taken, if any
    return True


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove(fd: int, path: str) -> None:
    try:
        os.close(fd)
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

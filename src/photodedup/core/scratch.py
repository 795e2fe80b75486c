"""A scan's scratch space: small blobs kept on disk for the scan's lifetime, then deleted.

The analysis stage already decodes every photo; the small gray picture it makes is kept
here so the verification stage can find local features without decoding the original
again (for a 12 MP JPEG that second decode used to be most of the verification's cost).
Memory holds only an offset per file; the blobs live in one temporary file.
"""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from pathlib import Path


class ScratchStore:
    """Append-only blobs by key in a temporary file, deleted on close (or when collected)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            Path(folder).mkdir(parents=True, exist_ok=True)
        handle, self.path = tempfile.mkstemp(prefix=".scan-scratch-", suffix=".bin", dir=folder)
        self._fd = handle
        self._index: dict[str, tuple[int, int]] = {}
        self._end = 0
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _remove, handle, self.path)

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            if not self._finalizer.alive:
                return
            os.pwrite(self._fd, data, self._end)
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

    def __len__(self) -> int:
        return len(self._index)

    def close(self) -> None:
        with self._lock:
            self._index.clear()
            self._finalizer()


def _remove(fd: int, path: str) -> None:
    try:
        os.close(fd)
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

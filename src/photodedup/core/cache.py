"""SQLite cache of what each unchanged file taught us: vector, size, format, hash.

Keyed by (path, size, mtime_ns, model id). A damaged, foreign or old cache is moved
aside and rebuilt; a row that does not match the file exactly is never used.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import numpy as np

from photodedup.core.models import ImageFile, ImageInfo, PhotoMetadata

SCHEMA_VERSION = 5  # 5: content hashes are BLAKE3 (exact.hash_bytes), no longer blake2b
CACHE_FILE = "photodedup-cache.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    thumb BLOB NOT NULL,
    content_fraction REAL NOT NULL DEFAULT 1.0,
    date_taken TEXT NOT NULL DEFAULT '',
    camera TEXT NOT NULL DEFAULT '',
    lens TEXT NOT NULL DEFAULT '',
    has_gps INTEGER NOT NULL DEFAULT 0,
    has_exif INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS verifications (
    hash_a TEXT NOT NULL,
    hash_b TEXT NOT NULL,
    method TEXT NOT NULL,
    matches INTEGER NOT NULL,
    PRIMARY KEY (hash_a, hash_b, method)
);
CREATE TABLE IF NOT EXISTS failures (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"""


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("photodedup", "photodedup"))


class Cache:
    """The per-user cache; one connection, used from one thread at a time."""

    def __init__(self, folder: Path | str | None = None, model_id: str = "") -> None:
        self.folder = Path(folder) if folder else default_cache_dir()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / CACHE_FILE
        self.model_id = model_id
        self.rebuilt_reason: str | None = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as error:
            self._move_aside(f"unreadable ({error})")
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                db.commit()
            elif row[0] != str(SCHEMA_VERSION):
                db.close()
                self._move_aside(f"schema version {row[0]}, this photodedup uses {SCHEMA_VERSION}")
                return self._open()
            db.execute("SELECT count(*) FROM images").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _move_aside(self, reason: str) -> None:
        """Keep the old file for inspection; start an empty cache."""
        self.rebuilt_reason = reason
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(self.path) + suffix)
            if old.exists():
                os.replace(old, Path(f"{self.path}.broken-{stamp}{suffix}"))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, file: ImageFile) -> ImageInfo | None:
        """The cached facts for this exact file version, or None."""
        row = self._db.execute(
            "SELECT width, height, format, content_hash, vector, content_fraction, date_taken, camera, lens, "
            "has_gps, has_exif FROM images "
            "WHERE path=? AND size=? AND mtime_ns=? AND model_id=?",
            (file.path, file.size, file.mtime_ns, self.model_id),
        ).fetchone()
        if row is None:
            return None
        width, height, image_format, content_hash, blob, content_fraction, *exif = row
        vector = np.frombuffer(blob, dtype=np.float32)
        if vector.size == 0 or not np.all(np.isfinite(vector)):
            return None
        metadata = PhotoMetadata(exif[0], exif[1], exif[2], bool(exif[3]), bool(exif[4]))
        return ImageInfo(file, width, height, image_format, content_hash, vector.copy(), content_fraction, metadata)

    def lookup_thumb(self, file: ImageFile) -> np.ndarray | None:
        row = self._db.execute(
            "SELECT thumb FROM images WHERE path=? AND size=? AND mtime_ns=? AND model_id=?",
            (file.path, file.size, file.mtime_ns, self.model_id),
        ).fetchone()
        if row is None:
            return None
        side = int(round(len(row[0]) ** 0.5))
        return np.frombuffer(row[0], dtype=np.uint8).reshape(side, side).copy()

    def lookup_failure(self, file: ImageFile) -> str | None:
        """The reason this exact file version failed to decode before, or None."""
        row = self._db.execute(
            "SELECT reason FROM failures WHERE path=? AND size=? AND mtime_ns=?",
            (file.path, file.size, file.mtime_ns),
        ).fetchone()
        return row[0] if row else None

    def store(self, info: ImageInfo, thumb: np.ndarray) -> None:
        file = info.file
        self._db.execute(
            "INSERT OR REPLACE INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                file.path, file.size, file.mtime_ns, self.model_id, info.width, info.height,
                info.format, info.content_hash,
                np.ascontiguousarray(info.vector, dtype=np.float32).tobytes(),
                np.ascontiguousarray(thumb, dtype=np.uint8).tobytes(),
                info.content_fraction, info.metadata.date_taken, info.metadata.camera, info.metadata.lens,
                int(info.metadata.has_gps), int(info.metadata.has_exif),
            ),
        )
        self._db.execute("DELETE FROM failures WHERE path=?", (file.path,))

    def store_failure(self, file: ImageFile, reason: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO failures VALUES (?,?,?,?)", (file.path, file.size, file.mtime_ns, reason)
        )

    def lookup_verification(self, hash_a: str, hash_b: str, method: str) -> int | None:
        """Matches found before between these two file contents, or None."""
        a, b = sorted((hash_a, hash_b))
        row = self._db.execute(
            "SELECT matches FROM verifications WHERE hash_a=? AND hash_b=? AND method=?", (a, b, method)
        ).fetchone()
        return row[0] if row else None

    def store_verification(self, hash_a: str, hash_b: str, method: str, matches: int) -> None:
        a, b = sorted((hash_a, hash_b))
        self._db.execute("INSERT OR REPLACE INTO verifications VALUES (?,?,?,?)", (a, b, method, matches))

    def commit(self) -> None:
        self._db.commit()

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM images WHERE model_id=?", (self.model_id,)).fetchone()[0]

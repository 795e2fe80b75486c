"""SQLite cache of what each unchanged file taught us: vector, size, format, hash.

Keyed by (path, size, mtime_ns, model id). A damaged, foreign or old cache is moved
aside and rebuilt; a row that does not match the file exactly is never used. A cache that
can't be written (read-only, full disk) never fails a scan: it goes on in memory.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from photodedup.core.analyse.cache_folder import (  # noqa: F401 (where the cache lives: re-exported)
    CACHE_FILE, cache_files, clear_cache, default_cache_dir, describe, is_damage as _is_damage, left_checked,
    on_read_only_disk, still_as_left, stored_path)
from photodedup.core.analyse.cache_rows import (  # noqa: F401 (VECTOR_TYPE: re-exported)
    INFO_COLUMNS, LOOKUP_CHUNK, VECTOR_TYPE, KnownAnswers, infos_from_rows, stored_row)
from photodedup.core.models import ImageFile, ImageInfo

# 5: content hashes are BLAKE3 (exact.hash_bytes), no longer blake2b.
# 6: vectors are float16 (an older cache is set aside, never read as float16), pages of 16 KB.
SCHEMA_VERSION = 6
# A photo's row is ~3.8 KB (vector 2,560 bytes as float16, grey thumbnail 1,024, path, hash, EXIF facts).
# With SQLite's default 4 KB pages each row took a page of its own and a float32 vector spilled onto a
# second (8.8 KB a photo); 64 KB pages hold 17 rows. float16: cache_rows.VECTOR_TYPE.
PAGE_SIZE = 65536
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



class Cache:
    """The per-user cache; one connection, used from one thread at a time.

    It never fails a scan. A damaged file is moved aside and rebuilt (``rebuilt_reason``);
    a folder that can't be used, or a write that fails (a full or read-only disk), turns it
    into a cache in memory for the rest of this scan, holding what it held (``warning``).
    """

    def __init__(self, folder: Path | str | None = None, model_id: str = "") -> None:
        self.folder = Path(folder) if folder else default_cache_dir()
        self.path = self.folder / CACHE_FILE
        self.model_id = model_id
        self.rebuilt_reason: str | None = None
        self.warning: str | None = None  # why this scan's cache lives in memory, for the person
        self._pending: list[tuple[str, tuple]] = []  # writes since the last commit
        self._answers = KnownAnswers()
        self._thumbs: dict[str | bytes, tuple] = {}  # path → (size, mtime_ns, thumb), hold_thumbs's
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                self._db = self._open()
            except sqlite3.DatabaseError as error:
                if not _is_damage(error):
                    raise
                self._move_aside(f"unreadable ({error})")
                self._db = self._open()
        except (OSError, sqlite3.Error) as error:
            self._use_in_memory(error)

    @property
    def in_memory(self) -> bool:
        return self.warning is not None

    @property
    def index_folder(self) -> Path | None:
        """Where the saved index lives beside the cache; None when the cache is in memory."""
        return None if self.in_memory else self.folder / "index"

    def _open(self) -> sqlite3.Connection:
        checked = still_as_left(self.path)  # (before SQLite opens it: that creates its WAL)
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # a new file only; before WAL, which fixes it
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A damaged page anywhere is found now, not mid-scan: 30-60 ms at 10,000 photos (cache_folder.py).
            check = None if checked else db.execute("PRAGMA quick_check(1)").fetchone()
            if check and check[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check[0]})")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                db.commit()
            elif row[0] != str(SCHEMA_VERSION):
                db.close()
                self._move_aside(f"schema version {row[0]}, this photodedup uses {SCHEMA_VERSION}")
                return self._open()
            db.execute("SELECT count(*) FROM images").fetchone()
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _use_in_memory(self, error: Exception) -> None:
        """The cache file can't be opened for writing: use what it holds, if it can be read, in memory."""
        why = "read-only disk" if on_read_only_disk(self.folder) else describe(error)
        source = None
        if self.path.is_file():
            try:  # immutable: SQLite writes nothing, not even its lock files
                source = sqlite3.connect(f"{self.path.resolve().as_uri()}?immutable=1", uri=True)
                check = source.execute("PRAGMA quick_check(1)").fetchone()
                row = source.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if not check or check[0] != "ok" or not row or row[0] != str(SCHEMA_VERSION):
                    source.close()
                    source = None
            except sqlite3.Error:
                if source is not None:
                    source.close()
                source = None
        if source is not None:
            self._db = self._in_memory(f"cache not updated ({why}); what it holds is used, "
                                       "this scan's results are kept in memory", source)
            source.close()
        else:
            self._db = self._in_memory(f"cache not used ({why}); this scan keeps its results in memory")

    def _in_memory(self, warning: str, copy_from: sqlite3.Connection | None = None) -> sqlite3.Connection:
        """A cache in memory: a copy of ``copy_from`` when it can still be read, else empty."""
        self.warning = warning
        db = sqlite3.connect(":memory:", check_same_thread=False)
        if copy_from is not None:
            try:
                copy_from.backup(db)
            except sqlite3.Error:
                db.close()
                db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(_SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        return db

    def _move_aside(self, reason: str) -> None:
        """Keep the old file for inspection; start an empty cache."""
        self.rebuilt_reason = reason
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(self.path) + suffix)
            if old.exists():
                os.replace(old, Path(f"{self.path}.broken-{stamp}{suffix}"))

    def _fail_over(self, error: sqlite3.Error) -> None:
        """The file failed mid-scan: go on in memory, with what it held and what was being written."""
        broken = self._db
        if _is_damage(error):
            warning = f"cache rebuilt: damaged ({error}); this scan keeps its results in memory"
            copy_from = None
        else:
            warning = f"cache not updated ({describe(error)}); this scan keeps its results in memory"
            copy_from = broken
        try:
            broken.rollback()
        except sqlite3.Error:
            pass
        self._db = self._in_memory(warning, copy_from)
        try:
            broken.close()
            if copy_from is None:
                self._move_aside(f"damaged ({error})")
        except (OSError, sqlite3.Error):
            pass
        pending, self._pending = self._pending, []
        for sql, parameters in pending:
            self._write(sql, parameters)

    def _read(self, sql: str, parameters: tuple) -> tuple | None:
        try:
            return self._db.execute(sql, parameters).fetchone()
        except sqlite3.Error as error:
            if self.in_memory:
                raise
            self._fail_over(error)
            return self._db.execute(sql, parameters).fetchone()

    def _read_all(self, sql: str, parameters: tuple) -> list[tuple]:
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            if self.in_memory:
                raise
            self._fail_over(error)
            return self._db.execute(sql, parameters).fetchall()

    def _write(self, sql: str, parameters: tuple) -> None:
        self._pending.append((sql, parameters))
        try:
            self._execute_write(sql, parameters)
        except sqlite3.Error as error:
            if self.in_memory:
                raise
            self._fail_over(error)

    def _execute_write(self, sql: str, parameters: tuple) -> None:
        """The one place a row is written (a test's seam for a disk that fills up)."""
        self._db.execute(sql, parameters)

    def remember_roots(self, roots: list[str]) -> None:
        """The folders the last scan searched (a search by example looks there by default)."""
        self._write("INSERT OR REPLACE INTO meta VALUES ('last_roots', ?)", (json.dumps(roots),))
        self.commit()

    def last_roots(self) -> list[str]:
        row = self._read("SELECT value FROM meta WHERE key='last_roots'", ())
        try:
            roots = json.loads(row[0]) if row else []
        except ValueError:
            return []
        return [r for r in roots if isinstance(r, str)] if isinstance(roots, list) else []

    def close(self) -> None:
        self._db.close()
        if not self.in_memory:
            left_checked(self.path)

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, file: ImageFile) -> ImageInfo | None:
        """The cached facts for this exact file version, or None."""
        return self.lookup_many([file])[0][0]

    def lookup_failure(self, file: ImageFile) -> str | None:
        """The reason this exact file version failed to decode before, or None."""
        return self.lookup_many([file])[1][0]

    def lookup_many(self, files: Sequence[ImageFile]) -> tuple[list[ImageInfo | None], list[str | None]]:
        """For each file, what lookup and lookup_failure say of it (its cached facts, or why it failed
        before), a query per LOOKUP_CHUNK paths instead of two a file (bench/warm_scan.py, README)."""
        infos: list[ImageInfo | None] = [None] * len(files)
        failures: list[str | None] = [None] * len(files)
        for start in range(0, len(files), LOOKUP_CHUNK):
            places: dict[str | bytes, list[int]] = {}  # a path named twice is answered twice
            for at in range(start, min(start + LOOKUP_CHUNK, len(files))):
                places.setdefault(stored_path(files[at].path), []).append(at)
            found = [(at, row[3:]) for row in self._rows_for("images", places, f"size, mtime_ns, {INFO_COLUMNS}")
                     for at in places[row[0]] if (files[at].size, files[at].mtime_ns) == row[1:3]]
            for (at, _), info in zip(found, infos_from_rows([(files[at], row) for at, row in found])):
                infos[at] = info
            missing = {key: ats for key, ats in places.items() if any(infos[at] is None for at in ats)}
            for path, size, mtime_ns, reason in self._rows_for("failures", missing, "size, mtime_ns, reason"):
                for at in missing[path]:
                    if infos[at] is None and (files[at].size, files[at].mtime_ns) == (size, mtime_ns):
                        failures[at] = reason
        return infos, failures

    def _rows_for(self, table: str, keys: dict, columns: str) -> list[tuple]:
        """(path, columns...) of the rows of ``table`` ("images": of this model) whose path is one of ``keys``."""
        if not keys:
            return []
        model = " AND model_id=?" if table == "images" else ""
        return self._read_all(f"SELECT path, {columns} FROM {table} WHERE path IN ({','.join('?' * len(keys))}){model}",
                              (*keys, *((self.model_id,) if model else ())))

    def hold_thumbs(self, files: Sequence[ImageFile]) -> None:
        """Read these files' thumbnails a query per LOOKUP_CHUNK paths and keep them for lookup_thumb
        instead of those held before (the keeper's evidence asked 27,818 one query each at 110,000 photos)."""
        self._thumbs = {}
        for start in range(0, len(files), LOOKUP_CHUNK):
            keys = dict.fromkeys(stored_path(f.path) for f in files[start:start + LOOKUP_CHUNK])
            self._thumbs.update((path, row) for path, *row in self._rows_for("images", keys, "size, mtime_ns, thumb"))

    def lookup_thumb(self, file: ImageFile) -> np.ndarray | None:
        key = (stored_path(file.path), file.size, file.mtime_ns)
        row = (self._thumbs[key[0]][2],) if tuple(self._thumbs.get(key[0], ())[:2]) == key[1:] else self._read(
            "SELECT thumb FROM images WHERE path=? AND size=? AND mtime_ns=? AND model_id=?", (*key, self.model_id))
        side = int(round(len(row[0]) ** 0.5)) if row is not None else 0
        return np.frombuffer(row[0], dtype=np.uint8).reshape(side, side).copy() if row is not None else None

    def store(self, info: ImageInfo, thumb: np.ndarray) -> None:
        """Keep ``info`` for this file version. Its vector becomes what the cache gives back
        (float16 precision), so a cold scan groups exactly as a rescan from the cache will."""
        row, info.vector = stored_row(info, thumb, stored_path(info.file.path), self.model_id)
        self._write("INSERT OR REPLACE INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        self._write("DELETE FROM failures WHERE path=?", (stored_path(info.file.path),))

    def store_failure(self, file: ImageFile, reason: str) -> None:
        self._write("INSERT OR REPLACE INTO failures VALUES (?,?,?,?)",
                    (stored_path(file.path), file.size, file.mtime_ns, reason))

    def lookup_verification(self, hash_a: str, hash_b: str, method: str) -> int | None:
        """Matches found before between these two file contents, or None."""
        a, b = sorted((hash_a, hash_b))
        known = self._answers.get(a, b, method)
        if known is None and self._answers.wanted():  # asked often: every answer read at once (cache_rows.py)
            self._answers.load(self._read_all("SELECT hash_a, hash_b, method, matches FROM verifications", ()))
            known = self._answers.get(a, b, method)
        if known is not None:
            return known
        row = self._read("SELECT matches FROM verifications WHERE hash_a=? AND hash_b=? AND method=?", (a, b, method))
        return row[0] if row else None

    def store_verification(self, hash_a: str, hash_b: str, method: str, matches: int) -> None:
        a, b = sorted((hash_a, hash_b))
        self._write("INSERT OR REPLACE INTO verifications VALUES (?,?,?,?)", (a, b, method, matches))
        self._answers.put(a, b, method, matches)

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.Error as error:
            if self.in_memory:
                raise
            self._fail_over(error)
            self._db.commit()
        self._pending.clear()

    def count(self) -> int:
        row = self._read("SELECT count(*) FROM images WHERE model_id=?", (self.model_id,))
        return row[0] if row else 0

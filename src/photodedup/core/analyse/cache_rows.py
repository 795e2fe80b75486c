"""A cached photo's row as ImageInfo, and an ImageInfo as the row to store (core/analyse/cache.py).

Rows are turned into ImageInfo a batch at a time: a warm rescan reads a whole library's rows, and
converting their vectors as one array (float16 to float32, then one finiteness check) costs a
fraction of doing it one row at a time (bench/warm_scan.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from photodedup.core.models import ImageFile, ImageInfo, PhotoMetadata

# float16 keeps 3 significant digits, far finer than any threshold (distances of 0.05-0.55), and
# gave the same accuracy on bench/corpus (bench/accuracy.py, README "Performance").
VECTOR_TYPE = np.float16
# What an ImageInfo is made from, in the order infos_from_rows reads it.
INFO_COLUMNS = ("width, height, format, content_hash, vector, content_fraction, date_taken, camera, lens, "
                "has_gps, has_exif")
LOOKUP_CHUNK = 900  # paths one query asks for (SQLite before 3.32 allowed 999 parameters)


def infos_from_rows(rows: Sequence[tuple[ImageFile, tuple]]) -> list[ImageInfo | None]:
    """The ImageInfo of each (file, row of INFO_COLUMNS); None for a row whose vector is empty or not
    finite (a damaged row is never used: the photo is analysed again)."""
    blobs = [row[4] for _, row in rows]
    if len({len(blob) for blob in blobs}) == 1 and blobs[0]:
        matrix = np.frombuffer(b"".join(blobs), dtype=VECTOR_TYPE).reshape(len(blobs), -1).astype(np.float32)
        vectors, usable = list(matrix), np.isfinite(matrix).all(axis=1).tolist()
    else:  # vectors of several lengths (never from one model), or empty: one by one
        vectors = [np.frombuffer(blob, dtype=VECTOR_TYPE).astype(np.float32) for blob in blobs]
        usable = [vector.size > 0 and bool(np.all(np.isfinite(vector))) for vector in vectors]
    infos: list[ImageInfo | None] = []
    for (file, row), vector, ok in zip(rows, vectors, usable):
        width, height, image_format, content_hash, _, content_fraction, *exif = row
        metadata = PhotoMetadata(exif[0], exif[1], exif[2], bool(exif[3]), bool(exif[4]))
        infos.append(ImageInfo(file, width, height, image_format, content_hash, vector, content_fraction, metadata)
                     if ok else None)
    return infos


def stored_row(info: ImageInfo, thumb: np.ndarray, key: str | bytes, model_id: str) -> tuple[tuple, np.ndarray]:
    """(the images row for ``info`` under ``key``, the vector as the cache will give it back: float16
    precision, so a cold scan groups exactly as a rescan from the cache will)."""
    file, metadata = info.file, info.metadata
    stored = np.ascontiguousarray(info.vector, dtype=VECTOR_TYPE)
    row = (key, file.size, file.mtime_ns, model_id, info.width, info.height, info.format, info.content_hash,
           stored.tobytes(), np.ascontiguousarray(thumb, dtype=np.uint8).tobytes(), info.content_fraction,
           metadata.date_taken, metadata.camera, metadata.lens, int(metadata.has_gps), int(metadata.has_exif))
    return row, stored.astype(np.float32)


# Single queries for verdicts and measures after which every one the cache holds is read at once:
# a warm rescan of 110,000 photos asked 118,819 of them one query each (2.2 s of a 26.6 s profile),
# the whole table (84,000 rows) is read in one query in a tenth of that; a search asks a few dozen.
ANSWERS_READ_AFTER = 256


class KnownAnswers:
    """The cache's verdicts and measures (the ``verifications`` table) held in memory once many are
    asked: by method, then by the two hashes (in the order the table keeps them). A miss is still
    asked of the file (another connection may have written it since), so the memo only saves time."""

    def __init__(self) -> None:
        self.asked = 0
        self.by_method: dict[str, dict[str, int]] | None = None

    def get(self, hash_a: str, hash_b: str, method: str) -> int | None:
        if self.by_method is None:
            self.asked += 1
            return None
        return self.by_method.get(method, {}).get(f"{hash_a}\0{hash_b}")

    def wanted(self) -> bool:
        """Whether the table should now be read whole (asked often enough, not read yet)."""
        return self.by_method is None and self.asked > ANSWERS_READ_AFTER

    def load(self, rows: Sequence[tuple[str, str, str, int]]) -> None:
        self.by_method = {}
        for hash_a, hash_b, method, matches in rows:
            self.by_method.setdefault(method, {})[f"{hash_a}\0{hash_b}"] = matches

    def put(self, hash_a: str, hash_b: str, method: str, matches: int) -> None:
        if self.by_method is not None:
            self.by_method.setdefault(method, {})[f"{hash_a}\0{hash_b}"] = matches

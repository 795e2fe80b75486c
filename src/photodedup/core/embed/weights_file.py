"""Read and write the model weights file: a byte-reproducible .npz of float16 arrays."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_weights(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays (sorted by name, fixed timestamps) so equal input gives equal bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """Load every array of a weights file (no pickles)."""
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

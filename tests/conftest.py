"""Shared helpers: real photos the project ships, and edited copies made from them."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"


def sample(name: str) -> Image.Image:
    """One of the shipped sample photos (chelsea, coffee, astronaut) as RGB."""
    with Image.open(SAMPLES / f"{name}.jpg") as image:
        return image.convert("RGB")


def save(image: Image.Image, path: Path, **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.fixture
def library(tmp_path: Path) -> dict[str, Path]:
    """A small photo library: a photo, its resized and recompressed copies, an exact copy
    in another folder, and two unrelated photos."""
    cat = sample("chelsea")
    files = {
        "original": save(cat, tmp_path / "photos" / "cat.jpg", quality=95),
        "resized": save(cat.resize((cat.width // 2, cat.height // 2)), tmp_path / "photos" / "exports" / "cat_small.jpg", quality=90),
        "recompressed": save(cat, tmp_path / "photos" / "uploads" / "cat_q45.jpg", quality=45),
        "coffee": save(sample("coffee"), tmp_path / "photos" / "coffee.jpg", quality=92),
        "astronaut": save(sample("astronaut"), tmp_path / "photos" / "astronaut.png"),
    }
    backup = tmp_path / "photos" / "backup" / "cat copy.jpg"
    backup.parent.mkdir(parents=True)
    backup.write_bytes(files["original"].read_bytes())
    os.utime(backup, ns=(files["original"].stat().st_mtime_ns + 10**9,) * 2)
    files["exact"] = backup
    files["root"] = tmp_path / "photos"
    return files

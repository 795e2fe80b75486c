"""The grey picture a pixel verdict is measured on is one array whatever its source: the scan's
scratch copy (a cold scan) or the file decoded again (a rescan checking a new pair, a scan after a
crash, the copy check, the trash's check). Issue #18, "the same answer every time"."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photodedup.core.analyse.decode import decode_gray, decode_image
from photodedup.core.analyse.raw import is_raw
from photodedup.core.analyse.read import read_and_decode
from photodedup.core.analyse.scratch import ScratchStore
from photodedup.core.match import grouping
from photodedup.core.match.grouping import copy_verdict, feature_gray
from photodedup.core.models import ImageFile

from conftest import sample


def _photo(width: int, height: int, seed: int = 3) -> Image.Image:
    """A camera-like picture: waves, edges and sensor noise, made at most 1200 px wide then scaled."""
    rng = np.random.default_rng(seed)
    w, h = min(width, 1200), min(height, 1200 * height // width)
    y, x = np.mgrid[0:h, 0:w]
    grey = 128 + 60 * np.sin(x / 37.0) + 50 * np.cos(y / 23.0) + 40 * ((x // 90 + y // 70) % 2)
    rgb = grey[..., None] + rng.normal(0, 12, (h, w, 3))
    rgb[..., 1] *= 0.8
    image = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    return image if (w, h) == (width, height) else image.resize((width, height), Image.Resampling.BILINEAR)


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _bordered(picture: Image.Image, side: int, colour) -> Image.Image:
    canvas = Image.new("RGB", (side, side), colour)
    canvas.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    return canvas


def _raw(path: Path) -> None:
    preview = io.BytesIO()
    _photo(3000, 2000).save(preview, "JPEG", quality=90)
    path.write_bytes(b"II*\x00" + bytes(5000) + preview.getvalue())  # a TIFF-like header, then the camera's JPEG


KINDS = {  # name: how to make the file
    "camera.jpg": lambda p: _photo(4000, 3000).save(p, quality=90),  # DCT-scaled by draft
    "export.jpg": lambda p: _photo(1200, 900).save(p, quality=85),  # thumbnailed to 512
    "lossless.png": lambda p: _photo(1200, 900).save(p),
    "turned-by-exif.jpg": lambda p: _photo(1600, 1200).save(p, exif=_exif(6)),
    "turned-by-exif.png": lambda p: _photo(1000, 700).save(p, exif=_exif(8)),
    "letterboxed.jpg": lambda p: _bordered(_photo(1600, 1000), 1600, (0, 0, 0)).save(p, quality=92),
    "pillarboxed.png": lambda p: _bordered(_photo(600, 900), 900, (255, 255, 255)).save(p),
    "camera.nef": _raw,
    "thumbnail.jpg": lambda p: _photo(100, 67).save(p),
    "tiny.png": lambda p: _photo(40, 30).save(p),
    "huge.jpg": lambda p: _photo(8000, 5000).save(p, quality=80),
    "grey.jpg": lambda p: _photo(300, 200).convert("L").save(p),
    "transparent.png": lambda p: _photo(800, 600).convert("RGBA").save(p),
    "palette.gif": lambda p: _photo(800, 600).convert("P").save(p),
}


def _scanned(path: Path, scratch: ScratchStore) -> None:
    """Analyse ``path`` as a cold scan does, its grey picture kept in ``scratch``."""
    found = os.stat(path)
    decoded = read_and_decode(ImageFile(str(path), found.st_size, found.st_mtime_ns, found.st_dev, found.st_ino))
    assert decoded.error is None and decoded.feature_jpeg
    scratch.put(str(path), decoded.feature_jpeg)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_scan_and_the_file_give_the_same_grey_picture(tmp_path, name):
    path = tmp_path / name
    KINDS[name](path)
    with open(path, "rb") as handle:  # the analysis's decode, as read_and_decode calls it
        analysed = decode_image(handle, raw=is_raw(str(path))).feature_gray
    again = decode_gray(str(path))
    assert analysed.dtype == again.dtype == np.uint8
    assert analysed.shape == again.shape and np.array_equal(analysed, again)  # draft scale, trim, thumbnail alike

    scratch = ScratchStore(tmp_path / "scratch")
    try:
        _scanned(path, scratch)
        from_scratch, from_file = feature_gray(str(path), scratch), feature_gray(str(path), None)
    finally:
        scratch.close()
    assert from_scratch.shape == from_file.shape and np.array_equal(from_scratch, from_file)


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    """Copies and near-misses: the pairs whose verdict a grey level or two could move."""
    original = sample("chelsea")
    made = {
        "original.jpg": (original, {"quality": 95}),
        "small.jpg": (original.resize((original.width // 2, original.height // 2)), {"quality": 60}),
        "brighter.jpg": (Image.eval(original, lambda v: min(255, int(v * 1.15 + 8))), {"quality": 85}),
        "cropped.png": (original.crop((40, 30, original.width - 20, original.height - 40)), {}),
        "thumb.jpg": (original.resize((100, 66)), {"quality": 75}),
        "other.jpg": (sample("coffee").resize(original.size), {"quality": 90}),
        "letterboxed.jpg": (_bordered(original, original.width, (0, 0, 0)), {"quality": 88}),
        "blocky.jpg": (original, {"quality": 8}),
    }
    for name, (image, options) in made.items():
        image.save(folder / name, **options)
    first = folder / "original.jpg"
    return [(first, folder / name) for name in made if name != "original.jpg"] + [
        (folder / "small.jpg", folder / "thumb.jpg"), (folder / "cropped.png", folder / "letterboxed.jpg")]


def test_copy_verdict_is_the_same_with_and_without_the_scans_scratch(tmp_path):
    pairs = _pairs(tmp_path)
    scratch = ScratchStore(tmp_path / "scratch")
    try:
        for path in sorted({p for pair in pairs for p in pair}):
            _scanned(path, scratch)
        cold = [copy_verdict(str(a), str(b), scratch) for a, b in pairs]
    finally:
        scratch.close()
    warm = [copy_verdict(str(a), str(b)) for a, b in pairs]
    assert cold == warm  # every measure, not only the answer
    assert sum(v.copy for v in cold) >= 6 and not cold[4].copy  # the copies found, the other photo not




def test_what_a_scan_measures_is_what_a_rescan_reads_back(tmp_path):
    """A verdict or a keeper fact measured now is the one the cache gives the next scan, to the
    last digit (measured, a pair "agreed in 97%"; read back, "96%")."""
    from photodedup.core.analyse.cache import Cache
    from photodedup.core.match.origin_format import keeper_and_format_facts
    from photodedup.core.models import ImageInfo

    pairs = _pairs(tmp_path)
    paths = sorted({str(p) for pair in pairs for p in pair})
    infos = [ImageInfo(ImageFile(path, 1, 1, 1, n), 10, 10, "JPEG", f"hash-{n:02d}") for n, path in enumerate(paths)]
    at = {info.file.path: n for n, info in enumerate(infos)}
    asked = [(at[str(a)], at[str(b)]) for a, b in pairs]
    with Cache(tmp_path / "cache", "m") as cache:
        measured = [grouping._PairVerifier(infos, cache).verdict(a, b) for a, b in asked]
        facts = [keeper_and_format_facts(path, f"hash-{n:02d}", cache) for n, path in enumerate(paths)]
        cache.commit()
    with Cache(tmp_path / "cache", "m") as cache:
        assert [grouping._PairVerifier(infos, cache).verdict(a, b) for a, b in asked] == measured
        assert [keeper_and_format_facts(path, f"hash-{n:02d}", cache) for n, path in enumerate(paths)] == facts

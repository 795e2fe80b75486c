"""Photographers' formats, made by the tests: each copy of one photo is grouped with it (issue 8)."""

from __future__ import annotations

import io
import os

import pytest
from conftest import jpeg_bytes, sample, save
from PIL import Image

from photodedup.core.dedupe import ScanOptions, run_scan
from photodedup.core.analyse.raw import NoPreviewError, embedded_preview


def fake_raw(photo: Image.Image, preview_side: int = 640) -> bytes:
    """A TIFF-structured RAW as cameras write them: a small TIFF image (the sensor data stands
    in here), sensor-like bytes, then a small JPEG thumbnail and a larger JPEG preview."""
    tiff = io.BytesIO()
    photo.resize((160, 120)).save(tiff, "TIFF")
    thumbnail = jpeg_bytes(photo.resize((160, 106)), 80)
    preview = photo.copy()
    preview.thumbnail((preview_side, preview_side))
    noise = bytes(range(256)) * 400 + b"\xff\xd8\xff\x00garbage"  # a false start marker
    return tiff.getvalue() + noise + thumbnail + noise + jpeg_bytes(preview, 92)


def test_embedded_preview_is_the_largest_jpeg_inside():
    data = fake_raw(sample("chelsea"), 400)
    with Image.open(io.BytesIO(embedded_preview(data))) as preview:
        assert preview.format == "JPEG" and max(preview.size) == 400
    with pytest.raises(NoPreviewError):
        embedded_preview(b"II*\x00" + bytes(5000))


def test_every_format_of_one_photo_is_one_group(tmp_path, embedder):
    pillow_heif = pytest.importorskip("pillow_heif")
    cat, coffee = sample("chelsea"), sample("coffee")
    folder = tmp_path / "photos"
    save(cat, folder / "cat.jpg", quality=95)
    save(coffee, folder / "coffee.jpg", quality=95)
    (folder / "phone").mkdir()
    pillow_heif.from_pillow(cat).save(str(folder / "phone" / "cat.heic"), quality=80)
    save(cat, folder / "web" / "cat.webp", quality=80)
    save(cat, folder / "web" / "cat.avif", quality=70)
    save(cat, folder / "scans" / "cat.tiff", save_all=True, append_images=[coffee.resize(cat.size)])
    frames = [cat.convert("P", palette=Image.Palette.ADAPTIVE), coffee.resize(cat.size).convert("P")]
    save(frames[0], folder / "gifs" / "cat.gif", save_all=True, append_images=frames[1:], duration=200, loop=0)
    (folder / "raw").mkdir()
    (folder / "raw" / "IMG_0001.dng").write_bytes(fake_raw(cat, 900))
    (folder / "raw" / "broken.nef").write_bytes(b"MM\x00*" + bytes(4000))

    result = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    names = [sorted(os.path.relpath(m.path, folder) for m in g.members) for g in result.groups]
    assert names == [["cat.jpg", "gifs/cat.gif", "phone/cat.heic", "raw/IMG_0001.dng", "scans/cat.tiff",
                      "web/cat.avif", "web/cat.webp"]]
    formats = {os.path.basename(m.path): m.info.format for m in result.groups[0].members}
    assert formats["cat.heic"] == "HEIF" and formats["cat.avif"] == "AVIF" and formats["IMG_0001.dng"] == "JPEG"
    (problem,) = result.problems
    assert problem.path.endswith("broken.nef") and "no embedded JPEG preview" in problem.reason

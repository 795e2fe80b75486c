"""docs/RELIABILITY.md, Bad images (cases 13-14): a malformed-image corpus made here, scanned whole."""

from __future__ import annotations

import io
import os
import struct
import zlib

import numpy as np
import pytest
from conftest import jpeg_bytes, sample, save
from PIL import Image

from photodedup.core.pipeline import ScanOptions, run_scan


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", zlib.compress(b"\0" * 100)) + png_chunk(b"IEND", b"")


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def gif_with_huge_frame() -> bytes:
    data = bytearray(encoded(Image.new("P", (8, 8)), "GIF"))
    data[6:10] = struct.pack("<HH", 65000, 65000)  # logical screen 65000×65000
    return bytes(data)


def bad_exif_orientation() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 99  # no such orientation
    return encoded(sample("coffee"), "JPEG", exif=exif.tobytes(), quality=90)


def broken_exif_block() -> bytes:
    return encoded(sample("coffee").resize((200, 130)), "JPEG", exif=b"Exif\0\0MM\0*\0\0\0\x08\xff\xff garbage", quality=90)


def corrupt_heic() -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif")
    buffer = io.BytesIO()
    pillow_heif.from_pillow(sample("coffee")).save(buffer, quality=80)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]  # an interrupted copy


def png_with_garbage_pixels() -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
    pixels = png_chunk(b"IDAT", np.random.default_rng(2).bytes(4000))  # not a zlib stream
    return b"\x89PNG\r\n\x1a\n" + header + pixels + png_chunk(b"IEND", b"")


def tiff_with_broken_ifd() -> bytes:
    data = bytearray(encoded(sample("coffee").resize((64, 40)), "TIFF"))
    data[4:8] = struct.pack("<I", len(data) + 5000)  # first IFD points past the end
    return bytes(data)


# file name → (bytes, whether the file must be reported as a problem)
BAD_INPUTS = {
    "truncated.jpg": (lambda: jpeg_bytes(sample("chelsea"))[:20000], True),
    "zero-bytes.jpg": (lambda: b"", True),
    "random-bytes.jpg": (lambda: np.random.default_rng(1).bytes(50000), True),
    "header-20000x20000.png": (lambda: png_claiming(20000, 20000), True),
    "header-only.jpg": (lambda: b"\xff\xd8\xff\xd9", True),
    "text.png": (lambda: b"this is a shopping list, not a picture\n" * 20, True),
    "truncated.png": (lambda: encoded(sample("astronaut"), "PNG")[:30000], True),
    "garbage-pixels.png": (png_with_garbage_pixels, True),
    "broken-ifd.tiff": (tiff_with_broken_ifd, True),
    "truncated.webp": (lambda: encoded(sample("coffee"), "WEBP", quality=80)[:3000], True),
    "huge-frames.gif": (gif_with_huge_frame, True),
    "bad-header.bmp": (lambda: b"BM" + os.urandom(60), True),
    "corrupt.heic": (corrupt_heic, True),
    # A valid picture with a bad or unreadable EXIF is still the picture: used as stored.
    "bad-orientation.jpg": (bad_exif_orientation, False),
    "broken-exif.jpg": (broken_exif_block, False),
}


def test_case_13_every_bad_input_is_a_problem_with_a_reason_and_the_scan_goes_on(tmp_path, embedder):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name, (make, _) in BAD_INPUTS.items():
        (folder / name).write_bytes(make())
    # A real 100-megapixel photo: a PNG that size is refused, a camera JPEG that size is read at 1/8 scale.
    huge = Image.fromarray(np.tile(np.linspace(0, 255, 10000, dtype=np.uint8), (10000, 1)))
    huge.save(folder / "100-megapixel.png", compress_level=1)
    huge.convert("RGB").save(folder / "100-megapixel.jpg", quality=70)
    del huge
    save(sample("chelsea"), folder / "cat.jpg", quality=95)
    save(sample("chelsea"), folder / "cat_q50.jpg", quality=50)

    result = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    problems = {os.path.basename(p.path): p.reason for p in result.problems}
    expected = {name for name, (_, bad) in BAD_INPUTS.items() if bad} | {"100-megapixel.png"}
    assert set(problems) == expected
    assert all(len(reason) > 10 for reason in problems.values()), problems
    assert "too large" in problems["header-20000x20000.png"] and "too large" in problems["100-megapixel.png"]
    assert "too large" in problems["huge-frames.gif"]
    assert problems["zero-bytes.jpg"] == "empty file (0 bytes)"
    assert sorted(sorted(os.path.basename(m.path) for m in g.members) for g in result.groups) == [
        ["bad-orientation.jpg", "broken-exif.jpg"], ["cat.jpg", "cat_q50.jpg"]]
    assert result.stats.files_found == len(BAD_INPUTS) + 4

    again = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert {os.path.basename(p.path): p.reason for p in again.problems} == problems, "failures are remembered"
    assert again.stats.files_decoded == 0


def test_case_14_a_truncated_copy_is_never_the_keeper(tmp_path, embedder):
    folder = tmp_path / "photos"
    original = jpeg_bytes(sample("chelsea"), 95)
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "cat.jpg").write_bytes(original)
    (folder / "b").mkdir()
    (folder / "b" / "cat-cut.jpg").write_bytes(original[: int(len(original) * 0.7)])
    # Only the end-of-image marker missing: the smallest truncation there is.
    (folder / "b" / "cat-no-end.jpg").write_bytes(original[:-2])
    (folder / "b" / "cat-q60.jpg").write_bytes(jpeg_bytes(sample("chelsea"), 60))
    os.utime(folder / "a" / "cat.jpg", ns=(10**18, 10**18))  # the original is even the newest file
    result = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert [os.path.basename(p.path) for p in result.problems] == ["cat-cut.jpg", "cat-no-end.jpg"]
    (group,) = result.groups
    assert os.path.basename(group.keeper.path) == "cat.jpg"

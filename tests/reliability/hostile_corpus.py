"""Hostile files made on the spot: what a scan meets in a real person's folders, at its worst.

Used by tests/reliability/test_bad_images.py and bench/hostile.py. Every maker returns the
file's bytes; make_hostile_folder writes them all (plus the files that can't be bytes: a
sparse 10 GB file) into one folder.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def sample(name: str) -> Image.Image:
    with Image.open(SAMPLES / f"{name}.jpg") as image:
        return image.convert("RGB")


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", zlib.compress(b"\0" * 100)) + png_chunk(b"IEND", b"")


def with_sof_size(jpeg: bytes, width: int, height: int) -> bytes:
    """A JPEG whose frame header (SOF0/SOF2) claims width×height; the scan data stays small."""
    data = bytearray(jpeg)
    position = 2
    while position < len(data):
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[position + 5:position + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        position += 2 + length
    raise ValueError("no frame header")


def progressive_bomb() -> bytes:
    """1-2 KB on disk; a progressive JPEG claiming 65500×2730 (the decoder buffers every
    coefficient of the declared size: about 1 GB)."""
    small = encoded(Image.new("RGB", (64, 64), (90, 120, 200)), "JPEG", quality=50, progressive=True)
    return with_sof_size(small, 65500, 2730)


def eps_file() -> bytes:
    """Encapsulated PostScript: Pillow would run Ghostscript on it (and this one loops forever)."""
    return (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n%%EndComments\n"
            b"{ 1 pop } loop\nshowpage\n%%EOF\n")


def pdf_file() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def psd_file() -> bytes:
    # A Photoshop header (version 1, 3 channels, 64×64, 8 bit, RGB), then nothing.
    return b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 64, 64, 8, 3) + b"\0" * 64


def png_with_huge_text(megabytes: int = 100) -> bytes:
    """A valid PNG photo with a 100 MB tEXt chunk: the picture itself is fine."""
    data = encoded(sample("coffee"), "PNG")
    text = png_chunk(b"tEXt", b"Comment\0" + b"x" * (megabytes << 20))
    return data[:33] + text + data[33:]  # after IHDR (8 + 25 bytes)


def png_with_ztxt_bomb() -> bytes:
    """A valid PNG photo with a zTXt chunk that inflates to 50 MB (Pillow refuses over 1 MB)."""
    data = encoded(sample("chelsea"), "PNG")
    text = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"\0" * (50 << 20), 9))
    return data[:33] + text + data[33:]


def bmp_claiming(width: int, height: int) -> bytes:
    header = struct.pack("<2sIHHI", b"BM", 54, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return header + info + b"\0" * 16


def tiff_claiming(width: int, height: int) -> bytes:
    data = bytearray(encoded(Image.new("RGB", (16, 16)), "TIFF"))
    # Patch the ImageWidth (256) and ImageLength (257) entries of the first IFD.
    ifd = struct.unpack("<I", data[4:8])[0]
    count = struct.unpack("<H", data[ifd:ifd + 2])[0]
    for entry in range(count):
        at = ifd + 2 + 12 * entry
        tag, kind = struct.unpack("<HH", data[at:at + 4])
        if tag in (256, 257):
            value = width if tag == 256 else height
            data[at + 2:at + 12] = struct.pack("<HII", 4, 1, value)
    return bytes(data)


def jpeg_zero_size() -> bytes:
    return with_sof_size(encoded(sample("coffee").resize((64, 48)), "JPEG"), 0, 0)


def baseline_claiming_65500() -> bytes:
    return with_sof_size(encoded(sample("coffee").resize((64, 48)), "JPEG"), 65500, 65500)


def gif_with_huge_frame() -> bytes:
    data = bytearray(encoded(Image.new("P", (8, 8)), "GIF"))
    data[6:10] = struct.pack("<HH", 65000, 65000)  # logical screen 65000×65000
    return bytes(data)


def png_with_garbage_pixels() -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
    pixels = png_chunk(b"IDAT", np.random.default_rng(2).bytes(4000))  # not a zlib stream
    return b"\x89PNG\r\n\x1a\n" + header + pixels + png_chunk(b"IEND", b"")


def tiff_with_broken_ifd() -> bytes:
    data = bytearray(encoded(sample("coffee").resize((64, 40)), "TIFF"))
    data[4:8] = struct.pack("<I", len(data) + 5000)  # first IFD points past the end
    return bytes(data)


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    return encoded(image, "JPEG", quality=quality)


# name → (maker, the words the problem's reason must hold; None: a usable photo, no problem)
HOSTILE_FILES: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "truncated.jpg": (lambda: jpeg_bytes(sample("chelsea"))[:20000], "truncated"),
    "zero-bytes.jpg": (lambda: b"", "empty file"),
    "random-bytes.jpg": (lambda: np.random.default_rng(1).bytes(50000), "not an image"),
    "header-20000x20000.png": (lambda: png_claiming(20000, 20000), "too large"),
    "header-only.jpg": (lambda: b"\xff\xd8\xff\xd9", ""),
    "text.png": (lambda: b"this is a shopping list, not a picture\n" * 20, "not an image"),
    "truncated.png": (lambda: encoded(sample("astronaut"), "PNG")[:30000], "truncated"),
    "garbage-pixels.png": (png_with_garbage_pixels, "corrupt"),
    "broken-ifd.tiff": (tiff_with_broken_ifd, ""),
    "truncated.webp": (lambda: encoded(sample("coffee"), "WEBP", quality=80)[:3000], ""),
    "huge-frames.gif": (gif_with_huge_frame, "too large"),
    "bad-header.bmp": (lambda: b"BM" + os.urandom(60), ""),
    "eps-named.jpg": (eps_file, "not a photo format"),
    "postscript.png": (lambda: b"%!PS-Adobe-3.0\n{ 1 pop } loop\n", "not a photo format"),
    "pdf-named.jpg": (pdf_file, "not a photo format"),
    "photoshop-named.jpg": (psd_file, "not a photo format"),
    "svg-named.png": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>', "not an image"),
    "zip-named.jpg": (lambda: b"PK\x03\x04" + bytes(200), "not an image"),
    "icon-named.jpg": (lambda: encoded(sample("coffee").resize((32, 32)), "ICO"), "not a photo format"),
    "targa-named.png": (lambda: encoded(sample("coffee").resize((32, 32)), "TGA"), "not an image"),
    "progressive-bomb.jpg": (progressive_bomb, "too large"),
    "baseline-65500x65500.jpg": (baseline_claiming_65500, ""),
    "zero-size.jpg": (jpeg_zero_size, ""),
    "bmp-claiming-30000x30000.bmp": (lambda: bmp_claiming(30000, 30000), "too large"),
    "tiff-claiming-60000x60000.tiff": (lambda: tiff_claiming(60000, 60000), "too large"),
    # A valid picture with hostile metadata is still the picture: scanned like any other.
    "huge-text.png": (png_with_huge_text, None),
    "ztxt-bomb.png": (png_with_ztxt_bomb, None),
}

SPARSE_NAME = "sparse-10gb.jpg"  # a real 300×200 JPEG, then 10 GB of hole
SPARSE_BYTES = 10 << 30


def make_sparse_jpeg(path: Path, size: int = SPARSE_BYTES) -> None:
    """A real small JPEG extended (without using disk) to ``size`` bytes."""
    path.write_bytes(jpeg_bytes(sample("astronaut").resize((300, 200))))
    os.truncate(path, size)


def make_hostile_folder(folder: Path, sparse: bool = True) -> dict[str, str | None]:
    """Write every hostile file kind into ``folder``; name → expected words of its problem."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = {}
    for name, (make, reason) in HOSTILE_FILES.items():
        (folder / name).write_bytes(make())
        expected[name] = reason
    if sparse:
        make_sparse_jpeg(folder / SPARSE_NAME)
        expected[SPARSE_NAME] = "larger than"
    return expected

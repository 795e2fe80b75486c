"""Pillow held to what photodedup needs: photo formats only, bounded time and memory per file.

Pillow picks its plug-in by the file's content, not its name: left alone, an EPS named
``.jpg`` is rendered by Ghostscript (and a hostile one never finishes). Here a file is only
ever opened as one of PHOTO_FORMATS; each decode reads through a clock (DECODE_SECONDS);
its decoder's memory is estimated from the declared size before any pixel is decoded; a file
far larger than its picture could need is refused before it is read; a PNG whose text
chunks are over Pillow's limits is read without them (the pixels don't need them).

configure_pillow() (analyse/pillow_setup.py) sets Pillow and its warnings up once for the process; the entry
points call it (cli.main, gui/app.main, the tests' conftest), and so does the first open here
for a program that uses the core directly (a no-op after the first time). Importing the core
changes no global setting (tests/core/test_decode.py checks it).
"""

from __future__ import annotations

import math
import os
import stat
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from PIL import Image, JpegImagePlugin

from photodedup.core.analyse.pillow_setup import configure_pillow

# What photodedup reads (scan.supported_extensions lists their file names). HEIF and AVIF
# only when a plug-in for them is installed. Never EPS/PS/PDF (Ghostscript), nor anything else.
PHOTO_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "TIFF", "BMP", "GIF", "HEIF", "AVIF")
# Longest one decode may run. The slowest real photo measured here, an 89-megapixel PNG (the
# largest Pillow allows), decodes in 1.3 s on one core here; 10 s leaves room for a slow disk
# and a slow machine, and a person waits at most that long for one hostile file.
DECODE_SECONDS = 10.0
# Most memory one decode may take. Every picture Pillow's own pixel limit lets through fits
# (89.5 MP, which Pillow holds in 4 bytes a pixel: 358 MB), and so does a progressive JPEG of
# up to about 120 MP; a progressive JPEG "bomb" claiming 65500×2730 (about 515 MB of DCT
# coefficients for 1.2 KB on disk, 8 of them on 8 workers 4 GB) does not.
DECODE_MEMORY_LIMIT = 384 << 20
# WebP and HEIF/AVIF decoders (and a RAW's preview search) take the whole file in memory.
# The largest such photos are RAWs of 100-150 MP backs (150-300 MB); 512 MB leaves room.
WHOLE_READ_LIMIT = 512 << 20
# A file far larger than any encoding of its picture is mostly something else (a sparse or
# padded file, an archive glued on): refused before it is read. Bound: 4 × 8 bytes a pixel
# (16-bit RGBA, uncompressed: no photo format needs more) + 64 MB of metadata and previews.
PLAUSIBLE_BYTES_PER_PIXEL = 8
PLAUSIBLE_SLACK = 4
PLAUSIBLE_EXTRA = 64 << 20
_SIZE_CHECKED = ("JPEG", "MPO", "PNG", "BMP")  # one picture (or MPO's few), header gives its size
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



class DecodeRefused(Exception):
    """The file is refused before or instead of decoding; the message says why, for a person."""


class DecodeTimeout(Exception):
    """The decode ran past DECODE_SECONDS."""


def photo_formats() -> tuple[str, ...]:
    """The PHOTO_FORMATS this Pillow can open (the names Image.open's ``formats`` takes)."""
    configure_pillow()
    return tuple(name for name in PHOTO_FORMATS if name in Image.OPEN)


class DeadlineReader:
    """A binary file whose reads fail once the decode has run ``seconds``: Pillow's decoders read
    as they go, so a decode that runs too long stops at its next read."""

    def __init__(self, handle: BinaryIO, seconds: float | None = None) -> None:
        self._handle = handle
        self.seconds = DECODE_SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self.deadline:
            raise DecodeTimeout(f"decoding took longer than {self.seconds:g} s; skipped")
        return self._handle.read(size)

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


@contextmanager
def open_photo(source: str | os.PathLike | BinaryIO) -> Iterator[Image.Image]:
    """Image.open for photos only, every guard applied (see the module's docstring).

    ``source`` is a path (opened here, closed on leaving) or an open binary file. Raises
    DecodeRefused with the reason, or Pillow's own errors for a file that is not a readable photo.
    """
    configure_pillow()
    own = isinstance(source, (str, os.PathLike))
    handle = open_regular_file(source) if own else source
    try:
        yield _open_image(handle)
    finally:
        if own:
            handle.close()


def _open_image(handle: BinaryIO) -> Image.Image:
    size = _file_size(handle)
    _check_whole_read(handle, size)
    view = _without_large_png_text(handle, size)
    if isinstance(view, _PngWithoutText):
        size = view.length  # the plausible size is the picture's: the text left out is never read
    try:
        image = Image.open(DeadlineReader(view), formats=photo_formats())
    except ValueError as error:  # a PNG text chunk that inflates past Pillow's limit
        if "MAX_TEXT" not in str(error) or not _is_png(handle):
            raise
        image = Image.open(DeadlineReader(_PngWithoutText(handle, drop_all=True)), formats=photo_formats())
    except Image.UnidentifiedImageError:
        other = _other_format(handle)
        if other:
            raise DecodeRefused(f"not a photo format photodedup reads (looks like {other})") from None
        raise
    try:
        _check_pixels(image)
        if size is not None:
            check_plausible_size(image, size)
    except DecodeRefused:
        image.close()
        raise
    return image


class NotRegularFile(OSError):
    """A FIFO, a device or a folder where a photo file was expected."""


def open_regular_file(path: str | os.PathLike) -> BinaryIO:
    """The file opened for reading, without waiting: a FIFO named like a photo would block a
    plain open() for ever. Raises NotRegularFile for anything but a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise NotRegularFile("not a regular file (a FIFO, device or folder named like a photo)")
    return handle


def _file_size(handle: BinaryIO) -> int | None:
    try:
        return os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, ValueError):  # a file object in memory (io.UnsupportedOperation)
        return None


def _check_whole_read(handle: BinaryIO, size: int | None) -> None:
    """Refuse a WebP or HEIF/AVIF over WHOLE_READ_LIMIT: their decoders read the file whole."""
    if size is None or size <= WHOLE_READ_LIMIT:
        return
    head = handle.read(16)
    handle.seek(0)
    if (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or head[4:8] == b"ftyp":
        raise DecodeRefused(f"file is {_human(size)}; a WebP or HEIF file is read whole, and one over "
                            f"{_human(WHOLE_READ_LIMIT)} is not analysed")


def _check_pixels(image: Image.Image) -> None:
    """Refuse pictures over Pillow's decompression-bomb limit, except JPEG (decoded at reduced
    scale; its decoder's memory is bounded by check_decoder_memory instead)."""
    limit = Image.MAX_IMAGE_PIXELS
    pixels = image.width * image.height
    if limit and pixels > limit and not is_jpeg(image):
        raise DecodeRefused(f"image too large to open safely ({image.width}×{image.height}, "
                            f"{pixels / 1e6:.0f} megapixels; the limit is {limit / 1e6:.0f})")


def check_plausible_size(image: Image.Image, file_size: int) -> None:
    """Refuse a file far larger than its declared picture could need (see PLAUSIBLE_*)."""
    if image.format not in _SIZE_CHECKED:
        return
    frames = getattr(image, "n_frames", 1) if image.format in ("MPO", "PNG") else 1
    bound = PLAUSIBLE_SLACK * PLAUSIBLE_BYTES_PER_PIXEL * image.width * image.height * frames + PLAUSIBLE_EXTRA
    if file_size > bound:
        raise DecodeRefused(f"file is {_human(file_size)}, far larger than its {image.width}×{image.height} "
                            f"picture could need (at most {_human(bound)}); not analysed")


def is_jpeg(image: Image.Image) -> bool:
    """JPEG, including the multi-picture JPEGs (MPO) many cameras write."""
    return isinstance(image, JpegImagePlugin.JpegImageFile)


def decoder_bytes(image: Image.Image, declared: tuple[int, int]) -> int:
    """About what decoding ``image`` (after any draft) allocates, from its header alone.

    A progressive JPEG's decoder keeps every DCT coefficient of the declared (full) size, 2
    bytes each, per component at its sampling, whatever the scale it outputs; anything else
    costs its output picture (Pillow keeps RGB in 4 bytes a pixel).
    """
    output = image.width * image.height * (1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4)
    if not (is_jpeg(image) and image.info.get("progressive")):
        return output
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)]
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    width, height = declared
    coefficients = sum(math.ceil(width * layer[1] / h_max / 8) * 8 * math.ceil(height * layer[2] / v_max / 8) * 8
                       for layer in layers)
    return 2 * coefficients + output


def check_decoder_memory(image: Image.Image, declared: tuple[int, int]) -> None:
    """Refuse before decoding when the decoder would need over DECODE_MEMORY_LIMIT."""
    needed = decoder_bytes(image, declared)
    if needed > DECODE_MEMORY_LIMIT:
        kind = "progressive JPEG" if is_jpeg(image) and image.info.get("progressive") else image.format or "image"
        raise DecodeRefused(f"image too large to decode safely ({declared[0]}×{declared[1]} {kind} needs about "
                            f"{_human(needed)} to decode; the limit is {_human(DECODE_MEMORY_LIMIT)})")


# Formats a person may have named like a photo, by their first bytes, for a reason that says what the file is.
_OTHER_SIGNATURES = (
    (b"%!PS", "PostScript/EPS"), (b"\xc5\xd0\xd3\xc6", "PostScript/EPS"), (b"%PDF", "PDF"),
    (b"8BPS", "a Photoshop document"), (b"\x00\x00\x01\x00", "a Windows icon"), (b"gimp xcf", "a GIMP image"),
    (b"icns", "a macOS icon"),
)


def _other_format(handle: BinaryIO) -> str:
    try:
        handle.seek(0)
        head = handle.read(16)
    except (OSError, ValueError):
        return ""
    return next((name for signature, name in _OTHER_SIGNATURES if head.startswith(signature)), "")


def _is_png(handle: BinaryIO) -> bool:
    handle.seek(0)
    return handle.read(8) == _PNG_SIGNATURE


def _without_large_png_text(handle: BinaryIO, size: int | None) -> BinaryIO:
    """``handle``, or for a PNG with a text chunk over Pillow's MAX_TEXT_CHUNK, a view of it
    without those chunks (a small file can't hold one: not even looked at)."""
    from PIL import PngImagePlugin

    if size is None or size <= PngImagePlugin.MAX_TEXT_CHUNK or not _is_png(handle):
        handle.seek(0)
        return handle
    view = _PngWithoutText(handle, drop_all=False)
    handle.seek(0)
    return view if view.dropped else handle


def png_chunks(handle: BinaryIO) -> Iterator[tuple[bytes, int, int]]:
    """(type, where its length field starts, data length) of each chunk of a PNG file after its
    signature, up to IEND or the end of the file, from the chunk headers alone."""
    position = len(_PNG_SIGNATURE)
    while True:
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return
        length, kind = struct.unpack(">I4s", header)
        yield kind, position, length
        if kind == b"IEND":
            return
        position += 12 + length  # length, type, data, CRC


class _PngWithoutText:
    """A read-only view of a PNG file with its large (or all) text chunks left out."""

    def __init__(self, handle: BinaryIO, drop_all: bool) -> None:
        from PIL import PngImagePlugin

        self._handle = handle
        pieces: list[tuple[int, int]] = []  # (start, end) in the file of what is kept, in order
        self.dropped = 0
        kept_from = len(_PNG_SIGNATURE)
        for kind, position, length in png_chunks(handle):
            if kind in _PNG_TEXT_CHUNKS and (drop_all or length > PngImagePlugin.MAX_TEXT_CHUNK):
                pieces.append((kept_from, position))
                self.dropped += 1
                kept_from = position + 12 + length
        file_end = handle.seek(0, 2)
        pieces.append((kept_from, file_end))
        self._pieces = [(0, len(_PNG_SIGNATURE))] + [(a, b) for a, b in pieces if b > a]
        self.length = sum(b - a for a, b in self._pieces)
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        wanted = self.length - self._position if size is None or size < 0 else size
        parts = []
        offset = 0
        for start, end in self._pieces:
            piece = end - start
            if wanted > 0 and self._position < offset + piece:
                skip = self._position - offset
                count = min(piece - skip, wanted)
                self._handle.seek(start + skip)
                data = self._handle.read(count)
                parts.append(data)
                self._position += len(data)
                wanted -= len(data)
                if len(data) < count:
                    break
            offset += piece
        return b"".join(parts)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self.length}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._handle.close()


def _human(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"

"""Open a photo safely and reduce it to the small RGB array the model needs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageChops, ImageStat, UnidentifiedImageError

from photodedup.core.analyse.raw import NoPreviewError, embedded_preview, is_raw
from photodedup.core.analyse.safe_open import (
    WHOLE_READ_LIMIT, DecodeRefused, DecodeTimeout, NotRegularFile, check_decoder_memory, is_jpeg, open_photo,
)

MODEL_SIZE = 224
# Names how decode_image prepares pixels; change it whenever that changes, so vectors
# cached from the old preparation are recomputed, never compared with new ones.
PREPARATION_ID = "luma-trim-squash-v2"
FEATURE_SIDE = 512  # longest side of the gray picture local features are found in
THUMB_SIZE = 32
_ORIENTATION_TAG = 0x0112
_TRANSPOSED_ORIENTATIONS = {5, 6, 7, 8}

# What a failure says about the next scan (the scan keeps a permanent one in the cache, so an
# unchanged broken file is not read again, and forgets a transient one, so it is read again).
TRANSIENT = "transient"  # the file changed, vanished or could not be opened during the scan
PERMANENT = "permanent"  # not a picture, broken, too large: the same file fails the same way


class DecodeError(Exception):
    """The file is not a usable image; the message says why, for a person; ``kind`` is
    TRANSIENT or PERMANENT."""

    def __init__(self, reason: str, kind: str = PERMANENT) -> None:
        super().__init__(reason)
        self.kind = kind


@dataclass
class DecodedImage:
    """A photo reduced for matching, plus facts about the full-size original."""

    # (MODEL_SIZE, MODEL_SIZE, 3) uint8: the whole picture, borders trimmed, in gray, squashed.
    # Gray because a grayscale copy is still a copy; bench/accuracy.py measured it (README).
    pixels: np.ndarray
    thumb: np.ndarray  # (THUMB_SIZE, THUMB_SIZE) uint8 grayscale, the whole picture squashed
    width: int  # as displayed, after EXIF orientation
    height: int
    format: str
    content_fraction: float = 1.0  # share of the picture left after trimming padding bars
    # The trimmed gray picture at most FEATURE_SIDE on its long side, as decode_gray gives it:
    # what local features are found in, so verification need not decode the file again.
    feature_gray: np.ndarray | None = None


def decode_image(path: str | BinaryIO, size: int = MODEL_SIZE, raw: bool = False) -> DecodedImage:
    """Decode ``path`` (a file name or a binary file object) to the model's size×size input.

    With ``raw`` (a camera RAW file), its embedded JPEG preview is what is decoded.
    Raises DecodeError with a reason a person can read when the file is not a usable image.
    """
    with _opened(_raw_preview(path) if raw else path) as image:
        image_format = image.format or "unknown"
        width, height = image.size
        if width <= 0 or height <= 0:
            raise DecodeError("image has no pixels")
        full, orientation = _upright_gray(image, max(size, FEATURE_SIDE // 2))  # the scale decode_gray uses
        if orientation in _TRANSPOSED_ORIENTATIONS:
            width, height = height, width
    gray = trim_borders(full)
    content_fraction = (gray.width * gray.height) / (full.width * full.height)
    squashed = gray.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=3.0)
    pixels = np.repeat(np.asarray(squashed, dtype=np.uint8)[:, :, None], 3, axis=2)
    thumb = np.asarray(squashed.resize((THUMB_SIZE, THUMB_SIZE), Image.Resampling.BOX))
    if max(gray.size) > FEATURE_SIDE:
        gray = gray.copy()
        gray.thumbnail((FEATURE_SIDE, FEATURE_SIDE), Image.Resampling.BILINEAR)
    return DecodedImage(pixels, thumb, width, height, image_format, round(content_fraction, 4), np.asarray(gray))


# Below this, a picture is nearly featureless (clear sky, a lens cap, a blurred frame): two such
# photos look alike to the model without being copies, so their matches need local features.
MIN_DETAIL = 5.0


def picture_detail(thumb: np.ndarray) -> float:
    """How much a picture holds beyond a smooth gradient: grey-level spread of the 32×32 thumbnail
    around its best-fitting plane (real photos here: 8 and up; sky and bokeh: about 2)."""
    values = np.asarray(thumb, dtype=np.float64)
    design, solve = _plane_fit(*values.shape)
    return float((values.ravel() - design @ (solve @ values.ravel())).std())


@lru_cache(maxsize=4)
def _plane_fit(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares fit of a plane a·x + b·y + c to a height×width picture, as matrices:
    (design, its pseudo-inverse); computed once, as a rescan asks for every photo's detail."""
    rows, columns = np.mgrid[0:height, 0:width]
    design = np.c_[columns.ravel(), rows.ravel(), np.ones(height * width)]
    return design, np.linalg.pinv(design)


RESAVE_TOLERANCE = 0.25  # mean grey-level difference under which two decodes are the same pixels


def same_pixels(first: str, second: str) -> bool:
    """Whether two files decode to the same full-size picture (as a lossless re-save of a JPEG
    does; a JPEG made from a lossless original differs by a grey level or more on average)."""
    try:
        with _opened(first) as a, _opened(second) as b:
            if a.size != b.size or a.width * a.height > 60_000_000:
                return False
            difference = ImageChops.difference(_to_rgb(a), _to_rgb(b))  # |a - b| per channel, in C
    except DecodeError:
        return False
    return sum(ImageStat.Stat(difference).mean) / 3 < RESAVE_TOLERANCE


def webp_is_lossy(path: str) -> bool:
    """Whether a WebP file's (first) picture is lossy VP8, not lossless VP8L, from its chunk
    headers alone; a lossy WebP can't hold exactly another file's pixels. False if unsure."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return False
    if head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return False
    offset = 12
    while offset + 8 <= len(head):
        fourcc, size = head[offset:offset + 4], int.from_bytes(head[offset + 4:offset + 8], "little")
        if fourcc in (b"VP8 ", b"VP8L"):
            return fourcc == b"VP8 "
        # An animation frame (ANMF) holds its picture's chunks after a 16-byte frame header.
        offset += 8 + 16 if fourcc == b"ANMF" else 8 + size + (size & 1)
    return False


def decode_gray(path: str | BinaryIO, max_side: int = FEATURE_SIDE, trim: bool = True) -> np.ndarray:
    """The upright picture in gray, borders trimmed (unless not ``trim``), at most max_side pixels
    on its long side."""
    if isinstance(path, str) and is_raw(path):
        path = _raw_preview(path)
    with _opened(path) as image:
        # JPEG's DCT scaling to about half the side asked for is plenty for local features,
        # and four times cheaper than decoding a 12 MP photo at 1/4 scale.
        gray = _upright_gray(image, max_side // 2)[0]
        gray = trim_borders(gray) if trim else gray
    gray.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return np.asarray(gray, dtype=np.uint8)


def _raw_preview(path: str | BinaryIO) -> BinaryIO:
    """The embedded JPEG preview of a RAW file, as a file object."""
    try:
        if hasattr(path, "read"):
            data = _read_bounded(path)
        else:
            with open(path, "rb") as handle:
                data = _read_bounded(handle)
        return io.BytesIO(embedded_preview(data))
    except NoPreviewError as error:
        raise DecodeError(str(error)) from None
    except OSError as error:
        raise DecodeError(f"cannot read file: {error.strerror or error}", TRANSIENT) from None


def _read_bounded(handle: BinaryIO) -> bytes:
    """The whole file (a RAW's preview is searched for in all of it), if under WHOLE_READ_LIMIT."""
    data = handle.read(WHOLE_READ_LIMIT + 1)
    if len(data) > WHOLE_READ_LIMIT:
        raise DecodeError(f"RAW file over {WHOLE_READ_LIMIT >> 20} MB; not analysed")
    return data


@contextmanager
def _opened(path: str | BinaryIO) -> Iterator[Image.Image]:
    """Open an image with bomb warnings as errors; every failure becomes a DecodeError."""
    try:
        with open_photo(path) as image:
            yield image
    except DecodeError:
        raise
    except (DecodeRefused, DecodeTimeout, NotRegularFile) as error:
        raise DecodeError(str(error)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DecodeError(f"image too large to open safely ({error})") from None
    except UnidentifiedImageError:
        raise DecodeError("not an image Pillow can read (unknown or corrupt format)") from None
    except FileNotFoundError:
        raise DecodeError("file disappeared during the scan", TRANSIENT) from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except MemoryError:
        raise DecodeError("not enough memory to decode this image") from None
    except ValueError as error:
        if "MAX_TEXT" in str(error) or "text chunks" in str(error):  # text after the pixels, over Pillow's limits
            raise DecodeError(f"PNG text metadata too large to read safely ({error})") from None
        raise DecodeError(f"corrupt or truncated image ({error or type(error).__name__})") from None
    except (OSError, SyntaxError, TypeError, IndexError, KeyError, EOFError) as error:
        raise DecodeError(f"corrupt or truncated image ({error or type(error).__name__})") from None
    except Exception as error:  # a decoder plug-in's own error type: still one bad file, not a crash
        raise DecodeError(f"could not decode ({type(error).__name__}: {error})") from None


def _upright_gray(image: Image.Image, least_side: int) -> tuple[Image.Image, int]:
    """Decode (JPEG at the smallest DCT scale still ≥ least_side), apply EXIF orientation, gray.

    Returns the picture and its EXIF orientation. The pixels are loaded before the EXIF is
    read: for some formats reading EXIF loads the pixels, and a failure there must count.
    """
    declared = image.size
    if is_jpeg(image):
        # Luma straight from the JPEG decoder: the gray picture without colour conversion.
        image.draft("L" if image.mode in ("RGB", "YCbCr") else image.mode, (least_side, least_side))
    check_decoder_memory(image, declared)
    image.load()
    orientation = _orientation(image)
    if orientation != 1:
        image = _apply_orientation(image, orientation)
    return (image if image.mode == "L" else _to_rgb(image).convert("L")), orientation


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # malformed EXIF: show the pixels as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


BORDER_TOLERANCE = 24  # grey levels from the corner colour
BORDER_CONTENT = 0.02  # a row/column with more than this share of other pixels is picture


def trim_borders(gray: Image.Image) -> Image.Image:
    """Cut away uniform letterbox/padding bars (the colour of the corners) around a picture.

    Leaves the image alone when the bars would be tiny (< 3% of the area) or when
    what remains would be under a quarter of it (a mostly plain picture, not padding).
    """
    pixels = np.asarray(gray)
    height, width = pixels.shape
    corner = float(np.median([pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]]))
    differs = (pixels < corner - BORDER_TOLERANCE) | (pixels > corner + BORDER_TOLERANCE)
    rows = np.flatnonzero(np.count_nonzero(differs, axis=1) > BORDER_CONTENT * width)
    cols = np.flatnonzero(np.count_nonzero(differs, axis=0) > BORDER_CONTENT * height)
    if rows.size == 0 or cols.size == 0:
        return gray
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    kept = (bottom - top) * (right - left)
    if kept > 0.97 * height * width or kept < 0.25 * height * width:
        return gray
    return gray.crop((int(left), int(top), int(right), int(bottom)))


def _apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }[orientation]
    return image.transpose(method)


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB with any transparency flattened onto white, 16-bit scaled to 8-bit."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float32)
        peak = max(float(array.max()), 1.0)
        scale = 255.0 / (65535.0 if peak > 255 else 255.0)
        image = Image.fromarray(np.clip(array * scale, 0, 255).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB") if image.mode != "RGB" else image

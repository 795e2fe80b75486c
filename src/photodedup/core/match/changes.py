"""What a copy changed, measured: scale, crop, rotation, mirror, colour, compression, format, EXIF."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodedup.core.models import ImageInfo
from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.copy_look import Look
from photodedup.core.match.verdict import sane_fit

# The IJG standard luminance quantisation table (JPEG spec, Annex K), quality 50.
_STANDARD_LUMA_SUM = sum((16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
                          56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
                          104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99))


@dataclass(frozen=True)
class Change:
    """One way a copy differs from its original: a kind to count by, and words for a person."""

    kind: str  # identical, resized, enlarged, size, cropped, rotated, mirrored, padded, grayscale, brightness,
    # contrast, colour, saturation, blur, sharpen, noise, orientation, recompressed, format, exif, same
    text: str


def jpeg_quality(image: Image.Image) -> int | None:
    """The JPEG quality (1-100, IJG scale) its luminance quantisation table implies, or None."""
    tables = getattr(image, "quantization", None)
    if not tables or 0 not in tables:
        return None
    scale = 100.0 * sum(tables[0]) / _STANDARD_LUMA_SUM  # percent of the quality-50 table
    quality = (200.0 - scale) / 2.0 if scale <= 100 else 5000.0 / scale
    return int(round(min(100.0, max(1.0, quality))))


GREY_SPREAD = 4.0  # below this mean channel spread (grey levels) a picture is black and white


@dataclass(frozen=True)
class PictureFacts:
    """What the file itself says, beyond the cached ImageInfo: colour and JPEG quality."""

    monochrome: bool
    quality: int | None
    spread: float = 255.0  # mean spread of the three channels (grey levels): how colourful it is at all
    peak: float = 255.0  # the spread at the most colourful 1% of it (coloured stars on a black sky)


def picture_facts(source) -> PictureFacts:
    """Colour and JPEG quality of an image file (a path or a file object); unreadable → neutral facts."""
    try:
        with open_photo(source) as image:  # photo formats only, time and size bounded
            quality = jpeg_quality(image) if image.format in ("JPEG", "MPO") else None
            if image.mode in ("1", "L", "LA", "I", "I;16", "F"):
                return PictureFacts(True, quality, 0.0)
            image.draft("RGB", (128, 128))
            rgb = np.asarray(image.convert("RGB").resize((64, 64)), dtype=np.int16)
    except Exception:
        return PictureFacts(False, None)
    spread = rgb.max(axis=2) - rgb.min(axis=2)
    peak = float(np.percentile(spread, 99))  # coloured stars on a black sky: colour, though little on average
    return PictureFacts(bool(spread.mean() < GREY_SPREAD and peak < 3 * GREY_SPREAD), quality, float(spread.mean()), peak)


# How the copy lies over its original when laid whole (verify.TURNS names), in words.
TURN_WORDS = {
    "turned 90°": ("rotated by 90° clockwise", False),
    "turned 270°": ("rotated by 90° anticlockwise", False),
    "turned 180°": ("rotated by 180°", False),
    "mirrored": (None, True),
    "flipped": ("flipped upside down", False),
    "mirrored and turned 90°": ("rotated by 90° clockwise", True),
    "mirrored and turned 270°": ("rotated by 90° anticlockwise", True),
}


QUARTER_WORDS = {1: "rotated by 90° anticlockwise", 2: "rotated by 180°", 3: "rotated by 90° clockwise"}


@dataclass(frozen=True)
class Geometry:
    """How a copy lies over its original: ``how`` the pixels laid it (verify.PixelVerdict.how), and
    a sane fit (verify.sane_fit) from the original's whole frame (bars kept, reduced) to the copy's,
    turned back by ``how``; None when there is none. Shapes are those frames' (height, width)."""

    how: str = ""
    fit: np.ndarray | None = None
    original_shape: tuple[int, int] | None = None
    copy_shape: tuple[int, int] | None = None


def covered_fraction(fit: np.ndarray, original_shape: tuple[int, int], copy_shape: tuple[int, int]) -> float | None:
    """Share of the original's picture that the copy shows (1.0: nothing cropped), by mapping a
    grid of the original's points into the copy; None for a fit that is not sane."""
    if not sane_fit(fit):
        return None
    height, width = original_shape
    ys, xs = np.mgrid[0:height:complex(0, 120), 0:width:complex(0, 120)]
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    mapped = np.asarray(fit, dtype=np.float64) @ points
    copy_h, copy_w = copy_shape
    inside = (mapped[0] >= -1) & (mapped[0] <= copy_w + 1) & (mapped[1] >= -1) & (mapped[1] <= copy_h + 1)
    return float(inside.mean())


def shown_box(fit: np.ndarray, original_shape: tuple[int, int],
              copy_shape: tuple[int, int]) -> tuple[float, float, float, float] | None:
    """The part of the original the copy shows, as (left, top, right, bottom) shares of its width
    and height (the bounding box of the copy's frame laid on it); None for a fit that is not sane."""
    if not sane_fit(fit):
        return None
    inverse = np.linalg.inv(np.vstack([np.asarray(fit, dtype=np.float64), [0.0, 0.0, 1.0]]))
    height, width = copy_shape
    corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]], dtype=np.float64)
    mapped = (inverse @ corners.T)[:2]
    original_h, original_w = original_shape
    left, right = np.clip([mapped[0].min() / original_w, mapped[0].max() / original_w], 0.0, 1.0)
    top, bottom = np.clip([mapped[1].min() / original_h, mapped[1].max() / original_h], 0.0, 1.0)
    if right - left < 0.05 or bottom - top < 0.05:
        return None
    return float(left), float(top), float(right), float(bottom)


def room_for_bars(fit: np.ndarray, original_shape: tuple[int, int],
                  copy_shape: tuple[int, int]) -> dict[str, float] | None:
    """For each side of the copy's frame (top, bottom, left, right), the share of its height or
    width that lies beyond the original's picture laid on it by a sane fit (original → copy): the
    most a bar there can be (below 0: the picture goes on past the edge). None without a sane fit."""
    if not sane_fit(fit):
        return None
    height, width = original_shape
    corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]], dtype=np.float64)
    xs, ys = np.asarray(fit, dtype=np.float64) @ corners.T
    copy_h, copy_w = copy_shape
    return {"top": float(ys.min()) / copy_h, "bottom": 1 - float(ys.max()) / copy_h,
            "left": float(xs.min()) / copy_w, "right": 1 - float(xs.max()) / copy_w}


def _content_size(info: ImageInfo, feature_shape: tuple[int, int] | None) -> tuple[float, float]:
    """(width, height) of the picture inside its bars, in the file's pixels (bars on any sides)."""
    area = max(1.0, info.width * info.height * min(1.0, max(info.content_fraction, 0.01)))
    if not feature_shape or min(feature_shape) < 1:
        return math.sqrt(area * info.width / max(1, info.height)), math.sqrt(area * info.height / max(1, info.width))
    height, width = feature_shape
    return math.sqrt(area * width / height), math.sqrt(area * height / width)


def _same_size(first: tuple[float, float], second: tuple[float, float]) -> bool:
    """Whether two pixel sizes are one (either way round: a turn swaps them)."""
    def close(a, b):
        return abs(a[0] - b[0]) <= max(2.0, 0.01 * a[0]) and abs(a[1] - b[1]) <= max(2.0, 0.01 * a[1])
    return close(first, second) or close(first, second[::-1])


def _geometry_changes(original: ImageInfo, copy: ImageInfo, geometry: Geometry) -> list[Change]:
    """Turn, mirror, small rotation, crop and scale, each only from what was measured."""
    changes: list[Change] = []
    turn_words, mirrored = TURN_WORDS.get(geometry.how, (None, False))
    if turn_words:
        changes.append(Change("rotated", turn_words))
    if mirrored:
        changes.append(Change("mirrored", "mirrored (flipped left to right)"))
    original_size = _content_size(original, geometry.original_shape)
    copy_size = _content_size(copy, geometry.copy_shape)
    fit = geometry.fit if geometry.fit is not None and sane_fit(geometry.fit) else None
    covered = None
    if fit is not None and geometry.original_shape and geometry.copy_shape:
        covered = covered_fraction(fit, geometry.original_shape, geometry.copy_shape)
    if covered is not None:
        angle = -float(np.degrees(np.arctan2(fit[1, 0], fit[0, 0])))
        quarter = QUARTER_WORDS.get(int(round(angle / 90)) % 4) if abs(angle - 90 * round(angle / 90)) <= 1.0 else None
        if quarter:  # a crop turned by a quarter: said as a turn laid whole is
            changes.append(Change("rotated", quarter))
        elif abs(angle) > 1.0:
            changes.append(Change("rotated", f"rotated by {angle:+.0f}° ({'anti' if angle > 0 else ''}clockwise)"))
        if covered < 0.95:
            changes.append(Change("cropped", f"cropped: shows {covered:.0%} of the picture"))
        # the fit is between the whole frames (bars kept), reduced from the files' pixels
        reduction_o = math.sqrt(geometry.original_shape[0] * geometry.original_shape[1] / max(1, original.pixels))
        reduction_c = math.sqrt(geometry.copy_shape[0] * geometry.copy_shape[1] / max(1, copy.pixels))
        scale = float(np.hypot(fit[0, 0], fit[1, 0])) * reduction_o / reduction_c
    elif geometry.how in ("", "aligned by features"):  # no sane fit: the pixel sizes alone
        if not _same_size(original_size, copy_size):
            changes.append(Change("size", f"pixel size {copy.width}×{copy.height} (original "
                                          f"{original.width}×{original.height}); crop not measured"))
        return changes
    else:  # laid whole: the whole picture, at the ratio of the pixel sizes
        scale = math.sqrt(copy_size[0] * copy_size[1] / (original_size[0] * original_size[1]))
    unchanged = _same_size(original_size, copy_size) or _same_size((original.width, original.height),
                                                                    (copy.width, copy.height))
    if unchanged and (covered is None or covered >= 0.95):
        return changes
    if scale < 0.97:
        changes.append(Change("resized", f"resized to {scale:.0%} ({copy.width}×{copy.height} from "
                                         f"{original.width}×{original.height})"))
    elif scale > 1.03:
        changes.append(Change("enlarged", f"enlarged to {scale:.0%} ({copy.width}×{copy.height} from "
                                          f"{original.width}×{original.height})"))
    return changes


def describe(original: ImageInfo, copy: ImageInfo, geometry: Geometry | None,
             original_facts: PictureFacts, copy_facts: PictureFacts, look: Look | None = None,
             pixels_agree: bool = True) -> list[Change]:
    """The changes from ``original`` to ``copy``, each from a measurement.

    Without ``geometry`` (no verdict, no sane fit) only what needs no fit is said: pixel size,
    format, quality, colour, EXIF. ``look`` adds bars, tone, colour and detail claims. When nothing
    was found and the pixels do not agree within JPEG noise (``pixels_agree``), nothing is claimed
    to be the same.
    """
    if copy.content_hash and copy.content_hash == original.content_hash:
        return [Change("identical", "identical file (same bytes)")]
    changes = _geometry_changes(original, copy, geometry or Geometry())
    if look is not None and look.bars.any:
        changes.append(Change("padded", look.bars.words()))
    if copy_facts.monochrome and (original_facts.spread >= 3 * GREY_SPREAD or original_facts.peak >= 6 * GREY_SPREAD):
        changes.append(Change("grayscale", "made black and white"))  # a nearly grey original stays so
    elif look is not None and copy_facts.monochrome:
        changes.extend(Change(kind, text) for kind, text in look.claims if kind in ("brightness", "contrast"))
    elif look is not None:
        changes.extend(Change(kind, text) for kind, text in look.claims if kind in ("brightness", "contrast",
                                                                                    "colour", "saturation"))
    if look is not None:
        changes.extend(Change(kind, text) for kind, text in look.claims if kind in ("blur", "sharpen", "noise", "text",
                                                                                    "orientation"))
    if copy.format != original.format:
        changes.append(Change("format", f"converted from {original.format} to {copy.format}"))
    size_ratio = copy.file.size / max(1, original.file.size)
    if copy.format == original.format and copy_facts.quality is not None and original_facts.quality is not None \
            and copy_facts.quality < original_facts.quality - 3:
        changes.append(Change("recompressed", f"recompressed: JPEG quality about {copy_facts.quality} "
                                              f"(original about {original_facts.quality}), {size_ratio:.0%} of the file size"))
    if original.metadata.has_exif and not copy.metadata.has_exif:
        lost = [name for name, present in (("date taken", original.metadata.date_taken),
                                           ("camera", original.metadata.camera),
                                           ("location", original.metadata.has_gps)) if present]
        changes.append(Change("exif", "EXIF metadata removed" + (f" ({', '.join(lost)})" if lost else "")))
    elif original.metadata.has_gps and not copy.metadata.has_gps:
        changes.append(Change("exif", "location (GPS) removed"))
    if not changes:
        changes.append(Change("same", "same picture, re-saved") if pixels_agree else
                       Change("edited", "edited in a way not named (the pixels differ beyond re-saving)"))
    return changes

"""What a copy changed, measured: scale, crop, rotation, mirror, colour, compression, format, EXIF."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodedup.core.models import ImageInfo
from photodedup.core.safe_open import open_photo
from photodedup.core.verify import Alignment

# The IJG standard luminance quantisation table (JPEG spec, Annex K), quality 50.
_STANDARD_LUMA_SUM = sum((16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
                          56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
                          104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99))


@dataclass(frozen=True)
class Change:
    """One way a copy differs from its original: a kind to count by, and words for a person."""

    kind: str  # identical, resized, enlarged, cropped, rotated, mirrored, grayscale, padded, recompressed, format, exif
    text: str


def jpeg_quality(image: Image.Image) -> int | None:
    """The JPEG quality (1-100, IJG scale) its luminance quantisation table implies, or None."""
    tables = getattr(image, "quantization", None)
    if not tables or 0 not in tables:
        return None
    scale = 100.0 * sum(tables[0]) / _STANDARD_LUMA_SUM  # percent of the quality-50 table
    quality = (200.0 - scale) / 2.0 if scale <= 100 else 5000.0 / scale
    return int(round(min(100.0, max(1.0, quality))))


@dataclass(frozen=True)
class PictureFacts:
    """What the file itself says, beyond the cached ImageInfo: colour and JPEG quality."""

    monochrome: bool
    quality: int | None


def picture_facts(source) -> PictureFacts:
    """Colour and JPEG quality of an image file (a path or a file object); unreadable → neutral facts."""
    try:
        with open_photo(source) as image:  # photo formats only, time and size bounded
            quality = jpeg_quality(image) if image.format in ("JPEG", "MPO") else None
            if image.mode in ("1", "L", "LA", "I", "I;16", "F"):
                return PictureFacts(True, quality)
            image.draft("RGB", (128, 128))
            rgb = np.asarray(image.convert("RGB").resize((64, 64)), dtype=np.int16)
    except Exception:
        return PictureFacts(False, None)
    spread = (rgb.max(axis=2) - rgb.min(axis=2)).mean()
    return PictureFacts(bool(spread < 4.0), quality)


def _covered_fraction(alignment: Alignment, original_shape: tuple[int, int], copy_shape: tuple[int, int]) -> float:
    """Share of the original's picture that the copy shows (1.0: nothing cropped)."""
    matrix = np.vstack([alignment.matrix, [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(matrix)
    height, width = copy_shape
    corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]], dtype=np.float64)
    mapped = (inverse @ corners.T).T[:, :2]  # the copy's corners, in the original's coordinates
    original_h, original_w = original_shape
    left, right = max(0.0, mapped[:, 0].min()), min(float(original_w), mapped[:, 0].max())
    top, bottom = max(0.0, mapped[:, 1].min()), min(float(original_h), mapped[:, 1].max())
    if right <= left or bottom <= top:
        return 0.0
    return (right - left) * (bottom - top) / (original_w * original_h)


def describe(original: ImageInfo, copy: ImageInfo, alignment: Alignment | None,
             original_feature_shape: tuple[int, int] | None, copy_feature_shape: tuple[int, int] | None,
             original_facts: PictureFacts, copy_facts: PictureFacts, mirrored: bool = False) -> list[Change]:
    """The changes from ``original`` to ``copy``, each from a measurement.

    ``alignment`` maps the original's feature image onto the copy's (from local features);
    without one, scale comes from the pixel counts and crop and rotation are not claimed.
    """
    if copy.content_hash and copy.content_hash == original.content_hash:
        return [Change("identical", "identical file (same bytes)")]
    changes: list[Change] = []
    aligned = alignment is not None and alignment.matrix is not None and original_feature_shape and copy_feature_shape
    if aligned:
        # feature images are reductions of the pictures: bring the scale back to full pixels
        original_reduction = original_feature_shape[1] / max(1, original.width * math.sqrt(original.content_fraction))
        copy_reduction = copy_feature_shape[1] / max(1, copy.width * math.sqrt(copy.content_fraction))
        scale = alignment.scale * original_reduction / copy_reduction
        covered = _covered_fraction(alignment, original_feature_shape, copy_feature_shape)
        if covered < 0.93:
            changes.append(Change("cropped", f"cropped: shows {covered:.0%} of the picture"))
        angle = alignment.rotation_degrees
        if abs(angle) > 1.0:
            changes.append(Change("rotated", f"rotated by {-angle:+.0f}°"))
    else:
        scale = math.sqrt(max(copy.picture_pixels, 1) / max(original.picture_pixels, 1))
    if scale < 0.97:
        changes.append(Change("resized", f"resized to {scale:.0%} ({copy.width}×{copy.height} from "
                                         f"{original.width}×{original.height})"))
    elif scale > 1.03:
        changes.append(Change("enlarged", f"enlarged to {scale:.0%} ({copy.width}×{copy.height})"))
    if mirrored:
        changes.append(Change("mirrored", "mirrored (flipped left to right)"))
    if copy.content_fraction < 0.97 <= original.content_fraction:
        changes.append(Change("padded", f"padded with bars (the picture fills {copy.content_fraction:.0%})"))
    if copy_facts.monochrome and not original_facts.monochrome:
        changes.append(Change("grayscale", "made black and white"))
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
        changes.append(Change("same", "same picture, re-saved"))
    return changes

"""What the camera wrote about the moment it took a picture, and whether two files are two such moments.

An edit (resized, recompressed, converted, tone-edited, cropped, watermarked) keeps the camera's
EXIF tags when it keeps any; two frames of an exposure bracket, a focus bracket or a burst carry
the camera's capture data too, and it differs: another ExposureTime or ExposureBiasValue, another
FocusDistance, another SubSecTimeOriginal. So two files that both carry capture data which
differs are two exposures, never a copy and its edit. A file without the tags gives no evidence
(most edits and screenshots carry none): the pixels decide then.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, fields, replace
from datetime import datetime

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.verdict import PixelVerdict

_EXIF_IFD = 0x8769
_TAGS = {  # field: EXIF tag in the Exif IFD
    "taken": 0x9003,  # DateTimeOriginal
    "subsecond": 0x9291,  # SubSecTimeOriginal
    "exposure_time": 0x829A,
    "f_number": 0x829D,
    "iso": 0x8827,  # ISOSpeedRatings / PhotographicSensitivity
    "exposure_bias": 0x9204,
    "focus_distance": 0x9206,  # SubjectDistance
}
RELATIVE_TOLERANCE = 0.005  # a rational rewritten by another program (1/250 as 0.004) is the same


@dataclass(frozen=True)
class CaptureFacts:
    """The camera's record of one exposure; None where the file does not say."""

    taken: str | None = None
    subsecond: str | None = None
    exposure_time: float | None = None
    f_number: float | None = None
    iso: float | None = None
    exposure_bias: float | None = None
    focus_distance: float | None = None

    def says_anything(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


def _value(raw) -> str | float | None:
    if raw is None:
        return None
    if isinstance(raw, (tuple, list)):
        raw = raw[0] if raw else None
        if raw is None:
            return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if isinstance(raw, str):
        text = raw.strip("\x00 ").strip()
        return text or None
    try:
        number = float(raw)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number == number else None  # NaN (0/0): the file does not say


def read_capture(path: str) -> CaptureFacts:
    """The capture facts in a photo's EXIF; empty facts when it has none or can't be read. Read
    once per file version (its path, size and modification time) for all the pairs it is in."""
    try:
        status = os.stat(path)
    except OSError:
        return CaptureFacts()
    return _read_capture(path, status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _read_capture(path: str, size: int, mtime_ns: int) -> CaptureFacts:
    try:
        with open_photo(path) as image:
            if image.format == "PNG" and "exif" not in image.info:
                # An eXIf chunk after the pixels is found only by decoding them all (Pillow's
                # getexif does): 53 ms a PNG, 19 of the 56 s of a cold scan of bench/corpus, for
                # pairs the PNG is in. A re-saved PNG that kept the camera's tags keeps them in front.
                return CaptureFacts()
            exif = image.getexif()
            details = exif.get_ifd(_EXIF_IFD) if exif else {}
    except Exception:  # unreadable or malformed EXIF: the photo simply doesn't say
        return CaptureFacts()
    values = {name: _value(details.get(tag)) for name, tag in _TAGS.items()}
    for name in ("taken", "subsecond"):
        values[name] = str(values[name]) if values[name] is not None else None
    for name in ("exposure_time", "f_number", "iso", "exposure_bias", "focus_distance"):
        if isinstance(values[name], str):
            values[name] = None
    return CaptureFacts(**values)


def _differ(first, second) -> bool:
    if isinstance(first, float) and isinstance(second, float):
        return abs(first - second) > RELATIVE_TOLERANCE * max(abs(first), abs(second), 1e-9)
    return first != second


BURST_SECONDS = 600  # frames of one burst or bracket are seconds apart; a date edited later moves it hours or years


def _moments_apart(first: str, second: str) -> bool:
    """Whether two "taken" times are two moments of one shoot: different, and under BURST_SECONDS
    apart. A copy whose date a photo manager shifted (a time zone: whole hours) or a program
    rewrote (years) is no evidence of a second exposure: the pixels decide then."""
    try:
        apart = abs((datetime.strptime(first, "%Y:%m:%d %H:%M:%S") - datetime.strptime(second, "%Y:%m:%d %H:%M:%S"))
                    .total_seconds())
    except ValueError:
        return False
    return 0 < apart < BURST_SECONDS


def different_exposures(first: CaptureFacts, second: CaptureFacts) -> str:
    """Why two files are two exposures by their capture data ("" when nothing says so): a field
    both carry and that differs. The sub-second only counts with the same second taken."""
    for field in fields(CaptureFacts):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if a is None or b is None:
            continue
        if field.name == "subsecond" and first.taken != second.taken:
            continue  # the seconds already differ, or one of them is unknown
        if field.name == "taken" and not _moments_apart(a, b):
            continue
        if _differ(a, b):
            return f"the camera recorded two exposures ({field.name.replace('_', ' ')} differs)"
    return ""


def two_exposures_veto(verdict: PixelVerdict, paths: tuple[str, str]) -> PixelVerdict:
    """``verdict``, unless both files carry the camera's record of the moment and it differs: then
    they are two exposures (a bracket, a burst, a focus stack), similar shots, however alike their
    pixels (which read a -2 EV frame as a darkened copy). An edit keeps the camera's tags; a file
    without them says nothing (read_capture above). Read only for pairs the pixels call copies."""
    if not verdict.copy:
        return verdict
    reason = different_exposures(read_capture(paths[0]), read_capture(paths[1]))
    return replace(verdict, copy=False) if reason else verdict

"""What a photo's EXIF says: date taken, camera, lens, GPS, for the review and the keeper rules."""

from __future__ import annotations

from typing import BinaryIO

from photodedup.core.models import PhotoMetadata
from photodedup.core.analyse.safe_open import open_photo

# Pillow's complaints about odd metadata (a tag with too many entries, a malformed MPO) are noise
# here: the photo simply doesn't say. They are silenced once for the process by the entry points
# (safe_open.configure_pillow), not here: warnings.catch_warnings() is not thread-safe and this
# runs on the decoding threads.

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_DATETIME_ORIGINAL, _LENS_MODEL = 0x9003, 0xA434


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip("\x00 ").strip() if value is not None else ""


def read_metadata(path: str | BinaryIO) -> PhotoMetadata:
    """The photo's EXIF facts; a file without (readable) EXIF gives empty metadata, never an error."""
    try:
        with open_photo(path) as image:  # photo formats only; a huge PNG text chunk is not read
            exif = image.getexif()
            details = exif.get_ifd(_EXIF_IFD) if exif else {}
            gps = exif.get_ifd(_GPS_IFD) if exif else {}
    except Exception:  # unreadable or malformed EXIF: the photo simply doesn't say
        return PhotoMetadata()
    if not exif:
        return PhotoMetadata()
    make, model = _text(exif.get(_MAKE)), _text(exif.get(_MODEL))
    camera = model if make and model.lower().startswith(make.split()[0].lower()) else f"{make} {model}".strip()
    taken = _text(details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME))
    if len(taken) >= 19 and taken[4] == ":" and taken[7] == ":":
        taken = taken[:4] + "-" + taken[5:7] + "-" + taken[8:]
    return PhotoMetadata(taken[:19], camera, _text(details.get(_LENS_MODEL)), bool(gps), True)

"""What a person put on a photo: rating, label, keywords, caption, people, GPS, date taken ...
read from its EXIF, IPTC and XMP and from its XMP sidecars, with python-exiv2 (libexiv2).

python-exiv2 (PyPI ``exiv2``) was chosen over ``pyexiv2``: its wheels carry libexiv2 0.28, it
reads and writes all three kinds, and it creates a new ``.xmp`` sidecar (``ImageType.xmp``),
which pyexiv2 cannot (it only opens files that already exist). Only this module and
core/trash/sidecar_write.py import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from photodedup.core.analyse.companions import companions_of
from photodedup.core.analyse.safe_open import NotRegularFile, open_regular_file, png_chunks

LIST_FIELDS = ("keywords", "creators", "people", "albums")
FIELD_NAMES = {"rating": "rating", "label": "label", "keywords": "keywords", "title": "title",
               "description": "caption", "creators": "creator", "copyright": "copyright", "people": "people",
               "gps": "GPS", "date_taken": "date taken", "albums": "albums"}


@dataclass
class PhotoTags:
    """The person's metadata of one photo (file and sidecars together); empty when it has none."""

    rating: int | None = None  # 1-5 stars; 0 (unrated) and -1 (rejected) read as None
    label: str = ""
    keywords: list[str] = field(default_factory=list)
    title: str = ""
    description: str = ""
    creators: list[str] = field(default_factory=list)
    copyright: str = ""
    people: list[str] = field(default_factory=list)
    gps: tuple[float, float] | None = None  # latitude, longitude in degrees
    date_taken: str = ""  # YYYY-MM-DD HH:MM:SS
    albums: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return all(not getattr(self, f.name) for f in fields(self))


_SOURCES: dict[str, tuple[str, ...]] = {  # sidecar and XMP first: they hold the newest edits
    "rating": ("Xmp.xmp.Rating", "Exif.Image.Rating"),
    "label": ("Xmp.xmp.Label",),
    "keywords": ("Xmp.dc.subject", "Iptc.Application2.Keywords"),
    "title": ("Xmp.dc.title", "Iptc.Application2.ObjectName"),
    "description": ("Xmp.dc.description", "Iptc.Application2.Caption", "Exif.Image.ImageDescription"),
    "creators": ("Xmp.dc.creator", "Iptc.Application2.Byline", "Exif.Image.Artist"),
    "copyright": ("Xmp.dc.rights", "Iptc.Application2.Copyright", "Exif.Image.Copyright"),
    "people": ("Xmp.iptcExt.PersonInImage",),
    "date_taken": ("Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated", "Exif.Photo.DateTimeOriginal"),
    "albums": ("Xmp.xmpDM.album",),
}
_REGION_NAME = re.compile(r"^Xmp\.(mwg-rs\.Regions/mwg-rs:RegionList\[\d+\]/mwg-rs:Name|"
                          r"MP\.RegionInfo/MPRI:Regions\[\d+\]/MPReg:PersonDisplayName)$")


def exiv2_module():
    """python-exiv2, imported once with its console warnings silenced."""
    import exiv2

    exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)
    return exiv2


def _values(datum) -> list[str]:
    count = datum.count()
    if datum.typeName() in ("XmpBag", "XmpSeq", "XmpAlt", "LangAlt") and count > 0:
        values = [datum.toString(i) for i in range(count)]
    else:
        values = [datum.toString()]
    return [v.strip().strip("\x00").strip() for v in values if v and v.strip().strip("\x00").strip()]


MAX_TEXT_CHUNK = 4 << 20  # a PNG text chunk larger than this is not a person's tags (a 40 MB XMP cost 736 MB)


def _not_for_exiv2(path: str) -> bool:
    """Whether exiv2 must not read ``path``: not a regular file (a FIFO would block it for ever), or a PNG
    holding a text chunk over MAX_TEXT_CHUNK, seen from its chunk headers alone (exiv2 would parse it all:
    the third adversarial pass's 800,000-keyword packet took 7.6 s and 736 MB)."""
    try:
        with open_regular_file(path) as handle:  # never a FIFO put where a photo was
            if handle.read(8) != b"\x89PNG\r\n\x1a\n":
                return False
            return any(kind in (b"iTXt", b"zTXt", b"tEXt") and length > MAX_TEXT_CHUNK
                       for kind, _, length in png_chunks(handle))
    except NotRegularFile:
        return True
    except OSError:
        return False


def _raw(path: str) -> dict[str, list[str]]:
    """Every metadata key of one file (photo or sidecar) with its values; {} when unreadable, or when
    a PNG's text is far larger than tags could be."""
    if _not_for_exiv2(path):
        return {}
    exiv2 = exiv2_module()
    try:
        image = exiv2.ImageFactory.open(path)
        image.readMetadata()
    except Exception:  # unreadable or an unknown format: this file simply doesn't say
        return {}
    found: dict[str, list[str]] = {}
    for data in (image.xmpData(), image.iptcData(), image.exifData()):
        try:
            for datum in data:
                found.setdefault(datum.key(), []).extend(_values(datum))
        except Exception:
            continue
    return found


def _date(text: str) -> str:
    match = re.match(r"(\d{4})[-:](\d\d)[-:](\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?", text)
    if not match:
        return ""
    year, month, day, hour, minute, second = (g or "00" for g in match.groups())
    return f"{year}-{month}-{day} {hour}:{minute}:{second}"


def _xmp_coordinate(text: str) -> float | None:
    match = re.match(r"^\s*(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])\s*$", text)
    if not match:
        return None
    degrees, minutes, seconds, direction = match.groups()
    value = float(degrees) + float(minutes) / 60 + float(seconds or 0) / 3600
    return -value if direction in "SW" else value


def _exif_coordinate(text: str, reference: str) -> float | None:
    try:
        parts = [int(a) / int(b) for a, b in (p.split("/") for p in text.split())]
    except (ValueError, ZeroDivisionError):
        return None
    if len(parts) != 3:
        return None
    value = parts[0] + parts[1] / 60 + parts[2] / 3600
    return -value if reference.strip().upper() in ("S", "W") else value


def _gps(raw: dict[str, list[str]]) -> tuple[float, float] | None:
    if "Xmp.exif.GPSLatitude" not in raw and "Exif.GPSInfo.GPSLatitude" not in raw:
        return None  # no position (most photos): no parsing (0.5 of 7 s of a report, bench/report_speed.py)
    first = lambda key: (raw.get(key) or [""])[0]  # noqa: E731
    latitude, longitude = _xmp_coordinate(first("Xmp.exif.GPSLatitude")), _xmp_coordinate(first("Xmp.exif.GPSLongitude"))
    if latitude is None or longitude is None:
        latitude = _exif_coordinate(first("Exif.GPSInfo.GPSLatitude"), first("Exif.GPSInfo.GPSLatitudeRef"))
        longitude = _exif_coordinate(first("Exif.GPSInfo.GPSLongitude"), first("Exif.GPSInfo.GPSLongitudeRef"))
    if latitude is None or longitude is None:
        return None
    return round(latitude, 6), round(longitude, 6)


def tags_from(raw: dict[str, list[str]]) -> PhotoTags:
    """PhotoTags from one file's keys: the first source that says something wins; lists join."""
    tags = PhotoTags()
    if not raw:  # most files say nothing: 0.15 ms of regular expressions saved a file (bench/report_speed.py)
        return tags
    for name, keys in _SOURCES.items():
        values = [v for key in keys for v in raw.get(key, [])]
        if name == "albums":  # one text in XMP: several albums are written "A; B"
            values = [part.strip() for value in values for part in value.split("; ") if part.strip()]
        if name in LIST_FIELDS:
            setattr(tags, name, list(dict.fromkeys(values)))
        elif values and name == "rating":
            try:
                rating = round(float(values[0]))
            except ValueError:
                rating = 0
            tags.rating = rating if 1 <= rating <= 5 else None
        elif values and name == "date_taken":
            tags.date_taken = next((d for d in map(_date, values) if d), "")
        elif values:
            setattr(tags, name, values[0])
    regions = [v for key, values in raw.items() if _REGION_NAME.match(key) for v in values]
    tags.people = list(dict.fromkeys(tags.people + regions))
    tags.gps = _gps(raw)
    return tags


def combine(newer: PhotoTags, older: PhotoTags) -> PhotoTags:
    """One photo's tags from two places (sidecar over file): lists join, single values from ``newer`` first."""
    result = PhotoTags()
    for f in fields(PhotoTags):
        a, b = getattr(newer, f.name), getattr(older, f.name)
        setattr(result, f.name, list(dict.fromkeys(a + b)) if f.name in LIST_FIELDS else (a or b))
    return result


def read_sidecar_tags(sidecar: str) -> PhotoTags:
    """The tags in one XMP sidecar alone."""
    return tags_from(_raw(sidecar))


def read_tags(photo: str, listing: list[str] | None = None) -> PhotoTags:
    """A photo's tags: its XMP sidecars (``NAME.EXT.xmp`` before ``NAME.xmp``) over its own EXIF/IPTC/XMP
    (``listing``: the folder's companion_names, when the caller has them)."""
    tags = tags_from(_raw(photo))
    sidecars = sorted((c for c in companions_of(photo, listing) if c.kind == "sidecar"),
                      key=lambda c: c.style != "lightroom")
    for sidecar in sidecars:  # Lightroom's first, so darktable's NAME.EXT.xmp ends up newest
        tags = combine(read_sidecar_tags(sidecar.path), tags)
    return tags


def display(tags: PhotoTags, name: str) -> str:
    """One field as the compare table shows it."""
    value = getattr(tags, name)
    if name == "rating":
        return "★" * value if value else ""
    if name == "gps":
        return f"{value[0]:.5f}, {value[1]:.5f}" if value else ""
    if name in LIST_FIELDS:
        return ", ".join(value)
    return value

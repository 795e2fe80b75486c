"""Test photos with real metadata, written by libexiv2 (python-exiv2) as another program would."""

from __future__ import annotations

from pathlib import Path

from conftest import jpeg_bytes, sample


def photo(path: Path, quality: int = 90, name: str = "chelsea") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(sample(name), quality))
    return path


def write_metadata(path: Path, xmp: dict | None = None, iptc: dict | None = None, exif: dict | None = None,
                   sidecar: bool = False) -> Path:
    """Write keys into ``path`` (a photo, or a new/existing .xmp sidecar when ``sidecar``)."""
    import exiv2

    if sidecar and not path.exists():
        image = exiv2.ImageFactory.create(exiv2.ImageType.xmp, str(path))
    else:
        image = exiv2.ImageFactory.open(str(path))
        image.readMetadata()
    for key, value in (xmp or {}).items():
        if isinstance(value, list):
            array = exiv2.XmpArrayValue(exiv2.TypeId.xmpBag)
            for item in value:
                array.read(item)
            image.xmpData()[key] = array
        else:
            image.xmpData()[key] = value
    for key, values in (iptc or {}).items():
        for value in values if isinstance(values, list) else [values]:
            datum = exiv2.Iptcdatum(exiv2.IptcKey(key))
            datum.setValue(value)
            image.iptcData().add(datum)
    for key, value in (exif or {}).items():
        image.exifData()[key] = value
    image.writeMetadata()
    return path


def quicktime_clip(seconds: float, live_photo: bool = True, padding: int = 0) -> bytes:
    """A minimal QuickTime movie: ``ftyp``, then ``moov`` with a movie header of ``seconds`` and, for a Live
    Photo's clip, the key Apple pairs it with its photo by; ``padding`` bytes of media data after it."""
    import struct

    def atom(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(body), kind) + body

    scale = 600
    header = atom(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, scale, round(seconds * scale)) + bytes(80))
    keys = atom(b"keys", b"\0\0\0\0\0\0\0\1" + atom(b"mdta", b"com.apple.quicktime.content.identifier")) if live_photo else b""
    return (atom(b"ftyp", b"qt  \0\0\0\0qt  ") + atom(b"moov", header + atom(b"meta", keys))
            + atom(b"mdat", bytes(padding)))

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

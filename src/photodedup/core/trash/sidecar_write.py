"""Writing a keeper's XMP sidecar atomically: the new sidecar is made beside it under a temporary
name, synced, and only then renamed over it, so a reader (or a crash) sees the old one or the
new one, never half. The keeper's own file is never opened for writing."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass

from photodedup.core.analyse.photo_tags import LIST_FIELDS, PhotoTags, exiv2_module

_KEYS = {"rating": "Xmp.xmp.Rating", "label": "Xmp.xmp.Label", "keywords": "Xmp.dc.subject",
         "title": "Xmp.dc.title", "description": "Xmp.dc.description", "creators": "Xmp.dc.creator",
         "copyright": "Xmp.dc.rights", "people": "Xmp.iptcExt.PersonInImage", "date_taken": "Xmp.exif.DateTimeOriginal",
         "albums": "Xmp.xmpDM.album"}
_LANG_ALT = ("title", "description", "copyright")


@dataclass
class PreparedSidecar:
    """A new sidecar written under a temporary name, not yet in place."""

    path: str
    temporary: str
    old: bytes | None  # the sidecar as it was; None when there was none
    new: bytes


def _coordinate(value: float, positive: str, negative: str) -> str:
    degrees = int(abs(value))
    minutes = (abs(value) - degrees) * 60
    return f"{degrees},{minutes:.6f}{positive if value >= 0 else negative}"


def _array(exiv2, values: list[str], ordered: bool):
    array = exiv2.XmpArrayValue(exiv2.TypeId.xmpSeq if ordered else exiv2.TypeId.xmpBag)
    for value in values:
        array.read(value)
    return array


def _set(xmp, exiv2, values: PhotoTags) -> None:
    for name, key in _KEYS.items():
        value = getattr(values, name)
        if not value:
            continue
        if name == "albums":
            xmp[key] = "; ".join(value)
        elif name in LIST_FIELDS:
            xmp[key] = _array(exiv2, value, ordered=name == "creators")
        elif name in _LANG_ALT:
            xmp[key] = f'lang="x-default" {value}'
        elif name == "date_taken":
            xmp[key] = value.replace(" ", "T")
        else:
            xmp[key] = str(value)
    if values.gps:
        xmp["Xmp.exif.GPSLatitude"] = _coordinate(values.gps[0], "N", "S")
        xmp["Xmp.exif.GPSLongitude"] = _coordinate(values.gps[1], "E", "W")


def _temporary_beside(path: str) -> str:
    """A new, empty file beside ``path`` that nobody else named: created exclusively under a random
    name (never a link planted in advance), with the mode the sidecar has or a new file would get."""
    folder, name = os.path.split(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.photodedup-", suffix=".tmp")
    try:
        try:
            mode = stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(handle, mode)
    finally:
        os.close(handle)
    return temporary


def prepare_sidecar(path: str, values: PhotoTags) -> PreparedSidecar:
    """The sidecar at ``path`` with ``values`` set (lists replace the sidecar's own: pass the union),
    written to a temporary file beside it. Raises OSError, or ValueError for a sidecar that is not XMP
    or that is a link (what it points to is not ours to rewrite)."""
    exiv2 = exiv2_module()
    if os.path.islink(path):
        raise ValueError(f"the sidecar {path} is a link; it was left as it is")
    if os.path.exists(path) and not os.stat(path).st_mode & stat.S_IWUSR:  # root could, but it is not wanted
        raise ValueError(f"the sidecar {path} is read-only; it was left as it is")
    try:
        with open(path, "rb") as handle:
            old: bytes | None = handle.read()
    except FileNotFoundError:
        old = None
    temporary = _temporary_beside(path)
    try:
        if old is None:
            sidecar = exiv2.ImageFactory.create(exiv2.ImageType.xmp, temporary)
        else:
            with open(temporary, "wb") as handle:
                handle.write(old)
            try:
                sidecar = exiv2.ImageFactory.open(temporary)
                sidecar.readMetadata()
            except Exception as error:
                raise ValueError(f"the sidecar {path} is not XMP that can be read ({error}); it was left as it is") from None
        _set(sidecar.xmpData(), exiv2, values)
        try:
            sidecar.writeMetadata()
        except Exception as error:
            raise OSError(f"the sidecar {path} could not be written: {error}") from None
        with open(temporary, "rb+") as handle:
            new = handle.read()
            os.fsync(handle.fileno())
    except BaseException:
        discard_sidecar_temporary(temporary)
        raise
    return PreparedSidecar(path, temporary, old, new)


def commit_sidecar(prepared: PreparedSidecar) -> None:
    """Put the prepared sidecar in place (one rename) and sync its folder."""
    os.replace(prepared.temporary, prepared.path)
    sync_folder(os.path.dirname(os.path.abspath(prepared.path)))


def discard_sidecar_temporary(temporary: str) -> None:
    try:
        os.unlink(temporary)
    except OSError:
        pass


def sync_folder(folder: str) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def put_back(path: str, old: bytes | None) -> None:
    """Return a sidecar to ``old`` (None: remove it), atomically."""
    if old is None:
        os.unlink(path)
    else:
        temporary = _temporary_beside(path)
        try:
            with open(temporary, "wb") as handle:
                handle.write(old)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            discard_sidecar_temporary(temporary)
            raise
    sync_folder(os.path.dirname(os.path.abspath(path)))

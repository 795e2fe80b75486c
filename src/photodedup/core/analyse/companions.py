"""The files that belong to a photo and move with it: XMP sidecars, a Live Photo's video, Takeout JSON.

A companion is never a photo of its own (the scan only lists photo formats). It goes to the
Trash after its photo and comes back with it; a companion that another photo still on disk
also claims (a Lightroom ``IMG_1.xmp`` shared by ``IMG_1.CR2`` and ``IMG_1.JPG``, the video of
a Live Photo whose ``.HEIC`` stays) is never trashed.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from typing import Literal

Kind = Literal["sidecar", "live video", "takeout json"]

LIVE_PHOTO_EXTENSIONS = frozenset({".heic", ".heif", ".jpg", ".jpeg"})
LIVE_VIDEO_EXTENSIONS = frozenset({".mov"})  # an .mp4 beside a photo may be a video of its own
LIVE_VIDEO_MARK = b"com.apple.quicktime.content.identifier"  # pairs the clip with its photo's MakerNote
LIVE_VIDEO_SECONDS = 15.0  # an iPhone's Live Photo clip runs about 3 s; a video of its own runs longer
LIVE_VIDEO_MOOV_LIMIT = 4 << 20  # a clip's movie header is some tens of KB
TAKEOUT_NAME_LIMIT = 46  # Google Takeout cuts a JSON's name (before ".json") to this many characters
TAKEOUT_SUFFIXES = (".supplemental-metadata", "")


@dataclass(frozen=True)
class Companion:
    """A file that belongs to a photo: where it is and what it is."""

    path: str
    kind: Kind
    style: str = ""  # for a sidecar: "darktable" (NAME.EXT.xmp) or "lightroom" (NAME.xmp)


def _could_be_companion(name: str) -> bool:
    extension = os.path.splitext(name)[1].lower()
    return extension == ".xmp" or extension == ".json" or extension in LIVE_VIDEO_EXTENSIONS


def _listing(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder or "."))
    except OSError:
        return []


def companion_names(folder: str) -> list[str]:
    """The names in ``folder`` that could be a photo's companion, sorted: what companions_of needs
    of a folder, to be listed once for many photos (a folder of 10,000 photos and no sidecar gives
    nothing to look through)."""
    return [name for name in _listing(folder) if _could_be_companion(name)]


def _is_takeout_json_of(json_name: str, photo_name: str) -> bool:
    """Whether ``json_name`` is Takeout's JSON for ``photo_name``: ``IMG_1.jpg.json``, a truncated
    ``IMG_1.jp.json``, ``IMG_1.jpg.supplemental-metadata.json`` (or one cut short)."""
    if not json_name.lower().endswith(".json"):
        return False
    base = json_name[:-5]
    numbered = re.match(r"^(.*)(\(\d+\))(\.[^.]+)$", photo_name)  # IMG_1(1).jpg has IMG_1.jpg(1).json
    if numbered and base == numbered.group(1) + numbered.group(3) + numbered.group(2):
        return True
    stem_length = len(os.path.splitext(photo_name)[0])
    for suffix in TAKEOUT_SUFFIXES:
        full = photo_name + suffix
        if base == full:
            return True
        cut = full[:TAKEOUT_NAME_LIMIT]
        if base == cut and len(full) > TAKEOUT_NAME_LIMIT:
            return True
        # a shorter cut that still names the extension's start (IMG_1.jp.json)
        if suffix == "" and full.startswith(base) and len(base) >= stem_length + 2:
            return True
        if suffix and base.startswith(photo_name + ".") and full.startswith(base):
            return True
    return False


def _top_level_atoms(handle, size: int):
    """(type, offset of the body, length of the body) of a QuickTime file's top-level atoms."""
    offset = 0
    while offset + 8 <= size:
        handle.seek(offset)
        length, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if length == 1:
            length, header = struct.unpack(">Q", handle.read(8))[0], 16
        elif length == 0:
            length = size - offset
        if length < header:
            return
        yield kind, offset + header, length - header
        offset += length


def _movie_seconds(moov: bytes) -> float | None:
    """The duration its ``mvhd`` gives, or None."""
    at = moov.find(b"mvhd")
    if at < 0 or len(moov) < at + 32:
        return None
    version = moov[at + 4]
    if version == 1:
        if len(moov) < at + 40:
            return None
        scale, duration = struct.unpack(">IQ", moov[at + 24:at + 36])
    else:
        scale, duration = struct.unpack(">II", moov[at + 16:at + 24])
    return duration / scale if scale else None


def is_live_photo_video(path: str) -> bool:
    """Whether ``path`` is a Live Photo's clip, not a video that only shares the photo's name: its movie
    header carries Apple's content identifier and it runs a few seconds. A frame exported from a two-minute
    ``clip.mov`` as ``clip.jpg`` must never take the video to the Trash with it (third adversarial pass)."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            for kind, body, length in _top_level_atoms(handle, size):
                if kind == b"moov" and length <= LIVE_VIDEO_MOOV_LIMIT:
                    handle.seek(body)
                    moov = handle.read(length)
                    seconds = _movie_seconds(moov)
                    return LIVE_VIDEO_MARK in moov and seconds is not None and seconds <= LIVE_VIDEO_SECONDS
    except (OSError, struct.error):
        return False
    return False


def companions_of(photo: str, listing: list[str] | None = None) -> list[Companion]:
    """The companions of ``photo`` that exist in its folder (``listing``: the folder's names, or its
    companion_names, if known)."""
    folder, name = os.path.split(photo)
    stem, extension = os.path.splitext(name)
    names = companion_names(folder) if listing is None else listing
    found: list[Companion] = []
    for other in names:
        if other == name:
            continue
        lower = other.lower()
        other_stem, other_extension = os.path.splitext(other)
        kind: Kind | None = None
        style = ""
        if other_extension.lower() == ".xmp" and other_stem == name:
            kind, style = "sidecar", "darktable"
        elif other_extension.lower() == ".xmp" and other_stem == stem:
            kind, style = "sidecar", "lightroom"
        elif (other_extension.lower() in LIVE_VIDEO_EXTENSIONS and other_stem == stem
              and extension.lower() in LIVE_PHOTO_EXTENSIONS):
            kind = "live video"
        elif lower.endswith(".json") and _is_takeout_json_of(other, name):
            kind = "takeout json"
        if kind is not None:
            path = os.path.join(folder, other)
            if (os.path.isfile(path) and not os.path.islink(path)
                    and (kind != "live video" or is_live_photo_video(path))):
                found.append(Companion(path, kind, style))
    return found


def claimants(companion: Companion, photo_extensions: frozenset[str], listing: list[str] | None = None) -> list[str]:
    """Every photo in the companion's folder (scanned or not) that claims it as its own."""
    folder = os.path.dirname(companion.path)
    names = _listing(folder) if listing is None else listing
    owners = []
    companion_stem = os.path.splitext(os.path.basename(companion.path))[0]
    for name in names:
        stem, extension = os.path.splitext(name)
        if (companion.style == "lightroom" and stem == companion_stem and extension.lower() not in photo_extensions
                and extension.lower() not in (".xmp", ".json")
                and not (extension.lower() in LIVE_VIDEO_EXTENSIONS and is_live_photo_video(os.path.join(folder, name)))):
            owners.append(os.path.join(folder, name))  # clip.xmp beside clip.mp4 is the video's too
            continue
        if extension.lower() not in photo_extensions:
            continue
        if any(c.path == companion.path for c in companions_of(os.path.join(folder, name), names)):
            owners.append(os.path.join(folder, name))
    return owners


def travelling_companions(photo: str, photo_extensions: frozenset[str] | None = None) -> tuple[list[Companion], list[tuple[Companion, str]]]:
    """The companions that go with ``photo`` to the Trash, and those that stay, each with why
    (another photo that is still there claims it too)."""
    if photo_extensions is None:
        from photodedup.core.analyse.scan import supported_extensions

        photo_extensions = supported_extensions()
    folder = os.path.dirname(photo)
    names = _listing(folder)
    going, staying = [], []
    for companion in companions_of(photo, names):
        others = [p for p in claimants(companion, photo_extensions, names) if os.path.basename(p) != os.path.basename(photo)]
        if others:
            staying.append((companion, f"{os.path.basename(others[0])} still uses it"))
        else:
            going.append(companion)
    return going, staying


def sidecar_style_in(folder: str, photo_extensions: frozenset[str] | None = None) -> str:
    """The sidecar naming a folder already uses: "lightroom" if its sidecars are all ``NAME.xmp``,
    otherwise "darktable" (``NAME.EXT.xmp``, also the default for a folder without sidecars)."""
    if photo_extensions is None:
        from photodedup.core.analyse.scan import supported_extensions

        photo_extensions = supported_extensions()
    names = _listing(folder)
    styles = set()
    for name in names:
        stem, extension = os.path.splitext(name)
        if extension.lower() != ".xmp":
            continue
        if os.path.splitext(stem)[1].lower() in photo_extensions:
            styles.add("darktable")
        elif any(os.path.splitext(n)[0] == stem and os.path.splitext(n)[1].lower() in photo_extensions for n in names):
            styles.add("lightroom")
    return "lightroom" if styles == {"lightroom"} else "darktable"


def sidecar_for(photo: str, photo_extensions: frozenset[str] | None = None) -> str:
    """The XMP sidecar that holds ``photo``'s edits: the existing one, or the name the folder's
    convention gives (``NAME.EXT.xmp`` unless the folder uses ``NAME.xmp``)."""
    existing = [c for c in companions_of(photo) if c.kind == "sidecar"]
    for style in ("darktable", "lightroom"):
        for companion in existing:
            if companion.style == style:
                return companion.path
    if sidecar_style_in(os.path.dirname(photo), photo_extensions) == "lightroom":
        return os.path.splitext(photo)[0] + ".xmp"
    return photo + ".xmp"

"""Whether a kept file can stand for a file that goes to the Trash: it must hold all the person would lose.

A copy goes to the Trash only beside a "witness", a kept file it is a copy of. Being a copy (the
pixels agree) is not enough: the witness must also hold as much of the picture. It is not one
if it has
- fewer picture pixels (under 90%: a thumbnail, a crop, a half-size export; a letterbox's bars
  don't count as picture, a re-save keeps them all);
- lost the colour (a black-and-white copy of a colour photo), or the colours (a GIF or palette
  PNG of at most 256 colours, for a file in full colour);
- lost the camera's own file (a RAW is witnessed only by a RAW; a phone's HEIC/HEIF, whose JPEG
  is what it is converted to and never the other way, only by a HEIC/HEIF or a RAW).

The same rules decide what the review and the report suggest (``why_not_witness`` with the facts
the scan already has: size, format, RAW) and what the trash accepts (``why_not_witness`` with
``look`` measuring colour and palette from the files): the trash never moves what the person was
not shown as a copy of something kept, whichever way the plan reached it (the window, a report).
An adversarial pass (docs/RELIABILITY.md case 51) had the window move a full-size original kept
only by a protected quarter-size copy, and the scan suggest a colour original beside two grey
copies, a HEIC beside its JPEG and a photo beside its GIF.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from photodedup.core.analyse.raw import is_raw
from photodedup.core.models import ImageInfo

SHARE = 0.9  # of the picture pixels a witness must hold: a re-save holds them all; a 95% crop is still a witness
HEIF_FORMATS = frozenset({"HEIF", "AVIF"})
HEIF_EXTENSIONS = frozenset({".heic", ".heif", ".avif", ".hif"})
GIF_FORMATS = frozenset({"GIF"})  # a format that holds 256 colours at most, whatever the file


@dataclass(frozen=True)
class Look:
    """What only the pixels tell: black and white, or at most 256 colours (a palette)."""

    monochrome: bool = False
    palette: bool = False


def why_not_witness(kept: ImageInfo, gone: ImageInfo, look: Callable[[ImageInfo], Look] | None = None,
                    shown: Callable[[ImageInfo], float | None] | None = None) -> str | None:
    """Why ``kept`` can't stand for ``gone`` (a clause: "it holds more of the picture than …"), or None when it can.

    Without ``look`` only the scan's facts are used (pixels, format, RAW); with it, colour and palette
    too; with ``shown`` (the share of ``gone``'s picture ``kept`` shows, measured by a fit), a crop
    scaled back to the original's size, which has all its pixels and not all its picture.
    """
    if is_raw(gone.file.path) and not is_raw(kept.file.path):
        return "it is a RAW and the file kept is not"
    if _is_heif(gone) and not (_is_heif(kept) or is_raw(kept.file.path)):
        return "it is the camera's HEIC and the file kept is a conversion"
    if kept.picture_pixels < SHARE * gone.picture_pixels:
        return (f"it holds more of the picture than the file kept ({gone.width}×{gone.height} against "
                f"{kept.width}×{kept.height})")
    if kept.format in GIF_FORMATS and gone.format not in GIF_FORMATS:
        return "it is in full colour and the file kept has 256 colours at most"
    share = shown(kept) if shown is not None else None
    if share is not None and share < SHARE:
        return f"it shows more of the picture: the file kept shows {share:.0%} of it"
    if look is None:
        return None
    kept_look, gone_look = look(kept), look(gone)
    if kept_look.monochrome and not gone_look.monochrome:
        return "it is in colour and the file kept is black and white"
    if kept_look.palette and not gone_look.palette:
        return "it is in full colour and the file kept has 256 colours at most"
    return None


def first_witness_gap(kept: list[ImageInfo], gone: ImageInfo, look: Callable[[ImageInfo], Look] | None = None,
                      shown: Callable[[ImageInfo], float | None] | None = None) -> tuple[list[ImageInfo], str | None]:
    """The kept files that can stand for ``gone``, and (when none can) the first one's reason."""
    reasons = [(info, why_not_witness(info, gone, look, shown)) for info in kept]
    witnesses = [info for info, reason in reasons if reason is None]
    return witnesses, (None if witnesses or not reasons else reasons[0][1])


def _is_heif(info: ImageInfo) -> bool:
    return info.format.upper() in HEIF_FORMATS or os.path.splitext(info.file.path)[1].lower() in HEIF_EXTENSIONS

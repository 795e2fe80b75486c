"""Camera RAW files: the JPEG preview the camera embedded is what photodedup looks at.

A RAW is never demosaiced for scanning. Every common RAW format (CR2, CR3, NEF, ARW, ORF,
RW2, RAF, DNG, PEF, SRW) carries at least one JPEG the camera rendered: a thumbnail and,
in most, a full- or near-full-size preview. The largest one that opens is used.
"""

from __future__ import annotations

import io

from PIL import Image

RAW_EXTENSIONS = frozenset({".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf", ".rw2",
                            ".raf", ".dng", ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".rwl", ".mrw", ".erf"})
_SOI = b"\xff\xd8\xff"
_MAX_CANDIDATES = 64
_HEADER_BYTES = 256 * 1024


class NoPreviewError(ValueError):
    """The RAW file holds no embedded JPEG that opens."""


def is_raw(path: str) -> bool:
    dot = path.rfind(".")
    return dot >= 0 and path[dot:].lower() in RAW_EXTENSIONS


def embedded_preview(data: bytes) -> bytes:
    """The bytes of the largest embedded JPEG (by pixels) in a RAW file's contents."""
    best: tuple[int, int] | None = None  # (pixels, start)
    start = data.find(_SOI)
    tried = 0
    while start >= 0 and tried < _MAX_CANDIDATES:
        if start + 3 < len(data) and 0xC0 <= data[start + 3] <= 0xFE:  # SOI, then a real marker
            tried += 1
            try:  # the header (up to the frame size) is all Image.open reads
                with Image.open(io.BytesIO(data[start:start + _HEADER_BYTES]), formats=("JPEG",)) as image:
                    # ">=": of two starts that lead to one picture, the later is its real start
                    if image.format == "JPEG" and (best is None or image.width * image.height >= best[0]):
                        best = (image.width * image.height, start)
            except Exception:  # not a JPEG after all (the marker bytes occur in other data too)
                pass
        start = data.find(_SOI, start + 3)
    if best is None:
        raise NoPreviewError("no embedded JPEG preview in this RAW file")
    # Everything from its start: the decoder stops at the preview's own end marker (the
    # first FFD9 after the start may belong to a thumbnail inside the preview's EXIF).
    return data[best[1]:]

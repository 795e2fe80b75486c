"""What a file's colours and format say about whether it is an original or a conversion, for the
keeper rules (review/keeper.py): whether its colours are a tint of grey (a colour-graded copy of a
grey picture, whose colour follows its tone), whether it holds at most PALETTE_COLOURS colours (a
GIF or a quantised PNG, which has lost the rest), and whether it is in a camera's own format
(HEIC/HEIF, which conversions are made from), and whether its EXIF names an editing program.

Each file's answer is kept in the cache's ``verifications`` table under its content hash, so a
rescan decodes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.measures import (KEEPER_METHOD, KeeperFacts, VerificationStore, keeper_facts_of, keeper_header,
                                             reduced_rgb)

FORMAT_METHOD = "keeper-format-v5"
# Formats a camera writes its own pictures in (RAW is told by the file name: analyse.raw.is_raw).
NATIVE_FORMATS = frozenset({"HEIF"})
PALETTE_COLOURS = 256  # a GIF's or an 8-bit PNG's most
# Formats whose files may hold a palette: a JPEG's or a HEIC's decoding never gives so few colours.
PALETTE_FORMATS = frozenset({"GIF", "PNG", "BMP", "TIFF", "WEBP"})
TINT_SIDE = 256  # the tint is measured on the picture reduced to this long side
TONE_STEP = 2  # grey levels per bin of tone
# A coloured file is a tint of grey when the colour left once its tone is known (the root mean
# square, over the pixels, of each pixel's offset from grey less the mean offset at its tone) is
# under TINT_LEVELS grey levels, or under TINT_LEVELS_STRONG and TINT_SHARE of its colour's
# variance (a strong tint whose JPEG noise is larger). Measured at 256 px: the colour-graded copies
# of the grey bench/corpus and corpus-s11 pictures "ColdRipple" and "Grey" leave 0.68-1.96 levels
# and 0.006-0.012 of their variance, a cold grade of "chelsea" made grey (tests) 1.93 and 0.07;
# colour photos leave 2.44-2.93 when one hue runs through them (the dusk of "DarkestHour", share
# 0.027-0.040), 2.86 ("Wood", share 0.61), else 4.7 ("Blinds") to 45 ("Garden").
TINT_LEVELS = 2.2
TINT_LEVELS_STRONG = 4.0
TINT_SHARE = 0.02
# Words in an EXIF Software tag (0x0131) naming a program that edits and exports photos, not a
# camera's or a phone's firmware (which write their model or version: "Digital Camera X-T3
# Ver3.00", "17.1", "G991BXXU5CVF3"). Lightroom, darktable, Photos and their kin copy the camera's
# EXIF into an export and write their own name there.
EDITORS = ("photoshop", "lightroom", "darktable", "gimp", "capture one", "luminar", "affinity", "pixelmator",
           "snapseed", "rawtherapee", "acdsee", "paint.net", "picasa", "dxo photolab", "dxo optics", "on1 ", "polarr", "vsco", "digikam",
           "shotwell", "photoscape", "fotor", "canva", "picsart", "photo editor", "photos ")


@dataclass(frozen=True)
class FormatFacts:
    """A file's colour left once its tone is known (grey levels; 0 for a grey file) and that as a
    share of its colour's variance, whether it holds at most PALETTE_COLOURS colours while not
    being grey, and whether its EXIF names an editing program as the software that wrote it."""

    tint: float = 99.0
    tint_share: float = 1.0
    palette: bool = False
    edited: bool = False  # its EXIF Software tag names an editing program (EDITORS)
    stored_upright: bool = False  # its pixels are stored taller than wide (before any EXIF orientation)

    @property
    def tinted_grey(self) -> bool:
        return self.tint < TINT_LEVELS or (self.tint < TINT_LEVELS_STRONG and self.tint_share < TINT_SHARE)

    def code(self) -> int:
        share = min(9999, round(self.tint_share * 10000))
        flags = int(self.palette) + 2 * int(self.edited) + 4 * int(self.stored_upright)
        return (flags * 10000 + share) * 100000 + min(99999, round(self.tint * 100))

    @classmethod
    def from_code(cls, code: int) -> "FormatFacts":
        head, tint = divmod(code, 100000)
        flags, share = divmod(head, 10000)
        return cls(tint / 100, share / 10000, bool(flags & 1), bool(flags & 2), bool(flags & 4))


def tint_of(rgb: np.ndarray) -> tuple[float, float]:
    """The colour of a picture left once its tone is known: each pixel's offset from its grey
    (R, G and B less the luma), less the mean offset of the pixels of its tone (TONE_STEP bins),
    as a root mean square. A tint (sepia, a cold or warm grade of a grey picture) gives each tone
    one colour: near 0. A colour photo has colours of every hue at every tone. Also that colour's
    share of the variance of the offsets (1.0 for a grey picture, which has none)."""
    values = rgb.reshape(-1, 3).astype(np.float64)
    luma = values @ np.array([0.299, 0.587, 0.114])
    offsets = values - luma[:, None]
    bins = np.clip((luma / TONE_STEP).astype(int), 0, 255 // TONE_STEP)
    counts = np.maximum(np.bincount(bins, minlength=256 // TONE_STEP), 1)
    column_means = offsets.mean(axis=0)
    left = total = 0.0
    for c in range(3):  # channel by channel, summed in the order a sum over each pixel's three takes (the same
        column = offsets[:, c]  # figures; 3.3 ms at 256 px where the (N, 3) arrays took 4.9)
        off_tone = column - (np.bincount(bins, column, minlength=counts.size) / counts)[bins]
        off_mean = column - column_means[c]
        left, total = left + off_tone * off_tone, total + off_mean * off_mean
    left, total = float(left.mean()), float(total.mean())
    return float(np.sqrt(left)), (left / total if total > 1e-9 else 1.0)


def measure_format(path: str) -> FormatFacts:
    """A file's tint (from a reduced decode), for formats that may hold a palette whether it holds
    at most PALETTE_COLOURS colours (from the full picture: a reduction would mix new ones), and
    whether its EXIF names an editing program, and the shape its pixels are stored in."""
    with open_photo(path) as image:
        header = format_header(image)
        rgb = reduced_rgb(image)
    return format_facts_of(header, rgb)


def format_header(image: Image.Image) -> tuple[bool, bool, bool]:
    """(palette, edited, stored upright) of an open file, before it is decoded reduced."""
    edited, stored_upright = _edited(image), image.height > image.width
    palette = False
    if image.format in PALETTE_FORMATS:
        colours = image.convert("RGB").getcolors(PALETTE_COLOURS)
        palette = colours is not None and any(r != g or g != b for _, (r, g, b) in colours)
    return palette, edited, stored_upright


def format_facts_of(header: tuple[bool, bool, bool], rgb: Image.Image) -> FormatFacts:
    """FormatFacts from format_header and measures.reduced_rgb."""
    rgb = rgb.copy()
    rgb.thumbnail((TINT_SIDE, TINT_SIDE), Image.Resampling.BOX)
    tint, share = tint_of(np.asarray(rgb))
    return FormatFacts(round(tint, 2), round(share, 4), *header)


def keeper_and_format_facts(path: str, content_hash: str, store: VerificationStore) -> tuple[KeeperFacts, FormatFacts]:
    """measures.keeper_facts and format_facts of a file, from the cache, or measured from one open and one
    reduced decode for both (and cached): the keeper's rules ask both of most files they compare, and a
    second decode was 25 ms a file (8% of a cold scan's CPU on bench/corpus-speed)."""
    known = [store.lookup_verification(content_hash, content_hash, method) for method in (KEEPER_METHOD, FORMAT_METHOD)]
    if known[0] is not None and known[1] is not None:
        return KeeperFacts.from_code(known[0]), FormatFacts.from_code(known[1])
    try:
        with open_photo(path) as image:
            headers = keeper_header(image, path), format_header(image)
            rgb = reduced_rgb(image)
    except Exception:  # unreadable here: no evidence either way
        return (KeeperFacts.from_code(known[0]) if known[0] is not None else KeeperFacts(),
                FormatFacts.from_code(known[1]) if known[1] is not None else FormatFacts())
    measured = keeper_facts_of(headers[0], rgb), format_facts_of(headers[1], rgb)
    for method, facts, was in zip((KEEPER_METHOD, FORMAT_METHOD), measured, known):
        if was is None:
            store.store_verification(content_hash, content_hash, method, facts.code())
    return KeeperFacts.from_code(measured[0].code()), FormatFacts.from_code(measured[1].code())  # as a rescan reads them


def _edited(image: Image.Image) -> bool:
    try:
        software = image.getexif().get(0x0131)
    except Exception:  # malformed EXIF: it says nothing
        return False
    if isinstance(software, bytes):
        software = software.decode("latin-1")
    return isinstance(software, str) and any(word in software.lower() + " " for word in EDITORS)


def format_facts(path: str, content_hash: str, store: VerificationStore) -> FormatFacts:
    """measure_format, from the cache or measured (and cached); neutral (colour, no palette) if unreadable."""
    known = store.lookup_verification(content_hash, content_hash, FORMAT_METHOD)
    if known is not None:
        return FormatFacts.from_code(known)
    try:
        measured = measure_format(path)
    except Exception:  # unreadable here: no evidence either way
        return FormatFacts()
    store.store_verification(content_hash, content_hash, FORMAT_METHOD, measured.code())
    return measured

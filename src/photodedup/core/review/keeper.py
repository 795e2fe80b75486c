"""Suggest which file of a group to keep; the rest are suggested for trash.

The keeper is chosen by an ordered list of rules: the first rule that tells two files
apart decides. The order is configurable (``ScanOptions.keeper_rules``, ``--keeper-rules``);
DEFAULT_RULES is what most libraries want.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from photodedup.core.match.origin import UPSCALE_MAX, UPSCALE_MIN, enhanced, holds_more, sharper
from photodedup.core.match.origin_extent import CROP_OF_OUTER, NONE
from photodedup.core.match.origin_format import NATIVE_FORMATS, PALETTE_FORMATS
from photodedup.core.models import ImageInfo
from photodedup.core.review.keeper_context import (PIXEL_TOLERANCE, KeeperContext, PixelEvidence,  # noqa: F401
                                                   frame_fractions, pixel_class)
from photodedup.core.review.policy import in_folders
from photodedup.core.analyse.raw import is_raw

def _colour(info: ImageInfo, context: KeeperContext) -> int:
    """0 for a colour file, 1 for a grey one, 2 for one whose colour is a tint of grey (origin_format.
    FormatFacts.tinted_grey: its colour follows its tone, as a sepia or a cold grade of a grey
    picture): colour first, then the grey file, which holds all a tint does but a curve from tone to
    colour. A grey or tinted file is never the original of a colour photo, however many grey copies
    the group holds (an adversarial pass kept one of two black-and-white copies over the colour
    original in 10 of 10 groups when a majority of grey files decided). Measured: the colour-graded
    copies of bench/corpus "ColdRipple" and "Grey" (grey photos) leave 0.75-2.3 grey levels of
    colour beyond their tone, colour photos 11 ("Kite", a blue sky) to 45."""
    if context.facts(info).monochrome:
        return 1
    return 2 if context.format(info).tinted_grey else 0


def _palette(info: ImageInfo, context: KeeperContext) -> bool:
    """Whether a file holds at most 256 colours (a GIF, a quantised PNG) while not grey: it lost
    the others, so it is never the original of a full-colour file of its picture. Only formats that
    may hold a palette are decoded (origin_format.PALETTE_FORMATS). An adversarial pass kept a
    256-colour GIF or PNG (counted lossless, quality 100) over the JPEG original in 10 of 10 pairs
    where the original carried no camera EXIF."""
    return info.format in PALETTE_FORMATS and context.format(info).palette


def _native(info: ImageInfo) -> bool:
    """Whether a file is in a camera's own format (HEIC/HEIF) with the camera's EXIF: what a phone
    writes, and what its JPEG conversions ("Most Compatible", an import) are made from. An
    adversarial pass had the iPhone's HEIC lose "quality" to its JPEG conversion at q85-95 in 12 of
    12 pairs (a HEIC states no quality). Without camera EXIF a HEIC is no evidence (a conversion)."""
    return info.format in NATIVE_FORMATS and info.metadata.has_exif and bool(info.metadata.camera)


def _exported(info: ImageInfo, context: KeeperContext) -> bool:
    """Whether a file's EXIF Software tag names an editing program (origin_format.EDITORS): an export
    from Lightroom, darktable or Photos keeps the camera's EXIF (so "original" ties) and writes its
    own name there; a camera writes its firmware. Only JPEGs and HEICs with camera EXIF are read (the
    others are no camera file either way). An adversarial pass had such a graded export of the
    camera's size, at q100 or at the camera's q90, kept over the camera file in 20 and 14 of 20
    pairs (by "quality", then "tones"). Metadata is no proof: a copy whose tag was rewritten ties,
    and the rules after decide."""
    if info.format not in ("JPEG", "MPO", "HEIF") or not (info.metadata.has_exif and info.metadata.camera):
        return False
    return context.format(info).edited


def _better_quality(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> int:
    """-1 or 1 for the file of the higher JPEG quality (5-point steps; lossless counts as 100), 0
    when either is a camera's HEIC/HEIF: it states no quality (measures.LOSSY_UNKNOWN_QUALITY is a
    guess), and an unknown quality must not lose to a stated one. A lossy WebP keeps the guess: a
    web format, not a camera's; tied, the WebP copies of bench/corpus "sunset" and "Wine" (seed 7)
    and "TwoWings" and "Wine" (seed 11) won "tones" over their JPEG originals."""
    if any(i.format in NATIVE_FORMATS and context.facts(i).quality != 100 for i in (first, second)):
        return 0
    a, b = (RULES["quality"][1](i, context) for i in (first, second))
    return (a > b) - (a < b)


def _tag_turned(info: ImageInfo, context: KeeperContext) -> int:
    """0: turned by the EXIF orientation tag as a camera writes it (with its make and model); 1: no
    tag (stored as shown); 2: turned by a tag without camera EXIF, as a viewer's "rotate" writes
    it on a copy. A re-save that turned the pixels loses to the camera's file; a tag a program
    added loses to the file as it was. Measured: the EXIF-rotated copies of bench/corpus tied the
    original on every other rule and won by their size in 24 of 113 groups."""
    if not context.turned_by_tag(info):
        return 1
    return 0 if info.metadata.has_exif and info.metadata.camera else 2


ASPECT_TOLERANCE = 0.03  # pictures whose shapes differ by more are measured for "whole" whatever their sizes


def _whole(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> int:
    """Of two files one of which holds the other's whole picture inside a larger one (origin_extent):
    the outer one when what lies around continues the picture (the other is a crop of it), the inner
    one when the outer is made around it (a caption band, a printed frame with a note, a viewer's
    window, a collage: a seam all along a side). Measured only for files of one orientation whose
    shapes differ (a crop of another shape, a composite, bars) or of one size (a crop exported at
    its original's size). The fourth adversarial pass had the full photo lose "pixels" to a crop exported
    at its size (18 of 18) and to a composite holding it whole (20 of 20 with the upscale below);
    on its files this finds the crop in 18 of 18 and the composite in 16 of 16 (a seam needs a plain
    margin beyond it: crops whose edge ran along a horizon or a window sill were taken for pasted)."""
    evidence = context.evidence
    if evidence.orientation(first.file.path) != evidence.orientation(second.file.path):
        return 0
    shapes = [math.log(i.width / max(i.height, 1)) for i in (first, second)]
    same_size = pixel_class(first, context.fraction(first)) == pixel_class(second, context.fraction(second))
    if abs(shapes[0] - shapes[1]) <= ASPECT_TOLERANCE and not same_size:
        return 0
    code = context.extent(first, second)
    second_in_first, first_in_second = code % 10, code // 10
    if (second_in_first == NONE) == (first_in_second == NONE):
        return 0  # neither holds the other (or each seems to: no evidence)
    outer, inner, code, sign = (first, second, second_in_first, -1) if second_in_first != NONE else \
        (second, first, first_in_second, 1)
    if code != CROP_OF_OUTER:
        return -sign  # the inner one: the outer is made around it
    return 0 if context.only_fill_more(outer, inner) else sign  # around it lies only a turned canvas's fill


def _pixel_order(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> tuple[int, Callable[[], bool] | None]:
    """(-1 or 1 for the file with more picture pixels (3% steps), 0 if none; None, or what tells
    whether it really holds more: at the scales an upscale is told at, whether it holds detail
    beyond what the other can (origin.holds_more, a full-size decode), else it ties; under them,
    KeeperContext.holds_more_picture)."""
    pixels = [i.width * i.height * context.fraction(i) for i in (first, second)]
    classes = [pixel_class(i, context.fraction(i)) for i in (first, second)]
    if classes[0] == classes[1]:
        return 0, None
    larger = 0 if classes[0] < classes[1] else 1
    scale = math.sqrt(pixels[larger] / max(pixels[1 - larger], 1.0))
    sign = -1 if larger == 0 else 1
    pair = (first, second)
    if UPSCALE_MIN <= scale <= UPSCALE_MAX:
        return sign, lambda: holds_more(context.origin(pair[larger]), scale)
    if scale < UPSCALE_MIN:
        return sign, lambda: context.holds_more_picture(pair[larger], pair[1 - larger], scale)
    return sign, None


def _more_pixels(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> int:
    """-1 or 1 for the file with more picture pixels (3% steps), unless it holds no detail beyond
    what the other can (origin.holds_more): an upscale of the other (or both soft) ties, 0."""
    sign, holds = _pixel_order(first, second, context)
    return 0 if holds is not None and not holds() else sign


def _size_and_quality_differ(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> bool:
    """Whether two files are of one size and of different JPEG qualities: what "not-enhanced" and
    "detail" look at, standing in front of "quality" (files of one quality are left to the rules
    after it, and the full-size measure is taken of the few files this leaves). JPEGs only: a lossy
    WebP or HEIC states no quality (measures.LOSSY_UNKNOWN_QUALITY is a guess)."""
    if first.format not in ("JPEG", "MPO") or second.format not in ("JPEG", "MPO"):
        return False
    if pixel_class(first, context.fraction(first)) != pixel_class(second, context.fraction(second)):
        return False
    return RULES["quality"][1](first, context) != RULES["quality"][1](second, context)


def _more_detail(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> int:
    """Of two files of one size, the one holding clearly more fine detail (origin.sharper): a blurred
    copy saved at a higher quality loses."""
    if not _size_and_quality_differ(first, second, context):
        return 0
    return sharper(context.origin(first), context.origin(second))


def _not_enhanced(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> int:
    """Of two files of one size, the one not sharpened and contrast-boosted from the other
    (origin.enhanced): such a copy would win "detail" and, saved at a high quality, "quality"."""
    if not _size_and_quality_differ(first, second, context):
        return 0
    return enhanced(context.origin(first), context.origin(second))


def _turned(info: ImageInfo, context: KeeperContext) -> bool:
    """Whether a file lies otherwise than the group's original orientation (_original_orientation)."""
    if not context.evidence.laid:
        return False
    return context.evidence.orientation(info.file.path) != _original_orientation(context)


def _original_orientation(context: KeeperContext) -> str:
    """The orientation of the camera's files (camera EXIF) stored wider than tall, when the others
    with camera EXIF lie otherwise and are stored taller than wide (origin_format.FormatFacts.
    stored_upright): a camera stores its sensor's shape and shows a portrait by an EXIF tag, so a
    file with its EXIF stored taller had its pixels turned by a program. Else the orientation most
    files share (a copy turned or mirrored on its own). An adversarial pass got two copies turned
    90° in the pixels (EXIF kept) to outvote the camera file in 5 of 5 groups; two copies mirrored
    the same way still do (5 of 5): nothing in a mirrored file tells it from the original."""
    if not context.orientation:
        evidence = context.evidence
        usual = evidence.usual_orientation()
        cameras = [i for i in context.members if i.metadata.has_exif and i.metadata.camera]
        if len({evidence.orientation(i.file.path) for i in cameras}) > 1:
            wide = {evidence.orientation(i.file.path) for i in cameras if not context.format(i).stored_upright}
            tall = {evidence.orientation(i.file.path) for i in cameras if context.format(i).stored_upright}
            if len(wide) == 1 and tall and not wide & tall:
                usual = wide.pop()
        context.orientation.append(usual)
    return context.orientation[0]


# Rules that compare two files (the rest give each file a key): rule name → (first, second) → -1, 0, 1.
PAIRWISE: dict[str, Callable[[ImageInfo, ImageInfo, KeeperContext], int]] = {
    "whole": _whole, "pixels": _more_pixels, "not-enhanced": _not_enhanced, "detail": _more_detail,
    "quality": _better_quality,
}


def _unpadded(info: ImageInfo, context: KeeperContext) -> int:
    """The share of picture (not bars) in 2% steps: trimming is approximate. Measured: bench/corpus-s11
    "Wood-split-b" trimmed its original to 0.5234 and its resized copy to 0.524, and the copy won."""
    return -round(context.fraction(info) * 50)


# name → (what it means, key: smaller is better)
RULES: dict[str, tuple[str, Callable[[ImageInfo, KeeperContext], object]]] = {
    "protected": ("keep files in protected folders", lambda i, c: not in_folders(i.file.path, c.protected)),
    "raw": ("keep RAW over JPEG and other rendered files", lambda i, c: not is_raw(i.file.path)),
    "whole": ("keep the whole photo over a crop of it exported at its size, and over a composite made around it "
              "(a caption band, a frame with a note, a screenshot, a collage)", lambda i, c: 0),
    "pixels": ("keep the most pixels (an upscale holding no more detail than the other doesn't count)",
               lambda i, c: pixel_class(i, c.fraction(i))),
    "no-padding": ("keep the one without padding bars", _unpadded),
    "upright": ("keep the camera file stored in its sensor's shape over a copy turned in the pixels, else the "
                "file in the orientation the others share over a turned or mirrored copy", _turned),
    "colour": ("keep colour over a grey copy, and a grey picture over a tinted copy (a tint is no colour)", _colour),
    "full-colour": ("keep a full-colour file over a copy of 256 colours or fewer (a GIF, a quantised PNG)", _palette),
    "original": ("keep the camera original over an export without camera EXIF (EXIF on a re-save of another file "
                 "counts for nothing)", lambda i, c: not (i.metadata.has_exif and i.metadata.camera) or i.file.path in c.resaves),
    "native": ("keep the camera's own HEIC/HEIF over a conversion of it", lambda i, c: not _native(i)),
    "unedited": ("keep a file over an export whose EXIF names the editing program that wrote it", _exported),
    "as-stored": ("keep the camera's file turned by its EXIF tag, else the file stored as shown over one a "
                  "program turned by a tag", _tag_turned),
    "not-resaved": ("keep the JPEG over a re-save of it: a PNG or TIFF with its exact pixels, or a JPEG encoded "
                    "again from it at a higher quality", lambda i, c: i.file.path in c.resaves),
    "not-enhanced": ("keep the file over a copy of its size sharpened and contrast-boosted (sharper, more clipped)",
                     lambda i, c: 0),
    "detail": ("keep the sharper of two files of one size over a blurred or round-tripped copy",
               lambda i, c: 0),
    "quality": ("keep the higher JPEG quality (lossless counts as best)", lambda i, c: -round(c.facts(i).quality / 5)),
    "central": ("keep the file the others differ from least: edits each move away from the original",
                lambda i, c: round(c.evidence.spread.get(i.file.path, 0.0), 1)),
    "tones": ("keep the widest range of tones over a brightened, darkened or contrast-changed copy",
              lambda i, c: -round(c.facts(i).tones, 1)),
    "oldest-taken": ("keep the oldest date taken", lambda i, c: i.metadata.date_taken or "9999"),
    "largest-file": ("keep the largest file", lambda i, c: -i.file.size),
    "oldest-file": ("keep the oldest file", lambda i, c: i.file.mtime_ns),
    "shortest-path": ("keep the shortest path", lambda i, c: (len(i.file.path), i.file.path)),
}
DEFAULT_RULES = ("protected", "raw", "whole", "pixels", "no-padding", "upright", "colour", "full-colour", "original",
                 "native", "unedited", "as-stored", "not-resaved", "not-enhanced", "detail", "quality", "central", "tones",
                 "oldest-taken", "largest-file", "oldest-file", "shortest-path")


# Rules that compare files of one size only: two files tied on "pixels" though one has more (an
# upscale and its source, or a soft original and its resized copy) are told apart by their metadata
# and dates, not by the JPEG quality or the bytes an upscale saved at a high quality has more of,
# nor by "central" and "tones", which can't tell a picture from itself resized. Measured: on
# bench/corpus-s11 "Wine" and "Dune" (soft originals tied with their resized copies) the resized
# copy was the more central by 0.1 grey level.
SAME_SIZE_ONLY = frozenset({"quality", "central", "tones", "largest-file"})


def check_rules(rules: Sequence[str]) -> list[str]:
    """The rules, validated; unknown names raise ValueError listing the known ones."""
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"unknown keeper rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
    return list(rules)


def keeper_key(info: ImageInfo, context: KeeperContext, rules: Sequence[str] = DEFAULT_RULES) -> tuple:
    """Sort key of a file as a keeper: smaller is better. The path comes last, so ties are stable."""
    return tuple(RULES[name][1](info, context) for name in rules) + (info.file.path,)


def choose_keeper(infos: Sequence[ImageInfo], protected: Sequence[str] = (),
                  rules: Sequence[str] = DEFAULT_RULES, resaves: frozenset[str] = frozenset(),
                  evidence: PixelEvidence | None = None) -> int:
    """Position in ``infos`` of the suggested keeper."""
    if not infos:
        raise ValueError("a group needs at least one file")
    context = KeeperContext(tuple(protected), frozenset(resaves), evidence or PixelEvidence(), {}, tuple(infos))
    # Protection is a rule, not a preference: whatever order the person chose, a file in a
    # protected folder is suggested before any other.
    rules = ("protected", *(rule for rule in rules if rule != "protected"))
    # Rule by rule, so what is costly to measure is measured only for files still tied.
    known: dict[tuple[int, str], object] = {}

    def value(position: int, rule: str) -> object:
        if (position, rule) not in known:
            known[position, rule] = RULES[rule][1](infos[position], context)
        return known[position, rule]

    def compare(first: int, second: int, start: int = 0, skip: str = "") -> int:
        for at in range(start, len(rules)):
            rule = rules[at]
            if rule == skip or rule in SAME_SIZE_ONLY and value(first, "pixels") != value(second, "pixels"):
                continue
            if rule == "pixels":  # the full-size measure of an upscale only where it can change the answer
                sign, holds = _pixel_order(infos[first], infos[second], context)
                if sign and holds is not None:
                    rest = sign if _sides_with(first, second, at + 1, sign) else compare(first, second, at + 1)
                    return sign if rest == sign or holds() else rest
                if sign:
                    return sign
                continue
            if rule in PAIRWISE:
                decided = PAIRWISE[rule](infos[first], infos[second], context)
                if decided:
                    return decided
                continue
            a, b = value(first, rule), value(second, rule)
            if a != b:
                return -1 if a < b else 1
        a, b = infos[first].file.path, infos[second].file.path
        return (a > b) - (a < b)

    def _sides_with(first: int, second: int, start: int, sign: int) -> bool:
        """Whether compare(first, second, start) is ``sign`` whatever the smaller file's colour: a
        larger file in full colour can only win "colour", so when the rules without it side with
        the larger, so do all (the smaller's reduced decode is spared: 13 ms a file, 0.2 s of a cold
        scan of bench/corpus-speed, whose half-size copies sit at UPSCALE_MAX)."""
        return ("colour" in rules[start:] and value(first if sign < 0 else second, "colour") == 0
                and compare(first, second, start, skip="colour") == sign)

    # The pairwise rules need not be transitive (an upscale ties with its source on "pixels" and
    # may lose to it later while beating a third file on "pixels"), so the keeper is the file that
    # beats the most others, the first by the rules among those: with per-file keys alone that is
    # the minimum, as before. Measured: bench/corpus-s11 "Dune" kept a watermarked copy that lost
    # to the original, having beaten the resized copy that beat it.
    beaten = [sum(compare(position, other) < 0 for other in range(len(infos)) if other != position)
              for position in range(len(infos))]
    most = max(beaten)
    return min((p for p in range(len(infos)) if beaten[p] == most), key=functools.cmp_to_key(compare))

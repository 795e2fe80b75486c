"""Suggest which file of a group to keep; the rest are suggested for trash.

The keeper is chosen by an ordered list of rules: the first rule that tells two files
apart decides. The order is configurable (``ScanOptions.keeper_rules``, ``--keeper-rules``);
DEFAULT_RULES is what most libraries want.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from photodedup.core.match.measures import KeeperFacts
from photodedup.core.match.origin import UPSCALE_MAX, UPSCALE_MIN, OriginFacts, enhanced, holds_more, sharper
from photodedup.core.models import ImageInfo
from photodedup.core.review.policy import in_folders
from photodedup.core.analyse.raw import is_raw

PIXEL_TOLERANCE = 1.03  # picture sizes within 3% count as equal (trimmed bars are approximate)


def pixel_class(info: ImageInfo, content_fraction: float | None = None) -> int:
    """Most picture pixels (padding bars don't count), in 3% steps."""
    pixels = info.picture_pixels if content_fraction is None else info.width * info.height * content_fraction
    return -round(math.log(max(pixels, 1)) / math.log(PIXEL_TOLERANCE))


def frame_fractions(infos: Sequence[ImageInfo], framed: dict[str, float] | None = None) -> dict[str, float]:
    """Each file's share of picture (not bars): the largest measured among the files of its group
    with the same frame (width × height, either way round). Bars a copy adds change its frame (a
    letterboxed copy is square), so files of one picture in one frame hold it at one size, and an
    edge the trimming took for a bar in one of them (a dark or plain border that a contrast change
    made less plain in another) is picture in all. Measured: on bench/corpus seed 11 the original
    of "TwoWings" trimmed to 0.928 and its contrast copy to 1.0, and the copy was kept for its
    pixels; "Wood" on seed 7 the same. ``framed``: each file's share inside nested uniform frames
    (origin.framed_fraction), which the trimming, taking one plain border at a time, doesn't see."""
    widest: dict[tuple[int, int], float] = {}
    for info in infos:
        frame = (min(info.width, info.height), max(info.width, info.height))
        inside = min(info.content_fraction, (framed or {}).get(info.file.path, 1.0))
        widest[frame] = max(widest.get(frame, 0.0), inside)
    return {info.file.path: widest[min(info.width, info.height), max(info.width, info.height)] for info in infos}


@dataclass(frozen=True)
class PixelEvidence:
    """What the pixels say about a group's files: how each lies over the group's seed (a
    verify.TURNS name, "aligned by features"; the seed itself is absent) and each file's
    measures.KeeperFacts (grey, JPEG quality, tonal range) and origin.OriginFacts (frames, detail)."""

    laid: dict[str, str] = field(default_factory=dict)
    facts: dict[str, KeeperFacts] = field(default_factory=dict)  # filled by ``measure`` as asked
    measure: Callable[[str], KeeperFacts] | None = None
    spread: dict[str, float] = field(default_factory=dict)  # median grey difference to the others (central)
    origins: dict[str, OriginFacts] = field(default_factory=dict)  # filled by ``measure_origin`` as asked
    measure_origin: Callable[[str], OriginFacts] | None = None
    measure_frame: Callable[[str], float] | None = None  # origin.frame_of: the share inside nested frames

    def orientation(self, path: str) -> str:
        how = self.laid.get(path, "as is")
        return "as is" if how in ("", "aligned by features") else how

    def usual_orientation(self) -> str:
        """The orientation most files share relative to the seed: the original's, as most edits keep it."""
        counts: dict[str, int] = {"as is": 1}  # the seed's own
        for path in self.laid:
            counts[self.orientation(path)] = counts.get(self.orientation(path), 0) + 1
        return max(sorted(counts), key=lambda how: (counts[how], how == "as is"))


@dataclass(frozen=True)
class KeeperContext:
    """What the rules know beyond each file: protected folders, files measured to be lossless
    re-saves of another file of their group (a PNG holding a JPEG's exact pixels), and what the
    pixel comparison measured."""

    protected: Sequence[str] = ()
    resaves: frozenset[str] = frozenset()
    evidence: PixelEvidence = field(default_factory=PixelEvidence)
    fractions: dict[str, float] = field(default_factory=dict)  # frame_fractions of the group, filled when first asked
    members: Sequence[ImageInfo] = ()
    contenders: list[ImageInfo] = field(default_factory=list)  # the files "colour" counts: those still tied before it
    _usual: list[bool] = field(default_factory=list)

    def fraction(self, info: ImageInfo) -> float:
        if not self.fractions and self.members:
            measure = self.evidence.measure_frame
            framed = {i.file.path: measure(i.file.path) for i in self.members} if measure is not None else None
            self.fractions.update(frame_fractions(self.members, framed))
        return self.fractions.get(info.file.path, info.content_fraction)

    def origin(self, info: ImageInfo) -> OriginFacts:
        """A file's OriginFacts, measured only when first needed (neutral without a measure)."""
        path = info.file.path
        if path not in self.evidence.origins:
            if self.evidence.measure_origin is None:
                return OriginFacts()
            self.evidence.origins[path] = self.evidence.measure_origin(path)
        return self.evidence.origins[path]

    def usually_grey(self) -> bool:
        """Whether most of the files still tied before the rule "colour" are grey (measured once,
        only when a grey file meets a coloured one there): then the picture itself is grey and a
        coloured file is a tinted copy. Measured: bench/corpus "ColdRipple" and "Grey" are grey
        photos whose colour-graded copy won "colour over grey"."""
        if not self._usual:
            counted = self.contenders or self.members
            greys = sum(self.facts(info).monochrome for info in counted)
            self._usual.append(2 * greys > len(counted))
        return self._usual[0]

    def facts(self, info: ImageInfo) -> KeeperFacts:
        """A file's KeeperFacts, measured only when a rule first needs them."""
        path = info.file.path
        if path not in self.evidence.facts:
            if self.evidence.measure is None:
                return KeeperFacts()
            self.evidence.facts[path] = self.evidence.measure(path)
        return self.evidence.facts[path]


@dataclass(eq=False)
class _Greyness:
    """A file's place under "colour": colour first, unless most files still tied are grey (then
    grey first). That majority is measured only when a grey file meets a coloured one."""

    monochrome: bool
    context: "KeeperContext"

    def _key(self) -> bool:
        return not self.monochrome if self.context.usually_grey() else self.monochrome

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Greyness) and self.monochrome == other.monochrome

    def __lt__(self, other: "_Greyness") -> bool:
        return self.monochrome != other.monochrome and self._key() < other._key()

    __hash__ = None


def _grey(info: ImageInfo, context: KeeperContext) -> _Greyness:
    """A grey copy of a colour picture, or a coloured copy of a grey one."""
    return _Greyness(context.facts(info).monochrome, context)


def _tag_turned(info: ImageInfo, context: KeeperContext) -> int:
    """0: turned by the EXIF orientation tag as a camera writes it (with its make and model); 1: no
    tag (stored as shown); 2: turned by a tag without camera EXIF, as a viewer's "rotate" writes
    it on a copy. A re-save that turned the pixels loses to the camera's file; a tag a program
    added loses to the file as it was. Measured: the EXIF-rotated copies of bench/corpus tied the
    original on every other rule and won by their size in 24 of 113 groups."""
    if not context.facts(info).turned_by_tag:
        return 1
    return 0 if info.metadata.has_exif and info.metadata.camera else 2


def _pixel_order(first: ImageInfo, second: ImageInfo, context: KeeperContext) -> tuple[int, Callable[[], bool] | None]:
    """(-1 or 1 for the file with more picture pixels (3% steps), 0 if none; None, or what tells
    whether it really holds more: at the scales an upscale is told at, whether it holds detail
    beyond what the other can (origin.holds_more, a full-size decode), else it ties)."""
    pixels = [i.width * i.height * context.fraction(i) for i in (first, second)]
    classes = [pixel_class(i, context.fraction(i)) for i in (first, second)]
    if classes[0] == classes[1]:
        return 0, None
    larger = 0 if classes[0] < classes[1] else 1
    scale = math.sqrt(pixels[larger] / max(pixels[1 - larger], 1.0))
    sign = -1 if larger == 0 else 1
    if UPSCALE_MIN <= scale <= UPSCALE_MAX:
        return sign, lambda: holds_more(context.origin((first, second)[larger]), scale)
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


# Rules that compare two files (the rest give each file a key): rule name → (first, second) → -1, 0, 1.
PAIRWISE: dict[str, Callable[[ImageInfo, ImageInfo, KeeperContext], int]] = {
    "pixels": _more_pixels, "not-enhanced": _not_enhanced, "detail": _more_detail,
}


def _unpadded(info: ImageInfo, context: KeeperContext) -> int:
    """The share of picture (not bars) in 2% steps: trimming is approximate. Measured: bench/corpus-s11
    "Wood-split-b" trimmed its original to 0.5234 and its resized copy to 0.524, and the copy won."""
    return -round(context.fraction(info) * 50)


def _turned(info: ImageInfo, context: KeeperContext) -> bool:
    if not context.evidence.laid:
        return False
    return context.evidence.orientation(info.file.path) != context.evidence.usual_orientation()


# name → (what it means, key: smaller is better)
RULES: dict[str, tuple[str, Callable[[ImageInfo, KeeperContext], object]]] = {
    "protected": ("keep files in protected folders", lambda i, c: not in_folders(i.file.path, c.protected)),
    "raw": ("keep RAW over JPEG and other rendered files", lambda i, c: not is_raw(i.file.path)),
    "pixels": ("keep the most pixels (an upscale holding no more detail than the other doesn't count)",
               lambda i, c: pixel_class(i, c.fraction(i))),
    "no-padding": ("keep the one without padding bars", _unpadded),
    "upright": ("keep the file in the orientation the others share over a turned or mirrored copy",
                lambda i, c: _turned(i, c)),
    "colour": ("keep colour over a grey copy (a grey picture over a tinted copy)", _grey),
    "original": ("keep the camera original over an export without camera EXIF",
                 lambda i, c: not (i.metadata.has_exif and i.metadata.camera)),
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
DEFAULT_RULES = ("protected", "raw", "pixels", "no-padding", "upright", "colour", "original", "as-stored", "not-resaved",
                 "not-enhanced", "detail", "quality", "central", "tones", "oldest-taken", "largest-file", "oldest-file", "shortest-path")


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

    if "colour" in rules:  # the files "colour" will compare: those tied with the best before it
        before = rules[:rules.index("colour")]
        best = min(range(len(infos)), key=lambda p: tuple(value(p, rule) for rule in before))
        context.contenders.extend(infos[p] for p in range(len(infos)) if all(value(p, r) == value(best, r) for r in before))

    def compare(first: int, second: int, start: int = 0) -> int:
        for at in range(start, len(rules)):
            rule = rules[at]
            if rule in SAME_SIZE_ONLY and value(first, "pixels") != value(second, "pixels"):
                continue
            if rule == "pixels":  # the full-size measure of an upscale only where it can change the answer
                sign, holds = _pixel_order(infos[first], infos[second], context)
                if sign and holds is not None:
                    rest = compare(first, second, at + 1)
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

    # The pairwise rules need not be transitive (an upscale ties with its source on "pixels" and
    # may lose to it later while beating a third file on "pixels"), so the keeper is the file that
    # beats the most others, the first by the rules among those: with per-file keys alone that is
    # the minimum, as before. Measured: bench/corpus-s11 "Dune" kept a watermarked copy that lost
    # to the original, having beaten the resized copy that beat it.
    beaten = [sum(compare(position, other) < 0 for other in range(len(infos)) if other != position)
              for position in range(len(infos))]
    most = max(beaten)
    return min((p for p in range(len(infos)) if beaten[p] == most), key=functools.cmp_to_key(compare))


LOSSLESS_FORMATS = frozenset({"PNG", "TIFF", "BMP", "WEBP"})  # WebP may be lossless; the pixels tell


def resave_candidates(infos: Sequence[ImageInfo]) -> list[tuple[ImageInfo, ImageInfo]]:
    """(lossless file, JPEG) pairs of equal size in a group: the lossless one may be a re-save."""
    jpegs = [i for i in infos if i.format in ("JPEG", "MPO")]
    return [(other, jpeg) for other in infos if other.format in LOSSLESS_FORMATS
            for jpeg in jpegs if (other.width, other.height) == (jpeg.width, jpeg.height)]

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
from photodedup.core.models import ImageInfo
from photodedup.core.review.policy import in_folders
from photodedup.core.analyse.raw import is_raw

PIXEL_TOLERANCE = 1.03  # picture sizes within 3% count as equal (trimmed bars are approximate)


def pixel_class(info: ImageInfo, content_fraction: float | None = None) -> int:
    """Most picture pixels (padding bars don't count), in 3% steps."""
    pixels = info.picture_pixels if content_fraction is None else info.width * info.height * content_fraction
    return -round(math.log(max(pixels, 1)) / math.log(PIXEL_TOLERANCE))


def frame_fractions(infos: Sequence[ImageInfo]) -> dict[str, float]:
    """Each file's share of picture (not bars): the largest measured among the files of its group
    with the same frame (width × height, either way round). Bars a copy adds change its frame (a
    letterboxed copy is square), so files of one picture in one frame hold it at one size, and an
    edge the trimming took for a bar in one of them (a dark or plain border that a contrast change
    made less plain in another) is picture in all. Measured: on bench/corpus seed 11 the original
    of "TwoWings" trimmed to 0.928 and its contrast copy to 1.0, and the copy was kept for its
    pixels; "Wood" on seed 7 the same."""
    widest: dict[tuple[int, int], float] = {}
    for info in infos:
        frame = (min(info.width, info.height), max(info.width, info.height))
        widest[frame] = max(widest.get(frame, 0.0), info.content_fraction)
    return {info.file.path: widest[min(info.width, info.height), max(info.width, info.height)] for info in infos}


@dataclass(frozen=True)
class PixelEvidence:
    """What the pixels say about a group's files: how each lies over the group's seed (a
    verify.TURNS name, "aligned by features"; the seed itself is absent) and each file's
    measures.KeeperFacts (grey, JPEG quality, tonal range)."""

    laid: dict[str, str] = field(default_factory=dict)
    facts: dict[str, KeeperFacts] = field(default_factory=dict)  # filled by ``measure`` as asked
    measure: Callable[[str], KeeperFacts] | None = None
    spread: dict[str, float] = field(default_factory=dict)  # median grey difference to the others (central)

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
    fractions: dict[str, float] = field(default_factory=dict)  # frame_fractions of the group
    members: Sequence[ImageInfo] = ()  # the files "colour" counts: those still tied before it
    _usual: list[bool] = field(default_factory=list)

    def fraction(self, info: ImageInfo) -> float:
        return self.fractions.get(info.file.path, info.content_fraction)

    def usually_grey(self) -> bool:
        """Whether most of the files still tied before the rule "colour" are grey (measured once,
        only when a grey file meets a coloured one there): then the picture itself is grey and a
        coloured file is a tinted copy. Measured: bench/corpus "ColdRipple" and "Grey" are grey
        photos whose colour-graded copy won "colour over grey"."""
        if not self._usual:
            greys = sum(self.facts(info).monochrome for info in self.members)
            self._usual.append(2 * greys > len(self.members))
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


def _turned(info: ImageInfo, context: KeeperContext) -> bool:
    if not context.evidence.laid:
        return False
    return context.evidence.orientation(info.file.path) != context.evidence.usual_orientation()


# name → (what it means, key: smaller is better)
RULES: dict[str, tuple[str, Callable[[ImageInfo, KeeperContext], object]]] = {
    "protected": ("keep files in protected folders", lambda i, c: not in_folders(i.file.path, c.protected)),
    "raw": ("keep RAW over JPEG and other rendered files", lambda i, c: not is_raw(i.file.path)),
    "pixels": ("keep the most pixels", lambda i, c: pixel_class(i, c.fraction(i))),
    "no-padding": ("keep the one without padding bars", lambda i, c: -c.fraction(i)),
    "upright": ("keep the file in the orientation the others share over a turned or mirrored copy",
                lambda i, c: _turned(i, c)),
    "colour": ("keep colour over a grey copy (a grey picture over a tinted copy)", _grey),
    "original": ("keep the camera original over an export without camera EXIF",
                 lambda i, c: not (i.metadata.has_exif and i.metadata.camera)),
    "as-stored": ("keep the camera's file turned by its EXIF tag, else the file stored as shown over one a "
                  "program turned by a tag", _tag_turned),
    "not-resaved": ("keep the JPEG over a lossless re-save of it (a PNG or TIFF with the JPEG's exact pixels)",
                    lambda i, c: i.file.path in c.resaves),
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
                 "quality", "central", "tones", "oldest-taken", "largest-file", "oldest-file", "shortest-path")


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
    contenders: list[ImageInfo] = []
    context = KeeperContext(tuple(protected), frozenset(resaves), evidence or PixelEvidence(),
                            frame_fractions(infos), contenders)
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
        contenders += [infos[p] for p in range(len(infos)) if all(value(p, r) == value(best, r) for r in before)]

    def compare(first: int, second: int) -> int:
        for rule in rules:
            a, b = value(first, rule), value(second, rule)
            if a != b:
                return -1 if a < b else 1
        a, b = infos[first].file.path, infos[second].file.path
        return (a > b) - (a < b)

    return min(range(len(infos)), key=functools.cmp_to_key(compare))


LOSSLESS_FORMATS = frozenset({"PNG", "TIFF", "BMP", "WEBP"})  # WebP may be lossless; the pixels tell


def resave_candidates(infos: Sequence[ImageInfo]) -> list[tuple[ImageInfo, ImageInfo]]:
    """(lossless file, JPEG) pairs of equal size in a group: the lossless one may be a re-save."""
    jpegs = [i for i in infos if i.format in ("JPEG", "MPO")]
    return [(other, jpeg) for other in infos if other.format in LOSSLESS_FORMATS
            for jpeg in jpegs if (other.width, other.height) == (jpeg.width, jpeg.height)]

"""What the keeper rules (review/keeper.py) know of a group: each file's share of picture, what
the pixel comparison and each file's own measures say (PixelEvidence), and the context the rules
read them through (KeeperContext), each measure taken only when a rule first needs it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from photodedup.core.match.measures import KeeperFacts
from photodedup.core.match.origin import OriginFacts, upscaled_from
from photodedup.core.match.origin_format import FormatFacts
from photodedup.core.models import ImageInfo
from photodedup.core.review.witness import SHARE

PIXEL_TOLERANCE = 1.03  # picture sizes within 3% count as equal (trimmed bars are approximate)
# Under this scale (on a side) a smaller file holds at least witness.SHARE of a larger one's pixels, so it
# may stand for it in the Trash: there the larger is never called an upscale of it. A soft camera JPEG
# beside its 0.95-0.96x web export sharpened by an unsharp mask measured as "upscaled" in 8 of 9 made
# pairs (chelsea, astronaut, coffee; three masks), and the export was kept and the original marked.
UPSCALED_FROM_MIN = 1 / math.sqrt(SHARE)


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
    measures.KeeperFacts (grey, JPEG quality, tonal range), origin.OriginFacts (frames, detail) and
    origin_format.FormatFacts (a tint of grey, a palette)."""

    laid: dict[str, str] = field(default_factory=dict)
    facts: dict[str, KeeperFacts] = field(default_factory=dict)  # filled by ``measure`` as asked
    measure: Callable[[str], KeeperFacts] | None = None
    spread: dict[str, float] = field(default_factory=dict)  # median grey difference to the others (central)
    origins: dict[str, OriginFacts] = field(default_factory=dict)  # filled by ``measure_origin`` as asked
    measure_origin: Callable[[str], OriginFacts] | None = None
    measure_frame: Callable[[str], float] | None = None  # origin.frame_of: the share inside nested frames
    formats: dict[str, FormatFacts] = field(default_factory=dict)  # filled by ``measure_format`` as asked
    measure_format: Callable[[str], FormatFacts] | None = None  # origin_format.format_facts
    extents: dict[tuple[str, str], int] = field(default_factory=dict)  # filled by ``measure_extent`` as asked
    measure_extent: Callable[[str, str], int] | None = None  # origin_extent.extent_of
    tags: dict[str, bool] = field(default_factory=dict)  # filled by ``measure_tag`` as asked
    measure_tag: Callable[[str], bool] | None = None  # KeeperFacts.turned_by_tag from the header alone
    fills: dict[str, float] = field(default_factory=dict)  # filled by ``measure_fill`` as asked
    measure_fill: Callable[[str], float] | None = None  # origin_fill.fill_of: a turned canvas's filled corners
    resizes: dict[tuple[str, str], bool] = field(default_factory=dict)  # filled by ``measure_resize`` as asked
    measure_resize: Callable[[str, str], bool] | None = None  # origin_scale.same_extent_of (larger, smaller)

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
    orientation: list[str] = field(default_factory=list)  # the original orientation, once found (keeper._turned)

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

    def format(self, info: ImageInfo) -> FormatFacts:
        """A file's FormatFacts, measured only when first needed (neutral without a measure)."""
        path = info.file.path
        if path not in self.evidence.formats:
            if self.evidence.measure_format is None:
                return FormatFacts()
            self.evidence.formats[path] = self.evidence.measure_format(path)
        return self.evidence.formats[path]

    def extent(self, first: ImageInfo, second: ImageInfo) -> int:
        """origin_extent.extent_of two files, measured only when first needed (0: no evidence)."""
        pair = (first.file.path, second.file.path)
        if pair not in self.evidence.extents:
            if self.evidence.measure_extent is None:
                return 0
            self.evidence.extents[pair] = self.evidence.measure_extent(*pair)
        return self.evidence.extents[pair]

    def turned_by_tag(self, info: ImageInfo) -> bool:
        """KeeperFacts.turned_by_tag, from the facts if measured, else from the file's header alone
        (``measure_tag``: the same flag without the reduced decode the facts need)."""
        path, evidence = info.file.path, self.evidence
        if path in evidence.facts or evidence.measure_tag is None:
            return self.facts(info).turned_by_tag
        if path not in evidence.tags:
            evidence.tags[path] = evidence.measure_tag(path)
        return evidence.tags[path]

    def fill(self, info: ImageInfo) -> float:
        """origin_fill.fill_of a file (the share of its canvas filled around a turned picture),
        measured only when first needed (0.0 without a measure)."""
        path = info.file.path
        if path not in self.evidence.fills:
            if self.evidence.measure_fill is None:
                return 0.0
            self.evidence.fills[path] = self.evidence.measure_fill(path)
        return self.evidence.fills[path]

    def same_extent(self, larger: ImageInfo, smaller: ImageInfo) -> bool:
        """origin_scale.same_extent_of two files (the smaller the larger's whole extent resized),
        measured only when first needed (False without a measure)."""
        pair = (larger.file.path, smaller.file.path)
        if pair not in self.evidence.resizes:
            if self.evidence.measure_resize is None:
                return False
            self.evidence.resizes[pair] = self.evidence.measure_resize(*pair)
        return self.evidence.resizes[pair]

    def only_fill_more(self, larger: ImageInfo, smaller: ImageInfo) -> bool:
        """Whether a file's extra pixels are the filled corners of a canvas it was turned on (origin_fill):
        its picture less them is of the other's size or smaller. Around its picture it holds no more of it."""
        fill = self.fill(larger)
        return bool(fill) and larger.width * larger.height * self.fraction(larger) * (1 - fill) <= \
            smaller.width * smaller.height * self.fraction(smaller) * PIXEL_TOLERANCE

    def holds_more_picture(self, larger: ImageInfo, smaller: ImageInfo, scale: float) -> bool:
        """Whether a file under UPSCALE_MIN times larger (``scale``, on a side) than another of its
        picture holds more of it: not when its extra pixels are the filled corners of a canvas it was
        turned on (only_fill_more), nor, from UPSCALED_FROM_MIN, when it is the other's whole extent
        resized (origin_scale) and an upscale of it (origin.upscaled_from: a screenshot at 110-125%).
        The fifth adversarial pass had such a turned copy kept over the camera original in 12 of 12
        pairs, such a screenshot in 8 of 8."""
        if self.only_fill_more(larger, smaller):
            return False
        if scale < UPSCALED_FROM_MIN:
            return True
        return not (self.same_extent(larger, smaller) and upscaled_from(self.origin(larger), self.origin(smaller)))

    def facts(self, info: ImageInfo) -> KeeperFacts:
        """A file's KeeperFacts, measured only when a rule first needs them."""
        path = info.file.path
        if path not in self.evidence.facts:
            if self.evidence.measure is None:
                return KeeperFacts()
            self.evidence.facts[path] = self.evidence.measure(path)
        return self.evidence.facts[path]

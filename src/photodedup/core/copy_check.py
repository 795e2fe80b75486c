"""The copy check: for each photo in "my originals", its copies in the "look in" folders.

Chains the same stages as dedupe.py, differently: both sides are analysed (and cached)
as in a scan, then each "look in" photo is queried against an index of the originals only,
so an original's own near-duplicates inside the archive are never reported. Every copy is
confirmed like a scan's matches and described by measurement (core/match/changes.py).
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photodedup.core.match.changes import (Change, Geometry, PictureFacts, describe, picture_facts, room_for_bars,
                                           shown_box)
from photodedup.core.match.copy_look import look_changes, read_gray
from photodedup.core.copy_geometry import TURN_OF, as_it_lies, geometry_of, quarter_back, shows_whole
from photodedup.core.copy_proposals import NEAREST_BEYOND, turned_partners, turned_vectors
from photodedup.core.copy_verdicts import KnownVerdicts
from photodedup.core.analyse import cache as cache_module
from photodedup.core.match.group import DEFAULT_THRESHOLD
from photodedup.core.match.index import VectorIndex
from photodedup.core.models import Group, GroupMember, ImageInfo, Problem
from photodedup.core.dedupe import EmbedderLike, Library, ScanOptions, analyse_library, default_embedder
from photodedup.core.match.capture import two_exposures_veto
from photodedup.core.match.grouping import FEATURES_KEPT, feature_gray, pixel_verdict, untrimmed_retry
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.analyse.raw import embedded_preview, is_raw
from photodedup.core.analyse.scratch import ScratchStore
from photodedup.core.match.verdict import PixelVerdict

CANDIDATES = 5  # originals looked at per "look in" photo
SAME_AGREEMENT, SAME_CHANGED = 0.97, 0.005  # "same picture, re-saved" only when the pixels agree this well


@dataclass
class CopyCheckOptions:
    originals: Sequence[str]
    look_in: Sequence[str]
    excludes: Sequence[str] = ()
    threshold: float = DEFAULT_THRESHOLD
    cache_dir: Path | None = None


@dataclass
class FoundCopy:
    info: ImageInfo
    distance: float
    matches: int  # local features consistent between original and copy (0 when not needed)
    changes: list[Change]


@dataclass
class OriginalCopies:
    original: ImageInfo
    copies: list[FoundCopy] = field(default_factory=list)


@dataclass
class CopyCheckResult:
    originals: list[OriginalCopies]
    problems: list[Problem]
    originals_scanned: int
    looked_at: int
    seconds: float = 0.0

    @property
    def copies(self) -> int:
        return sum(len(o.copies) for o in self.originals)


def find_copies(
    options: CopyCheckOptions,
    progress: Progress = NULL_PROGRESS,
    embedder_factory: Callable[[], EmbedderLike] = default_embedder,
    model_id: str | None = None,
) -> CopyCheckResult:
    """Every copy of an original found among the "look in" photos, with what changed."""
    started = time.monotonic()
    embedder: list[EmbedderLike] = []

    def shared_embedder() -> EmbedderLike:  # loaded once, and only if some photo is not cached
        if not embedder:
            embedder.append(embedder_factory())
        return embedder[0]

    originals = analyse_library(ScanOptions(options.originals, options.excludes, cache_dir=options.cache_dir),
                                progress, shared_embedder, model_id)
    look_in = analyse_library(ScanOptions(options.look_in, options.excludes, cache_dir=options.cache_dir),
                              progress, shared_embedder, model_id)
    try:
        found = _match(originals, look_in, options, progress, shared_embedder, model_id)
    finally:
        originals.close()
        look_in.close()
    problems = sorted(originals.problems + look_in.problems, key=lambda p: p.path)
    return CopyCheckResult(found, problems, len(originals.infos), len(look_in.infos), round(time.monotonic() - started, 3))


class _Grays:
    """Grey pictures of photos, decoded from the files through the scan's scratch JPEG
    (grouping.feature_gray), so the copy check and a scan, cold or warm, compare the very same
    pixels; the last FEATURES_KEPT kept."""

    def __init__(self) -> None:
        self.kept: dict[str, np.ndarray | None] = {}

    def get(self, info: ImageInfo) -> np.ndarray | None:
        path = info.file.path
        if path not in self.kept:
            while len(self.kept) >= FEATURES_KEPT:
                del self.kept[next(iter(self.kept))]
            self.kept[path] = feature_gray(path, None)
        return self.kept[path]


def _facts(info: ImageInfo) -> PictureFacts:
    path = info.file.path
    if is_raw(path):
        try:
            with open(path, "rb") as handle:
                return picture_facts(io.BytesIO(embedded_preview(handle.read())))
        except Exception:
            return PictureFacts(False, None)
    return picture_facts(path)


def _match(originals: Library, look_in: Library, options: CopyCheckOptions, progress: Progress,
           embedder_factory: Callable[[], EmbedderLike], model_id: str | None) -> list[OriginalCopies]:
    """Each "look in" photo's original, if it is a copy of one: proposed by the embedding and the
    thumbnails; then, for those still without one, by the embedding of the photo turned back
    (a turned crop, copy_proposals); the pixels decide."""
    if not originals.infos or not look_in.infos:
        return []
    vectors = np.stack([i.vector for i in originals.infos]).astype(np.float32, copy=False)
    original_files = {i.file.identity for i in originals.infos}
    by_hash = {}
    for position, info in enumerate(originals.infos):
        by_hash.setdefault(info.content_hash, position)
    grays = _Grays()
    cache = originals.memory_cache or cache_module.Cache(originals.cache_dir, originals.model_id)
    known = KnownVerdicts(cache)
    try:
        return _matched(originals, look_in, options, progress, embedder_factory, model_id, vectors,
                        original_files, by_hash, grays, known)
    finally:
        known.save()
        if cache is not originals.memory_cache:
            cache.close()


def _matched(originals, look_in, options, progress, embedder_factory, model_id, vectors, original_files, by_hash,
             grays, known: KnownVerdicts) -> list[OriginalCopies]:
    """_match's work, with the verdicts kept before (``known``)."""
    turned = turned_partners(originals, look_in)
    found: dict[int, tuple] = {}
    unmatched: dict[int, set[int]] = {}
    with tempfile.TemporaryDirectory(prefix="photodedup-originals-") as folder:
        index = VectorIndex.build(vectors, Path(folder), progress=progress)
        progress.start("Looking for copies", len(look_in.infos))
        for number, copy in enumerate(look_in.infos):
            if number % 16 == 0:
                progress.check()
            progress.advance()
            if copy.file.identity in original_files:  # the same file, reached from both sides
                continue
            if copy.content_hash in by_hash:
                found[number] = (by_hash[copy.content_hash], 0.0, None)
                continue
            tried: set[int] = set()
            nearest = _nearest(vectors, index, copy.vector, turned.get(number, ()))
            best = _best_original(copy, originals, nearest, options.threshold, grays, turned.get(number, ()), tried,
                                  known)
            if best is None:
                unmatched[number] = tried
            else:
                found[number] = best
        paths = [look_in.infos[number].file.path for number in unmatched]
        back = turned_vectors(paths, options.cache_dir, model_id, embedder_factory, progress)
        progress.start("Looking for turned copies", len(unmatched))
        for number, tried in unmatched.items():
            progress.advance()
            copy = look_in.infos[number]
            for vector in back.get(copy.file.path, ()):
                best = _best_original(copy, originals, _nearest(vectors, index, vector), options.threshold, grays,
                                      tried=tried, known=known)
                if best is not None and (number not in found or _strength(best[2]) > _strength(found[number][2])):
                    found[number] = best
    results: dict[int, OriginalCopies] = {}
    for number, (position, distance, verdict) in sorted(found.items()):
        original, copy = originals.infos[position], look_in.infos[number]
        changes, matches = described(original, copy, verdict, grays)
        results.setdefault(position, OriginalCopies(original)).copies.append(FoundCopy(copy, distance, matches, changes))
    ordered = sorted(results.values(), key=lambda o: o.original.file.path)
    for entry in ordered:
        entry.copies.sort(key=lambda c: (c.distance, c.info.file.path))
    return ordered


def _nearest(vectors: np.ndarray, index: VectorIndex, vector: np.ndarray, extra=()) -> list[tuple[float, int]]:
    """(distance, original position) of the originals nearest to ``vector`` and of ``extra``, closest first."""
    candidates = list(index.nearest_to(vector, CANDIDATES))
    candidates += [p for p in extra if p not in candidates]
    distances = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * (vectors[candidates] @ vector)))
    return sorted(zip(distances.tolist(), candidates))


def _best_original(copy, originals, candidates, threshold, grays, turned=(), tried=None, known=None):
    """(original position, distance, verdict) of the original the pixels say ``copy`` was made
    from: the best agreeing of ``candidates`` ((distance, position), closest first) within
    ``threshold``, proposed by the thumbnails (``turned``) or the nearest within NEAREST_BEYOND,
    or None: these only propose.
    Positions in ``tried`` were compared before and are not compared again (each compared is added);
    a verdict kept by an earlier run (``known``, copy_verdicts.py) is read, not made again."""
    best = None
    tried = set() if tried is None else tried
    for rank, (distance, position) in enumerate(candidates):
        proposed = distance <= threshold or position in turned or (rank == 0 and distance <= NEAREST_BEYOND)
        if not proposed or position in tried:
            continue
        tried.add(position)
        original = originals.infos[position]
        verdict = known.get(original.content_hash, copy.content_hash) if known is not None else None
        if verdict is None:
            pair = grays.get(original), grays.get(copy)  # a thumbnail retried untrimmed, as a scan does
            verdict = untrimmed_retry(pixel_verdict(*pair), (original.file.path, copy.file.path), pair)
            if known is not None and pair[0] is not None and pair[1] is not None:
                known.put(original.content_hash, copy.content_hash, verdict)
        # Two exposures the camera recorded apart are similar shots here as in a scan (capture.py).
        verdict = two_exposures_veto(verdict, (original.file.path, copy.file.path))
        if verdict.copy and (best is None or _strength(verdict) > _strength(best[2])):
            best = (position, distance, verdict)
    return best


def _strength(verdict: PixelVerdict) -> float:
    return verdict.agreement - verdict.changed


def described(original: ImageInfo, copy: ImageInfo, verdict: PixelVerdict | None,
              grays: "_Grays | None" = None) -> tuple[list[Change], int]:
    """(what ``copy`` changed from ``original``, feature matches of the fit): from the verdict and
    a sane fit; when measuring fails, what needs no fit (format, quality, EXIF, size)."""
    grays = grays or _Grays()
    facts = (PictureFacts(False, None), PictureFacts(False, None))
    try:
        facts = (_facts(original), _facts(copy))
        if verdict is None:  # the same bytes, or not compared
            return describe(original, copy, None, *facts), 0
        first, second = read_gray(original.file.path), read_gray(copy.file.path)  # whole frames, bars kept
        geometry, matches = geometry_of(verdict, first, second) if first is not None and second is not None \
            else (Geometry(verdict.how), 0)
        whole = shows_whole(geometry)
        shown, upright, room = None, True, None
        turn = TURN_OF.get(geometry.how) or quarter_back(geometry)
        if geometry.fit is not None and geometry.original_shape and geometry.copy_shape:
            room = room_for_bars(geometry.fit, geometry.original_shape, geometry.copy_shape)
            if room is not None and geometry.how not in ("as is", "aligned by features"):
                room = as_it_lies(room, TURN_OF[geometry.how])  # the fit is to the copy turned back
            if not whole:
                shown = shown_box(geometry.fit, geometry.original_shape, geometry.copy_shape)
                angle = float(np.degrees(np.arctan2(geometry.fit[1, 0], geometry.fit[0, 0])))
                upright = abs(angle - 90 * round(angle / 90)) <= 1.0  # a quarter turn is laid back (turn)
        look = look_changes(original.file.path, copy.file.path, turn, whole, shown, upright, room)
        agree = verdict.agreement >= SAME_AGREEMENT and verdict.changed <= SAME_CHANGED
        return describe(original, copy, geometry, *facts, look, agree), matches
    except Exception:  # one copy's measuring never loses the run
        try:
            return describe(original, copy, None, *facts), 0
        except Exception:
            return [Change("unmeasured", "a copy; what changed could not be measured")], 0


def copy_or_not(original: ImageInfo, copy: ImageInfo, distance: float, threshold: float,
                scratch: ScratchStore | None = None) -> list[Change] | None:
    """What ``copy`` changed from ``original`` when it is a copy of it (decided by the pixels, as a
    scan decides), else None."""
    if copy.content_hash == original.content_hash:
        return [Change("identical", "identical file (same bytes)")]
    if distance > threshold:
        return None
    grays = _Grays()
    verdict = two_exposures_veto(pixel_verdict(grays.get(original), grays.get(copy)),
                                 (original.file.path, copy.file.path))
    if not verdict.copy:
        return None
    return described(original, copy, verdict, grays)[0]


def as_groups(result: CopyCheckResult) -> list[Group]:
    """The copy check as review groups: each original (the keeper) with its copies, described."""
    groups = []
    for entry in result.originals:
        members = [GroupMember(entry.original, keeper=True, distance=0.0, reason="near", detail="your original")]
        for copy in entry.copies:
            reason = "exact" if any(c.kind == "identical" for c in copy.changes) else "near"
            members.append(GroupMember(copy.info, distance=copy.distance, reason=reason,
                                       detail="; ".join(change.text for change in copy.changes)))
        groups.append(Group(members))
    groups.sort(key=lambda g: (-len(g.members), g.keeper.path))
    return groups


def describe_group(group: Group, scratch: ScratchStore | None = None) -> dict[str, list[Change]]:
    """What each file of a scan's group changed compared with its keeper, measured as the copy check does."""
    keeper = group.keeper.info
    grays = _Grays()
    result = {}
    for member in group.members:
        if member.keeper:
            continue
        verdict = None if member.info.content_hash == keeper.content_hash else \
            pixel_verdict(grays.get(keeper), grays.get(member.info))
        result[member.path] = described(keeper, member.info, verdict, grays)[0]
    return result

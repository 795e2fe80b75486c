"""The copy check: for each photo in "my originals", its copies in the "look in" folders.

Chains the same stages as pipeline.py, differently: both sides are analysed (and cached)
as in a scan, then each "look in" photo is queried against an index of the originals only,
so an original's own near-duplicates inside the archive are never reported. Every copy is
confirmed like a scan's matches and described by measurement (core/changes.py).
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photodedup.core.changes import Change, PictureFacts, describe, picture_facts
from photodedup.core.group import DEFAULT_THRESHOLD, SURE_THRESHOLD
from photodedup.core.index import VectorIndex
from photodedup.core.models import Group, GroupMember, ImageInfo, Problem
from photodedup.core.pipeline import EmbedderLike, Library, ScanOptions, analyse_library, default_embedder
from photodedup.core.pipeline_grouping import FEATURES_KEPT, copy_verdict, feature_gray
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.raw import embedded_preview, is_raw
from photodedup.core.scratch import ScratchStore
from photodedup.core.verify import MIN_INLIERS, Alignment, LocalFeatures, align, extract_features

CANDIDATES = 5  # originals looked at per "look in" photo


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
        found = _match(originals, look_in, options.threshold, progress)
    finally:
        originals.close()
        look_in.close()
    problems = sorted(originals.problems + look_in.problems, key=lambda p: p.path)
    return CopyCheckResult(found, problems, len(originals.infos), len(look_in.infos), round(time.monotonic() - started, 3))


class _Features:
    """Local features of photos, from a scan's scratch store (when given) or the file."""

    def __init__(self, scratch: ScratchStore | None) -> None:
        self.scratch = scratch
        self.cache: dict[str, tuple[LocalFeatures, tuple[int, int]] | None] = {}

    def get(self, info: ImageInfo, mirrored: bool = False) -> tuple[LocalFeatures, tuple[int, int]] | None:
        path = info.file.path
        if path not in self.cache:
            while len(self.cache) >= FEATURES_KEPT:  # memory stays bounded, the oldest go first
                del self.cache[next(iter(self.cache))]
            self.cache[path] = self._load(path)
        entry = self.cache[path]
        if entry is None:
            return None
        features, shape = entry
        if mirrored:
            gray = feature_gray(path, self.scratch)
            return (extract_features(np.ascontiguousarray(gray[:, ::-1])), shape) if gray is not None else None
        return features, shape

    def _load(self, path: str):
        gray = feature_gray(path, self.scratch)
        if gray is None:
            return None
        return extract_features(gray), gray.shape


def _facts(info: ImageInfo) -> PictureFacts:
    path = info.file.path
    if is_raw(path):
        try:
            with open(path, "rb") as handle:
                return picture_facts(io.BytesIO(embedded_preview(handle.read())))
        except Exception:
            return PictureFacts(False, None)
    return picture_facts(path)


def _match(originals: Library, look_in: Library, threshold: float, progress: Progress) -> list[OriginalCopies]:
    if not originals.infos or not look_in.infos:
        return []
    vectors = np.stack([i.vector for i in originals.infos]).astype(np.float32, copy=False)
    original_files = {i.file.identity for i in originals.infos}
    by_hash = {}
    for position, info in enumerate(originals.infos):
        by_hash.setdefault(info.content_hash, position)
    original_features, copy_features = _Features(originals.scratch), _Features(look_in.scratch)
    results: dict[int, OriginalCopies] = {}
    with tempfile.TemporaryDirectory(prefix="photodedup-originals-") as folder:
        index = VectorIndex.build(vectors, Path(folder), progress=progress)
        progress.start("Looking for copies", len(look_in.infos))
        for number, copy in enumerate(look_in.infos):
            if number % 16 == 0:
                progress.check()
            progress.advance()
            if copy.file.identity in original_files:  # the same file, reached from both sides
                continue
            found = _best_original(copy, originals, vectors, index, by_hash, threshold,
                                   original_features, copy_features)
            if found is None:
                continue
            position, distance, alignment, mirrored = found
            original = originals.infos[position]
            original_shape = original_features.get(original)
            copy_shape = copy_features.get(copy)
            changes = describe(original, copy, alignment,
                               original_shape[1] if original_shape else None, copy_shape[1] if copy_shape else None,
                               _facts(original), _facts(copy), mirrored)
            entry = results.setdefault(position, OriginalCopies(original))
            entry.copies.append(FoundCopy(copy, distance, alignment.inliers if alignment else 0, changes))
    ordered = sorted(results.values(), key=lambda o: o.original.file.path)
    for entry in ordered:
        entry.copies.sort(key=lambda c: (c.distance, c.info.file.path))
    return ordered


def _best_original(copy, originals, vectors, index, by_hash, threshold, original_features, copy_features):
    """(original position, distance, alignment, mirrored) of the closest confirmed original, or None."""
    if copy.content_hash in by_hash:
        return by_hash[copy.content_hash], 0.0, None, False
    candidates = index.nearest_to(copy.vector, CANDIDATES)
    distances = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * (vectors[candidates] @ copy.vector)))
    for position, distance in sorted(zip(candidates, distances.tolist()), key=lambda pair: pair[1]):
        if distance > threshold:
            break
        original = originals.infos[position]
        alignment, mirrored = _align(original, copy, original_features, copy_features)
        if alignment.inliers >= MIN_INLIERS or distance <= SURE_THRESHOLD:
            return position, distance, alignment if alignment.inliers >= MIN_INLIERS else None, mirrored
    return None


def _align(original, copy, original_features, copy_features) -> tuple[Alignment, bool]:
    """How the copy lies over the original; a mirrored original is tried when the plain one fails."""
    first, second = original_features.get(original), copy_features.get(copy)
    if first is None or second is None:
        return Alignment(0), False
    plain = align(first[0], second[0])
    if plain.inliers >= MIN_INLIERS:
        return plain, False
    flipped = original_features.get(original, mirrored=True)
    if flipped is not None:
        mirrored = align(flipped[0], second[0])
        if mirrored.inliers >= MIN_INLIERS:
            return mirrored, True
    return plain, False


def copy_or_not(original: ImageInfo, copy: ImageInfo, distance: float, threshold: float,
                scratch: ScratchStore | None = None) -> list[Change] | None:
    """What ``copy`` changed from ``original`` when it is a copy of it (decided by the pixels, as a
    scan decides), else None."""
    if copy.content_hash == original.content_hash:
        return [Change("identical", "identical file (same bytes)")]
    if distance > threshold or not copy_verdict(original.file.path, copy.file.path, scratch).copy:
        return None
    features = _Features(scratch)
    alignment, mirrored = _align(original, copy, features, features)
    first, second = features.get(original), features.get(copy)
    return describe(original, copy, alignment if alignment.inliers >= MIN_INLIERS else None,
                    first[1] if first else None, second[1] if second else None, _facts(original), _facts(copy),
                    mirrored)


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
    features = _Features(scratch)
    keeper_facts = _facts(keeper)
    described = {}
    for member in group.members:
        if member.keeper:
            continue
        alignment, mirrored = _align(keeper, member.info, features, features)
        first, second = features.get(keeper), features.get(member.info)
        described[member.path] = describe(
            keeper, member.info, alignment if alignment.inliers >= MIN_INLIERS else None,
            first[1] if first else None, second[1] if second else None, keeper_facts, _facts(member.info), mirrored)
    return described

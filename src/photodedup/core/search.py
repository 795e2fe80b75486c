"""Search by example: where a photo, and its copies and look-alikes, live in a scanned library.

The library is what the last scan left in the cache: its folders are walked (cheap) and each
unchanged photo's vector is read from the cache, nothing is decoded; photos not in the cache
(new or changed since) are counted, so the answer can say it is incomplete. The query photos
are analysed as a scan would (and cached). Ranking is by embedding distance, all vectors at
once; each close match is then decided as the copy check decides: a copy (with what changed),
a similar shot (close, but not the same picture), or only alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.match.changes import Change
from photodedup.core.match.group import DEFAULT_THRESHOLD
from photodedup.core.review.keeper import KeeperContext, keeper_key
from photodedup.core.models import ImageInfo, Problem
from photodedup.core.dedupe import EmbedderLike, analyse_files, default_embedder
from photodedup.core.embed.embedder import default_model_id
from photodedup.core.copy_check import copy_or_not
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.analyse.scan import scan_roots

Kind = Literal["copy", "similar", "alike"]
ALIKE_LIMIT = 0.9  # beyond this distance a photo is not shown even as "alike"
PIXELS_DECIDE_UP_TO = 0.8  # this close, the pixels decide: a 100-px thumbnail's embedding drifts far


@dataclass
class Match:
    """A library photo close to the query: how close, what kind, and (for a copy) what changed."""

    info: ImageInfo
    distance: float
    kind: Kind
    changes: list[Change] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.info.file.path

    @property
    def label(self) -> str:
        if self.kind == "copy":
            if any(c.kind == "identical" for c in self.changes):
                return "the same file (same bytes)"
            return "the same picture; yours is " + "; ".join(c.text for c in self.changes)
        return "similar shot" if self.kind == "similar" else "alike"


@dataclass
class QueryResult:
    """One query photo and its matches, best first."""

    query: str
    info: ImageInfo | None
    matches: list[Match] = field(default_factory=list)
    problem: str | None = None

    @property
    def verdict(self) -> str:
        """In words: found, or only look-alikes, or nothing."""
        if self.problem:
            return self.problem
        copies = sum(m.kind == "copy" for m in self.matches)
        if copies:
            return f"{copies} cop{'y' if copies == 1 else 'ies'} in the library"
        if self.matches:
            return "not in the library: only look-alikes"
        return "nothing like it in the library"


@dataclass
class SearchResult:
    queries: list[QueryResult]
    library_size: int
    not_cached: int  # photos under the folders the cache knows nothing of (new or changed)
    problems: list[Problem] = field(default_factory=list)

    @property
    def stale_note(self) -> str | None:
        """What the person should know about the library's cache, or None."""
        if not self.library_size and not self.not_cached:
            return "no photos in these folders"
        if not self.library_size:
            return "these folders have not been scanned yet: scan them first"
        if self.not_cached:
            return (f"{self.not_cached} photos in these folders are new or changed since the last scan and were "
                    "not searched: scan again to include them")
        return None


def library_from_cache(roots: Sequence[str], cache_dir: Path | None = None, excludes: Sequence[str] = (),
                       progress: Progress = NULL_PROGRESS) -> tuple[list[ImageInfo], int, list[Problem]]:
    """(photos the cache knows, unchanged; how many it doesn't; folders that could not be read)."""
    files, problems = scan_roots(list(roots), excludes, progress=progress)
    infos: list[ImageInfo] = []
    with cache_module.Cache(cache_dir, default_model_id()) as cache:
        progress.start("Reading the library from the cache", len(files))
        for number, file in enumerate(files):
            if number % 512 == 0:
                progress.check()
            info = cache.lookup(file)
            if info is not None:
                infos.append(info)
        progress.advance(len(files))
    return infos, len(files) - len(infos), problems


def find_photos(queries: Sequence[str], roots: Sequence[str], cache_dir: Path | None = None, limit: int = 10,
                threshold: float = DEFAULT_THRESHOLD, progress: Progress = NULL_PROGRESS,
                embedder_factory: Callable[[], EmbedderLike] = default_embedder) -> SearchResult:
    """Where each query photo is in the library under ``roots``: its matches, best first."""
    library, not_cached, problems = library_from_cache(roots, cache_dir, progress=progress)
    analysed = analyse_files(queries, cache_dir, progress, embedder_factory)
    by_path = {info.file.path: info for info in analysed.infos}
    failed = {p.path: p.reason for p in analysed.problems}
    vectors = np.stack([info.vector for info in library]) if library else np.zeros((0, 1), np.float32)
    results = []
    for query in queries:
        path = os.path.abspath(query)
        info = by_path.get(path)
        if info is None:
            results.append(QueryResult(path, None, problem=failed.get(path, "could not be read")))
            continue
        results.append(QueryResult(path, info, _matches(info, library, vectors, limit, threshold)))
    return SearchResult(results, len(library), not_cached, problems)


def _matches(query: ImageInfo, library: list[ImageInfo], vectors: np.ndarray, limit: int,
             threshold: float) -> list[Match]:
    if not library:
        return []
    distances = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * (vectors @ query.vector)))
    order = np.argsort(distances, kind="stable")
    matches: list[Match] = []
    query_identity = (query.file.device, query.file.inode)
    for position in order[: limit + 1]:
        candidate, distance = library[position], float(distances[position])
        if (candidate.file.device, candidate.file.inode) == query_identity or distance > ALIKE_LIMIT:
            continue  # the query itself, when it is in the library
        changes = copy_or_not(candidate, query, distance, max(threshold, PIXELS_DECIDE_UP_TO))
        kind: Kind = "copy" if changes is not None else "similar" if distance <= threshold else "alike"
        matches.append(Match(candidate, distance, kind, changes or []))
    rank = {"copy": 0, "similar": 1, "alike": 2}
    context = KeeperContext()  # among copies, the one the others were made from first
    matches.sort(key=lambda m: (rank[m.kind], keeper_key(m.info, context) if m.kind == "copy" else (), m.distance))
    return matches[:limit]

"""The grouping half of a scan: exact copies, near copies confirmed by local features, keepers.

pipeline.find_groups calls group_infos with what analyse_library learned.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from photodedup.core import cache as cache_module
from photodedup.core.decode import MIN_DETAIL, decode_gray, picture_detail, same_pixels, webp_is_lossy
from photodedup.core.exact import find_identical
from photodedup.core.group import find_clusters, make_group
from photodedup.core.index import VectorIndex
from photodedup.core.keeper import DEFAULT_RULES, choose_keeper, resave_candidates
from photodedup.core.models import Group, ImageInfo
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.scratch import ScratchStore
from photodedup.core.verify import METHOD, MIN_INLIERS, LocalFeatures, count_inliers, extract_features

FEATURES_KEPT = 512  # photos whose local features (about 32 KB each) are kept for later pairs


def feature_gray(path: str, scratch: ScratchStore | None = None) -> np.ndarray | None:
    """The gray picture local features are found in: from this scan's scratch store when the
    analysis kept it, else decoded from the file; None if the file can't be read now."""
    kept = scratch.get(path) if scratch is not None else None
    try:
        if kept is not None:
            from PIL import Image

            with Image.open(io.BytesIO(kept), formats=("JPEG",)) as image:  # the scan wrote it
                return np.asarray(image)
        return decode_gray(path)
    except Exception:  # moved, changed, odd
        return None


def release_free_memory() -> None:
    """Hand memory freed in small blocks back to the system (glibc keeps it otherwise, and it
    counts as the process's for as long as it runs); nothing where the C library can't."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows): nothing to do
        pass


def group_infos(infos: list[ImageInfo], threshold: float, protected: Sequence[str], progress: Progress,
                cache: cache_module.Cache, scratch: ScratchStore | None = None,
                keeper_rules: Sequence[str] = DEFAULT_RULES) -> list[Group]:
    """Groups of copies among ``infos``, biggest saving first (see pipeline.find_groups)."""
    infos = sorted(infos, key=lambda i: i.file.path)
    by_path = {i.file.path: i for i in infos}
    identical, _ = find_identical([i.file for i in infos], lambda f: by_path[f.path].content_hash, progress)
    verifier = _PairVerifier(infos, cache, scratch)
    clusters = _near_clusters(infos, identical, threshold, progress, verifier, cache)
    groups = []
    clustered = [[infos[p] for p in positions] for positions in clusters]
    for members, resaves in zip(clustered, _resaves(clustered, cache, verifier.workers, progress)):
        groups.append(make_group(members, choose_keeper(members, protected, keeper_rules, resaves),
                                 verifier.matches_between))
    groups.sort(key=lambda g: (-g.reclaimable_bytes, g.keeper.path))
    return groups


RESAVE_METHOD = "same-pixels-v1"


def _resaves(groups: list[list[ImageInfo]], cache: cache_module.Cache, workers: int,
             progress: Progress = NULL_PROGRESS) -> list[frozenset[str]]:
    """For each group, its lossless files that hold exactly a JPEG's pixels (keeper rule "not-resaved").

    Each lossless file is compared, full size, with at most one JPEG of its group: the one
    whose cached thumbnail is closest, and only if that is within a grey level (an edited
    copy's is not). The comparisons run in parallel; the answer is remembered by content,
    so a rescan decodes nothing.
    """
    checks: list[list[tuple[ImageInfo, ImageInfo]]] = []
    for members in groups:
        closest: dict[str, tuple[float, ImageInfo, ImageInfo]] = {}
        for lossless, jpeg in resave_candidates(members):
            if lossless.format == "WEBP" and webp_is_lossy(lossless.file.path):
                continue
            thumbs = cache.lookup_thumb(lossless.file), cache.lookup_thumb(jpeg.file)
            difference = (float(np.abs(thumbs[0].astype(np.int16) - thumbs[1]).mean())
                          if thumbs[0] is not None and thumbs[1] is not None else 0.0)
            if difference <= 1.0 and difference < closest.get(lossless.file.path, (math.inf,))[0]:
                closest[lossless.file.path] = (difference, lossless, jpeg)
        checks.append([(lossless, jpeg) for _, lossless, jpeg in closest.values()])
    answers: dict[tuple[str, str], int] = {}
    for lossless, jpeg in (pair for group in checks for pair in group):
        known = cache.lookup_verification(lossless.content_hash, jpeg.content_hash, RESAVE_METHOD)
        if known is not None:
            answers[lossless.content_hash, jpeg.content_hash] = known
    unknown = {(lossless.content_hash, jpeg.content_hash): (lossless.file.path, jpeg.file.path)
               for group in checks for lossless, jpeg in group
               if (lossless.content_hash, jpeg.content_hash) not in answers}
    if unknown:  # a full-size decode of both files each: ~100 MB of pixels per worker at 12 MP
        progress.start("Comparing lossless copies with JPEGs", len(unknown))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="resave")
        try:
            for hashes, same in zip(unknown, pool.map(lambda paths: same_pixels(*paths), unknown.values())):
                answers[hashes] = int(same)
                cache.store_verification(*hashes, RESAVE_METHOD, int(same))
                progress.advance()
                progress.check()
        finally:
            pool.shutdown(cancel_futures=True)  # a cancelled scan waits only for what is running
    return [frozenset(lossless.file.path for lossless, jpeg in group
                      if answers[lossless.content_hash, jpeg.content_hash]) for group in checks]


class _PairVerifier:
    """Confirms candidate pairs with local features, decoding each photo at most once.

    Results are cached by the two files' content hashes, so a rescan decodes nothing.
    """

    def __init__(self, infos: list[ImageInfo], cache: cache_module.Cache, scratch: ScratchStore | None = None,
                 workers: int = 0) -> None:
        self.infos = infos
        self.cache = cache
        self.scratch = scratch
        self.workers = workers or max(1, os.cpu_count() or 1)
        self.position = {info.file.path: position for position, info in enumerate(infos)}
        self.features: dict[int, LocalFeatures | None] = {}
        self.matches: dict[frozenset[str], int] = {}

    def _features(self, position: int) -> LocalFeatures | None:
        if position not in self.features:
            self._keep(position, self._extract(position))
        return self.features[position]

    def _keep(self, position: int, features: LocalFeatures | None) -> None:
        """Remember a photo's features, forgetting the oldest beyond FEATURES_KEPT."""
        while len(self.features) >= FEATURES_KEPT:
            del self.features[next(iter(self.features))]  # dicts keep insertion order
        self.features[position] = features

    def _extract(self, position: int) -> LocalFeatures | None:
        gray = feature_gray(self.infos[position].file.path, self.scratch)
        return extract_features(gray) if gray is not None else None  # unreadable: unconfirmed is the safe answer

    def prepare(self, pairs: list[tuple[int, int]], progress: Progress = NULL_PROGRESS) -> None:
        """Verify the pairs not verified before, finding features and matching on all cores at once.

        (Decoding and ORB run in OpenCV and Pillow, which release the GIL.)
        """
        todo = []
        for a, b in pairs:
            first, second = self.infos[a], self.infos[b]
            key = frozenset((first.file.path, second.file.path))
            if key in self.matches:
                continue
            known = self.cache.lookup_verification(first.content_hash, second.content_hash, METHOD)
            if known is not None:
                self.matches[key] = known
            else:
                todo.append((a, b))
        if not todo:
            return
        used = {p for pair in todo for p in pair}
        for position in used & self.features.keys():  # most recently used: not forgotten below
            self.features[position] = self.features.pop(position)
        needed = sorted(used - self.features.keys())
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="verify") as pool:
            for position, features in zip(needed, pool.map(self._extract, needed)):
                self._keep(position, features)
            progress.check()
            for (a, b), count in zip(todo, pool.map(self._match, todo)):
                first, second = self.infos[a], self.infos[b]
                self.matches[frozenset((first.file.path, second.file.path))] = count or 0
                if count is not None:  # both photos readable: worth remembering
                    self.cache.store_verification(first.content_hash, second.content_hash, METHOD, count)
        release_free_memory()  # ORB's buffers, freed on the worker threads' heaps

    def _match(self, pair: tuple[int, int]) -> int | None:
        first, second = self.features.get(pair[0]), self.features.get(pair[1])
        return count_inliers(first, second) if first is not None and second is not None else None

    def confirmed(self, a: int, b: int) -> bool:
        """Whether the photos at positions a and b are copies by their local features."""
        return self._count(a, b) >= MIN_INLIERS

    def matches_between(self, first: ImageInfo, second: ImageInfo) -> int:
        return self._count(self.position[first.file.path], self.position[second.file.path])

    def _count(self, a: int, b: int) -> int:
        first, second = self.infos[a], self.infos[b]
        key = frozenset((first.file.path, second.file.path))
        if key not in self.matches:
            known = self.cache.lookup_verification(first.content_hash, second.content_hash, METHOD)
            if known is None:
                fa, fb = self._features(a), self._features(b)
                known = count_inliers(fa, fb) if fa is not None and fb is not None else 0
                if fa is not None and fb is not None:
                    self.cache.store_verification(first.content_hash, second.content_hash, METHOD, known)
            self.matches[key] = known
        return self.matches[key]


def _index_for(vectors: np.ndarray, cache: cache_module.Cache, key: str, progress: Progress) -> VectorIndex:
    """The index saved beside the cache (reused when it holds these vectors), or one in memory
    when the cache folder can't be written (read-only, full)."""
    folder = cache.index_folder
    if folder is not None:
        try:
            return VectorIndex.open_or_build(vectors, folder, key, progress)
        except OSError:
            pass
    return VectorIndex.build(vectors, None, progress=progress)


def _pack_vectors(infos: list[ImageInfo], positions: list[int], chunk: int = 4096) -> np.ndarray:
    """One (len(positions), D) matrix of those photos' vectors, each photo then holding its row.

    Each photo's own copy is let go as its row is filled, chunk by chunk, so the library's
    vectors are never in memory twice (10,000 photos: 51 MB, not 102).
    """
    vectors = np.empty((len(positions), len(infos[positions[0]].vector)), dtype=np.float32)
    for start in range(0, len(positions), chunk):
        for row in range(start, min(start + chunk, len(positions))):
            info = infos[positions[row]]
            vectors[row] = info.vector
            info.vector = vectors[row]  # the same values, now a view
        release_free_memory()
    return vectors


def _near_clusters(
    infos: list[ImageInfo], identical: list[list[int]], threshold: float, progress: Progress,
    verifier: _PairVerifier, cache: cache_module.Cache,
) -> list[list[int]]:
    """Clusters of positions in ``infos``: byte-identical sets count as one photo."""
    representative_of: dict[int, list[int]] = {}
    copies = set()
    for same in identical:
        representative_of[same[0]] = same
        copies.update(same[1:])
    representatives = [p for p in range(len(infos)) if p not in copies]
    expand = {p: representative_of.get(p, [p]) for p in representatives}
    if len(representatives) < 2:
        return [expand[p] for p in representatives if len(expand[p]) > 1]
    key = hashlib.blake2b(digest_size=12)
    key.update(cache.model_id.encode())
    for p in representatives:
        key.update(infos[p].content_hash.encode())
    vectors = _pack_vectors(infos, representatives)
    index = _index_for(vectors, cache, key.hexdigest(), progress)
    detail: dict[int, float] = {}

    def has_detail(row: int) -> bool:  # from the thumbnail the analysis cached
        if row not in detail:
            thumb = cache.lookup_thumb(infos[representatives[row]].file)
            detail[row] = picture_detail(thumb) if thumb is not None else 0.0
        return detail[row] >= MIN_DETAIL

    clusters = find_clusters(
        vectors, index, threshold, progress,
        verify=lambda a, b: verifier.confirmed(representatives[a], representatives[b]),
        prepare=lambda pairs: verifier.prepare([(representatives[a], representatives[b]) for a, b in pairs], progress),
        structured=lambda a, b: has_detail(a) and has_detail(b),
    )
    clustered = set()
    result = []
    for cluster in clusters:
        positions = [q for row in cluster for q in expand[representatives[row]]]
        clustered.update(cluster)
        result.append(sorted(positions))
    for row, p in enumerate(representatives):
        if row not in clustered and len(expand[p]) > 1:
            result.append(expand[p])
    return result

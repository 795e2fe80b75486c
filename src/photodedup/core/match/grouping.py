"""The grouping half of a scan: exact copies, near copies confirmed by the pixels, keepers, and
groups of similar shots (pictures alike that the pixels say are not copies).

pipeline.find_groups calls group_infos with what analyse_library learned.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.analyse.read import as_kept, decode_kept
from photodedup.core.analyse.exact import find_identical
from photodedup.core.match.capture import two_exposures_veto
from photodedup.core.match.group import find_pictures, make_group
from photodedup.core.match.neighbours import (  # noqa: F401 (dedupe takes release_free_memory from here)
    TINY_SIDE, LibraryIndex, LibraryVectors, library_tables, release_free_memory, thumbnail_pairs)
from photodedup.core.review.keeper import DEFAULT_RULES, choose_keeper, pixel_class
from photodedup.core.match.keeper_evidence import evidence_of, resaves_of
from photodedup.core.match.similar import similar_groups
from photodedup.core.models import Group, ImageInfo
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.analyse.scratch import ScratchStore
from photodedup.core.match.verify import (PIXEL_METHOD, LocalFeatures, PixelVerdict, compare_pictures,
                                    extract_features)

FEATURES_KEPT = 512  # photos whose local features (about 32 KB each) are kept for later pairs
GRAYS_KEPT = 256  # photos whose grey pictures (about 170 KB each) are kept for later pairs


def feature_gray(path: str, scratch: ScratchStore | None = None) -> np.ndarray | None:
    """The gray picture a verdict is measured on, the same array whatever its source: from this
    scan's scratch store when the analysis kept it, else decoded from the file and put through the
    scratch's JPEG (read.as_kept), so a cold scan, a rescan, the copy check and the trash's check
    judge the same pixels; None if the file can't be read now."""
    kept = scratch.get(path) if scratch is not None else None
    try:
        return decode_kept(kept) if kept is not None else as_kept(decode_gray(path))
    except Exception:  # moved, changed, odd
        return None


def copy_verdict(first: str, second: str, scratch: ScratchStore | None = None) -> PixelVerdict:
    """Whether the picture in ``second`` is a copy of the one in ``first``, decided by their pixels
    exactly as grouping decides (for a report's trash check, a search); unreadable: not a copy."""
    grays = feature_gray(first, scratch), feature_gray(second, scratch)
    return two_exposures_veto(untrimmed_retry(pixel_verdict(*grays), (first, second), grays), (first, second))


# The grouping's verdicts: compare_pictures, then untrimmed_retry; cached under this name
# ("kept-gray": measured on feature_gray's one picture; before, a verdict checked from the file was
# measured without the scratch's JPEG loss, and those cached verdicts must be measured again).
GROUPING_METHOD = PIXEL_METHOD + "+untrimmed0.25+capture1+kept-gray"
UNTRIMMED_ASPECT = 0.25  # largest change of aspect (log) the trimming may have made for a retry


def untrimmed_retry(verdict: PixelVerdict, paths: tuple[str, str], grays: tuple) -> PixelVerdict:
    """``verdict``, or, when it is no copy, one picture is a thumbnail (TINY_SIDE or less) and
    the border trimming changed a picture's shape a little (a plain or dark edge taken for a bar in one copy and not in another), the verdict on
    both pictures untrimmed when that one is a copy. Real bars a copy added change its shape more
    than UNTRIMMED_ASPECT (a 3:2 picture letterboxed square: 0.41). Measured: the 100-px
    thumbnails of bench/corpus "Wood", "Path" and "hubble_deep_field" were trimmed and their
    originals not (or the other way), and agreed only untrimmed (0.97, 0.99, 0.91)."""
    if verdict.copy or grays[0] is None or grays[1] is None or min(max(g.shape) for g in grays) > TINY_SIDE:
        return verdict  # only a thumbnail is trimmed so unlike its original (a full decode costs 40 ms)
    try:
        whole = [decode_gray(path, trim=False) for path in paths]
    except Exception:  # moved, changed, odd
        return verdict
    changes = [abs(np.log((g.shape[1] / g.shape[0]) / (w.shape[1] / w.shape[0]))) for g, w in zip(grays, whole)]
    if max(changes) < 0.005 or max(changes) > UNTRIMMED_ASPECT:
        return verdict
    retried = pixel_verdict(*whole)
    return retried if retried.copy else verdict


def pixel_verdict(a: np.ndarray | None, b: np.ndarray | None) -> PixelVerdict:
    """Whether grey picture ``b`` is a copy of ``a``, as grouping decides; missing or odd: not a copy."""
    if a is None or b is None:
        return PixelVerdict(False)
    try:
        return compare_pictures(a, b, lambda: (extract_features(a), extract_features(b)))
    except Exception:  # an odd picture OpenCV refuses: not a copy
        return PixelVerdict(False)


def group_infos(infos: list[ImageInfo], threshold: float, protected: Sequence[str], progress: Progress,
                cache: cache_module.Cache, scratch: ScratchStore | None = None,
                keeper_rules: Sequence[str] = DEFAULT_RULES) -> list[Group]:
    """Groups of copies among ``infos``, biggest saving first, then groups of similar shots
    (see pipeline.find_groups)."""
    infos = sorted(infos, key=lambda i: i.file.path)
    by_path = {i.file.path: i for i in infos}
    identical, _ = find_identical([i.file for i in infos], lambda f: by_path[f.path].content_hash, progress)
    verifier = _PairVerifier(infos, cache, scratch)
    apart: list[tuple[int, int, float]] = []
    clusters = _near_clusters(infos, identical, threshold, progress, verifier, cache, apart)
    groups = []
    clustered = [[infos[p] for p in positions] for positions in clusters]
    keeper_of: dict[int, int] = {}  # position of each clustered photo → position of its group's keeper
    cache.hold_thumbs([info.file for members in clustered for info in members])  # the evidence's, one query per 900
    try:
        for positions, members, resaves in zip(clusters, clustered, resaves_of(clustered, cache, verifier.workers, progress)):
            seed = _seed(members)
            evidence = evidence_of(members, seed, verifier.verdict_between, cache, verifier.gray_of)
            keeper = choose_keeper(members, protected, keeper_rules, resaves, evidence)
            groups.append(make_group(members, keeper, lambda kept, info, seed=seed: verifier.describe_known(kept, info, seed)))
            keeper_of.update({p: verifier.position[members[keeper].file.path] for p in positions})
    finally:
        cache.hold_thumbs([])  # let them go, a cancelled scan too
    groups.sort(key=lambda g: (-g.reclaimable_bytes, g.keeper.path))
    return groups + similar_groups(infos, apart, keeper_of, verifier.gray_of, cache)


def _seed_key(info: ImageInfo) -> tuple[int, int, str]:
    """The order photos are taken as seeds of a picture (smallest first): the most picture pixels
    (in 3% steps), then the largest file, the least likely to have lost anything."""
    return (pixel_class(info), -info.file.size, info.file.path)


def _seed(members: list[ImageInfo]) -> ImageInfo:
    return min(members, key=_seed_key)


class _PairVerifier:
    """Decides candidate pairs by their pixels (verify.compare_pictures), decoding each photo at
    most once and extracting local features only when laying the pictures whole does not do.

    Verdicts are cached by the two files' content hashes (always computed with the smaller hash
    first, so the answer never depends on the order pairs come in): a rescan decodes nothing.
    """

    def __init__(self, infos: list[ImageInfo], cache: cache_module.Cache, scratch: ScratchStore | None = None,
                 workers: int = 0) -> None:
        self.infos = infos
        self.cache = cache
        self.scratch = scratch
        self.workers = workers or max(1, os.cpu_count() or 1)
        self.position = {info.file.path: position for position, info in enumerate(infos)}
        self.grays: dict[int, np.ndarray | None] = {}
        self.features: dict[int, LocalFeatures | None] = {}
        self.verdicts: dict[tuple[str, str], PixelVerdict] = {}

    @staticmethod
    def _remember(store: dict, key: int, value, limit: int) -> None:
        while len(store) >= limit:
            del store[next(iter(store))]  # dicts keep insertion order: the oldest goes
        store[key] = value

    def _gray(self, position: int) -> np.ndarray | None:
        if position not in self.grays:
            self._remember(self.grays, position, feature_gray(self.infos[position].file.path, self.scratch), GRAYS_KEPT)
        return self.grays[position]

    def gray_of(self, info: ImageInfo) -> np.ndarray | None:
        return self._gray(self.position[info.file.path])

    def _features(self, position: int) -> LocalFeatures | None:
        if position not in self.features:
            gray = self._gray(position)
            self._remember(self.features, position, extract_features(gray) if gray is not None else None, FEATURES_KEPT)
        return self.features[position]

    def _ordered(self, a: int, b: int) -> tuple[int, int]:
        first, second = self.infos[a], self.infos[b]
        return (a, b) if (first.content_hash, first.file.path) <= (second.content_hash, second.file.path) else (b, a)

    def _known(self, a: int, b: int) -> PixelVerdict | None:
        first, second = self.infos[a], self.infos[b]
        key = (first.content_hash, second.content_hash)
        if key not in self.verdicts:
            code = self.cache.lookup_verification(*key, GROUPING_METHOD)
            if code is None:
                return None
            self.verdicts[key] = PixelVerdict.from_code(code)
        return self.verdicts[key]

    def _compute(self, pair: tuple[int, int]) -> PixelVerdict | None:
        a, b = pair
        first, second = self._gray(a), self._gray(b)
        if first is None or second is None:
            return None  # unreadable now: unconfirmed is the safe answer, and not remembered
        try:
            verdict = compare_pictures(first, second, lambda: (self._features(a), self._features(b)))
        except Exception:  # an odd picture OpenCV refuses: not a copy
            return PixelVerdict(False)
        paths = (self.infos[a].file.path, self.infos[b].file.path)
        if min(self.infos[a].content_fraction, self.infos[b].content_fraction) < 1.0:  # one was trimmed
            verdict = untrimmed_retry(verdict, paths, (first, second))
        return two_exposures_veto(verdict, paths)

    def prepare(self, pairs: list[tuple[int, int]], progress: Progress = NULL_PROGRESS) -> None:
        """Decide the pairs not decided before, on all cores at once (OpenCV and Pillow release the GIL)."""
        todo = sorted({self._ordered(a, b) for a, b in pairs if a != b})
        todo = [pair for pair in todo if self._known(*pair) is None]
        if not todo:
            return
        for position in {p for pair in todo for p in pair} & self.grays.keys():  # recently used: kept
            self.grays[position] = self.grays.pop(position)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="verify") as pool:
            needed = sorted({p for pair in todo for p in pair} - self.grays.keys())
            for position, gray in zip(needed, pool.map(lambda p: feature_gray(self.infos[p].file.path, self.scratch), needed)):
                self._remember(self.grays, position, gray, GRAYS_KEPT)
            progress.check()
            for pair, verdict in zip(todo, pool.map(self._compute, todo)):
                self._store(pair, verdict)
        release_free_memory()  # decoding and OpenCV buffers, freed on the worker threads' heaps

    def _store(self, pair: tuple[int, int], verdict: PixelVerdict | None) -> PixelVerdict:
        first, second = self.infos[pair[0]], self.infos[pair[1]]
        if verdict is None:
            return PixelVerdict(False)
        verdict = PixelVerdict.from_code(verdict.code())  # as a rescan reads it back (97% measured, 96% cached)
        self.verdicts[first.content_hash, second.content_hash] = verdict
        self.cache.store_verification(first.content_hash, second.content_hash, GROUPING_METHOD, verdict.code())
        return verdict

    def verdict(self, a: int, b: int) -> PixelVerdict:
        """Whether the photos at positions a and b are copies of one picture, by their pixels."""
        if self.infos[a].content_hash == self.infos[b].content_hash:
            return PixelVerdict(True, 1.0, 1.0, 0.0, "as is")
        pair = self._ordered(a, b)
        known = self._known(*pair)
        return known if known is not None else self._store(pair, self._compute(pair))

    def confirmed(self, a: int, b: int) -> bool:
        return self.verdict(a, b).copy

    def verdict_between(self, first: ImageInfo, second: ImageInfo) -> PixelVerdict:
        return self.verdict(self.position[first.file.path], self.position[second.file.path])

    def describe_known(self, kept: ImageInfo, copy: ImageInfo, seed: ImageInfo) -> str:
        """What the pixels showed, keeper against copy if that pair was checked, else seed against copy."""
        pair = self._ordered(self.position[kept.file.path], self.position[copy.file.path])
        known = self._known(*pair) if kept.content_hash != copy.content_hash else None
        if known is None and copy.content_hash != seed.content_hash:
            known = self.verdict_between(seed, copy)
        return (known or PixelVerdict(True, 1.0, 1.0, 0.0, "as is")).describe()


def _near_clusters(
    infos: list[ImageInfo], identical: list[list[int]], threshold: float, progress: Progress,
    verifier: _PairVerifier, cache: cache_module.Cache, apart: list[tuple[int, int, float]] | None = None,
) -> list[list[int]]:
    """Clusters of positions in ``infos``: byte-identical sets count as one photo."""
    representative_of: dict[int, list[int]] = {}
    copies = set()
    for same in identical:
        representative_of[same[0]] = same
        copies.update(same[1:])
    representatives = [p for p in range(len(infos)) if p not in copies]
    if len(representatives) < 2:
        return [representative_of[p] for p in representatives if p in representative_of]
    tables = library_tables(infos, representatives, cache)
    vectors = LibraryVectors(infos, representatives)
    index = LibraryIndex(tables, vectors)
    turned, tiny = thumbnail_pairs(infos, representatives, cache, tables, progress)
    found_apart: list[tuple[int, int, float]] = []
    clusters = find_pictures(
        vectors, index,
        verify=lambda a, b: verifier.confirmed(representatives[a], representatives[b]),
        seed_key=lambda row: _seed_key(infos[representatives[row]]),
        threshold=threshold, progress=progress,
        prepare=lambda pairs: verifier.prepare([(representatives[a], representatives[b]) for a, b in pairs], progress),
        extra_pairs=sorted(set(turned) | set(tiny)), apart=found_apart,
    )
    if apart is not None:  # a pair the thumbnails proposed counts as alike whatever its distance
        alike = set(turned)
        apart.extend((representatives[a], representatives[b], 0.0 if (a, b) in alike else gap)
                     for a, b, gap in found_apart)
    clustered = set()
    result = []
    for cluster in clusters:
        positions = [q for row in cluster for q in representative_of.get(representatives[row], [representatives[row]])]
        clustered.update(cluster)
        result.append(sorted(positions))
    for row, p in enumerate(representatives):
        if row not in clustered and p in representative_of:  # byte-identical copies alone
            result.append(representative_of[p])
    return result

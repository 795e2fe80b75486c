"""The only module that chains the stages: scan → decode → embed → cache → index → group."""

from __future__ import annotations

import hashlib
import io
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from photodedup.core import cache as cache_module
from photodedup.core.decode import (MIN_DETAIL, DecodedImage, DecodeError, decode_gray, decode_image, picture_detail,
                                    same_pixels, webp_is_lossy)
from photodedup.core.exact import find_identical, hash_bytes
from photodedup.core.group import DEFAULT_THRESHOLD, find_clusters, make_group
from photodedup.core.index import VectorIndex
from photodedup.core.keeper import DEFAULT_RULES, choose_keeper, resave_candidates
from photodedup.core.metadata import read_metadata
from photodedup.core.models import Group, ImageFile, ImageInfo, PhotoMetadata, Problem, ScanResult, ScanStats
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.raw import is_raw
from photodedup.core.scan import scan_roots
from photodedup.core.scratch import ScratchStore
from photodedup.core.verify import METHOD, MIN_INLIERS, LocalFeatures, count_inliers, extract_features

BATCH_SIZE = 4  # photos per model call: per photo, 6.0 ms at 4 against 7.1 ms at 16 (activations stay in cache)
SCRATCH_QUALITY = 92  # JPEG quality of the gray pictures kept for verification during a scan
FEATURES_KEPT = 512  # photos whose local features (about 32 KB each) are kept for later pairs
CHANGED_DURING_SCAN = "file changed or disappeared during the scan; scan again to include it"


@dataclass
class ScanOptions:
    """What the person asked for."""

    roots: Sequence[str]
    excludes: Sequence[str] = ()
    threshold: float = DEFAULT_THRESHOLD
    cache_dir: Path | None = None
    protected: Sequence[str] = ()  # folders whose files are kept: suggested as keepers, never for trash
    keeper_rules: Sequence[str] = DEFAULT_RULES  # keeper.RULES names, first decides
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))


class EmbedderLike:  # the subset of embed.Embedder the pipeline uses
    model_id: str

    def embed(self, images: np.ndarray) -> np.ndarray: ...


def default_embedder() -> EmbedderLike:
    """The model as a scan runs it: beside one decoding thread per core.

    Decoding a photo costs about four times what the model does (bench/speed.py), so the
    model gets a quarter of the cores: 1 thread on 2 cores (bench/threads.py: 61 files/s
    against 60 with 2 threads, which only contend with the decoders), 2 on 8.
    """
    from photodedup.core.embed import Embedder

    return Embedder(threads=max(1, (os.cpu_count() or 1) // 4))


def default_model_id() -> str:
    """What cached vectors depend on: the network's weights and how pixels are prepared."""
    from photodedup.core.decode import PREPARATION_ID
    from photodedup.core.embed import model_id

    return f"{model_id()}+{PREPARATION_ID}"


@dataclass
class _Decoded:
    file: ImageFile
    image: DecodedImage | None
    content_hash: str
    error: str | None
    feature_jpeg: bytes = b""  # the picture local features are found in, for the scratch store
    metadata: PhotoMetadata = PhotoMetadata()


def _encode_gray(gray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, "JPEG", quality=SCRATCH_QUALITY)
    return buffer.getvalue()


def feature_gray(path: str, scratch: ScratchStore | None = None) -> np.ndarray | None:
    """The gray picture local features are found in: from this scan's scratch store when the
    analysis kept it, else decoded from the file; None if the file can't be read now."""
    kept = scratch.get(path) if scratch is not None else None
    try:
        if kept is not None:
            from PIL import Image

            with Image.open(io.BytesIO(kept)) as image:
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


def _read_and_decode(file: ImageFile) -> _Decoded:
    """Read the file once: hash its bytes, decode them; never raises for a bad file."""
    try:
        with open(file.path, "rb") as handle:
            data = handle.read()
            modified = os.fstat(handle.fileno()).st_mtime_ns
    except FileNotFoundError:
        return _Decoded(file, None, "", CHANGED_DURING_SCAN)
    except OSError as error:
        return _Decoded(file, None, "", f"cannot read file: {error.strerror or error}")
    if len(data) != file.size or modified != file.mtime_ns:
        return _Decoded(file, None, "", CHANGED_DURING_SCAN)
    if len(data) == 0:
        return _Decoded(file, None, "", "empty file (0 bytes)")
    content_hash = hash_bytes(data)
    try:
        image = decode_image(io.BytesIO(data), raw=is_raw(file.path))
    except DecodeError as error:
        return _Decoded(file, None, content_hash, str(error))
    feature_jpeg = _encode_gray(image.feature_gray) if image.feature_gray is not None else b""
    image.feature_gray = None  # only the compressed copy travels on
    return _Decoded(file, image, content_hash, None, feature_jpeg, read_metadata(io.BytesIO(data)))


def _decode_in_parallel(files: Sequence[ImageFile], workers: int, progress: Progress) -> Iterator[_Decoded]:
    """Decode on a thread pool (Pillow releases the GIL), a bounded number in flight, in order."""
    in_flight: deque[Future[_Decoded]] = deque()
    limit = max(2 * BATCH_SIZE, 4 * workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        try:
            for file in files:
                while len(in_flight) >= limit:
                    yield in_flight.popleft().result()
                progress.check()
                in_flight.append(pool.submit(_read_and_decode, file))
            while in_flight:
                yield in_flight.popleft().result()
        finally:
            for future in in_flight:
                future.cancel()


@dataclass
class Library:
    """What a scan learned: enough to group again at another threshold without rescanning."""

    infos: list[ImageInfo]
    problems: list[Problem]
    stats: ScanStats
    cache_dir: Path | None
    model_id: str
    scratch: ScratchStore | None = None  # gray pictures of the photos analysed in this scan

    def close(self) -> None:
        """Delete the scan's scratch file (also done when the Library is garbage-collected)."""
        if self.scratch is not None:
            self.scratch.close()


def run_scan(
    options: ScanOptions,
    progress: Progress = NULL_PROGRESS,
    embedder_factory: Callable[[], EmbedderLike] = default_embedder,
    model_id: str | None = None,
) -> ScanResult:
    """Find groups of duplicate photos under ``options.roots``: analyse_library, then find_groups."""
    started = time.monotonic()
    library = analyse_library(options, progress, embedder_factory, model_id)
    try:
        groups = find_groups(library, options.threshold, options.protected, progress, options.keeper_rules)
    finally:
        library.close()
    return scan_result(library, groups, time.monotonic() - started)


def scan_result(library: Library, groups: list[Group], seconds: float) -> ScanResult:
    """The ScanResult (groups, problems, counts) for a library grouped into ``groups``."""
    stats = replace(library.stats)
    stats.problems = len(library.problems)
    stats.groups = len(groups)
    stats.duplicates = sum(len(g.members) - 1 for g in groups)
    stats.reclaimable_bytes = sum(g.reclaimable_bytes for g in groups)
    stats.seconds = round(seconds, 3)
    return ScanResult(groups=groups, problems=list(library.problems), stats=stats)


def analyse_library(
    options: ScanOptions,
    progress: Progress = NULL_PROGRESS,
    embedder_factory: Callable[[], EmbedderLike] = default_embedder,
    model_id: str | None = None,
) -> Library:
    """Walk the folders and get every photo's facts and vector, from the cache when unchanged.

    The embedder is only built when some file is not in the cache, so an unchanged
    library is rescanned without loading the model.
    """
    files, problems = scan_roots(options.roots, options.excludes, progress=progress)
    result = ScanResult(problems=list(problems))
    result.stats.files_found = len(files)
    model = model_id or default_model_id()
    with cache_module.Cache(options.cache_dir, model) as cache:
        if cache.rebuilt_reason:
            result.problems.append(Problem(str(cache.path), f"cache rebuilt: {cache.rebuilt_reason}"))
        scratch = ScratchStore(cache.folder)
        try:
            infos = _infos_for(files, cache, options, progress, embedder_factory, result, scratch)
        except BaseException:
            scratch.close()
            raise
    result.problems.sort(key=lambda p: p.path)
    release_free_memory()  # what the decoding threads used and freed
    return Library(infos, result.problems, result.stats, options.cache_dir, model, scratch)


def find_groups(
    library: Library, threshold: float = DEFAULT_THRESHOLD, protected: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS, keeper_rules: Sequence[str] = DEFAULT_RULES,
) -> list[Group]:
    """Groups of copies among the library's photos, biggest saving first.

    Exact copies by content hash, then near copies by embedding distance, confirmed by
    local features; the keeper is suggested by the keeper rules (``protected`` folders first).
    """
    with cache_module.Cache(library.cache_dir, library.model_id) as cache:
        try:
            return _group(library.infos, threshold, protected, progress, cache, library.scratch, keeper_rules)
        finally:
            cache.commit()


def _infos_for(
    files: list[ImageFile],
    cache: cache_module.Cache,
    options: ScanOptions,
    progress: Progress,
    embedder_factory: Callable[[], EmbedderLike],
    result: ScanResult,
    scratch: ScratchStore,
) -> list[ImageInfo]:
    """Cached facts for unchanged files; decode, hash and embed the rest (cached as they come)."""
    progress.start("Reading cache", len(files))
    infos: list[ImageInfo] = []
    misses: list[ImageFile] = []
    for number, file in enumerate(files):
        if number % 512 == 0:
            progress.check()
        info = cache.lookup(file)
        if info is not None:
            infos.append(info)
            result.stats.cache_hits += 1
            continue
        failure = cache.lookup_failure(file)
        if failure is not None:
            result.problems.append(Problem(file.path, failure))
            continue
        misses.append(file)
    progress.advance(len(files))
    if not misses:
        return infos
    embedder = embedder_factory()
    progress.start("Analysing photos", len(misses))
    batch: list[_Decoded] = []

    def flush() -> None:
        if not batch:
            return
        vectors = embedder.embed(np.stack([d.image.pixels for d in batch]))
        for decoded, vector in zip(batch, vectors):
            image = decoded.image
            info = ImageInfo(decoded.file, image.width, image.height, image.format, decoded.content_hash,
                             vector, image.content_fraction, decoded.metadata)
            cache.store(info, image.thumb)
            if decoded.feature_jpeg:
                scratch.put(decoded.file.path, decoded.feature_jpeg)
            infos.append(info)
        cache.commit()
        result.stats.files_decoded += len(batch)
        progress.advance(len(batch))
        batch.clear()

    try:
        for decoded in _decode_in_parallel(misses, options.workers, progress):
            if decoded.error is not None:
                result.problems.append(Problem(decoded.file.path, decoded.error))
                if decoded.error != CHANGED_DURING_SCAN and not decoded.error.startswith("cannot read"):
                    cache.store_failure(decoded.file, decoded.error)
                progress.advance()
                continue
            batch.append(decoded)
            if len(batch) >= BATCH_SIZE:
                flush()
        flush()
    finally:
        cache.commit()  # a cancelled scan keeps what it analysed
    return infos


def _group(infos: list[ImageInfo], threshold: float, protected: Sequence[str], progress: Progress,
           cache: cache_module.Cache, scratch: ScratchStore | None = None,
           keeper_rules: Sequence[str] = DEFAULT_RULES) -> list[Group]:
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
    index = VectorIndex.open_or_build(vectors, cache.path.parent / "index", key.hexdigest(), progress)
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

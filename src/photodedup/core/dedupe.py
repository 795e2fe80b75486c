"""The scan: the stages chained, scan → read → embed → cache → index → group.

This use case analyses the library (analyse_library, with analyse/read.py reading each photo)
and groups it (match/grouping.py); copy_check.py and search.py are built from the same stages.
"""

from __future__ import annotations

import gc
import os
import stat as stat_module
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.match.group import DEFAULT_THRESHOLD
from photodedup.core.review.keeper import DEFAULT_RULES
from photodedup.core.models import Group, ImageFile, ImageInfo, Problem, ScanResult, ScanStats
from photodedup.core.match.grouping import group_infos, release_free_memory
from photodedup.core.analyse.decode import TRANSIENT
from photodedup.core.analyse.read import Decoded, decode_in_parallel
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.analyse.scan import scan_roots
from photodedup.core.embed.embedder import default_model_id
from photodedup.core.analyse.scratch import ScratchStore

# Files whose cached rows are read between two checks for cancel (a few tenths of a second).
CACHE_READ_CHUNK = 8192
BATCH_SIZE = 4  # photos per model call: per photo, 6.0 ms at 4 against 7.1 ms at 16 (activations stay in cache)


@dataclass
class ScanOptions:
    """What the person asked for."""

    roots: Sequence[str]
    excludes: Sequence[str] = ()
    threshold: float = DEFAULT_THRESHOLD
    cache_dir: Path | None = None
    protected: Sequence[str] = ()  # folders whose files are kept: suggested as keepers, never for trash
    keeper_rules: Sequence[str] = DEFAULT_RULES  # keeper.RULES names, first decides
    follow_symlinks: bool = False  # look inside linked folders and at linked files under the roots
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
    from photodedup.core.embed.embedder import Embedder

    return Embedder(threads=max(1, (os.cpu_count() or 1) // 4))


@dataclass
class Library:
    """What a scan learned: enough to group again at another threshold without rescanning."""

    infos: list[ImageInfo]
    problems: list[Problem]
    stats: ScanStats
    cache_dir: Path | None
    model_id: str
    scratch: ScratchStore | None = None  # gray pictures of the photos analysed in this scan
    memory_cache: cache_module.Cache | None = None  # the cache, when this scan's lives in memory

    def close(self) -> None:
        """Delete the scan's scratch file (also done when the Library is garbage-collected)."""
        if self.scratch is not None:
            self.scratch.close()
        if self.memory_cache is not None:
            self.memory_cache.close()


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
    stats.duplicates = sum(len(g.members) - 1 for g in groups if g.kind == "copies")  # similar shots aren't
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
    with _collector_paused():  # an ImageFile a photo, none in a cycle
        files, problems = scan_roots(options.roots, options.excludes, progress=progress,
                                     follow_symlinks=options.follow_symlinks)
    return _analyse(files, problems, options, progress, embedder_factory, model_id,
                    roots=[os.path.abspath(r) for r in options.roots])


def analyse_files(
    paths: Sequence[str],
    cache_dir: Path | None = None,
    progress: Progress = NULL_PROGRESS,
    embedder_factory: Callable[[], EmbedderLike] = default_embedder,
    model_id: str | None = None,
) -> Library:
    """Like analyse_library, for files named one by one (a photo to search for)."""
    files, problems = [], []
    for path in paths:
        path = os.path.abspath(path)
        try:
            status = os.stat(path)
        except OSError as error:
            problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
            continue
        if not stat_module.S_ISREG(status.st_mode):
            problems.append(Problem(path, "not a file"))
            continue
        files.append(ImageFile(path, status.st_size, status.st_mtime_ns, status.st_dev, status.st_ino))
    return _analyse(files, problems, ScanOptions(roots=[], cache_dir=cache_dir), progress, embedder_factory, model_id)


def _analyse(files: list[ImageFile], problems: list[Problem], options: ScanOptions, progress: Progress,
             embedder_factory: Callable[[], EmbedderLike], model_id: str | None, roots: list[str] = ()) -> Library:
    result = ScanResult(problems=list(problems))
    result.stats.files_found = len(files)
    model = model_id or default_model_id()
    cache = cache_module.Cache(options.cache_dir, model)
    try:
        scratch = _scratch_store(cache)
        try:
            infos = _infos_for(files, cache, options, progress, embedder_factory, result, scratch)
        except BaseException:
            scratch.close()
            raise
        if roots:
            cache.remember_roots(list(roots))
    finally:
        _note_cache_trouble(cache, result.problems)
        if not cache.in_memory:
            cache.close()
    result.problems.sort(key=lambda p: p.path)
    release_free_memory()  # what the decoding threads used and freed
    return Library(infos, result.problems, result.stats, options.cache_dir, model, scratch,
                   cache if cache.in_memory else None)


def _scratch_store(cache: cache_module.Cache) -> ScratchStore:
    """The scan's scratch file beside the cache, or in the temporary folder when that can't be written."""
    if not cache.in_memory:
        try:
            return ScratchStore(cache.folder)
        except OSError:
            pass
    return ScratchStore()


def _note_cache_trouble(cache: cache_module.Cache, problems: list[Problem]) -> None:
    """Tell the person, once, when the cache was rebuilt or could not be used (the scan went on)."""
    notes = []
    if cache.rebuilt_reason and not (cache.warning or "").startswith("cache rebuilt"):
        notes.append(f"cache rebuilt: {cache.rebuilt_reason}")
    if cache.warning:
        notes.append(cache.warning)
    for note in notes:
        if Problem(str(cache.path), note) not in problems:
            problems.append(Problem(str(cache.path), note))


def find_groups(
    library: Library, threshold: float = DEFAULT_THRESHOLD, protected: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS, keeper_rules: Sequence[str] = DEFAULT_RULES,
) -> list[Group]:
    """Groups of copies among the library's photos, biggest saving first.

    Exact copies by content hash, then near copies by embedding distance, confirmed by
    local features; the keeper is suggested by the keeper rules (``protected`` folders first).
    """
    cache = library.memory_cache or cache_module.Cache(library.cache_dir, library.model_id)
    try:
        with _collector_paused():  # not walking the library's objects again and again (see _collector_paused)
            return group_infos(library.infos, threshold, protected, progress, cache, library.scratch, keeper_rules)
    finally:
        cache.commit()
        _note_cache_trouble(cache, library.problems)
        if cache is not library.memory_cache:
            cache.close()


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
    infos, misses = _from_cache(files, cache, progress, result)
    if not misses:
        return infos
    embedder = embedder_factory()
    known = len(infos)  # the person sees why the count is smaller than the library
    progress.start(f"Analysing photos ({known:,} already known from the cache)" if known else "Analysing photos",
                   len(misses))
    batch: list[Decoded] = []

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
        for decoded in decode_in_parallel(misses, options.workers, progress):
            if decoded.error is not None:
                result.problems.append(Problem(decoded.file.path, decoded.error))
                if decoded.error_kind != TRANSIENT:  # a broken file is not read again while unchanged
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


def _from_cache(files: list[ImageFile], cache: cache_module.Cache, progress: Progress,
                result: ScanResult) -> tuple[list[ImageInfo], list[ImageFile]]:
    """(the facts the cache has for unchanged files, the files it has none for); a file the cache
    remembers as broken is a problem again, without being read."""
    progress.start("Reading cache", len(files))
    infos: list[ImageInfo] = []
    misses: list[ImageFile] = []
    with _collector_paused():
        _read_cached(files, cache, progress, result, infos, misses)
    result.stats.cache_hits += len(infos)
    return infos, misses


@contextmanager
def _collector_paused():
    """Python's cycle collector off while the walk and the cache read make a library's objects (none
    in a cycle) and while it is grouped: each collection of the oldest generation walked all of them
    again. A warm rescan of 110,000 photos (bench/warm_scan.py, two runs each, alternating, loaded
    machine): 13.5-13.6 s with the collector, 9.0-10.7 s without. Paused, not frozen: gc.unfreeze
    would undo the freeze Session.let_go makes for the window (a 0.5-0.9 s collection at the next
    scan's start, tests/reliability/test_threads_and_shutdown.py). Whoever paused it first resumes it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_cached(files: list[ImageFile], cache: cache_module.Cache, progress: Progress, result: ScanResult,
                 infos: list[ImageInfo], misses: list[ImageFile]) -> None:
    for start in range(0, len(files), CACHE_READ_CHUNK):
        progress.check()
        chunk = files[start:start + CACHE_READ_CHUNK]
        found, failures = cache.lookup_many(chunk)
        for file, info, failure in zip(chunk, found, failures):
            if info is not None:
                infos.append(info)
            elif failure is not None:
                result.problems.append(Problem(file.path, failure))
            else:
                misses.append(file)
        progress.advance(len(chunk))

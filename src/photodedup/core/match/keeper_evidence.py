"""What the pixels say about which file of a copy group the others were made from, for the keeper
rules (review/keeper.py): how each file lies over the group's seed, each file's measured facts, how
far each sits from the others, and which lossless files are exact re-saves of a JPEG."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.analyse.decode import same_pixels, webp_is_lossy
from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.measures import KEEPER_METHOD, KeeperFacts, keeper_facts, keeper_header
from photodedup.core.match.origin import JPEG_RESAVE_METHOD, frame_of, origin_facts
from photodedup.core.match.origin_extent import extent_of
from photodedup.core.match.origin_fill import fill_of
from photodedup.core.match.origin_format import keeper_and_format_facts
from photodedup.core.match.origin_lossy import LOSSIER_METHOD, is_jpeg_resave, is_lossier_copy
from photodedup.core.match.origin_scale import same_extent_of
from photodedup.core.match.verify import PixelVerdict
from photodedup.core.models import ImageInfo
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.review.keeper import PixelEvidence


def evidence_of(members: list[ImageInfo], seed: ImageInfo, verdict_between: Callable[[ImageInfo, ImageInfo], PixelVerdict],
                cache: cache_module.Cache, gray_of: Callable[[ImageInfo], np.ndarray | None] | None = None) -> PixelEvidence:
    """What the pixels say about which file of a copy group the others were made from: each file
    against the group's seed (checked when the group was made), and each file's own facts.
    ``gray_of``: the grey picture the copy check used (grouping.feature_gray's), which spares most files the
    decode of origin.measure_frame when nothing was trimmed from it (origin.plainly_unframed)."""
    laid: dict[str, str] = {}
    for info in members:
        if info is not seed and info.content_hash != seed.content_hash:
            laid[info.file.path] = verdict_between(seed, info).how
    hashes = {info.file.path: info.content_hash for info in members}
    by_path = {info.file.path: info for info in members}

    def whole_gray(path: str) -> np.ndarray | None:
        info = by_path[path]
        return gray_of(info) if gray_of is not None and info.content_fraction == 1.0 else None

    return PixelEvidence(laid, {}, lambda path: keeper_and_format_facts(path, hashes[path], cache)[0],
                         _spread(members, cache), {}, lambda path: origin_facts(path, hashes[path], cache),
                         lambda path: frame_of(path, hashes[path], cache, lambda: whole_gray(path)),
                         measure_format=lambda path: keeper_and_format_facts(path, hashes[path], cache)[1],
                         measure_extent=lambda a, b: extent_of(a, hashes[a], b, hashes[b], cache),
                         measure_tag=lambda path: turned_by_tag(path, hashes[path], cache),
                         measure_fill=lambda path: fill_of(path, hashes[path], cache, lambda: whole_gray(path)),
                         measure_resize=None if gray_of is None else lambda a, b: same_extent_of(
                             hashes[a], hashes[b], lambda: (gray_of(by_path[a]), gray_of(by_path[b])), cache))


def turned_by_tag(path: str, content_hash: str, cache: cache_module.Cache) -> bool:
    """KeeperFacts.turned_by_tag of a file from the cache, else from its header alone (no decode);
    False if unreadable, as keeper_and_format_facts gives then."""
    known = cache.lookup_verification(content_hash, content_hash, KEEPER_METHOD)
    if known is not None:
        return KeeperFacts.from_code(known).turned_by_tag
    try:
        with open_photo(path) as image:
            return keeper_header(image, path)[0]
    except Exception:  # unreadable here: no evidence either way
        return False


def _spread(members: list[ImageInfo], cache: cache_module.Cache) -> dict[str, float]:
    """Each file's median difference (grey levels, cached thumbnails, best of any turn or mirror)
    to the other files of its group: the original sits in the middle of its edits."""
    thumbs = {info.file.path: cache.lookup_thumb(info.file) for info in members}
    if len(members) < 3 or any(thumb is None for thumb in thumbs.values()):
        return {}
    stack = np.stack([thumbs[info.file.path].astype(np.float32) for info in members])
    turns = np.stack([stack, stack[:, ::-1, ::-1], np.rot90(stack, 1, axes=(1, 2)), np.rot90(stack, 3, axes=(1, 2)),
                      stack[:, :, ::-1], stack[:, ::-1, :]])
    differences = np.abs(turns[:, :, None] - stack[None, None, :]).mean(axis=(3, 4)).min(axis=0)
    spread = {}
    for row, info in enumerate(members):
        others = np.delete(differences[row], row)
        spread[info.file.path] = float(np.median(others))
    return spread


LOSSLESS_FORMATS = frozenset({"PNG", "TIFF", "BMP", "WEBP"})  # WebP may be lossless; the pixels tell


def resave_candidates(infos: Sequence[ImageInfo]) -> list[tuple[ImageInfo, ImageInfo]]:
    """(lossless file, JPEG) pairs of equal size in a group: the lossless one may be a re-save."""
    jpegs = [i for i in infos if i.format in ("JPEG", "MPO")]
    return [(other, jpeg) for other in infos if other.format in LOSSLESS_FORMATS
            for jpeg in jpegs if (other.width, other.height) == (jpeg.width, jpeg.height)]


RESAVE_METHOD = "same-pixels-v1"
# JPEGs a lossless file is compared with, closest thumbnail first; a grey JPEG is not tried for a
# colour file (nor the reverse): its pixels can't be the same. The grey thumbnails can't tell the
# JPEG a file was saved from from that JPEG's grey copy: bench/corpus-s11 "Blinds" had its
# recompressed, EXIF-turned and grey copies as close as its original (0.25-0.26 grey levels),
# the original came fourth, so three tries missed the re-save and the PNG was kept.
RESAVE_TRIES = 3


def resaves_of(groups: list[list[ImageInfo]], cache: cache_module.Cache, workers: int,
             progress: Progress = NULL_PROGRESS) -> list[frozenset[str]]:
    """For each group, its files that are re-saves of another of its JPEGs (keeper rule "not-resaved"):
    lossless files holding exactly a JPEG's pixels, JPEGs encoded again from another JPEG at a
    higher quality (origin_lossy.is_jpeg_resave), and JPEGs with camera EXIF holding another's pixels at
    a lower quality (origin_lossy.is_lossier_copy).

    Each lossless file is compared, full size, with at most RESAVE_TRIES JPEGs of its group:
    those whose cached thumbnails are closest, and only within a grey level (an edited copy's
    is not); each JPEG with the lower-quality JPEGs of its size within a grey level. The
    comparisons run in parallel; the answer is remembered by content, so a rescan decodes nothing.
    """
    checks = [_lossless_checks(members, cache) + _jpeg_checks(members, cache) for members in groups]
    answers: dict[tuple[str, str, str], int] = {}
    for method, copy, source in (check for group in checks for check in group):
        known = cache.lookup_verification(copy.content_hash, source.content_hash, method)
        if known is not None:
            answers[copy.content_hash, source.content_hash, method] = known
    unknown = {(copy.content_hash, source.content_hash, method): (method, copy.file.path, source.file.path)
               for group in checks for method, copy, source in group
               if (copy.content_hash, source.content_hash, method) not in answers}
    if unknown:  # a full-size decode of both files each: ~100 MB of pixels per worker at 12 MP
        progress.start("Comparing re-saved copies with JPEGs", len(unknown))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="resave")
        try:
            for key, same in zip(unknown, pool.map(lambda check: _is_resave(*check), unknown.values())):
                answers[key] = int(same)
                cache.store_verification(key[0], key[1], key[2], int(same))
                progress.advance()
                progress.check()
        finally:
            pool.shutdown(cancel_futures=True)  # a cancelled scan waits only for what is running
    return [frozenset(copy.file.path for method, copy, source in group
                      if answers[copy.content_hash, source.content_hash, method]) for group in checks]


def _is_resave(method: str, copy: str, source: str) -> bool:
    if method == LOSSIER_METHOD:
        return is_lossier_copy(copy, source)
    return same_pixels(copy, source) if method == RESAVE_METHOD else is_jpeg_resave(copy, source)


def _thumb_difference(first: ImageInfo, second: ImageInfo, cache: cache_module.Cache) -> float:
    thumbs = cache.lookup_thumb(first.file), cache.lookup_thumb(second.file)
    if thumbs[0] is None or thumbs[1] is None:
        return 0.0
    return float(np.abs(thumbs[0].astype(np.int16) - thumbs[1]).mean())


def _lossless_checks(members: list[ImageInfo], cache: cache_module.Cache) -> list[tuple[str, ImageInfo, ImageInfo]]:
    """(RESAVE_METHOD, lossless file, JPEG) to compare: the RESAVE_TRIES closest JPEGs of each."""
    closest: dict[str, list[tuple[float, str, ImageInfo, ImageInfo]]] = {}

    def grey(info: ImageInfo) -> bool:
        return keeper_facts(info.file.path, info.content_hash, cache).monochrome

    for lossless, jpeg in resave_candidates(members):
        if lossless.format == "WEBP" and webp_is_lossy(lossless.file.path):
            continue
        difference = _thumb_difference(lossless, jpeg, cache)
        # Thumbnails of files trimmed differently (a plain edge taken for a bar in one) differ
        # even for the same pixels: bench/corpus "Wood", 2.8 grey levels. A grey JPEG is never the
        # source of a colour file (a grey copy's thumbnail ties with its colour original's).
        if (difference <= 1.0 or abs(lossless.content_fraction - jpeg.content_fraction) > 0.01) and \
                grey(lossless) == grey(jpeg):
            closest.setdefault(lossless.file.path, []).append((difference, jpeg.file.path, lossless, jpeg))
    # The few closest JPEGs each: an edited copy of the same size (turned by EXIF, say) may tie.
    return [(RESAVE_METHOD, lossless, jpeg) for found in closest.values()
            for _, _, lossless, jpeg in sorted(found, key=lambda c: c[:2])[:RESAVE_TRIES]]


def _jpeg_checks(members: list[ImageInfo], cache: cache_module.Cache) -> list[tuple[str, ImageInfo, ImageInfo]]:
    """(JPEG_RESAVE_METHOD, JPEG, JPEG of the same size and a lower quality) whose thumbnails are
    within a grey level: the first may be the second encoded again (bench/keeper_attack.py
    "higher_quality": a camera's q88 file saved again at q98 won the "quality" rule). And
    (LOSSIER_METHOD, the lower, the higher) where only the lower has camera EXIF: it may hold the
    higher's pixels at its lower quality (origin_lossy), and only then does its EXIF decide."""
    jpegs = [info for info in members if info.format in ("JPEG", "MPO")]
    pairs = [(copy, source) for n, copy in enumerate(jpegs) for source in jpegs[n + 1:]
             if (copy.width, copy.height) == (source.width, source.height) and copy.content_hash != source.content_hash
             and _thumb_difference(copy, source, cache) <= 1.0]
    quality = {info.file.path: keeper_facts(info.file.path, info.content_hash, cache).quality
               for pair in pairs for info in pair}
    ordered = [(a, b) if quality[a.file.path] > quality[b.file.path] else (b, a)
               for a, b in pairs if quality[a.file.path] != quality[b.file.path]]
    return [(JPEG_RESAVE_METHOD, higher, lower) for higher, lower in ordered] + \
        [(LOSSIER_METHOD, lower, higher) for higher, lower in ordered if _camera(lower) and not _camera(higher)]


def _camera(info: ImageInfo) -> bool:
    return info.metadata.has_exif and bool(info.metadata.camera)

"""What the pixels say about which file of a copy group the others were made from, for the keeper
rules (review/keeper.py): how each file lies over the group's seed, each file's measured facts, how
far each sits from the others, and which lossless files are exact re-saves of a JPEG."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.analyse.decode import same_pixels, webp_is_lossy
from photodedup.core.match.measures import keeper_facts
from photodedup.core.match.verify import PixelVerdict
from photodedup.core.models import ImageInfo
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.review.keeper import PixelEvidence, resave_candidates


def evidence_of(members: list[ImageInfo], seed: ImageInfo, verdict_between: Callable[[ImageInfo, ImageInfo], PixelVerdict],
                cache: cache_module.Cache) -> PixelEvidence:
    """What the pixels say about which file of a copy group the others were made from: each file
    against the group's seed (checked when the group was made), and each file's own facts."""
    laid: dict[str, str] = {}
    for info in members:
        if info is not seed and info.content_hash != seed.content_hash:
            laid[info.file.path] = verdict_between(seed, info).how
    hashes = {info.file.path: info.content_hash for info in members}
    return PixelEvidence(laid, {}, lambda path: keeper_facts(path, hashes[path], cache), _spread(members, cache))


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


RESAVE_METHOD = "same-pixels-v1"
# JPEGs a lossless file is compared with, closest thumbnail first; a grey JPEG is not tried for a
# colour file (nor the reverse): its pixels can't be the same. The grey thumbnails can't tell the
# JPEG a file was saved from from that JPEG's grey copy: bench/corpus-s11 "Blinds" had its
# recompressed, EXIF-turned and grey copies as close as its original (0.25-0.26 grey levels),
# the original came fourth, so three tries missed the re-save and the PNG was kept.
RESAVE_TRIES = 3


def resaves_of(groups: list[list[ImageInfo]], cache: cache_module.Cache, workers: int,
             progress: Progress = NULL_PROGRESS) -> list[frozenset[str]]:
    """For each group, its lossless files that hold exactly a JPEG's pixels (keeper rule "not-resaved").

    Each lossless file is compared, full size, with at most RESAVE_TRIES JPEGs of its group:
    those whose cached thumbnails are closest, and only within a grey level (an edited copy's
    is not). The comparisons run in parallel; the answer is remembered by content,
    so a rescan decodes nothing.
    """
    checks: list[list[tuple[ImageInfo, ImageInfo]]] = []

    def grey(info: ImageInfo) -> bool:
        return keeper_facts(info.file.path, info.content_hash, cache).monochrome

    for members in groups:
        closest: dict[str, list[tuple[float, str, ImageInfo, ImageInfo]]] = {}
        for lossless, jpeg in resave_candidates(members):
            if lossless.format == "WEBP" and webp_is_lossy(lossless.file.path):
                continue
            thumbs = cache.lookup_thumb(lossless.file), cache.lookup_thumb(jpeg.file)
            difference = (float(np.abs(thumbs[0].astype(np.int16) - thumbs[1]).mean())
                          if thumbs[0] is not None and thumbs[1] is not None else 0.0)
            # Thumbnails of files trimmed differently (a plain edge taken for a bar in one) differ
            # even for the same pixels: bench/corpus "Wood", 2.8 grey levels.
            if (difference <= 1.0 or abs(lossless.content_fraction - jpeg.content_fraction) > 0.01) and \
                    grey(lossless) == grey(jpeg):
                closest.setdefault(lossless.file.path, []).append((difference, jpeg.file.path, lossless, jpeg))
        # The few closest JPEGs each: an edited copy of the same size (turned by EXIF, say) may tie.
        checks.append([(lossless, jpeg) for found in closest.values()
                       for _, _, lossless, jpeg in sorted(found, key=lambda c: c[:2])[:RESAVE_TRIES]])
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

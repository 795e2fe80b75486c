"""Which originals a "look in" photo may be a copy of, beyond its nearest by the embedding.

The embedding sees a picture turned by 90°, 180° or 270° as another picture: a turned copy of
the whole frame is proposed by the thumbnails (turned_partners), and a turned copy of a part of
the frame, which no thumbnail matches, by the embedding of the copy turned back (turned_vectors).
The pixels decide every proposal (copy_check); these only widen what is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from photodedup.core.analyse import cache as cache_module
from photodedup.core.dedupe import EmbedderLike, Library, analyse_files
from photodedup.core.embed.embedder import default_model_id
from photodedup.core.match.neighbours import TINY_CORRELATION, TINY_PER_PHOTO, TINY_SIDE
from photodedup.core.match.turned import turned_candidates, turned_partners_of
from photodedup.core.progress import NULL_PROGRESS, Progress

# The turns a copy is turned back by before it is embedded again, as np.rot90 counts them
# (anticlockwise quarter turns), and how a verdict names the same turn (verify.TURNS).
BACK_TURNS = (1, 2, 3)
TURNED_MODEL = "+turned-90-180-270-v1"  # the model id of vectors of a picture turned back three ways
TURNED_FOLDER = "turned"  # where, inside the cache folder, those vectors are kept
# A photo's nearest original by the embedding is compared by the pixels up to this distance, past
# the scan's threshold: a crop lies further from its original than a resize does. Bench
# (corpus-s11, seed 11): the crops of "Dragonfly" and "Wine" that were never compared lay 0.58-0.68
# from their originals, a blurred "rocket" 0.61, each its nearest; one extra pixel check per photo
# that matched nothing, and the pixels decide as for any other proposal.
NEAREST_BEYOND = 0.8


class TurnedEmbedder:
    """The model applied to each picture turned by 90°, 180° and 270° (np.rot90 k = 1, 2, 3): one
    row per picture, its three L2-normalised vectors side by side. The model's input is the whole
    picture squashed to a square, so turning the square is turning the picture."""

    def __init__(self, base: EmbedderLike) -> None:
        self.base = base
        self.model_id = getattr(base, "model_id", "") + TURNED_MODEL

    def embed(self, images: np.ndarray) -> np.ndarray:
        turned = [self.base.embed(np.ascontiguousarray(np.rot90(images, k, axes=(1, 2)))) for k in BACK_TURNS]
        return np.concatenate([np.asarray(v, dtype=np.float32) for v in turned], axis=1)


def turned_vectors(paths: list[str], cache_dir: Path | None, model_id: str | None,
                   embedder_factory: Callable[[], EmbedderLike],
                   progress: Progress = NULL_PROGRESS) -> dict[str, np.ndarray]:
    """For each photo (by path), its vectors turned back by 90°, 180° and 270° ((3, dim), rows
    in BACK_TURNS order), cached in their own cache beside the scan's (a photo's row there is
    keyed by the file, like the scan's): a warm run embeds nothing. Unreadable photos are left out."""
    if not paths:
        return {}
    folder = Path(cache_dir or cache_module.default_cache_dir()) / TURNED_FOLDER
    library: Library = analyse_files(paths, folder, progress, lambda: TurnedEmbedder(embedder_factory()),
                                     (model_id or default_model_id()) + TURNED_MODEL)
    try:
        return {info.file.path: info.vector.reshape(len(BACK_TURNS), -1) for info in library.infos
                if info.vector is not None and info.vector.size % len(BACK_TURNS) == 0}
    finally:
        library.close()


def turned_partners(originals: Library, look_in: Library) -> dict[int, list[int]]:
    """For each "look in" photo (by position), the originals whose thumbnails (as group.py's
    turned_candidates compares them) match it turned or mirrored: the embedding sees a turned
    picture as another one, so these are proposed too (turned.turned_partners_of); and for a
    thumbnail-sized photo, its best thumbnail matches as the scan proposes them (tiny_partners)."""
    cache = originals.memory_cache or cache_module.Cache(originals.cache_dir, originals.model_id)
    try:
        thumbs = [_thumbs(cache, library.infos) for library in (originals, look_in)]
        if any(side is None for side in thumbs):
            return {}
    except Exception:  # no thumbnails (a broken cache): the embedding alone proposes
        return {}
    finally:
        if cache is not originals.memory_cache:
            cache.close()
    aspects = [np.array([info.width / max(1, info.height) for info in library.infos]) for library in (originals, look_in)]
    partners = turned_partners_of(thumbs[0], aspects[0], thumbs[1], aspects[1])
    for row, extra in tiny_partners(thumbs[0], thumbs[1], originals.infos, look_in.infos).items():
        partners[row] = partners.get(row, []) + [p for p in extra if p not in partners.get(row, [])]
    return partners


def _thumbs(cache: cache_module.Cache, infos: list) -> np.ndarray | None:
    """The photos' thumbnails as one uint8 array (1 KB a photo), or None when one is missing."""
    thumbs = None
    for row, info in enumerate(infos):
        thumb = cache.lookup_thumb(info.file)
        if thumb is None or (thumbs is not None and thumb.shape != thumbs.shape[1:]):
            return None
        if thumbs is None:
            thumbs = np.empty((len(infos), *thumb.shape), dtype=np.uint8)
        thumbs[row] = thumb
    return thumbs


def tiny_partners(original_thumbs: np.ndarray, look_thumbs: np.ndarray, original_infos: list,
                  look_infos: list) -> dict[int, list[int]]:
    """For each "look in" photo no bigger than a thumbnail (grouping.TINY_SIDE), the originals the
    scan would propose for it (turned.turned_candidates at TINY_CORRELATION, TINY_PER_PHOTO best):
    a 100-px copy's embedding lies far from its original's. Measured: the 25 100-px thumbnails of
    bench/corpus lay 0.54-0.91 from their originals (threshold 0.55), and find-copies found 3."""
    tiny = [row for row, info in enumerate(look_infos) if max(info.width, info.height) <= TINY_SIDE]
    if not tiny or not len(original_thumbs):
        return {}
    base = np.asarray(original_thumbs)
    aspects = np.array([info.width / max(1, info.height) for info in original_infos] + [1.0])
    partners = {}
    for row in tiny:  # one at a time: the other thumbnails in "look in" must not take the places
        info = look_infos[row]
        aspects[-1] = info.width / max(1, info.height)
        pairs = turned_candidates(np.concatenate([base, look_thumbs[row][None]]), aspects, rows=[len(base)],
                                  correlation=TINY_CORRELATION, per_photo=TINY_PER_PHOTO,
                                  exact_up_to=len(base) + 1)  # one row scored against all: no index to build
        if pairs:
            partners[row] = [a for a, _ in pairs]
    return partners

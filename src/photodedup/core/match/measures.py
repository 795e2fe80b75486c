"""What the pixels say about one picture: for the keeper (grey, JPEG quality, tonal range, turned
by an EXIF tag) and for
the best shot of a similar group (sharpness, exposure, noise). Each answer is kept in the cache's
``verifications`` table under the file's content hash, so a rescan decodes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodedup.core.analyse.decode import webp_is_lossy
from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.changes import jpeg_quality
from photodedup.core.models import ImageInfo

KEEPER_METHOD = "keeper-facts-v6"
LOSSY_UNKNOWN_QUALITY = 75  # a lossy WebP or HEIC does not say its quality: taken as the usual default
SHOT_METHOD = "shot-facts-v2"  # v2: measured on grouping.feature_gray's one picture (v1: scratch JPEG or file)


class VerificationStore:  # the part of cache.Cache used here
    def lookup_verification(self, hash_a: str, hash_b: str, method: str) -> int | None: ...
    def store_verification(self, hash_a: str, hash_b: str, method: str, matches: int) -> None: ...


@dataclass(frozen=True)
class KeeperFacts:
    """Monochrome or colour, JPEG quality (100 when lossless, LOSSY_UNKNOWN_QUALITY for other
    lossy formats), the tonal range (tonal_range), and whether the pixels are stored turned and
    shown upright by an EXIF orientation tag."""

    monochrome: bool = False
    quality: int = 100
    tones: float = 8.0
    turned_by_tag: bool = False

    def code(self) -> int:
        flags = int(self.monochrome) + 2 * int(self.turned_by_tag)
        return (flags * 1000 + self.quality) * 10000 + round(self.tones * 1000)

    @classmethod
    def from_code(cls, code: int) -> "KeeperFacts":
        head, tones = divmod(code, 10000)
        flags, quality = divmod(head, 1000)
        return cls(bool(flags & 1), quality, tones / 1000, bool(flags & 2))


CLIPPING_BITS = 3.0  # bits of tonal range a fully clipped picture loses, beyond what its histogram shows


def tonal_range(grey: np.ndarray) -> float:
    """Tonal range of a grey picture: entropy (bits) of its grey levels, less CLIPPING_BITS × the
    share of pixels clipped to black or white. A brightened, darkened or contrast-changed copy
    has fewer levels or more clipped pixels than the picture it came from."""
    counts = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    share = counts[counts > 0] / counts.sum()
    clipped = float(((grey <= 2) | (grey >= 253)).mean())
    return max(0.0, float(-(share * np.log2(share)).sum()) - CLIPPING_BITS * clipped)


def measure_keeper_facts(path: str) -> KeeperFacts:
    """Grey or colour, quality and tonal range of a file, from one reduced decode (at most 384 px). Opened with
    every guard of the scan's own decode (photo formats only, regular files, a deadline): a file the cache still
    trusts may have been replaced since by a PostScript program that never ends (third adversarial pass)."""
    with open_photo(path) as image:
        header = keeper_header(image, path)
        rgb = reduced_rgb(image)
    return keeper_facts_of(header, rgb)


def keeper_header(image: Image.Image, path: str) -> tuple[bool, int]:
    """(turned by an EXIF tag, JPEG quality or the stand-in for a format that states none) of an open file."""
    image_format = image.format
    try:
        turned_by_tag = image.getexif().get(0x0112, 1) not in (1, None)
    except Exception:  # malformed EXIF: shown as stored
        turned_by_tag = False
    quality = jpeg_quality(image) if image_format in ("JPEG", "MPO") else None
    if quality is None:
        lossy = image_format in ("HEIF", "AVIF") or (image_format == "WEBP" and webp_is_lossy(path))
        quality = LOSSY_UNKNOWN_QUALITY if lossy else 100
    return bool(turned_by_tag), quality


def reduced_rgb(image: Image.Image) -> Image.Image:
    """An open file decoded in colour at a reduced size (JPEG draft at 256 px or more): what the keeper
    facts and origin_format's tint are measured on, decoded once for both."""
    image.draft("RGB", (256, 256))
    return image.convert("RGB")


def keeper_facts_of(header: tuple[bool, int], rgb: Image.Image) -> KeeperFacts:
    """KeeperFacts from keeper_header and reduced_rgb."""
    rgb = rgb.copy()
    rgb.thumbnail((384, 384), Image.Resampling.BOX)
    grey = np.asarray(rgb.convert("L"))
    small = np.asarray(rgb.resize((64, 64), Image.Resampling.BOX), dtype=np.int16)
    monochrome = bool((small.max(axis=2) - small.min(axis=2)).mean() < 4.0)  # as changes.picture_facts
    return KeeperFacts(monochrome, header[1], tonal_range(grey), header[0])


def keeper_facts(path: str, content_hash: str, store: VerificationStore) -> KeeperFacts:
    """The keeper facts of a file, from the cache or measured (and cached); neutral if unreadable."""
    known = store.lookup_verification(content_hash, content_hash, KEEPER_METHOD)
    if known is not None:
        return KeeperFacts.from_code(known)
    try:
        measured = measure_keeper_facts(path)
    except Exception:
        return KeeperFacts()
    store.store_verification(content_hash, content_hash, KEEPER_METHOD, measured.code())
    return KeeperFacts.from_code(measured.code())  # as a rescan reads it, so both choose alike


@dataclass(frozen=True)
class ShotFacts:
    """Sharpness (mean gradient energy of the finest detail), share of clipped pixels, and noise
    (the finest residual in plain areas), measured on the grey picture the copy check uses."""

    sharpness: float = 0.0
    clipped: float = 0.0
    noise: float = 0.0

    def code(self) -> int:
        return (min(99999, round(self.sharpness * 10)) * 1000 + round(self.clipped * 999)) * 10000 + min(9999, round(self.noise * 100))

    @classmethod
    def from_code(cls, code: int) -> "ShotFacts":
        head, noise = divmod(code, 10000)
        sharpness, clipped = divmod(head, 1000)
        return cls(sharpness / 10, clipped / 999, noise / 100)


def measure_shot(grey: np.ndarray) -> ShotFacts:
    """Sharpness, exposure and noise of one picture (grey, about 512 px)."""
    values = grey.astype(np.float32)
    laplacian = (4 * values[1:-1, 1:-1] - values[:-2, 1:-1] - values[2:, 1:-1] - values[1:-1, :-2] - values[1:-1, 2:])
    energy = np.abs(laplacian)
    # One partition for both (apart, they were 0.14 s of a cold scan of bench/corpus-speed); the
    # median: in plain areas the finest residual is the sensor's noise.
    sharpness, noise = (float(v) for v in np.percentile(energy, [90, 50]))
    clipped = float(((grey <= 3) | (grey >= 252)).mean())
    return ShotFacts(sharpness, clipped, noise)


SHOTS_AT_ONCE = 64  # grey pictures (about 170 KB each) held at once while their facts are measured


def shots_facts(infos: Sequence[ImageInfo], grey: Callable[[ImageInfo], np.ndarray | None], store: VerificationStore,
                workers: int = 0) -> dict[str, ShotFacts]:
    """The ShotFacts of files (by path; unreadable ones left out): cached answers first, then the
    others measured on all cores (numpy releases the GIL), each stored. Measured on
    bench/corpus-speed: 90 pictures took 1.0 s one by one, the scan's only single-threaded step
    of the grouping after the copy check."""
    facts: dict[str, ShotFacts] = {}
    missing = []
    for info in {info.file.path: info for info in infos}.values():
        known = store.lookup_verification(info.content_hash, info.content_hash, SHOT_METHOD)
        if known is not None:
            facts[info.file.path] = ShotFacts.from_code(known)
        else:
            missing.append(info)
    with ThreadPoolExecutor(max_workers=workers or max(1, os.cpu_count() or 1), thread_name_prefix="shots") as pool:
        for start in range(0, len(missing), SHOTS_AT_ONCE):
            batch = [(info, grey(info)) for info in missing[start:start + SHOTS_AT_ONCE]]
            batch = [(info, picture) for info, picture in batch if picture is not None]
            for (info, _), measured in zip(batch, pool.map(lambda pair: measure_shot(pair[1]), batch)):
                store.store_verification(info.content_hash, info.content_hash, SHOT_METHOD, measured.code())
                facts[info.file.path] = ShotFacts.from_code(measured.code())  # as a rescan reads it
    return facts


def best_shot(facts: dict[str, ShotFacts], pixels: dict[str, int] | None = None) -> tuple[str, str]:
    """The suggested best of several shots of one scene, and why in words. With ``pixels``, a
    shot under half the largest one's pixels is not suggested (a small copy looks sharper per
    pixel while holding less)."""
    paths = sorted(facts)
    if pixels:
        largest = max(pixels.get(p, 0) for p in paths)
        paths = [p for p in paths if 2 * pixels.get(p, 0) >= largest] or paths
        facts = {p: facts[p] for p in paths}
    if not paths:
        raise ValueError("no shots")
    top_sharpness = max(f.sharpness for f in facts.values()) or 1.0

    def score(path: str) -> tuple:
        f = facts[path]
        return (-round(f.sharpness / top_sharpness, 1), round(f.clipped, 2), f.noise, path)

    best = min(paths, key=score)
    others = [facts[p] for p in paths if p != best]
    chosen = facts[best]
    if not others:
        return best, "the only shot"
    reasons = []
    sharpest_other = max(o.sharpness for o in others)
    if chosen.sharpness > 1.1 * sharpest_other:
        reasons.append(f"sharper ({chosen.sharpness / max(sharpest_other, 1e-6):.1f}× the finest detail of the others)")
    least_clipped = min(o.clipped for o in others)
    if chosen.clipped + 0.01 < least_clipped:
        reasons.append(f"better exposed ({chosen.clipped:.0%} of the pixels clipped, others {least_clipped:.0%})")
    if chosen.noise < 0.8 * min(o.noise for o in others):
        reasons.append("less noise")
    if not reasons:
        reasons.append("as sharp and as well exposed as the others; chosen by name")
    return best, "best shot: " + ", ".join(reasons)

"""Which of two files of one picture holds more of it, from their own pixels, for the keeper
(review/keeper.py): how much fine detail each holds (an upscaled, blurred or round-tripped copy holds
none beyond its source's), how much of it is nested uniform frames (a mat, a line and an edge around
the picture), whether it looks sharpened and contrast-boosted from another, and whether a JPEG is a
plain re-save of another at a higher quality. bench/keeper_attack.py measures the whole.

Each file's answer is kept in the cache's ``verifications`` table under its content hash (and each
pair's under both), so a rescan decodes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.measures import VerificationStore

ORIGIN_METHOD = "keeper-origin-v4"
JPEG_RESAVE_METHOD = "jpeg-resave-v1"
FRAME_METHOD = "keeper-frame-v1"
# Linear scales at which a file's detail is measured: its share of detail finer than what a copy
# this many times smaller can hold (frequencies above 0.5/s cycles per pixel).
SCALES = (1.15, 1.3, 1.6, 2.0, 3.2)
TILE = 256  # side of the tiles whose spectra are summed: every tile of the picture, or 8 × 8 spread over it
MAX_TILES_ACROSS = 8
LOW_CUT = 0.03  # cycles per pixel: coarser structure (shading, the picture's layout) is not detail
# A larger file holds more than a smaller one when at least this share of its detail (relative to a
# natural 1/f² spectrum's) lies beyond what the smaller can hold. Measured: 1.6× bicubic upscales hold
# 0.02-0.10 beyond their source's frequencies on bench/keeper_attack.py, 0.15 for the finely textured
# "coffee" sample saved at q80 (its JPEG noise); sharp originals 0.2-1.0 beyond their resized copies.
# A soft original holds little more than its resized copy either (bench/corpus "Storm" 0.02): under
# this, and flat (below), it ties with it and rules that don't look at the size decide.
HOLDS_MORE = 0.2
# ... and the file's spectrum is still flat there: an upscale's detail beyond its source's frequencies
# is its noise floor, the same share per octave as its finest band's, up to the scale it was
# upscaled by (its "knee", the first of SCALES where the share passes UPSCALE_FLAT times the finest
# band's, and by UPSCALE_RISE at least: a clean upscale's floor is near 0); a soft original's grows
# from its finest band on. Both are measured a little beyond the
# source's frequencies (UPSCALE_MARGIN), past the leakage of the interpolation. Measured: 1.6×
# upscales and square crops exported larger knee at 1.6 or later, a 3× upscale at 3.2 (bench/
# keeper_attack.py, tests/core/test_keeper_origin.py).
UPSCALE_FLAT = 1.35
UPSCALE_RISE = 0.02  # a 1.9× Lanczos upscale saved at q98: 0.008 at its finest band, 0.018 at 1/1.6
UPSCALE_MARGIN = 1.1
# A file under this many times larger (linearly) than another always holds more: a crop keeps its
# picture's scale, and bench/corpus crops and straightened copies are 1.11-1.25 times smaller than
# their originals (a square crop exported larger in bench/keeper_attack.py, 1/1.32).
UPSCALE_MIN = 1.3
# ... and one over this many times larger always holds more too: a soft original (a phone's noise-
# reduced 12 MP, bench/corpus "Storm") holds as little beyond a thumbnail's frequencies as an upscale
# does, and a thumbnail must never be kept over it (later rules would decide between them by dates).
# So an upscale by more than this still wins by its pixels.
UPSCALE_MAX = 2.0
# Two files of one size: one is sharper when its detail beyond 0.5/s cycles per pixel, for each s of
# SHARP_SCALES, is SHARPER times the other's (the median over the busier half of SHARP_TILE tiles, so
# a watermark's few tiles of crisp text don't count). Measured: a Gaussian blur of 1.6 px (bench/
# keeper_attack.py "blurred_q98") leaves 1/4.2 to 1/380 of the originals'; on bench/corpus seed 7 no
# copy of the original's size is ahead of it by more than 2.5 at both scales (a watermark over a soft
# picture, "Storm"), while at 1/1.15 re-encoded and mirrored copies are up to 3 times "sharper"
# (their JPEG noise).
SHARP_SCALES = (2.0, 3.2)
SHARP_TILE = 128
SHARPER = 3.0
# A sharpened and contrast-boosted copy ("enhanced") is sharper than the file it came from and clips
# more of it to black or white: at least ENHANCED_SHARPER times the detail at each SHARP_SCALES and
# ENHANCED_CLIPPED more of the picture clipped (and twice the other's share). Measured on
# bench/keeper_attack.py "enhanced" (unsharp mask 150% + contrast 1.25): 1.7-5 times the detail
# and 1.0-11% more clipped in 5 of 6 pictures (the sixth clips none); a Gaussian-blurred copy clips
# at most 0.08% less than its original. On bench/corpus seed 7 the copies of the original's size
# that are 1.5 times as sharp are a watermark over a soft picture (which also clips 0.9% more, and
# loses) and mirrored or turned copies re-encoded (which clip the same).
ENHANCED_SHARPER = 1.5
ENHANCED_CLIPPED = 0.005
# Nested frames: a ring of the picture's edge is a frame when this share of its pixels lies within
# FRAME_TOLERANCE grey levels of its median (JPEG ringing beside a black-white step stays within it).
FRAME_UNIFORM = 0.98
FRAME_TOLERANCE = 16
FRAME_SIDE = 800  # the frame is measured on the picture reduced to this long side
RESAVE_TOLERANCE = 0.25  # mean grey-level difference under which a re-encoding reproduces a JPEG


@dataclass(frozen=True)
class OriginFacts:
    """A file's share inside nested uniform frames (1.0: no frame) and its detail shares at SCALES
    (empty: not measured)."""

    frame: float = 1.0
    shares: tuple[float, ...] = ()
    blur: tuple[float, ...] = ()  # the tile medians at SHARP_SCALES
    clipped: float = 0.0  # share of the picture at grey 0-2 or 253-255

    def code(self) -> int:
        """One integer for the cache: the frame's loss in thousandths (under 500), then each share
        and the clipped share in twentieths of a decade from 10 down to 1e-4 (2 digits each)."""
        if len(self.shares) != len(SCALES) or len(self.blur) != len(SHARP_SCALES):
            return round((1 - self.frame) * 1000)
        code = round((1 - self.frame) * 1000)
        for share in self.shares + self.blur + (max(self.clipped, 1e-4),):
            code = code * 100 + min(99, max(0, 20 + round(-20 * math.log10(max(share, 1e-4)))))
        return code

    @classmethod
    def from_code(cls, code: int) -> "OriginFacts":
        if code < 1000:
            return cls(1 - code / 1000)
        values = []
        for _ in SCALES + SHARP_SCALES + (0,):
            code, step = divmod(code, 100)
            values.append(10 ** ((20 - step) / 20))
        values.reverse()
        clipped = values[-1] if values[-1] > 1.2e-4 else 0.0
        return cls(1 - code / 1000, tuple(values[:len(SCALES)]), tuple(values[len(SCALES):-1]), clipped)

    def share_beyond(self, scale: float) -> float:
        """The detail share beyond what a copy ``scale`` times smaller holds, interpolated between
        SCALES (the nearest end outside them)."""
        if not self.shares:
            return 1.0
        logs = np.log(SCALES)
        return float(np.exp(np.interp(math.log(max(scale, 1.0)), logs, np.log(self.shares))))


def detail_shares(grey: np.ndarray) -> tuple[float, ...]:
    """For each of SCALES, the share of the picture's detail (power above LOW_CUT) lying above
    0.5/s cycles per pixel, divided by the share a natural 1/f² spectrum puts there: near 1 for a
    sharp photo at its own scale, near 0 for a copy upscaled by s or more from a smaller one."""
    height, width = grey.shape
    if height < TILE or width < TILE:
        return ()
    ys = np.linspace(0, height - TILE, min(MAX_TILES_ACROSS, height // TILE)).astype(int)
    xs = np.linspace(0, width - TILE, min(MAX_TILES_ACROSS, width // TILE)).astype(int)
    window = np.outer(np.hanning(TILE), np.hanning(TILE))
    power = np.zeros((TILE, TILE // 2 + 1))
    for y in ys:
        for x in xs:
            tile = grey[y:y + TILE, x:x + TILE].astype(np.float64)
            power += np.abs(np.fft.rfft2((tile - tile.mean()) * window)) ** 2
    power *= _half_plane_weights(TILE)
    radius = _radius(TILE)  # resampling is separable: per axis
    total = float(power[radius >= LOW_CUT].sum()) or 1.0
    natural = math.log(0.5 / LOW_CUT)
    return tuple(float(power[radius >= 0.5 / s].sum()) / total / (math.log(s) / natural) for s in SCALES)


def _radius(side: int) -> np.ndarray:
    """Each frequency's larger axis component (cycles per pixel) on rfft2's half plane."""
    rows, columns = np.abs(np.fft.fftfreq(side)), np.fft.rfftfreq(side)
    return np.maximum(rows[:, None], columns[None, :])


def _half_plane_weights(side: int) -> np.ndarray:
    """rfft2 keeps half the (Hermitian) plane: the columns it stands for twice count twice."""
    weights = np.full(side // 2 + 1, 2.0)
    weights[0] = weights[-1] = 1.0
    return np.broadcast_to(weights, (side, side // 2 + 1))


def sharpness(grey: np.ndarray) -> tuple[float, ...]:
    """For each of SHARP_SCALES, the median over the busier half of SHARP_TILE tiles (at most 8 × 8
    spread over the picture; by detail power)
    of each tile's share beyond 0.5/s cycles per pixel (relative to a natural spectrum's)."""
    height, width = grey.shape
    if height < SHARP_TILE or width < SHARP_TILE:
        return ()
    window = np.outer(np.hanning(SHARP_TILE), np.hanning(SHARP_TILE))
    radius, weights = _radius(SHARP_TILE), _half_plane_weights(SHARP_TILE)
    natural = math.log(0.5 / LOW_CUT)
    rows = []
    for y in np.linspace(0, height - SHARP_TILE, min(MAX_TILES_ACROSS, height // SHARP_TILE)).astype(int):
        for x in np.linspace(0, width - SHARP_TILE, min(MAX_TILES_ACROSS, width // SHARP_TILE)).astype(int):
            tile = grey[y:y + SHARP_TILE, x:x + SHARP_TILE].astype(np.float64)
            power = np.abs(np.fft.rfft2((tile - tile.mean()) * window)) ** 2 * weights
            total = float(power[radius >= LOW_CUT].sum())
            rows.append([total] + [float(power[radius >= 0.5 / s].sum()) / max(total, 1e-9) / (math.log(s) / natural)
                                   for s in SHARP_SCALES])
    table = np.array(rows)
    busier = table[np.argsort(-table[:, 0])[:max(1, len(table) // 2)]]
    return tuple(float(v) for v in np.median(busier[:, 1:], axis=0))


def _ring_uniform(ring: np.ndarray) -> bool:
    return bool((np.abs(ring - np.median(ring)) <= FRAME_TOLERANCE).mean() >= FRAME_UNIFORM)


def framed_fraction(grey: np.ndarray) -> float:
    """The share of a picture inside the uniform rings around it: a mat, a line and an edge each
    make rings of their own colour, all around (a plain sky along one side is no ring). 1.0 when
    none, or when they would leave under half of it (a plain picture, not a frame)."""
    height, width = grey.shape
    values = grey.astype(np.int16)
    depth = 0
    while depth < min(height, width) // 4:
        top, bottom = values[depth, depth:width - depth], values[height - 1 - depth, depth:width - depth]
        left, right = values[depth:height - depth, depth], values[depth:height - depth, width - 1 - depth]
        if not _ring_uniform(np.concatenate([top, bottom, left, right])):
            break
        depth += 1
    inside = (height - 2 * depth) * (width - 2 * depth) / (height * width)
    return 1.0 if inside < 0.5 else round(inside, 3)


def measure_origin(path: str) -> OriginFacts:
    """A file's frame share and detail shares, from one full-size decode (detail lives in the
    finest pixels, which any reduced decode would lose)."""
    with open_photo(path) as image:
        grey_image = image.convert("L")
    grey = np.asarray(grey_image)
    reduced = grey_image
    if max(reduced.size) > FRAME_SIDE:
        reduced = reduced.copy()
        reduced.thumbnail((FRAME_SIDE, FRAME_SIDE), Image.Resampling.BOX)
    clipped = float(((grey <= 2) | (grey >= 253)).mean())
    return OriginFacts(framed_fraction(np.asarray(reduced)), detail_shares(grey), sharpness(grey), clipped)


def measure_frame(path: str) -> float:
    """A file's share inside nested uniform frames, from a reduced decode (JPEG: at least FRAME_SIDE)."""
    with open_photo(path) as image:
        image.draft("L", (FRAME_SIDE, FRAME_SIDE))
        grey = image.convert("L")
    if max(grey.size) > FRAME_SIDE:
        grey.thumbnail((FRAME_SIDE, FRAME_SIDE), Image.Resampling.BOX)
    return framed_fraction(np.asarray(grey))


# A picture whose outermost ring, on the scan's own grey picture (decode_gray: 512 px, untrimmed
# files only), has under this share within FRAME_TOLERANCE of its median has no frame: the ring
# measure_frame starts from (800 px, finer, so no more uniform) can't reach FRAME_UNIFORM. Measured
# on bench/corpus, bench/corpus-speed and bench/keeper_attack.py's pairs (817 untrimmed files): no
# framed file among them, unframed rings 0.31 (median), 0.62 (90%), 0.97 (99%); 789 of 817 are under
# 0.9 and skip measure_frame's decode (18 ms for a 12 MP JPEG, 0.64 s of a cold scan of corpus-speed).
FRAME_SCREEN = 0.9


def plainly_unframed(grey: np.ndarray) -> bool:
    """Whether a picture's outermost ring is too far from uniform for any frame (FRAME_SCREEN)."""
    values = grey.astype(np.int16)
    ring = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    return bool((np.abs(ring - np.median(ring)) <= FRAME_TOLERANCE).mean() < FRAME_SCREEN)


def frame_of(path: str, content_hash: str, store: VerificationStore,
             grey: Callable[[], np.ndarray | None] | None = None) -> float:
    """measure_frame, from the cache or measured (and cached); 1.0 if unreadable. Asked of every
    file of a copy group, so apart from (and cheaper than) the full-size origin_facts. ``grey``:
    the file's whole (untrimmed) grey picture the scan already holds, if any: when it is
    plainly_unframed, no decode is needed."""
    known = store.lookup_verification(content_hash, content_hash, FRAME_METHOD)
    if known is not None:
        return 1 - known / 1000
    try:
        picture = grey() if grey is not None else None
        loss = 0 if picture is not None and plainly_unframed(picture) else round((1 - measure_frame(path)) * 1000)
    except Exception:  # unreadable here: no frame either way
        return 1.0
    store.store_verification(content_hash, content_hash, FRAME_METHOD, loss)
    return 1 - loss / 1000


def origin_facts(path: str, content_hash: str, store: VerificationStore) -> OriginFacts:
    """A file's OriginFacts, from the cache or measured (and cached); neutral if unreadable."""
    known = store.lookup_verification(content_hash, content_hash, ORIGIN_METHOD)
    if known is not None:
        return OriginFacts.from_code(known)
    try:
        measured = measure_origin(path)
    except Exception:  # unreadable here: no evidence either way
        return OriginFacts()
    store.store_verification(content_hash, content_hash, ORIGIN_METHOD, measured.code())
    return OriginFacts.from_code(measured.code())  # as a rescan will read it, so both choose alike


def holds_more(larger: OriginFacts, scale: float) -> bool:
    """Whether a file ``scale`` times larger (linearly) than another of its picture holds detail
    the other can't: else it is an upscale of it, or both hold the same (a soft original)."""
    if not UPSCALE_MIN <= scale <= UPSCALE_MAX:
        return True
    source = scale / UPSCALE_MARGIN
    if larger.share_beyond(source) >= HOLDS_MORE:
        return True
    floor = max(UPSCALE_FLAT * larger.shares[0], larger.shares[0] + UPSCALE_RISE)
    knee = next((s for s, share in zip(SCALES, larger.shares) if share > floor), math.inf)
    return knee < source


# A file under UPSCALE_MIN times larger than another, showing its whole extent (origin_scale), is an
# upscale of it (a screenshot of the photo at 110% or 125%) when the other holds SOFTER times its
# detail at both SHARP_SCALES: an upscale moves detail to coarser frequencies. Measured: the fifth
# adversarial pass's screenshots (a7_screenshot_scaled.py) 1.42-4.9 times; the one resized copy
# 1.03-1.3 times smaller than its original in bench/corpus and corpus-s11 (chelsea's thumbnail)
# 0.62-0.84. Crops and straightened copies that much smaller can be 1.3-2.5 times as sharp as
# their originals (RainDrops' straightened copy): origin_scale keeps them out (a part of the extent).
SOFTER = 1.3


def upscaled_from(larger: OriginFacts, smaller: OriginFacts) -> bool:
    """Whether the larger of two files of a picture, under UPSCALE_MIN times larger, is an upscale
    of the smaller: the smaller holds SOFTER times its detail at every scale of SHARP_SCALES."""
    if not larger.blur or not smaller.blur:
        return False
    return all(s >= SOFTER * max(l, 1e-6) for l, s in zip(larger.blur, smaller.blur))


def sharper(first: OriginFacts, second: OriginFacts) -> int:
    """-1 when the first of two files of one size holds SHARPER times the second's detail at every
    scale of SHARP_SCALES, 1 when the second does, else 0."""
    if not first.blur or not second.blur:
        return 0
    if all(a >= SHARPER * b for a, b in zip(first.blur, second.blur)):
        return -1
    return 1 if all(b >= SHARPER * a for a, b in zip(first.blur, second.blur)) else 0


def enhanced(first: OriginFacts, second: OriginFacts) -> int:
    """1 when the first of two files of one size looks sharpened and contrast-boosted from the
    second (ENHANCED_SHARPER times its detail, ENHANCED_CLIPPED more clipped), -1 the other way, else 0."""
    if not first.blur or not second.blur:
        return 0

    def over(a: OriginFacts, b: OriginFacts) -> bool:
        return (all(x >= ENHANCED_SHARPER * y for x, y in zip(a.blur, b.blur))
                and a.clipped >= b.clipped + ENHANCED_CLIPPED and a.clipped >= 2 * b.clipped)

    return int(over(first, second)) - int(over(second, first))

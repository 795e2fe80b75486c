"""What a copy did to the pixels, measured on each picture's content (bars cut away): bars,
brightness, contrast, colour, detail (blur, sharpening, noise) and the EXIF orientation.

Each claim has a threshold far above what JPEG re-saving or resampling moves (bench/copy_check.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from photodedup.core.analyse.safe_open import open_photo
from photodedup.core.match.copy_bars import BAR_ROOM, Bars, content, find_bars
from photodedup.core.match.copy_tone import block_means, luma_of, fitted_slope, tone_and_colour

SIDE = 384  # long side the pictures are compared at
BLUR_STEP = 0.73  # fine detail, copy / original: blurred <= 0.670; others >= 0.787 (a brightened copy's clipped highlights)
SHARPEN_STEP = 1.3  # slope of the copy's fine detail on the original's: sharpened >= 1.444; others <= 1.174
# Noise: the fine detail that slope leaves unexplained (grey levels) and the detail ratio in the
# plainest quarter, both: noise added >= 2.61 and >= 1.43; a resized copy reaches 2.56 but <= 1.07,
# sharpening <= 1.81, recompression <= 1.74.
NOISE_LEVEL, NOISE_STEP = 2.2, 1.25
BLOCKS = 12  # blocks per side where fine detail is compared
# Fine detail is compared only when the copy's picture is over this many pixels on its long side:
# below it the detail is its resampler's. The 100-px thumbnails of bench/corpus measured noise
# 2.5-4.7 grey levels (11 of 16 over NOISE_LEVEL) and plain 1.04-1.36 (4 over NOISE_STEP: "noise
# added" on astronaut); the bench's resized copies, 360 px and more, stay under both.
DETAIL_SIDE = 160
SAME_SHAPE = 0.03  # |log| of the ratio of two aspect ratios taken as one shape (as look_changes lays them)


def read_small(path: str) -> tuple[np.ndarray, int] | None:
    """(upright RGB at most SIDE on its long side as float32, EXIF orientation), or None."""
    try:
        with open_photo(path) as image:
            orientation = int(image.getexif().get(0x0112, 1) or 1)
            image.draft("RGB", (SIDE * 2, SIDE * 2))
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail((SIDE, SIDE), Image.Resampling.BOX)
            return np.asarray(upright, dtype=np.float32), orientation
    except Exception:
        return None


def read_gray(path: str, side: int = 512) -> np.ndarray | None:
    """The whole upright picture in grey (bars kept), at most ``side`` on its long side, or None:
    what a copy's geometry is measured on, so a crop is measured against the file's own frame."""
    try:
        with open_photo(path) as image:
            image.draft("L", (side * 2, side * 2))
            upright = ImageOps.exif_transpose(image).convert("L")
            upright.thumbnail((side, side), Image.Resampling.BOX)
            return np.asarray(upright, dtype=np.uint8)
    except Exception:
        return None


def part(rgb: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The part of a picture inside ``box`` (left, top, right, bottom as shares of its width and height)."""
    height, width = rgb.shape[:2]
    left, top = int(round(box[0] * width)), int(round(box[1] * height))
    right, bottom = int(round(box[2] * width)), int(round(box[3] * height))
    return rgb[top:bottom, left:right] if bottom - top >= 8 and right - left >= 8 else rgb


def _high(gray: np.ndarray) -> np.ndarray:
    """Fine detail, signed: each pixel's difference from the mean of its four neighbours."""
    return gray[1:-1, 1:-1] - (gray[:-2, 1:-1] + gray[2:, 1:-1] + gray[1:-1, :-2] + gray[1:-1, 2:]) / 4


def _fine(gray: np.ndarray) -> np.ndarray:
    """Fine detail: each pixel's distance from the mean of its four neighbours."""
    return np.abs(_high(gray))


def _same_size(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both pictures at the smaller one's size (so resizing is not mistaken for blur)."""
    height = min(first.shape[0], second.shape[0])
    width = min(first.shape[1], second.shape[1])

    def fit(picture: np.ndarray) -> np.ndarray:
        image = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))
        return np.asarray(image.resize((width, height), Image.Resampling.BOX), dtype=np.float32)

    return fit(first), fit(second)


def _blocks(values: np.ndarray, count: int = BLOCKS) -> np.ndarray:
    """Means of ``values`` over a count × count grid of blocks (the ragged edge left out)."""
    h, w = (values.shape[0] // count) * count, (values.shape[1] // count) * count
    return values[:h, :w].reshape(count, h // count, count, w // count).mean(axis=(1, 3))


def _where(rows: np.ndarray, cols: np.ndarray, count: int) -> str:
    """A grid region's place in words: "bottom left", "centre"..."""
    vertical = ("top", "middle", "bottom")[min(2, int(rows.mean() * 3 // count))]
    horizontal = ("left", "centre", "right")[min(2, int(cols.mean() * 3 // count))]
    return "centre" if (vertical, horizontal) == ("middle", "centre") else f"{vertical} {horizontal}".replace(
        "middle ", "").replace(" centre", "")


def _beside(values: np.ndarray) -> np.ndarray:
    """Each block's value or its four neighbours', the largest. Measured: the captions of bench
    (corpus-s11, seed 11) "EveningGlow" and "Kleiber" straddle two rows of blocks, one with the
    changed level (17-41 times the median) and little new detail, one with the new detail (ratio
    2.2-23) and a level 2-10 times the median: no block had both, and no text was said."""
    near = values.copy()
    near[1:] = np.maximum(near[1:], values[:-1])
    near[:-1] = np.maximum(near[:-1], values[1:])
    near[:, 1:] = np.maximum(near[:, 1:], values[:, :-1])
    near[:, :-1] = np.maximum(near[:, :-1], values[:, 1:])
    return near


def detail_measures(original: np.ndarray, copy: np.ndarray) -> dict[str, float] | None:
    """Fine-detail measures of the copy against the original, both at one size and the copy's grey
    levels brought back to the original's (the slope of its 8-pixel block means: a contrast or
    brightness edit scales detail, an added caption does not): "detail", the ratio of fine detail
    (copy / original) away from added marks; "plain", that ratio in the plainest quarter of the
    blocks; "sharper", the slope of the copy's signed fine detail on the original's (sharpening
    scales it up); "noise", what of the copy's fine detail that slope does not explain (median,
    grey levels); and "marked", the blocks where marks were added (much more detail than the rest
    and a changed level). None when too small."""
    first, second = _same_size(luma_of(original), luma_of(copy))
    if min(first.shape) < 64:
        return None
    tone = max(fitted_slope(block_means(first).ravel(), block_means(second).ravel(), 12), 0.05)
    second = second / tone
    high_o, high_c = _high(first), _high(second)
    inner_o, inner_c = first[1:-1, 1:-1], second[1:-1, 1:-1]
    unclipped = (inner_o > 8) & (inner_o < 247) & (inner_c > 8) & (inner_c < 247)
    if unclipped.sum() < 256:
        unclipped[:] = True
    sharper = float((high_o[unclipped] * high_c[unclipped]).sum() / max(1e-6, float((high_o[unclipped] ** 2).sum())))
    noise = float(np.median(np.abs(high_c - sharper * high_o)[unclipped]))
    spread = max(1.0, float(first.std()))
    first, second = first / spread, second / spread
    fine_o, fine_c = _blocks(np.abs(high_o) / spread) + 1e-3, _blocks(np.abs(high_c) / spread) + 1e-3
    ratio = fine_c / fine_o
    median = float(np.median(ratio))
    slope = fitted_slope(first.ravel() * 50, second.ravel() * 50)
    residual = _blocks(np.abs(second - slope * first - float((second - slope * first).mean())))
    unexplained = _blocks(np.abs(high_c - sharper * high_o))  # new detail, not the original's sharpened
    level = _beside(residual)  # a caption's changed level may lie in the block beside its new strokes
    marked = (ratio > max(2.0 * median, 1.6)) & (level > 3.0 * float(np.median(residual))) & (level > 0.08) \
        & (unexplained > 3.0 * float(np.median(unexplained)))
    plain = fine_o <= np.quantile(fine_o, 0.25)
    if marked.sum() < 2:  # one odd block is no mark
        marked[:] = False
    near = marked.copy()  # a mark's strokes spill into the blocks around it
    near[1:] |= marked[:-1]
    near[:-1] |= marked[1:]
    near[:, 1:] |= near[:, :-1].copy()
    near[:, :-1] |= near[:, 1:].copy()
    detail = float(fine_c[~near].sum() / fine_o[~near].sum())
    return {"detail": detail, "plain": float(np.median(ratio[plain & ~marked])), "sharper": sharper, "noise": noise,
            "marked": marked}


def detail_changes(original: np.ndarray, copy: np.ndarray) -> list[tuple[str, str]]:
    """(kind, words) for added marks (text, a logo: where), added noise, blur and sharpening."""
    measures = detail_measures(original, copy)
    if measures is None:
        return []
    claims = []
    marked = measures["marked"]
    if 0 < marked.sum() <= 0.25 * marked.size:
        rows, cols = np.nonzero(marked)
        claims.append(("text", f"text or a logo added ({_where(rows, cols, marked.shape[0])})"))
    if measures["noise"] > NOISE_LEVEL and measures["plain"] > NOISE_STEP:
        claims.append(("noise", "noise added"))
    elif measures["detail"] < BLUR_STEP:
        claims.append(("blur", f"blurred (fine detail {measures['detail']:.0%} of the original's)"))
    elif measures["sharper"] > SHARPEN_STEP:
        claims.append(("sharpen", f"sharpened (fine detail {measures['detail']:.0%} of the original's)"))
    return claims


def _bars_in_shape(original_content: np.ndarray, copy: np.ndarray, bars: Bars, original_bars: Bars, turn) -> Bars:
    """``bars`` of a copy that shows the whole picture, or the original's own (none added) when
    cutting ``bars`` away leaves a picture off the original's shape (SAME_SHAPE) and further from
    it than not cutting them: a plain edge
    (a grey sky fading over 2 lines of a 63-px thumbnail) is picture, not padding. Measured: the
    100-px thumbnail of bench/corpus "ColdRipple" lost a 41% "bar" of sky and was called 32% darker."""
    def error(cut: Bars) -> float:
        laid = content(copy, cut)
        height, width = np.ascontiguousarray(turn(laid[:, :, 0])).shape if turn is not None else laid.shape[:2]
        return abs(float(np.log((width / height) / (original_content.shape[1] / original_content.shape[0]))))

    cut = error(bars)  # bars all round keep the shape: cut < SAME_SHAPE, they stay
    return original_bars if cut > SAME_SHAPE and error(original_bars) < cut else bars


@dataclass(frozen=True)
class Look:
    """What the copy's pixels and tags say beside its geometry: its bars and the measured claims."""

    bars: Bars
    claims: tuple[tuple[str, str], ...] = ()


def look_changes(original_path: str, copy_path: str, turn=None, whole: bool = False,
                 shown: tuple[float, float, float, float] | None = None, upright: bool = True,
                 room: dict[str, float] | None = None) -> Look:
    """Bars, tone, colour, detail and EXIF-orientation claims for a copy; nothing when unreadable.
    ``turn`` (an array function) lays the copy the way its original lies; ``whole``: the copy
    shows the whole picture; else ``shown``: the part of the original it shows (from a sane fit),
    so tone and colour compare pixel on pixel; fine detail only when ``upright`` too. ``room``: the
    most a bar can be on each side, from a fit (changes.room_for_bars); a plain patch beyond is picture."""
    first, second = read_small(original_path), read_small(copy_path)
    if first is None or second is None:
        return Look(Bars())
    (original, orientation_o), (copy, orientation_c) = first, second
    bars, original_bars = find_bars(copy), find_bars(original)
    if room is not None:  # a plain patch (a sky) reaching into the picture laid by the fit is no bar
        bars = Bars(*(share if share <= room[side] + BAR_ROOM else 0.0 for side, share in
                      (("top", bars.top), ("bottom", bars.bottom), ("left", bars.left), ("right", bars.right))))
    original_content = content(original, original_bars)
    if whole and bars.any:
        bars = _bars_in_shape(original_content, copy, bars, original_bars, turn)
    copy_content = content(copy, bars)
    if not whole and shown is not None:
        original_content = part(original_content, shown)
    laid = np.ascontiguousarray(turn(copy_content)) if turn is not None else copy_content
    same_frame = upright and (whole or shown is not None) and abs(np.log((laid.shape[1] / laid.shape[0]) /
                            (original_content.shape[1] / original_content.shape[0]))) < SAME_SHAPE
    if same_frame:  # pixel on pixel, at one size
        original_content, laid = _same_size(original_content, laid)
    claims = tone_and_colour(original_content, laid, same_frame)
    if same_frame and max(laid.shape[:2]) > DETAIL_SIDE:
        claims += detail_changes(original_content, laid)
    if orientation_c != orientation_o:
        claims.append(("orientation", f"EXIF orientation changed ({orientation_o} → {orientation_c}; "
                                      "shown upright either way)"))
    laid_bars = find_bars(np.ascontiguousarray(turn(copy))) if turn is not None else bars
    if laid_bars is bars or laid_bars == bars:
        added = bars.beyond(original_bars)
    else:  # turned: compared the way the original lies, said the way the copy lies
        added = bars if laid_bars.beyond(original_bars).any else Bars()
    if added.any and whole and not same_frame:  # the whole picture, but not inside the bars: a plain edge grew
        added = Bars()
    if added.any and not whole and max(added.top, added.bottom, added.left, added.right) < 0.03:
        added = Bars()  # a part of the picture: a sliver of plain edge is no padding
    return Look(added, tuple(claims))

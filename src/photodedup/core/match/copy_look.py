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

SIDE = 384  # long side the pictures are compared at
# Each step lies between the measures of the copies that had the edit and of those that had not,
# on the bench's whole-frame copies (bench/copy_check.py, seed 19: 25 originals, 23 to 25 copies
# per kind of edit, laid pixel on pixel; sepia copies left out, their toning is the claim):
BRIGHTNESS_STEP = 0.11  # |log| mean-level ratio, unclipped pixels: brightened/darkened >= 0.167; other edits <= 0.063 (text, sharpen, contrast)
CONTRAST_STEP = 0.16  # |log| spread ratio (block means' slope): contrast edits >= 0.190; others <= 0.129 (white text on a black sky)
WARMTH_STEP = 0.19  # |log| red gain / blue gain: warmer/cooler >= 0.216; contrast edits <= 0.159, others <= 0.011
SATURATION_STEP = 0.3  # |log| colour scale / grey scale: saturation edits >= 0.418; others <= 0.195 (a brightened, clipped copy)
CONTRAST_STEP_UNLAID = 0.45  # not laid pixel on pixel, middle greys' spread: sharpening moves it up to 0.42
BLUR_STEP = 0.73  # fine detail, copy / original: blurred <= 0.670; others >= 0.787 (a brightened copy's clipped highlights)
SHARPEN_STEP = 1.3  # slope of the copy's fine detail on the original's: sharpened >= 1.444; others <= 1.174
# Noise: the fine detail that slope leaves unexplained (grey levels) and the detail ratio in the
# plainest quarter, both: noise added >= 2.61 and >= 1.43; a resized copy reaches 2.56 but <= 1.07,
# sharpening <= 1.81, recompression <= 1.74.
NOISE_LEVEL, NOISE_STEP = 2.2, 1.25
BLOCKS = 12  # blocks per side where fine detail is compared


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


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


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


def tone_measures(original: np.ndarray, copy: np.ndarray, same_frame: bool) -> dict[str, float]:
    """The measures tone_and_colour judges (RGB content of ``original`` and ``copy``): brightness
    (log of the mean-level ratio), contrast (log of the change of the grey levels' spread relative
    to the mean level), and with ``same_frame`` sepia (copy, original: 1 or 0), warmth, saturation
    and how colourful the original is relative to its grey spread.

    Laid pixel on pixel (``same_frame``), brightness is measured where neither picture is clipped
    (a brightened copy's highlights stop at white), and contrast as the slope of the copy's 8-pixel
    block means against the original's (both away from black and white), which sharpening, noise
    and blur leave alone: they move detail, not the block means."""
    luma_o, luma_c = _luma(original), _luma(copy)
    mean_o, mean_c = max(1.0, float(luma_o.mean())), max(1.0, float(luma_c.mean()))
    # contrast, not laid pixel on pixel: the spread of the middle grey levels (10th to 70th
    # percentile: clipped highlights and sharpened edges left out) relative to the mean level
    low_o, high_o = np.percentile(luma_o, (10, 70))
    low_c, high_c = np.percentile(luma_c, (10, 70))
    ratio = ((high_c - low_c) / mean_c) / max(1e-3, (high_o - low_o) / mean_o)
    measures = {"brightness": float(np.log(mean_c / mean_o)), "contrast": float(np.log(max(ratio, 1e-3)))}
    if not same_frame:
        return measures
    unclipped = (luma_o > 3) & (luma_o < 252) & (luma_c > 3) & (luma_c < 252)
    if unclipped.mean() >= 0.5:
        measures["brightness"] = float(np.log(max(1.0, float(luma_c[unclipped].mean())) /
                                              max(1.0, float(luma_o[unclipped].mean()))))
    blocks_o, blocks_c = _block_means(luma_o), _block_means(luma_c)
    keep = (blocks_o > 12) & (blocks_o < 225) & (blocks_c > 12) & (blocks_c < 225)
    if keep.sum() >= 64:
        x, y = blocks_o[keep], blocks_c[keep]
        slope = float(((x - x.mean()) * (y - y.mean())).sum() / max(1e-6, float(((x - x.mean()) ** 2).sum())))
        measures["contrast"] = float(np.log(max(slope * float(x.mean()) / max(1.0, float(y.mean())), 1e-3)))
    warmth, saturation, cast = _colour_change(original, copy)
    measures.update(sepia=float(_sepia(copy)), sepia_original=float(_sepia(original)), warmth=warmth,
                    saturation=saturation, cast=cast, colourful=_colourful(original) / max(1.0, float(luma_o.std())))
    return measures


def _block_means(picture: np.ndarray, side: int = 8) -> np.ndarray:
    """Means of a grey or RGB picture over side × side blocks (the ragged edge left out)."""
    h, w = (picture.shape[0] // side) * side, (picture.shape[1] // side) * side
    return picture[:h, :w].reshape(h // side, side, w // side, side, *picture.shape[2:]).mean(axis=(1, 3))


def tone_and_colour(original: np.ndarray, copy: np.ndarray, same_frame: bool) -> list[tuple[str, str]]:
    """(kind, words) for the brightness, contrast and colour changes from ``original`` to ``copy``
    (RGB content), each measured in a way the other edits leave alone. Colour needs the same
    frame (``same_frame``: the pictures laid pixel on pixel at one size)."""
    measures = tone_measures(original, copy, same_frame)
    claims: list[tuple[str, str]] = []
    brightness, contrast = measures["brightness"], measures["contrast"]
    if abs(brightness) > BRIGHTNESS_STEP:  # a brightness edit multiplies every level
        claims.append(("brightness", f"{'brighter' if brightness > 0 else 'darker'} by about "
                                     f"{abs(np.exp(brightness) - 1):.0%}"))
    if abs(contrast) > (CONTRAST_STEP if same_frame else CONTRAST_STEP_UNLAID):
        claims.append(("contrast", f"{'more' if contrast > 0 else 'less'} contrast ({np.exp(contrast) - 1:+.0%})"))
    if not same_frame:
        return claims
    if measures["sepia"] and not measures["sepia_original"]:  # toning remaps the tones too: the toning is the claim
        return [claim for claim in claims if claim[0] not in ("contrast", "brightness")] + [("colour", "toned sepia")]
    warmth, saturation = measures["warmth"], measures["saturation"]
    if abs(warmth) > WARMTH_STEP and measures["cast"] > 0:
        claims.append(("colour", f"colours made {'warmer' if warmth > 0 else 'cooler'}"))
    elif abs(saturation) > SATURATION_STEP and measures["colourful"] > 0.05 and measures["cast"] <= 0:
        claims.append(("saturation", f"{'more' if saturation > 0 else 'less'} saturated ({np.exp(saturation) - 1:+.0%})"))
    return claims


def _colour_change(original: np.ndarray, copy: np.ndarray) -> tuple[float, float, float]:
    """(warmth, saturation, cast), block on block (8-pixel means, away from black and white, so JPEG's
    coarse colour and added noise cancel). Warmth: the log ratio of red's gain to blue's, measured
    both as the slope of each channel against itself and as the ratio of its means, and the smaller
    of the two when they agree in sign (a cast multiplies a channel: both move; a contrast edit
    scales around a grey: only the means move; a colourful picture's red and blue ride on its
    grey: only the slopes can). Saturation: the log of the scale of the colour (red − green,
    yellow − blue) laid on the original's, relative to how the grey levels scaled. Cast: how much
    better (grey levels) a gain per channel fits the copy than one saturation factor does; on the
    bench's 48 colour-cast and saturation copies of colourful originals the better fit was the
    edit made every time, where warmth and saturation alone each confused a few."""
    blocks_o = _block_means(original).reshape(-1, 3)
    blocks_c = _block_means(copy).reshape(-1, 3)
    keep = ((blocks_o > 12) & (blocks_o < 240) & (blocks_c > 12) & (blocks_c < 240)).all(axis=1)
    if keep.sum() < 64:
        return 0.0, 0.0, 0.0
    blocks_o, blocks_c = blocks_o[keep].astype(np.float64), blocks_c[keep].astype(np.float64)
    slopes = np.log(max(_slope(blocks_o[:, 0], blocks_c[:, 0], 0), 1e-3) /
                    max(_slope(blocks_o[:, 2], blocks_c[:, 2], 0), 1e-3))
    means = np.log((blocks_c[:, 0].mean() / max(1.0, blocks_o[:, 0].mean())) /
                   (blocks_c[:, 2].mean() / max(1.0, blocks_o[:, 2].mean())))
    warmth = float(np.sign(slopes) * min(abs(slopes), abs(means))) if np.sign(slopes) == np.sign(means) else 0.0

    def colour(rgb: np.ndarray) -> np.ndarray:
        return np.stack([rgb[:, 0] - rgb[:, 1], (rgb[:, 0] + rgb[:, 1]) / 2 - rgb[:, 2]], axis=1)

    colour_o, colour_c = colour(blocks_o), colour(blocks_c)
    scale = float((colour_o * colour_c).sum() / max(1e-6, float((colour_o * colour_o).sum())))
    luma_o, luma_c = _luma(blocks_o), _luma(blocks_c)
    tone = max(_slope(luma_o, luma_c, 0), 1e-3)
    # Which explains the copy better, the original's channels through the copy's tone curve each
    # multiplied by a gain (a cast), or their distance from grey scaled by one factor (saturation)?
    mapped = tone * blocks_o + float(luma_c.mean() - tone * luma_o.mean())
    apart, copy_apart = (mapped - _luma(mapped)[:, None]).ravel(), (blocks_c - luma_c[:, None]).ravel()
    factor = float((apart * copy_apart).sum() / max(1e-6, float((apart * apart).sum())))
    saturation_misfit = float(np.sqrt(((copy_apart - factor * apart) ** 2).mean()))
    gains = (mapped * blocks_c).sum(axis=0) / np.maximum(1e-6, (mapped * mapped).sum(axis=0))
    cast_misfit = float(np.sqrt(((blocks_c - gains * mapped) ** 2).mean()))
    return warmth, float(np.log(max(scale / tone, 1e-3))), saturation_misfit - cast_misfit


def _slope(before: np.ndarray, after: np.ndarray, clipped: float = 3) -> float:
    """The slope of ``after`` against ``before`` (least squares; levels within ``clipped`` of black
    or white left out)."""
    keep = (after > clipped) & (after < 255 - clipped) & (before > clipped) & (before < 255 - clipped)
    if keep.sum() < 64:
        return 1.0
    x, y = before[keep] - before[keep].mean(), after[keep] - after[keep].mean()
    return float((x * y).sum() / max(1e-6, (x * x).sum()))


def _colourful(rgb: np.ndarray) -> float:
    """How colourful a picture is: the spread of its pixels' colour around their grey."""
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return float(np.hypot(red - green, (red + green) / 2 - blue).std() + 1e-6)


def _sepia(rgb: np.ndarray) -> bool:
    """Toned: every pixel has the same warm hue (red ≥ green ≥ blue) and its colour follows its grey."""
    red, green, blue = rgb[..., 0].ravel(), rgb[..., 1].ravel(), rgb[..., 2].ravel()
    if float((red - blue).mean()) < 12:
        return False
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    ordered = np.mean((red >= green - 3) & (green >= blue - 3))
    follows = min(np.corrcoef(red - blue, luma)[0, 1], np.corrcoef(green - blue, luma)[0, 1])
    return bool(ordered > 0.97 and follows > 0.9)


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


def detail_measures(original: np.ndarray, copy: np.ndarray) -> dict[str, float] | None:
    """Fine-detail measures of the copy against the original, both at one size and the copy's grey
    levels brought back to the original's (the slope of its 8-pixel block means: a contrast or
    brightness edit scales detail, an added caption does not): "detail", the ratio of fine detail
    (copy / original) away from added marks; "plain", that ratio in the plainest quarter of the
    blocks; "sharper", the slope of the copy's signed fine detail on the original's (sharpening
    scales it up); "noise", what of the copy's fine detail that slope does not explain (median,
    grey levels); and "marked", the blocks where marks were added (much more detail than the rest
    and a changed level). None when too small."""
    first, second = _same_size(_luma(original), _luma(copy))
    if min(first.shape) < 64:
        return None
    tone = max(_slope(_block_means(first).ravel(), _block_means(second).ravel(), 12), 0.05)
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
    slope = _slope(first.ravel() * 50, second.ravel() * 50)
    residual = _blocks(np.abs(second - slope * first - float((second - slope * first).mean())))
    unexplained = _blocks(np.abs(high_c - sharper * high_o))  # new detail, not the original's sharpened
    marked = (ratio > max(2.0 * median, 1.6)) & (residual > 3.0 * float(np.median(residual))) & (residual > 0.08) \
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
    original_content, copy_content = content(original, original_bars), content(copy, bars)
    if not whole and shown is not None:
        original_content = part(original_content, shown)
    laid = np.ascontiguousarray(turn(copy_content)) if turn is not None else copy_content
    same_frame = upright and (whole or shown is not None) and abs(np.log((laid.shape[1] / laid.shape[0]) /
                            (original_content.shape[1] / original_content.shape[0]))) < 0.03
    if same_frame:  # pixel on pixel, at one size
        original_content, laid = _same_size(original_content, laid)
    claims = tone_and_colour(original_content, laid, same_frame)
    if same_frame:
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

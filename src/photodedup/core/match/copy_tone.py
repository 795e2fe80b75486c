"""Tone and colour of a copy against its original, measured block on block: brightness,
contrast, warmth, saturation and sepia toning (copy_look lays the pictures; this measures them)."""

from __future__ import annotations

import numpy as np

# Each step lies between the measures of the copies that had the edit and of those that had not,
# on the bench's whole-frame copies (bench/copy_check.py, seed 19: 25 originals, 23 to 25 copies
# per kind of edit, laid pixel on pixel; sepia copies left out, their toning is the claim):
BRIGHTNESS_STEP = 0.11  # |log| mean-level ratio, unclipped pixels: brightened/darkened >= 0.167; other edits <= 0.063 (text, sharpen, contrast)
CONTRAST_STEP = 0.16  # |log| spread ratio (block means' slope): contrast edits >= 0.190; others <= 0.129 (white text on a black sky)
WARMTH_STEP = 0.19  # |log| red gain / blue gain: warmer/cooler >= 0.216; contrast edits <= 0.159, others <= 0.011
SATURATION_STEP = 0.3  # |log| colour scale / grey scale: saturation edits >= 0.418; others <= 0.195 (a brightened, clipped copy)
CONTRAST_STEP_UNLAID = 0.45  # not laid pixel on pixel, middle greys' spread: sharpening moves it up to 0.42


def luma_of(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def tone_measures(original: np.ndarray, copy: np.ndarray, same_frame: bool) -> dict[str, float]:
    """The measures tone_and_colour judges (RGB content of ``original`` and ``copy``): brightness
    (log of the mean-level ratio), contrast (log of the change of the grey levels' spread relative
    to the mean level), and with ``same_frame`` sepia (copy, original: 1 or 0), warmth, saturation
    and how colourful the original is relative to its grey spread.

    Laid pixel on pixel (``same_frame``), brightness is measured where neither picture is clipped
    (a brightened copy's highlights stop at white), and contrast as the slope of the copy's 8-pixel
    block means against the original's (both away from black and white), which sharpening, noise
    and blur leave alone: they move detail, not the block means."""
    luma_o, luma_c = luma_of(original), luma_of(copy)
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
    blocks_o, blocks_c = block_means(luma_o), block_means(luma_c)
    keep = (blocks_o > 12) & (blocks_o < 225) & (blocks_c > 12) & (blocks_c < 225)
    if keep.sum() >= 64:
        x, y = blocks_o[keep], blocks_c[keep]
        slope = float(((x - x.mean()) * (y - y.mean())).sum() / max(1e-6, float(((x - x.mean()) ** 2).sum())))
        measures["contrast"] = float(np.log(max(slope * float(x.mean()) / max(1.0, float(y.mean())), 1e-3)))
    warmth, saturation, cast = _colour_change(original, copy)
    measures.update(sepia=float(_sepia(copy)), sepia_original=float(_sepia(original)), warmth=warmth,
                    saturation=saturation, cast=cast, colourful=_colourful(original) / max(1.0, float(luma_o.std())))
    return measures


def block_means(picture: np.ndarray, side: int = 8) -> np.ndarray:
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
    blocks_o = block_means(original).reshape(-1, 3)
    blocks_c = block_means(copy).reshape(-1, 3)
    keep = ((blocks_o > 12) & (blocks_o < 240) & (blocks_c > 12) & (blocks_c < 240)).all(axis=1)
    if keep.sum() < 64:
        return 0.0, 0.0, 0.0
    blocks_o, blocks_c = blocks_o[keep].astype(np.float64), blocks_c[keep].astype(np.float64)
    slopes = np.log(max(fitted_slope(blocks_o[:, 0], blocks_c[:, 0], 0), 1e-3) /
                    max(fitted_slope(blocks_o[:, 2], blocks_c[:, 2], 0), 1e-3))
    means = np.log((blocks_c[:, 0].mean() / max(1.0, blocks_o[:, 0].mean())) /
                   (blocks_c[:, 2].mean() / max(1.0, blocks_o[:, 2].mean())))
    warmth = float(np.sign(slopes) * min(abs(slopes), abs(means))) if np.sign(slopes) == np.sign(means) else 0.0

    def colour(rgb: np.ndarray) -> np.ndarray:
        return np.stack([rgb[:, 0] - rgb[:, 1], (rgb[:, 0] + rgb[:, 1]) / 2 - rgb[:, 2]], axis=1)

    colour_o, colour_c = colour(blocks_o), colour(blocks_c)
    scale = float((colour_o * colour_c).sum() / max(1e-6, float((colour_o * colour_o).sum())))
    luma_o, luma_c = luma_of(blocks_o), luma_of(blocks_c)
    tone = max(fitted_slope(luma_o, luma_c, 0), 1e-3)
    # Which explains the copy better, the original's channels through the copy's tone curve each
    # multiplied by a gain (a cast), or their distance from grey scaled by one factor (saturation)?
    mapped = tone * blocks_o + float(luma_c.mean() - tone * luma_o.mean())
    apart, copy_apart = (mapped - luma_of(mapped)[:, None]).ravel(), (blocks_c - luma_c[:, None]).ravel()
    factor = float((apart * copy_apart).sum() / max(1e-6, float((apart * apart).sum())))
    saturation_misfit = float(np.sqrt(((copy_apart - factor * apart) ** 2).mean()))
    gains = (mapped * blocks_c).sum(axis=0) / np.maximum(1e-6, (mapped * mapped).sum(axis=0))
    cast_misfit = float(np.sqrt(((blocks_c - gains * mapped) ** 2).mean()))
    return warmth, float(np.log(max(scale / tone, 1e-3))), saturation_misfit - cast_misfit


def fitted_slope(before: np.ndarray, after: np.ndarray, clipped: float = 3) -> float:
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


# Toning tints the dark tones too: the copy's red − blue, laid on its red, meets red = 0 well above
# 0 (this share of its mean). Bench (bench/copy_check.py, seeds 19 and 11 on two corpora): 50 sepia
# copies 0.38-0.58; warm casts on grey originals (ColdRipple, Grey: a gain per channel, called sepia
# before) 0.01-0.05. A sepia made by a channel matrix on a grey picture is a warm cast, and said so.
SEPIA_OFFSET = 0.2


def _sepia(rgb: np.ndarray) -> bool:
    """Toned: every pixel has the same warm hue (red ≥ green ≥ blue), its colour follows its grey,
    and the dark tones are tinted too (a cast only multiplies: SEPIA_OFFSET)."""
    red, green, blue = rgb[..., 0].ravel(), rgb[..., 1].ravel(), rgb[..., 2].ravel()
    if float((red - blue).mean()) < 12:
        return False
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    ordered = np.mean((red >= green - 3) & (green >= blue - 3))
    follows = min(np.corrcoef(red - blue, luma)[0, 1], np.corrcoef(green - blue, luma)[0, 1])
    return bool(ordered > 0.97 and follows > 0.9 and _tint_offset(rgb) > SEPIA_OFFSET)


def _tint_offset(rgb: np.ndarray) -> float:
    """Where the 8-pixel blocks' red − blue, fitted on their red, meets red = 0, as a share of
    its mean (away from black and white); 0 when too little is left to fit."""
    blocks = block_means(rgb).reshape(-1, 3).astype(np.float64)
    blocks = blocks[(blocks.max(axis=1) < 240) & (blocks.min(axis=1) > 3)]
    if len(blocks) < 32 or float(np.ptp(blocks[:, 0])) < 1.0:
        return 0.0
    tint = blocks[:, 0] - blocks[:, 2]
    _, offset = np.polyfit(blocks[:, 0], tint, 1)
    return float(offset / max(1.0, float(tint.mean())))

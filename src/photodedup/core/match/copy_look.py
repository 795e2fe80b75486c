"""What a copy did to the pixels, measured on each picture's content (bars cut away): bars,
brightness, contrast, colour, detail (blur, sharpening, noise) and the EXIF orientation.

Each claim has a threshold far above what JPEG re-saving or resampling moves (bench/copy_check.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from photodedup.core.analyse.safe_open import open_photo

SIDE = 384  # long side the pictures are compared at
BAR_TOLERANCE = 10  # grey levels a bar may vary by
BRIGHTNESS_STEP = 0.07  # |log| of the mean-level ratio before "brighter"/"darker" is said
CONTRAST_STEP = 0.2  # |log| of the ratio of the middle greys' relative spread before "contrast" is said
WARMTH_STEP = 0.08  # grey added to red − blue (per grey level, pixel on pixel) before "warmer"/"cooler"
SATURATION_STEP = 0.25  # |log| of the ratio of colourfulness (relative to the grey spread)
BLUR_STEP, SHARPEN_STEP = 0.8, 1.25  # ratio of fine detail (same size, median block) for blurred / sharpened
NOISE_STEP = 2.0  # ratio of fine detail in the plainest quarter of the picture for "noise added"
BLOCKS = 12  # blocks per side where fine detail is compared


@dataclass(frozen=True)
class Bars:
    """Uniform bars around a picture, as shares of its height (top, bottom) and width (left, right)."""

    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0
    right: float = 0.0

    @property
    def any(self) -> bool:
        return max(self.top, self.bottom, self.left, self.right) >= 0.01

    def beyond(self, other: "Bars") -> "Bars":
        """These bars less those ``other`` (the original's own plain edges) already had."""
        return Bars(*(max(0.0, mine - theirs) if mine - theirs >= 0.01 else 0.0 for mine, theirs in
                      ((self.top, other.top), (self.bottom, other.bottom), (self.left, other.left),
                       (self.right, other.right))))

    def words(self) -> str:
        """Where the bars are, in words."""
        sides = [name for name, share in (("top", self.top), ("bottom", self.bottom), ("left", self.left),
                                          ("right", self.right)) if share >= 0.01]
        if len(sides) == 4:
            where = "all round"
        elif set(sides) == {"top", "bottom"}:
            where = "top and bottom"
        elif set(sides) == {"left", "right"}:
            where = "left and right"
        else:
            where = " and ".join(sides) + (" side" if len(sides) == 1 else " sides")
        filled = (1 - self.top - self.bottom) * (1 - self.left - self.right)
        return f"padded with bars ({where}; the picture fills {filled:.0%})"


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


def find_bars(rgb: np.ndarray) -> Bars:
    """The uniform bars on each side of a picture: runs of edge lines of one colour (each side
    on its own, so a bar on one side only is found too)."""
    height, width = rgb.shape[:2]

    def run(lines: np.ndarray) -> int:  # lines: (count, length, 3), the edge first
        colour = np.median(lines[0], axis=0)
        plain = (np.abs(lines - colour).max(axis=2) <= BAR_TOLERANCE).mean(axis=1) >= 0.98
        return int(np.argmin(plain)) if not plain.all() else len(plain)

    top, bottom = run(rgb), run(rgb[::-1])
    left, right = run(rgb.transpose(1, 0, 2)), run(rgb[:, ::-1].transpose(1, 0, 2))
    if top + bottom >= height * 0.75 or left + right >= width * 0.75:  # a plain picture, not bars
        return Bars()
    return Bars(top / height, bottom / height, left / width, right / width)


def content(rgb: np.ndarray, bars: Bars) -> np.ndarray:
    """The picture inside its bars."""
    height, width = rgb.shape[:2]
    top, bottom = round(bars.top * height), height - round(bars.bottom * height)
    left, right = round(bars.left * width), width - round(bars.right * width)
    # a bar's edge blurs into the picture (JPEG, resampling): two more pixels go on those sides
    top, bottom = top + (2 if top else 0), bottom - (2 if bars.bottom else 0)
    left, right = left + (2 if left else 0), right - (2 if bars.right else 0)
    return rgb[top:bottom, left:right] if bottom - top >= 8 and right - left >= 8 else rgb


def part(rgb: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The part of a picture inside ``box`` (left, top, right, bottom as shares of its width and height)."""
    height, width = rgb.shape[:2]
    left, top = int(round(box[0] * width)), int(round(box[1] * height))
    right, bottom = int(round(box[2] * width)), int(round(box[3] * height))
    return rgb[top:bottom, left:right] if bottom - top >= 8 and right - left >= 8 else rgb


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _fine(gray: np.ndarray) -> np.ndarray:
    """Fine detail: each pixel's difference from the mean of its four neighbours."""
    return np.abs(gray[1:-1, 1:-1] - (gray[:-2, 1:-1] + gray[2:, 1:-1] + gray[1:-1, :-2] + gray[1:-1, 2:]) / 4)


def _same_size(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both pictures at the smaller one's size (so resizing is not mistaken for blur)."""
    height = min(first.shape[0], second.shape[0])
    width = min(first.shape[1], second.shape[1])

    def fit(picture: np.ndarray) -> np.ndarray:
        image = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))
        return np.asarray(image.resize((width, height), Image.Resampling.BOX), dtype=np.float32)

    return fit(first), fit(second)


def tone_and_colour(original: np.ndarray, copy: np.ndarray, same_frame: bool) -> list[tuple[str, str]]:
    """(kind, words) for the brightness, contrast and colour changes from ``original`` to ``copy``
    (RGB content), each measured in a way the other edits leave alone. Colour needs the same
    frame (``same_frame``: the pictures laid pixel on pixel at one size)."""
    claims: list[tuple[str, str]] = []
    luma_o, luma_c = _luma(original), _luma(copy)
    mean_o, mean_c = max(1.0, float(luma_o.mean())), max(1.0, float(luma_c.mean()))
    spread_o = max(1.0, float(luma_o.std()))
    brightness = np.log(mean_c / mean_o)  # a brightness edit multiplies every level
    if abs(brightness) > BRIGHTNESS_STEP:
        claims.append(("brightness", f"{'brighter' if brightness > 0 else 'darker'} by about "
                                     f"{abs(mean_c / mean_o - 1):.0%}"))
    # contrast: the spread of the middle grey levels (10th to 70th percentile: clipped highlights and
    # sharpened edges left out) relative to the mean level, which a brightness edit leaves alone
    low_o, high_o = np.percentile(luma_o, (10, 70))
    low_c, high_c = np.percentile(luma_c, (10, 70))
    ratio = ((high_c - low_c) / mean_c) / max(1e-3, (high_o - low_o) / mean_o)
    contrast = float(np.log(max(ratio, 1e-3)))
    if abs(contrast) > CONTRAST_STEP:
        claims.append(("contrast", f"{'more' if contrast > 0 else 'less'} contrast ({ratio - 1:+.0%})"))
    if not same_frame:
        return claims
    if _sepia(copy) and not _sepia(original):  # toning remaps the tones too: the toning is the claim
        return [claim for claim in claims if claim[0] not in ("contrast", "brightness")] + [("colour", "toned sepia")]
    warmth, saturation = _colour_change(original, copy)
    if abs(warmth) > WARMTH_STEP:
        claims.append(("colour", f"colours made {'warmer' if warmth > 0 else 'cooler'}"))
    elif abs(np.log(max(saturation, 1e-3))) > SATURATION_STEP and _colourful(original) / spread_o > 0.05:
        claims.append(("saturation", f"{'more' if saturation > 1 else 'less'} saturated ({saturation - 1:+.0%})"))
    return claims


def _colour_change(original: np.ndarray, copy: np.ndarray) -> tuple[float, float]:
    """(warmth, saturation) pixel on pixel: the copy's red − blue fitted on the original's red − blue
    and grey; a cast adds grey to it (warmth: that share), saturation scales it (relative to how
    the grey levels scaled). Brightness and contrast change neither."""
    flat_o, flat_c = original.reshape(-1, 3), copy.reshape(-1, 3)
    keep = ((flat_o > 3) & (flat_o < 252) & (flat_c > 3) & (flat_c < 252)).all(axis=1)
    if keep.sum() < 64:
        return 0.0, 1.0
    flat_o, flat_c = flat_o[keep], flat_c[keep]
    luma_o, luma_c = _luma(flat_o), _luma(flat_c)
    design = np.stack([flat_o[:, 0] - flat_o[:, 2], luma_o, np.ones(len(flat_o), np.float32)], axis=1)
    (chroma, grey, _), *_ = np.linalg.lstsq(design.astype(np.float64), (flat_c[:, 0] - flat_c[:, 2]).astype(np.float64),
                                            rcond=None)
    tone = max(_slope(luma_o, luma_c), 1e-3)
    return float(grey / tone), float(chroma / tone)


def _slope(before: np.ndarray, after: np.ndarray) -> float:
    """The slope of ``after`` against ``before`` (least squares, clipped levels left out)."""
    keep = (after > 3) & (after < 252) & (before > 3) & (before < 252)
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
    """Fine-detail ratios (copy / original, each picture's detail in units of its own grey spread,
    both at one size): the median over blocks, the plainest quarter's; and the blocks where
    marks were added (much more detail than the rest and a changed level); None when too small."""
    first, second = _same_size(_luma(original), _luma(copy))
    if min(first.shape) < 64:
        return None
    first, second = first / max(1.0, float(first.std())), second / max(1.0, float(second.std()))
    fine_o, fine_c = _blocks(_fine(first)) + 1e-3, _blocks(_fine(second)) + 1e-3
    ratio = fine_c / fine_o
    median = float(np.median(ratio))
    slope = _slope(first.ravel() * 50, second.ravel() * 50)
    residual = _blocks(np.abs(second - slope * first - float((second - slope * first).mean())))
    marked = (ratio > max(2.0 * median, 1.6)) & (residual > 3.0 * float(np.median(residual))) & (residual > 0.08)
    plain = fine_o <= np.quantile(fine_o, 0.25)
    if marked.sum() < 2:  # one odd block is no mark
        marked[:] = False
    near = marked.copy()  # a mark's strokes spill into the blocks around it
    near[1:] |= marked[:-1]
    near[:-1] |= marked[1:]
    near[:, 1:] |= near[:, :-1].copy()
    near[:, :-1] |= near[:, 1:].copy()
    detail = float(fine_c[~near].sum() / fine_o[~near].sum())
    return {"detail": detail, "plain": float(np.median(ratio[plain & ~marked])), "marked": marked}


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
    if measures["plain"] > NOISE_STEP:
        claims.append(("noise", "noise added"))
    elif measures["detail"] < BLUR_STEP:
        claims.append(("blur", f"blurred (fine detail {measures['detail']:.0%} of the original's)"))
    elif measures["detail"] > SHARPEN_STEP:
        claims.append(("sharpen", f"sharpened (fine detail {measures['detail']:.0%} of the original's)"))
    return claims


@dataclass(frozen=True)
class Look:
    """What the copy's pixels and tags say beside its geometry: its bars and the measured claims."""

    bars: Bars
    claims: tuple[tuple[str, str], ...] = ()


def look_changes(original_path: str, copy_path: str, turn=None, whole: bool = False,
                 shown: tuple[float, float, float, float] | None = None, upright: bool = True) -> Look:
    """Bars, tone, colour, detail and EXIF-orientation claims for a copy; nothing when unreadable.
    ``turn`` (an array function) lays the copy the way its original lies; ``whole``: the copy
    shows the whole picture; else ``shown``: the part of the original it shows (from a sane fit),
    so tone and colour compare pixel on pixel; fine detail only when ``upright`` too."""
    first, second = read_small(original_path), read_small(copy_path)
    if first is None or second is None:
        return Look(Bars())
    (original, orientation_o), (copy, orientation_c) = first, second
    bars, original_bars = find_bars(copy), find_bars(original)
    original_content, copy_content = content(original, original_bars), content(copy, bars)
    if not whole and shown is not None:
        original_content = part(original_content, shown)
    laid = np.ascontiguousarray(turn(copy_content)) if turn is not None else copy_content
    same_frame = (whole or shown is not None) and abs(np.log((laid.shape[1] / laid.shape[0]) /
                            (original_content.shape[1] / original_content.shape[0]))) < 0.03
    if same_frame:  # pixel on pixel, at one size
        original_content, laid = _same_size(original_content, laid)
    claims = tone_and_colour(original_content, laid, same_frame)
    if same_frame and upright:
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

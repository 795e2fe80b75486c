"""Uniform bars around a picture (letterboxing, padding): where they are, in words, and the
picture inside them. Each side is found on its own, so a bar on one side only is found too."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BAR_TOLERANCE = 10  # grey levels a bar may vary by
# A bar ends in a step: two lines past its end, under this share of the line is still its colour.
# bench/copy_check.py: after the 125 bars it pads, at most 46% (other sides' bars included); after
# the plain grey sky at the top of an original (ColdRipple, taken for a 41% bar before), 97%.
BAR_STEP = 0.75
BAR_ROOM = 0.02  # a bar may reach this share past where a fit lays the picture's edge (resampling, fit error)


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


def find_bars(rgb: np.ndarray) -> Bars:
    """The uniform bars on each side of a picture: runs of edge lines of one colour (each side
    on its own, so a bar on one side only is found too)."""
    height, width = rgb.shape[:2]

    def run(lines: np.ndarray) -> int:  # lines: (count, length, 3), the edge first
        colour = np.median(lines[0], axis=0)
        share = (np.abs(lines - colour).max(axis=2) <= BAR_TOLERANCE).mean(axis=1)
        plain = share >= 0.98
        if plain.all():
            return len(plain)
        end = int(np.argmin(plain))
        return end if share[min(end + 2, len(share) - 1)] < BAR_STEP else 0  # a plain sky fades out: no bar

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

"""Evidence that two pictures laid one over the other are two moments: a subject that moved, or
is in one and not the other.

distinct.py asks whether each picture's ink survives in the other. A plain subject defeats it:
a bird over a clear sky, a flat ball over a forest path. Where the frames differ, one side is
flat sky (read there as letters laid over a picture) or both are flat (read as a change of
tone). This module asks instead, for each patch where the two pictures differ, which picture
holds something there and which shows the background around the patch:

- an edit that adds something (a watermark, a caption) holds content only in the copy, and the
  content is lettering: many pieces side by side on a line, or strokes;
- a subject that moved is held by EACH picture somewhere the other shows background, the same
  size and tone in both places: two moments;
- a solid subject (one piece, not lettering) held by one picture where the other shows the
  background is a subject that came or went: two moments.

A patch the other picture shows a few pixels away is misalignment, not absence. A crop does not
excuse the difference: the cropped picture is laid over the part of the other it shows (scale
and place found by crop_window) and that overlap is judged, by the rules above and by the
caller's own check (distinct.different_content) on it. Numpy and Pillow only.

Measured (the adversarial pass's scripts a1 and a6, copy_verdict): different frames judged copies
27 of 54 before, 2 of 54 after (a shaded ball over a forest path, too like the path around it);
a frame against an 88% crop of another 9 of 12 before, 3 of 12 after (aitzgorri: the crop's
overlap lies a little off, its detail correlates 0.78). Corpora seeds 7 and 11 (bench/accuracy.py,
cold scans): identical to before, no copy lost (without PART_OF, seed 11 lost chelsea's watermark:
two letter pieces whose near-white strokes were left out as clipped). Cost: about as much again as the pixel verdict itself on a pair verify calls a copy
(median 155 ms against 114 ms on a loaded machine, corpus copies); nothing on the other pairs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from photodedup.core.match.crop_window import lay
from photodedup.core.match.patches import Patch, changed, level_of, patches, pieces

MAX_ELONGATION = 5.0  # a subject's box is at most this many times as long as wide (a 6% bird: 4; Storm's horizon: 10)
STANDS_OUT = 1.5  # a subject differs from what the other shows by this many change levels (a1's: 1.7-4;
# a brightened copy's compressed highlights, Garden: 1.2-1.3)
SAME_SIZE = 3.0  # one subject moved: the two patches' areas within this ratio (levels within the change level)
MAX_RUNS = 2.0  # a solid subject crosses a row in at most this many runs (median); lettering more
NEIGHBOURS, LINE_GAP = 2, 3.0  # this many pieces beside a patch on its line, within this many heights: lettering
PART_OF = 2  # a patch inside a piece this many times its size (near-white letters counted) is part of it
PIECE_SHARE = 4  # ... each at least a quarter of its size (a thin subject's own specks are not letters beside it)
METHOD = "moved-v3"  # part of the cached copy verdict's method


def _lettering(one: Patch, found: list[Patch]) -> bool:
    """Whether a held patch reads as lettering: strokes (many runs across a row), or one of
    several differing pieces of like size side by side on one line (the letters or words of a
    caption)."""
    if one.runs > MAX_RUNS:
        return True
    if any(p.pixels >= PART_OF * one.pixels and min(one.bottom, p.bottom) > max(one.top, p.top)
           and min(one.right, p.right) > max(one.left, p.left) for p in found):
        return True  # a part of a larger change: a caption whose white letters and black outlines were left out
    beside = sum(1 for p in found if p.pixels * PIECE_SHARE >= one.pixels
                 and min(one.bottom, p.bottom) > max(one.top, p.top)  # on one line ...
                 and 0 <= max(p.left - one.right, one.left - p.right)  # ... not the patch itself ...
                 <= LINE_GAP * max(one.bottom - one.top, p.bottom - p.top))  # ... and near
    return beside >= NEIGHBOURS


def _compact(one: Patch) -> bool:
    """A subject's patch is no long thin band: the edge of a horizon laid a few pixels off is."""
    height, width = one.bottom - one.top, one.right - one.left
    return max(height, width) <= MAX_ELONGATION * min(height, width)


def two_moments(found: list[Patch], level: float, all_pieces: Callable[[], list[Patch]] | None = None) -> str:
    """Why the Patches say two moments, in words; "" when they don't. Lettering is judged among
    ``all_pieces()`` when given (where they differ, near-white letters and black outlines too)."""
    held = [p for p in found if p.holder and p.absent and _compact(p) and abs(p.level_a - p.level_b) >= STANDS_OUT * level]
    for first in (p for p in held if p.holder == "a"):
        for second in (p for p in held if p.holder == "b"):
            apart = min(first.bottom, second.bottom) <= max(first.top, second.top) or \
                min(first.right, second.right) <= max(first.left, second.left)
            if apart and max(first.pixels, second.pixels) <= SAME_SIZE * min(first.pixels, second.pixels) \
                    and abs(first.level - second.level) <= level:
                return "a subject moved between the two (each shows it where the other shows the background)"
    if held and any(not _lettering(p, context) for context in [all_pieces() if all_pieces else found] for p in held):
        return "a subject is in one and not the other (where it is, the other shows the background)"
    return ""


def other_moment(a_gray: np.ndarray, b_gray: np.ndarray, how: str,
                 different: Callable[[np.ndarray, np.ndarray], str] | None = None, known: dict | None = None) -> str:
    """Why two grey pictures verify laid one over the other (``how``) are two moments, in words;
    "" when nothing here says so. ``different`` (the caller's own check of two pictures of one
    frame) is asked too about the overlap when one picture is a crop of the other. ``known``:
    patches.shift's, shared with the caller's other looks at the pair."""
    laid = lay(a_gray, b_gray, how, known)
    if laid is None:
        return ""
    found = two_moments(patches(laid.a, laid.b, laid.mask), level_of(laid.a),
                        lambda: pieces(changed(laid.a, laid.b, clipped=True)))
    if found or different is None or not laid.cropped:
        return found
    return different(np.clip(laid.a, 0, 255).astype(np.uint8), np.clip(laid.b, 0, 255).astype(np.uint8))

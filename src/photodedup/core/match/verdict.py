"""What the pixels said about two pictures (verify.compare_pictures decides it): whether one is a
copy of the other, how the copy lies over the original, and the checks a fitted transform must
pass before anything is laid or measured by it. No OpenCV here: what a verdict is, not how it is
reached."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCALE_RANGE = (1 / 12, 12.0)  # a fit outside this (or 0, or singular) is nonsense


# The eight ways to lay a picture on another whole: (name, function on an array).
TURNS: tuple[tuple[str, object], ...] = (
    ("as is", lambda p: p),
    ("turned 180°", lambda p: p[::-1, ::-1]),
    ("turned 90°", lambda p: np.rot90(p, 1)),
    ("turned 270°", lambda p: np.rot90(p, 3)),
    ("mirrored", lambda p: p[:, ::-1]),
    ("flipped", lambda p: p[::-1, :]),
    ("mirrored and turned 90°", lambda p: np.rot90(p[:, ::-1], 1)),
    ("mirrored and turned 270°", lambda p: np.rot90(p[:, ::-1], 3)),
)


@dataclass(frozen=True)
class PixelVerdict:
    """Whether b is a copy of a, by the pixels: the share of tiles that agree, the share of the
    smaller picture the overlap covers, how b lies over a, and b's scale relative to a."""

    copy: bool
    agreement: float = 0.0
    coverage: float = 0.0
    changed: float = 1.0
    how: str = ""
    scale: float = 1.0

    def code(self) -> int:
        """The verdict as one integer, for the cache."""
        turn = next((n for n, (name, _) in enumerate(TURNS) if name == self.how), 9 if self.how else 8)
        scale = min(999, max(0, round(100 * np.log2(max(self.scale, 1e-6)) + 500)))
        code = int(self.copy)
        for share in (self.agreement, self.coverage, self.changed):
            code = code * 1000 + round(min(1.0, max(0.0, share)) * 999)
        return (code * 10 + turn) * 1000 + scale

    @classmethod
    def from_code(cls, code: int) -> "PixelVerdict":
        code, scale = divmod(code, 1000)
        code, turn = divmod(code, 10)
        code, changed = divmod(code, 1000)
        code, coverage = divmod(code, 1000)
        copy, agreement = divmod(code, 1000)
        how = TURNS[turn][0] if turn < len(TURNS) else ("" if turn == 8 else "aligned by features")
        return cls(bool(copy), agreement / 999, coverage / 999, changed / 999, how, float(2 ** ((scale - 500) / 100)))

    def describe(self) -> str:
        if not self.how:
            return "could not be compared"
        laid = "" if self.how == "as is" else f" ({self.how})"
        verb = "agree" if self.copy else "agree only"
        return f"the pixels {verb} in {self.agreement:.0%} of the picture{laid}"


def sane_fit(matrix: np.ndarray | None) -> bool:
    """Whether a fitted 2×3 transform is a plausible copy's: finite, a similarity (no shear),
    scale within SCALE_RANGE and not 0, not singular."""
    if matrix is None:
        return False
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (2, 3) or not np.all(np.isfinite(matrix)):
        return False
    a, b, c, d = matrix[0, 0], matrix[0, 1], matrix[1, 0], matrix[1, 1]
    determinant = a * d - b * c
    scale = float(np.hypot(a, c))
    if not (SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]) or determinant <= 0:
        return False
    return abs(a - d) <= 0.02 * scale and abs(b + c) <= 0.02 * scale  # rotation and scale only



"""The copy check's pixel verdicts, kept in the cache between runs (its verifications table).

The copy check decides every proposal by the pixels, decoded from the files: on 55,000 originals
and the 550 photos of one folder of bench/corpus-100k's c1, 1,911 verdicts took 107 of the 157 s
of the matching, and decoding the grey pictures 27 s more (cProfile, loaded machine), on every
run, warm or not: 3.5 verdicts a photo (its nearest originals, then its embedding turned back
three ways). A verdict depends only on the two files' contents and the verifier, so it is kept
by (the original's content hash, the copy's, this method): a warm run decodes and compares only
what changed. A verdict that is no copy is kept as just that (the check reads nothing else of it);
a copy's numbers are kept exactly (float64 bits), so a warm run chooses and describes as a cold one.
"""

from __future__ import annotations

import hashlib
import struct

from photodedup.core.analyse import cache as cache_module
from photodedup.core.match.grouping import GROUPING_METHOD
from photodedup.core.match.verdict import TURNS, PixelVerdict

METHOD = "copy-check-v1-" + hashlib.sha1(GROUPING_METHOD.encode()).hexdigest()[:12]
HOWS = ("", "aligned by features", *(name for name, _ in TURNS))
NUMBERS = ("agreement", "coverage", "changed", "scale")
COMMIT_EVERY = 256


def _bits(value: float) -> int:
    return struct.unpack("<q", struct.pack("<d", float(value)))[0]


def _float(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<q", bits))[0]


class KnownVerdicts:
    """Verdicts "is the copy's picture a copy of the original's" by content, read and kept in ``cache``."""

    def __init__(self, cache: cache_module.Cache) -> None:
        self.cache = cache
        self._unsaved = 0

    @staticmethod
    def _method(original: str, copy: str, part: str) -> str:
        # The table's key is the pair of hashes in either order: the direction goes in the method.
        return f"{METHOD}{'>' if original <= copy else '<'}{part}"

    def get(self, original: str | None, copy: str | None) -> PixelVerdict | None:
        """The verdict kept for these two contents, or None."""
        if not original or not copy:
            return None
        head = self.cache.lookup_verification(original, copy, self._method(original, copy, "how"))
        if head is None:
            return None
        is_copy, how = divmod(head, 100)
        if not is_copy:
            return PixelVerdict(False)
        numbers = [self.cache.lookup_verification(original, copy, self._method(original, copy, n)) for n in NUMBERS]
        if any(n is None for n in numbers) or how >= len(HOWS):
            return None
        agreement, coverage, changed, scale = map(_float, numbers)
        return PixelVerdict(True, agreement, coverage, changed, HOWS[how], scale)

    def put(self, original: str | None, copy: str | None, verdict: PixelVerdict) -> None:
        """Keep ``verdict`` (made from both files read whole: an unreadable file's is not kept)."""
        if not original or not copy or (verdict.copy and verdict.how not in HOWS):
            return
        if verdict.copy:
            for name in NUMBERS:
                self.cache.store_verification(original, copy, self._method(original, copy, name),
                                              _bits(getattr(verdict, name)))
        self.cache.store_verification(original, copy, self._method(original, copy, "how"),
                                      (100 + HOWS.index(verdict.how)) if verdict.copy else 0)  # last: read back whole
        self._unsaved += 1
        if self._unsaved >= COMMIT_EVERY:
            self.save()

    def save(self) -> None:
        if self._unsaved:
            self.cache.commit()
            self._unsaved = 0

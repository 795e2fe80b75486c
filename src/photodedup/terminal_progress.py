"""A progress bar with rate and ETA on a terminal; plain stage lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from photodedup.core.progress import CancelToken


class TerminalProgress:
    """Implements core.progress.Progress for the command line."""

    def __init__(self, stream: TextIO = sys.stderr, token: CancelToken | None = None, quiet: bool = False) -> None:
        self.stream = stream
        self.token = token or CancelToken()
        self.quiet = quiet
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.stage = ""
        self.total: int | None = None
        self.done = 0
        self.started = time.monotonic()
        self._last_draw = 0.0

    def start(self, stage: str, total: int | None = None) -> None:
        self._finish_line()
        self.stage, self.total, self.done = stage, total, 0
        self.started = time.monotonic()
        if not self.quiet and not self.interactive:
            suffix = f" ({total} items)" if total else ""
            print(f"{stage}{suffix}…", file=self.stream, flush=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.interactive and not self.quiet and now - self._last_draw > 0.1:
            self._last_draw = now
            self._draw(now)

    def check(self) -> None:
        self.token.raise_if_cancelled()

    def close(self) -> None:
        self._finish_line()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            filled = int(fraction * 30)
            bar = "█" * filled + "░" * (30 - filled)
            remaining = (self.total - self.done) / rate if rate > 0 else 0
            text = f"\r{self.stage:<18} {bar} {self.done}/{self.total} {rate:6.1f}/s ETA {_clock(remaining)}"
        else:
            text = f"\r{self.stage:<18} {self.done} {rate:6.1f}/s"
        self.stream.write(text + "\x1b[K")
        self.stream.flush()

    def _finish_line(self) -> None:
        if self.interactive and not self.quiet and self.stage:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"

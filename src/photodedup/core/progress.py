"""Progress reporting and cancellation shared by every stage."""

from __future__ import annotations

import threading
from typing import Protocol


class Cancelled(Exception):
    """Raised between items or batches once a scan was cancelled."""


class CancelToken:
    """A thread-safe flag set by whoever wants the work to stop."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Progress(Protocol):
    """What a stage reports to: a stage name with a total, then steps done."""

    def start(self, stage: str, total: int | None = None) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def check(self) -> None:
        """Raise Cancelled if the work should stop."""


class NullProgress:
    """Reports nowhere; optionally carries a CancelToken."""

    def __init__(self, token: CancelToken | None = None) -> None:
        self.token = token

    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def check(self) -> None:
        if self.token is not None:
            self.token.raise_if_cancelled()


NULL_PROGRESS: Progress = NullProgress()

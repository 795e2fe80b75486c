"""Says what each copy of the shown group changed (resized, cropped, black and white, ...),
measured on a thread pool so the window never waits, and remembered per group."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from photodedup.core.models import Group
from photodedup.core.copy_check import describe_group
from photodedup.core.review.choices import group_key
from photodedup.core.analyse.scratch import ScratchStore


class _Signals(QObject):
    described = Signal(str, object)  # group key, {path: [Change]}


class _Task(QRunnable):
    def __init__(self, key: str, group: Group, scratch: ScratchStore | None, signals: _Signals) -> None:
        super().__init__()
        self.key, self.group, self.scratch, self.signals = key, group, scratch, signals

    def run(self) -> None:
        try:
            described = describe_group(self.group, self.scratch)
        except Exception:  # a file gone or unreadable: the group simply shows no measured changes
            described = {}
        try:
            self.signals.described.emit(self.key, described)
        except RuntimeError:  # the window closed meanwhile
            pass


class GroupDescriber(QObject):
    """request(group) → ``described(key, changes by path)`` on the main thread, once per group."""

    described = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals()
        self._signals.described.connect(self._done)
        self._known: dict[str, dict] = {}
        self._waiting: set[str] = set()
        self.scratch: ScratchStore | None = None  # the current scan's, when there is one

    def request(self, group: Group) -> dict | None:
        key = group_key(group)
        if key in self._known:
            return self._known[key]
        if key not in self._waiting:
            self._waiting.add(key)
            self._pool.start(_Task(key, group, self.scratch, self._signals))
        return None

    def _done(self, key: str, described: dict) -> None:
        self._waiting.discard(key)
        self._known[key] = described
        self.described.emit(key, described)

    def shutdown(self) -> None:
        self._pool.clear()
        self._pool.waitForDone(10000)

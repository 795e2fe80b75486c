"""Runs the session's operations (core/session.py) on a worker thread; reports by queued signals.

Widgets never see the worker: they call the controller's methods on the main thread and
receive its signals there. One job runs at a time, each with its own handlers for success,
failure and cancel (called on the main thread); every job has a number, and results of a job
that was cancelled or replaced are dropped, so nothing from an old scan shows up. A trash or
a restore is never cancelled nor replaced: a job asked for meanwhile is refused (``refused``
says why) and the caller waits or tells the person.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

WORKER_NICENESS = 5  # enough for the window to win; a scan still gets its share against other programs
UNINTERRUPTIBLE = frozenset({"trash", "restore"})  # half a trash must never be dropped for a regroup

from photodedup.core.progress import CancelToken, Cancelled


@dataclass(frozen=True)
class ProgressReport:
    """Where a job is: its stage, items done of total, rate and estimated seconds left."""

    job: int
    stage: str
    done: int
    total: int | None
    rate: float
    seconds_left: float | None


class _SignalProgress:
    """The core's Progress protocol, forwarding to a signal at most ten times a second."""

    INTERVAL = 0.1

    def __init__(self, job: int, token: CancelToken, emit: Callable[[ProgressReport], None]) -> None:
        self.job, self.token, self.emit = job, token, emit
        self.stage, self.total, self.done = "", None, 0
        self.started = self.last_sent = time.monotonic()

    def start(self, stage: str, total: int | None = None) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self.started = time.monotonic()
        self._send(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._send(force=self.total is not None and self.done >= self.total)

    def check(self) -> None:
        self.token.raise_if_cancelled()

    def _send(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_sent < self.INTERVAL:
            return
        self.last_sent = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed if self.done else 0.0
        left = (self.total - self.done) / rate if rate and self.total else None
        self.emit(ProgressReport(self.job, self.stage, self.done, self.total, rate, left))


def _lower_this_threads_priority() -> None:
    """Let the window's thread win the CPU over the scan's; threads started from here inherit it.

    On Linux a thread has its own nice value and threads it creates (decoders, the model's
    thread pool) inherit it; elsewhere QThread's LowPriority, set at start, does the job.
    """
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
        except OSError:
            pass


@dataclass(frozen=True)
class Operation:
    """One job: its kind ("scan", "regroup", "copies", "search", "trash", "restore"), the function
    run on the worker, and what the main thread does when it ends well, fails or is cancelled."""

    kind: str
    function: Callable[[Any], Any]
    on_success: Callable[[Any], None] | None = None
    on_failure: Callable[[str], None] | None = None
    on_cancel: Callable[[], None] | None = None


class _Worker(QThread):
    """Runs one job function; keeps its result, its error, or that it was cancelled."""

    def __init__(self, job: int, operation: Operation, progress: _SignalProgress) -> None:
        super().__init__()
        self.job, self.operation, self.progress = job, operation, progress
        self.kind, self.function = operation.kind, operation.function
        self.result: Any = None
        self.error: str | None = None
        self.cancelled = False

    def run(self) -> None:
        _lower_this_threads_priority()
        try:
            self.result = self.function(self.progress)
        except Cancelled:
            self.cancelled = True
        except Exception as error:  # shown to the person; the app stays up
            self.error = f"{type(error).__name__}: {error}"
            traceback.print_exc()


class ScanController(QObject):
    """The GUI's only way to run core work. Signals arrive on the main thread."""

    progressed = Signal(object)  # ProgressReport
    finished = Signal(str, object)  # job kind ("scan", "regroup", "trash", "restore"), its result
    failed = Signal(str, str)  # job kind, message
    cancelled = Signal(str)  # job kind
    refused = Signal(str)  # why a job asked for was not started (a trash or restore runs)
    busy_changed = Signal(bool)
    REFUSAL = "Files are being moved; this waits until that has finished."

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: _Worker | None = None
        self._token: CancelToken | None = None
        self._pending: Operation | None = None
        self._job = 0

    @property
    def busy(self) -> bool:
        return self._worker is not None

    @property
    def running_kind(self) -> str | None:
        """The kind of job on the worker now ("scan", "trash", ...), or None."""
        return self._worker.kind if self._worker is not None else None

    @property
    def current_job(self) -> int:
        return self._job

    def run(self, kind: str, function: Callable[[Any], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[str], None] | None = None, on_cancel: Callable[[], None] | None = None) -> int | None:
        """Run ``function(progress)`` on the worker thread; ``on_success(result)``, ``on_failure(message)``
        or ``on_cancel()`` runs on the main thread when it ends. A running job is cancelled first,
        except a trash or restore, which is never interrupted: then nothing runs, ``refused`` is
        emitted and None is returned."""
        if self.refuses():
            return None
        operation = Operation(kind, function, on_success, on_failure, on_cancel)
        self._job += 1
        if self._worker is not None:
            self._pending = operation
            self._token.cancel()
            return self._job
        self._start(operation)
        return self._job

    def refuses(self) -> bool:
        """Whether a new job would be refused now (a trash or restore runs); if so, ``refused`` says why."""
        if self.uninterruptible:
            self.refused.emit(self.REFUSAL)
        return self.uninterruptible

    @property
    def uninterruptible(self) -> bool:
        """A trash or restore runs now: nothing may replace it."""
        return self.running_kind in UNINTERRUPTIBLE

    @property
    def joined(self) -> bool:
        """No worker thread is left (after shutdown, or before any job)."""
        return self._worker is None

    def _start(self, operation: Operation) -> None:
        self._token = CancelToken()
        progress = _SignalProgress(self._job, self._token, self.progressed.emit)
        worker = _Worker(self._job, operation, progress)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        worker.start(QThread.Priority.LowPriority)
        self.busy_changed.emit(True)

    def cancel(self) -> None:
        """Ask the running job to stop; it stops between items (well within a second)."""
        self._pending = None
        if self._token is not None:
            self._token.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Cancel and join the worker (when the window closes)."""
        self.cancel()
        worker = self._worker
        if worker is not None:
            worker.wait(timeout_ms)
            self._worker = None

    def _on_worker_finished(self) -> None:
        worker = self.sender()
        if worker is None or worker is not self._worker:  # already joined by shutdown
            return
        self._worker = None
        worker.wait()  # run() has returned; this only lets the thread end before it is dropped
        worker.deleteLater()
        if worker.job == self._job:
            self._report(worker)
        if self._pending is not None:
            operation, self._pending = self._pending, None
            self._start(operation)
        else:
            self.busy_changed.emit(False)

    def _report(self, worker: _Worker) -> None:
        """The ended job's own handler, then the signal that says how it ended."""
        operation = worker.operation
        if worker.cancelled:
            if operation.on_cancel is not None:
                operation.on_cancel()
            self.cancelled.emit(worker.kind)
        elif worker.error is not None:
            if operation.on_failure is not None:
                operation.on_failure(worker.error)
            self.failed.emit(worker.kind, worker.error)
        else:
            if operation.on_success is not None:
                operation.on_success(worker.result)
            self.finished.emit(worker.kind, worker.result)

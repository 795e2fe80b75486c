"""The trash journal: an append-only JSON-lines file of every trash and restore action.

Each action is written and flushed to disk *before* the file is touched, so after a
crash the journal still says which files were on their way to the trash and where
they can be found. A torn last line (power cut mid-write) is skipped when reading.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

try:  # one writer at a time across processes (CLI and GUI at once); Windows goes without
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

JOURNAL_NAME = "trash-journal.jsonl"
State = Literal["pending", "trashed", "failed", "restored"]


def default_journal_path() -> Path:
    """The journal in the user's data folder (``$XDG_DATA_HOME/photodedup`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("photodedup", appauthor=False)) / JOURNAL_NAME


@dataclass
class TrashRecord:
    """One file photodedup sent (or tried to send) to the trash, and what became of it."""

    id: int
    batch: str
    path: str
    size: int
    content_hash: str
    time: float
    state: State = "pending"
    location: str | None = None  # where the file is now, when known (freedesktop trash)
    reason: str = ""
    companion_of: int | None = None  # a sidecar, Live Photo video or Takeout JSON: its photo's record id


class TrashUnavailable(RuntimeError):
    """No trash or restore can run now; nothing was touched. The message says why."""


class TrashBusy(TrashUnavailable):
    """Another photodedup (this one's window, or another process) is trashing or restoring now."""


class Journal:
    """Append-only record of trash actions, readable as a list of TrashRecord."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_journal_path()
        self._read_to = 0  # bytes of the journal already read for ids ...
        self._highest = 0  # ... and the highest id in them

    def new_batch(self) -> str:
        """A name for one trash action of the person (all files of one click)."""
        return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the trash for one whole action: no other trash or restore, in any process,
        runs until it ends. Raises TrashBusy at once if one is running."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a")
        except OSError as error:
            raise TrashUnavailable(f"the trash journal's folder {self.path.parent} cannot be written "
                                   f"({error.strerror or error}); nothing was touched") from None
        with handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise TrashBusy("another photodedup is moving files to or from the Trash right now; "
                                    "nothing was touched. Try again when it has finished.") from None
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def begin(self, batch: str, path: str, size: int, content_hash: str, companion_of: int | None = None) -> int:
        """Record that ``path`` is about to go to the trash; returns the record id."""
        event = {"event": "trashing", "batch": batch, "path": path, "size": size, "content_hash": content_hash,
                 "time": time.time()}
        if companion_of is not None:
            event["companion_of"] = companion_of
        return self.append_event(event)

    def append_event(self, event: dict) -> int:
        """Append ``event`` under a new id (written and synced before this returns); returns the id."""
        with self._locked() as handle:
            record_id = self._next_id()
            self._append(handle, {"id": record_id, **event})
        return record_id

    def events(self) -> Iterator[dict]:
        """Every well-formed event, oldest first (for modules that journal other kinds of change)."""
        return self._events()

    def finish(self, record_id: int, state: State, location: str | None = None, reason: str = "") -> None:
        """Record what happened to a file after the trash (or restore) call."""
        event = {"trashed": "trashed", "failed": "failed", "restored": "restored", "pending": "note"}[state]
        with self._locked() as handle:
            self._append(handle, {"event": event, "id": record_id, "location": location, "reason": reason,
                                  "time": time.time()})

    def note(self, record_id: int, reason: str) -> None:
        """Record something about a file that does not change its state (a refused restore)."""
        with self._locked() as handle:
            self._append(handle, {"event": "note", "id": record_id, "reason": reason, "time": time.time()})

    def records(self) -> list[TrashRecord]:
        """Every file ever sent to the trash, oldest first, with its latest state."""
        records: dict[int, TrashRecord] = {}
        for event in self._events():
            kind, record_id = event.get("event"), event["id"]
            if kind == "trashing":
                record = _record_from(event)
                if record is not None:
                    records[record_id] = record
                continue
            record = records.get(record_id)
            if record is None:
                continue
            if kind in ("trashed", "failed", "restored"):
                record.state = kind
                location = event.get("location")
                if isinstance(location, str) or kind == "restored":
                    record.location = location if isinstance(location, str) else None
            if isinstance(event.get("reason"), str) and event["reason"]:
                record.reason = event["reason"]
        return list(records.values())

    def _events(self, start: int = 0, end: int | None = None) -> Iterator[dict]:
        """The journal's well-formed events; a torn or garbled line (a crash mid-write, a bad
        disk block) is passed over, never the lines after it."""
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return
        with handle:
            handle.seek(start)
            data = handle.read() if end is None else handle.read(max(0, end - start))
        for line in data.split(b"\n"):
            try:
                event = json.loads(line.decode("utf-8"))
            except (ValueError, RecursionError):
                continue
            if isinstance(event, dict) and type(event.get("id")) is int:
                yield event

    def _next_id(self) -> int:
        """A new id, unique across processes: called with the journal locked, it reads
        what others appended since this object last looked."""
        size = os.path.getsize(self.path)
        if size < self._read_to:  # the journal was replaced: read it all again
            self._read_to, self._highest = 0, 0
        for event in self._events(self._read_to, size):
            self._highest = max(self._highest, event["id"])
        self._read_to = size
        self._highest += 1
        return self._highest

    @contextmanager
    def _locked(self) -> Iterator:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _append(handle, event: dict) -> None:
        # A torn previous line must not swallow this one: start on a fresh line.
        if handle.tell() > 0:
            with open(handle.name, "rb") as reader:
                reader.seek(-1, os.SEEK_END)
                if reader.read(1) != b"\n":
                    handle.write("\n")
        handle.write(json.dumps(event) + "\n")  # ASCII: a path that is not UTF-8 survives as a \\udcXX escape
        handle.flush()
        os.fsync(handle.fileno())


def _record_from(event: dict) -> TrashRecord | None:
    """A record from a "trashing" event, or None when the event lacks what a record needs."""
    path, size, batch = event.get("path"), event.get("size"), event.get("batch", "")
    if not isinstance(path, str) or not path or type(size) is not int or not isinstance(batch, str):
        return None
    content_hash = event.get("content_hash") if isinstance(event.get("content_hash"), str) else ""
    when = event.get("time") if isinstance(event.get("time"), (int, float)) else 0.0
    companion_of = event.get("companion_of") if type(event.get("companion_of")) is int else None
    return TrashRecord(event["id"], batch, path, size, content_hash, float(when), companion_of=companion_of)

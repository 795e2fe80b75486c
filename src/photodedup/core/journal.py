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
from dataclasses import dataclass, field
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
    history: list[str] = field(default_factory=list)


class Journal:
    """Append-only record of trash actions, readable as a list of TrashRecord."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_journal_path()
        self._last_written: tuple[int, int] | None = None  # (journal size, highest id) after our last write
        self._highest: int | None = None

    def new_batch(self) -> str:
        """A name for one trash action of the person (all files of one click)."""
        return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"

    def begin(self, batch: str, path: str, size: int, content_hash: str) -> int:
        """Record that ``path`` is about to go to the trash; returns the record id."""
        with self._locked() as handle:
            record_id = self._next_id(handle)
            self._append(handle, {"event": "trashing", "id": record_id, "batch": batch, "path": path,
                                  "size": size, "content_hash": content_hash, "time": time.time()})
        return record_id

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
            kind, record_id = event.get("event"), event.get("id")
            if kind == "trashing":
                records[record_id] = TrashRecord(
                    record_id, event["batch"], event["path"], event["size"], event["content_hash"], event["time"])
                continue
            record = records.get(record_id)
            if record is None:
                continue
            if kind in ("trashed", "failed", "restored"):
                record.state = kind
                if event.get("location") is not None or kind == "restored":
                    record.location = event.get("location")
            if event.get("reason"):
                record.reason = event["reason"]
                record.history.append(event["reason"])
        return list(records.values())

    def _events(self) -> Iterator[dict]:
        try:
            handle = open(self.path, encoding="utf-8")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                try:
                    event = json.loads(line)
                except ValueError:  # a torn line from a crash mid-write: the rest is still good
                    continue
                if isinstance(event, dict) and isinstance(event.get("id"), int):
                    yield event

    def _next_id(self, handle) -> int:
        size = os.fstat(handle.fileno()).st_size
        if self._last_written is not None and self._last_written[0] == size:
            highest = self._last_written[1]  # nobody else wrote since: no need to reread
        else:
            highest = max((e["id"] for e in self._events()), default=0)
        self._highest = highest + 1
        return highest + 1

    @contextmanager
    def _locked(self) -> Iterator:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield handle
                if self._highest is not None:
                    self._last_written = (handle.tell(), self._highest)
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
        handle.write(json.dumps(event, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())

"""What the safe trash takes and gives back: files as scanned, groups to trash, per-file outcomes.

Plain data, apart from core/trash/safe_trash.py so that the modules working beside it (companions,
carry-over, a report's checked plan) name them without importing the trash itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["trashed", "would trash", "skipped", "failed"]


@dataclass(frozen=True)
class ScannedFile:
    """A file as the scan saw it; the trash only takes it if it is still exactly this."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str = ""  # empty: only size and mtime can be checked


@dataclass
class TrashGroup:
    """One group of copies: files the person keeps and files they chose to trash."""

    keep: list[ScannedFile]
    remove: list[ScannedFile]
    copies: bool = True  # the removed files are copies of kept ones (checked so); False: similar shots the person chose


@dataclass
class FileOutcome:
    """What happened to one file the person chose to trash."""

    path: str
    status: Status
    reason: str = ""
    size: int = 0
    record_id: int | None = None
    location: str | None = None  # where it is now, when the system trash lets us know
    trash_unavailable: bool = False  # the trash could not take it (read-only or network volume)
    companion_of: str = ""  # a sidecar, Live Photo video or Takeout JSON that went with this photo
    carried: str = ""  # what the keeper's sidecar gained from this copy before it went (core/review/carry_over.py)


@dataclass
class RestoreOutcome:
    record_id: int
    path: str
    status: Literal["restored", "refused", "failed", "in trash"]
    reason: str = ""

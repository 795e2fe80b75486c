"""Plain data passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MatchReason = Literal["exact", "near"]
GroupKind = Literal["copies", "similar"]
COPIES: GroupKind = "copies"
SIMILAR: GroupKind = "similar"


@dataclass(frozen=True)
class ImageFile:
    """One real file found by the scan."""

    path: str
    size: int
    mtime_ns: int
    device: int
    inode: int

    @property
    def identity(self) -> tuple[int, int]:
        """(device, inode): the same for every path that reaches this file."""
        return (self.device, self.inode)


@dataclass(frozen=True)
class Problem:
    """A file or folder that could not be used, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class PhotoMetadata:
    """What a photo's EXIF says; empty strings when it doesn't say."""

    date_taken: str = ""  # "YYYY-MM-DD HH:MM:SS" as the camera wrote it
    camera: str = ""
    lens: str = ""
    has_gps: bool = False
    has_exif: bool = False


@dataclass
class ImageInfo:
    """What the pipeline learned about one file: its vector and what the review needs."""

    file: ImageFile
    width: int
    height: int
    format: str
    content_hash: str
    vector: "object | None" = None  # numpy float32 (D,), L2-normalised
    content_fraction: float = 1.0  # share of the pixels that is picture, not padding bars
    metadata: PhotoMetadata = field(default_factory=PhotoMetadata)

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def picture_pixels(self) -> int:
        """Pixels of actual picture: a letterboxed copy does not win by its padding."""
        return int(self.pixels * self.content_fraction)


@dataclass
class GroupMember:
    """A file of a group, with how it matched the group's keeper."""

    info: ImageInfo
    keeper: bool = False
    distance: float = 0.0
    reason: MatchReason = "near"
    detail: str = ""

    @property
    def path(self) -> str:
        return self.info.file.path


@dataclass
class Group:
    """Files that are copies of one photo ("copies": exactly one is the suggested keeper, the
    rest are suggested for the Trash), or different shots of one scene ("similar": the suggested
    keeper is the best shot, ``note`` says why, and nothing is suggested for the Trash)."""

    members: list[GroupMember]
    kind: GroupKind = COPIES
    note: str = ""

    @property
    def keeper(self) -> GroupMember:
        return next(m for m in self.members if m.keeper)

    @property
    def reclaimable_bytes(self) -> int:
        """What trashing the suggestion frees: nothing in a group of similar shots."""
        if self.kind == SIMILAR:
            return 0
        return sum(m.info.file.size for m in self.members if not m.keeper)


@dataclass
class ScanStats:
    """Counts reported after a scan."""

    files_found: int = 0
    files_decoded: int = 0
    cache_hits: int = 0
    problems: int = 0
    groups: int = 0
    duplicates: int = 0
    reclaimable_bytes: int = 0
    seconds: float = 0.0


@dataclass
class ScanResult:
    """Everything a scan produced."""

    groups: list[Group] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)

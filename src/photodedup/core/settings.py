"""The person's options, declared once: one line per option, with its default and one-line help.

The command line builds its flags from these fields (cli_common.add_option) and the desktop app
keeps them in QSettings by the same names (gui/settings.py); both turn them into a scan's
ScanOptions and a TrashPolicy here, so a default or a name can't differ between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from photodedup.core.match.group import DEFAULT_THRESHOLD
from photodedup.core.review.keeper import DEFAULT_RULES, check_rules
from photodedup.core.review.policy import TrashPolicy


def threshold_value(text: str | float) -> float:
    """An angular distance between 0 and 2 (ValueError otherwise)."""
    value = float(text)
    if not 0.0 < value < 2.0:
        raise ValueError("must be between 0 and 2 (angular distance; smaller is stricter)")
    return value


def keeper_rules_value(text: str | Sequence[str]) -> list[str]:
    """Keeper rule names, comma-separated or a list, checked (ValueError names the unknown one)."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    return check_rules([part.strip() for part in parts if part.strip()])


def option(default, help: str, flag: str | None = None, parse: Callable | None = None, key: str | None = None):
    """A field of Options: its default, its help, the command line's flag (default ``--name``),
    the parser of its text, and the key it is stored under in the app's settings (default: its name)."""
    factory = (lambda: list(default)) if isinstance(default, (list, tuple)) else None
    metadata = {"help": help, "flag": flag, "parse": parse, "key": key}
    return field(default_factory=factory, metadata=metadata) if factory else field(default=default, metadata=metadata)


@dataclass
class Options:
    """What the person chooses; every option on one line."""

    folders: list[str] = option([], "folders to search (several allowed)")
    protected: list[str] = option([], "files under DIR are always kept, never marked for trash", "--protect")
    excludes: list[str] = option([], "skip files or folders matching GLOB", "--exclude")
    threshold: float = option(DEFAULT_THRESHOLD, "largest embedding distance still called a copy", parse=threshold_value)
    default_threshold: float = option(DEFAULT_THRESHOLD, "the similarity used at start and by the Default button")
    keeper_rules: list[str] = option(list(DEFAULT_RULES), "order of the rules that choose the file to keep",
                                     parse=keeper_rules_value)
    raw_jpeg_pairs_are_duplicates: bool = option(False, "treat a RAW and the camera's JPEG of the same shot as "
                                                 "duplicates (normally both are kept)", "--raw-jpeg-duplicates")
    follow_symlinks: bool = option(False, "also look inside symbolically linked folders and at linked files under "
                                   "the roots (their files are shown but never marked for the trash)")
    carry_over: bool = option(True, "before a copy goes to the trash, write what the kept file lacks (keywords, "
                              "rating, GPS, ...) to its XMP sidecar", "--no-carry-over")
    dismissed: list[str] = option([], "groups the person hid from the results", key="dismissed_groups")

    def scan_options(self, cache_dir: Path | str | None = None, roots: Sequence[str] | None = None):
        """The scan these options ask for (of ``roots`` instead of the folders, if given)."""
        from photodedup.core.dedupe import ScanOptions

        return ScanOptions(roots=list(self.folders if roots is None else roots), excludes=list(self.excludes),
                           threshold=self.threshold, cache_dir=Path(cache_dir) if cache_dir else None,
                           protected=list(self.protected), keeper_rules=list(self.keeper_rules),
                           follow_symlinks=self.follow_symlinks)

    def trash_policy(self) -> TrashPolicy:
        """What may be marked and trashed under these options (core/review/policy.py decides)."""
        return TrashPolicy(tuple(self.protected), tuple(self.folders), self.raw_jpeg_pairs_are_duplicates)


OPTIONS = {spec.name: spec for spec in fields(Options)}


def help_of(name: str) -> str:
    """The option's one-line help."""
    return OPTIONS[name].metadata["help"]


def default_of(name: str):
    """The option's default (a fresh list for a list)."""
    return getattr(Options(), name)

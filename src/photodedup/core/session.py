"""A session: one library and the operations on it, for the command line and the desktop app alike.

Like dupeGuru's app object, it knows no toolkit: the CLI calls its operations directly, the GUI
calls the same ones on its worker thread (gui/scan_controller.py), so the two can't drift apart.
Each operation takes ``progress`` and can be cancelled through it (core/progress.py).

One operation runs at a time (the GUI's controller starts the next only when one has ended),
so the session's state (the library, its groups) is only ever changed by the operation running.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from photodedup.core.dedupe import (
    EmbedderLike, Library, ScanOptions, analyse_library, default_embedder, find_groups, scan_result,
)
from photodedup.core.models import Group, Problem, ScanResult
from photodedup.core.progress import NULL_PROGRESS, Progress
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.settings import Options

if TYPE_CHECKING:  # the other operations' modules load when first used. Importing them here made
    # this module take 0.55-0.63 s to import against 0.37-0.46 s for dedupe.py alone (three runs each,
    # one session, a loaded 2-core machine): start-up a `photodedup scan` would pay for nothing.
    from photodedup.core.copy_check import CopyCheckOptions, CopyCheckResult
    from photodedup.core.search import SearchResult
    from photodedup.core.trash.journal import TrashRecord
    from photodedup.core.trash.safe_trash import FileOutcome, RestoreOutcome
    from photodedup.core.trash.types import TrashGroup


@dataclass
class Grouped:
    """A scan or a regroup's answer: the library and its groups."""

    library: Library
    groups: list[Group]
    seconds: float = 0.0

    def as_result(self) -> ScanResult:
        """The ScanResult (groups, problems, counts) a report is written from."""
        return scan_result(self.library, self.groups, self.seconds)


@dataclass
class CopiesFound:
    """The copy check's answer: each original with its copies, and the same as groups to review."""

    result: CopyCheckResult
    groups: list[Group] = field(default_factory=list)


class Session:
    """A library and what can be done with it: scan, regroup, copy check, trash, restore, search."""

    def __init__(self, options: Options | None = None, cache_dir: Path | str | None = None,
                 embedder_factory: Callable[[], EmbedderLike] = default_embedder) -> None:
        self.options = options or Options()
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.embedder_factory = embedder_factory
        self.library: Library | None = None  # the last scan's, until the next scan or copy check
        self.groups: list[Group] = []

    @property
    def problems(self) -> list[Problem]:
        return self.library.problems if self.library is not None else []

    def scan_options(self, roots: Sequence[str] | None = None) -> ScanOptions:
        """The scan the session's options ask for (of ``roots`` instead of its folders, if given)."""
        return self.options.scan_options(self.cache_dir, roots)

    def copy_check_options(self, threshold: float | None = None) -> CopyCheckOptions | None:
        """The copy check the options ask for: originals are the protected folders, the other folders
        are looked in; None when either side is empty."""
        from photodedup.core.copy_check import CopyCheckOptions

        originals = list(self.options.protected)
        look_in = [root for root in self.options.folders if root not in set(originals)]
        if not originals or not look_in:
            return None
        return CopyCheckOptions(originals, look_in, list(self.options.excludes), threshold or self.options.threshold,
                                self.cache_dir)

    def trash_policy(self) -> TrashPolicy:
        return self.options.trash_policy()

    def let_go(self) -> None:
        """Forget the last library before a new scan. What is alive after that is not garbage:
        the collector is kept from walking it again and again during the scan (a full collection
        holds the GIL, and so the window, for a while)."""
        self.library, self.groups = None, []
        gc.collect()
        gc.freeze()

    # -- operations (each may run on a worker thread) ------------------------------------
    def scan(self, progress: Progress = NULL_PROGRESS, options: ScanOptions | None = None) -> Grouped:
        """Analyse the folders (unchanged photos from the cache) and group them."""
        started = time.monotonic()
        options = options or self.scan_options()
        library = analyse_library(options, progress, self.embedder_factory)
        groups = find_groups(library, options.threshold, options.protected, progress, options.keeper_rules)
        self.library, self.groups = library, groups
        return Grouped(library, groups, time.monotonic() - started)

    def regroup(self, threshold: float, progress: Progress = NULL_PROGRESS, protected: Sequence[str] | None = None,
                keeper_rules: Sequence[str] | None = None) -> Grouped:
        """Group the last scan's library again (another threshold, other keeper rules): no photo is read."""
        library = self.library
        if library is None:
            raise RuntimeError("nothing to regroup: scan first")
        protected = self.options.protected if protected is None else protected
        rules = self.options.keeper_rules if keeper_rules is None else keeper_rules
        groups = find_groups(library, threshold, protected, progress, rules)
        self.groups = groups
        return Grouped(library, groups)

    def copy_check(self, options: CopyCheckOptions, progress: Progress = NULL_PROGRESS) -> CopiesFound:
        """Copies of the originals among the other folders; the scan's library is let go."""
        from photodedup.core.copy_check import as_groups, find_copies

        self.library, self.groups = None, []
        result = find_copies(options, progress, self.embedder_factory)
        found = CopiesFound(result, as_groups(result))
        self.groups = found.groups
        return found

    def trash(self, groups: Sequence[TrashGroup], progress: Progress = NULL_PROGRESS, policy: TrashPolicy | None = None,
              carry_over: bool | None = None, dry_run: bool = False) -> list[FileOutcome]:
        """Move the marked files of ``groups`` to the Trash; the library forgets them. A marked copy goes
        only beside a kept file it is a copy of and that can stand for it, checked now exactly as for a
        report (core/trash/report_plan.py ``witnessed``): the window's plan gets no easier way to the
        Trash than an edited report. Refused files come first."""
        from photodedup.core.analyse.cache import default_cache_dir
        from photodedup.core.trash.report_plan import witnessed

        policy = policy or self.trash_policy()
        known = {info.file.path: info for info in self.library.infos} if self.library is not None else {}
        plan = witnessed(groups, policy, self.cache_dir or default_cache_dir(), known, max_distance=2.0)  # the pixels decide
        return plan.refused + self._move(plan.groups, progress, policy, carry_over, dry_run)

    def _move(self, groups: Sequence[TrashGroup], progress: Progress, policy: TrashPolicy,
              carry_over: bool | None, dry_run: bool) -> list[FileOutcome]:
        """The safe trash on a checked plan (each file checked again as it goes); the library forgets them."""
        from photodedup.core.trash.safe_trash import trash_groups

        outcomes = trash_groups(groups, progress=progress, dry_run=dry_run, policy=policy,
                                carry_over=self.options.carry_over if carry_over is None else carry_over)
        gone = {o.path for o in outcomes if o.status == "trashed" and not o.companion_of}
        if gone and self.library is not None:
            self.library.infos = [i for i in self.library.infos if i.file.path not in gone]
        return outcomes

    def trash_report(self, report: Path, protect: Sequence[str] = (), progress: Progress = NULL_PROGRESS,
                     dry_run: bool = True, carry_over: bool | None = None) -> list[FileOutcome]:
        """Trash what a JSON report marks, checked against the report's and ``protect``'s folders and
        the cache (core/trash/report_plan.py); refused files come first. ValueError for a bad report."""
        from photodedup.core.trash.report_plan import read_trash_plan

        plan = read_trash_plan(report, protect, self.cache_dir)
        return plan.refused + self._move(plan.groups, progress, plan.policy, carry_over, dry_run)

    def restore(self, ids: Sequence[int] = (), last: bool = False) -> list[RestoreOutcome]:
        """Put trashed files back: the journal's ``ids``, or the last trash action."""
        from photodedup.core.trash.safe_trash import restore

        return restore(list(ids), last=last)

    def search(self, paths: Sequence[str], roots: Sequence[str], progress: Progress = NULL_PROGRESS, limit: int = 10,
               threshold: float | None = None) -> SearchResult:
        """Where each photo of ``paths`` is among the cached photos under ``roots``."""
        from photodedup.core.search import find_photos

        threshold = self.options.threshold if threshold is None else threshold
        return find_photos(paths, roots, self.cache_dir, limit, threshold, progress, self.embedder_factory)

    def last_roots(self) -> list[str]:
        """The folders of the last scan made with this cache (a search's default library)."""
        from photodedup.core.analyse.cache import Cache, default_cache_dir
        from photodedup.core.embed.embedder import default_model_id

        with Cache(self.cache_dir or default_cache_dir(), default_model_id()) as cache:
            return cache.last_roots()

    # -- the journal ---------------------------------------------------------------------
    def history(self, everything: bool = False) -> list[TrashRecord]:
        """The journal's records: those that can be restored, or all of them."""
        from photodedup.core.trash.journal import Journal

        return [r for r in Journal().records() if everything or r.state in ("trashed", "pending")]

    @property
    def journal_path(self) -> Path:
        from photodedup.core.trash.journal import Journal

        return Journal().path

    def can_undo(self) -> bool:
        """Whether the journal has files photodedup can put back."""
        try:
            return bool(self.history())
        except OSError:
            return False

    def restored_hashes(self, outcomes: Sequence[RestoreOutcome]) -> dict[str, str]:
        """Each restored file's content hash (from the journal): the person wants it, it is not marked again."""
        from photodedup.core.trash.journal import Journal

        hashes = {r.id: r.content_hash for r in Journal().records()}
        return {o.path: hashes.get(o.record_id, "") for o in outcomes if o.status == "restored"}

    def close(self) -> None:
        """Delete the last scan's scratch file (also done when the library is garbage-collected)."""
        if self.library is not None:
            self.library.close()

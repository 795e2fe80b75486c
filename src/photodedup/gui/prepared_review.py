"""The review of a scan's groups, built on the worker thread with the scan, not on the main thread.

Building a Review asks the trash policy about every file (protected? a RAW + JPEG pair?) and sorts
the groups: 2.3 s of a 3.7 s block of the window for 10,000 groups on the loaded 2-core machine
(cProfile of MainWindow._grouped, bench/scale_gui.py). The worker builds it from what the window
said when the job started (the basis: policy, hidden groups, the person's decisions, the order);
the window uses it only if that is still what it says when the job ends, else builds it as before.
No Qt here: the worker runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from photodedup.core.review.choices import Review
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.session import Grouped


@dataclass(frozen=True)
class ReviewBasis:
    """What a review is built from, as the window says it."""

    policy: TrashPolicy
    dismissed: frozenset[str]
    decisions: tuple[tuple[str, tuple[str, str]], ...]  # path → (content hash, state), sorted
    order: str

    @classmethod
    def of(cls, policy: TrashPolicy, dismissed: Iterable[str], decisions: dict[str, tuple[str, str]],
           order: str) -> "ReviewBasis":
        return cls(policy, frozenset(dismissed), tuple(sorted(decisions.items())), order)

    def build(self, grouped: Grouped) -> Review:
        """The review the window would build from ``grouped`` (decisions applied, sorted)."""
        review = Review(grouped.groups, self.policy, self.dismissed)
        review.apply(dict(self.decisions))
        review.sort(self.order)
        return review


@dataclass
class PreparedReview:
    """A scan's or a regroup's groups with their review, built on the worker."""

    grouped: Grouped
    review: Review
    basis: ReviewBasis


def preparing(basis: ReviewBasis, operation: Callable[[Any], Grouped]) -> Callable[[Any], PreparedReview]:
    """``operation`` (run on the worker with its progress), then the review of its groups."""
    def run(progress: Any) -> PreparedReview:
        grouped = operation(progress)
        progress.check()
        progress.start("Preparing the review")
        _warm_tag_reader()
        return PreparedReview(grouped, basis.build(grouped), basis)
    return run


def _warm_tag_reader() -> None:
    """Load python-exiv2 now: the first group shown reads its photos' tags, and the import took
    0.14 s of the main thread there."""
    from photodedup.core.analyse.photo_tags import exiv2_module

    exiv2_module()

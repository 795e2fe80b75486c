"""A full garbage collection holds the GIL for as long as it walks every object (0.3-0.8 s after a scan
of 110,000 photos), so the window waited for the worker's ones during a scan and for its own while
scrolling. While a job runs no full collection is made; when it ends, what is alive is frozen, and a
scan first collects what the last one let go (gui/garbage.py)."""

from __future__ import annotations

import gc
import weakref

from conftest import scan_and_wait

from photodedup.gui import garbage
from photodedup.gui.scan_controller import ScanController


def in_generations(thing) -> bool:
    """Whether the collector still walks ``thing`` (it is in a generation, not frozen)."""
    return any(other is thing for generation in range(3) for other in gc.get_objects(generation))


def test_no_full_collection_during_a_job_and_its_result_frozen_after(qtbot):
    controller = ScanController()
    seen, results = [], []

    def job(progress):
        seen.append(gc.get_threshold())
        return [[n] for n in range(1000)]  # objects the collector tracks

    controller.run("regroup", job, results.append)
    qtbot.waitUntil(lambda: bool(results) and not controller.busy, timeout=10000)
    assert seen[0][2] == garbage.NO_FULL_COLLECTION, "no full collection while the job ran"
    assert gc.get_threshold() == garbage.USUAL, "the collector as usual once it ended"
    assert gc.get_freeze_count() > 0 and not in_generations(results[0]) and not in_generations(results[0][5])


def test_a_scan_collects_what_was_let_go_and_its_review_is_never_walked_again(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    first = window.review.choices[0]
    assert not in_generations(first) and not in_generations(first.group), "the review is frozen"

    class Cycle:  # garbage only a collection frees
        def __init__(self) -> None:
            self.me = self

    left = weakref.ref(Cycle())
    gc.freeze()  # as a job's end freezes what is alive then, garbage included
    gc.collect()
    assert left() is not None, "frozen: no usual collection frees it"
    scan_and_wait(qtbot, window)
    assert left() is None, "the second scan collected it first"
    assert not in_generations(window.review.choices[0])

"""Python's full garbage collections kept off the window's time.

A full collection walks every object Python tracks and holds the GIL meanwhile, so the window
waits for it whichever thread runs it. After a scan of 110,000 photos that is ~1,056,000
objects: 0.8-1.7 s a collection on the loaded machine, and during the scan itself the worker's
full collections took 282-397 ms each while the window waited (``bench/scale_gui.py --stalls``,
gc.callbacks: the scan's stalls of 203-567 ms and the scroll's of 148-281 ms).

So while a job runs only the young generations are collected (they free the short cycles a scan
makes by the hundred thousand): what a warm scan of 110,000 photos leaves in the old generation
meanwhile is 11,710 objects, 1.9 MB. When the job ends everything alive is frozen (gc.freeze:
never walked again), so the collections made while the person scrolls and marks walk only what
the window made since. A scan starts after the last results were let go: on its worker, the
old generation is then unfrozen and collected once, while it holds little.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

USUAL = gc.get_threshold()
NO_FULL_COLLECTION = 10 ** 9  # gen-1 collections before a full one: never, within a job


def job_starting() -> None:
    """A job is about to run on the worker (main thread): no full collection until it ends."""
    gc.set_threshold(USUAL[0], USUAL[1], NO_FULL_COLLECTION)


def collect_what_was_let_go() -> None:
    """On the worker, at the start of a job that follows letting results go (a scan, a copy
    check): what was frozen is collected now, while little of it is alive."""
    gc.unfreeze()
    gc.collect()


def collected_first(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``function(progress)``, run after collect_what_was_let_go (on the worker)."""
    def run(progress: Any) -> Any:
        collect_what_was_let_go()
        return function(progress)
    return run


def job_ended() -> None:
    """A job's result is in (main thread): what is alive now is frozen, and full collections
    are back for what the window makes from here on."""
    gc.collect(1)  # the young garbage first: it is not frozen
    gc.freeze()
    gc.set_threshold(*USUAL)


def usual() -> None:
    """The collector as Python set it (the window closes)."""
    gc.set_threshold(*USUAL)

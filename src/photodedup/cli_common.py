"""What the command line's sub-commands share: checking folders and outputs, and a progress bar."""

from __future__ import annotations

import argparse
import os
import sys


def check_folders_and_outputs(parser: argparse.ArgumentParser, folders, outputs) -> None:
    """Exit with a clear message (status 2) for a folder that isn't one or an output that can't be written."""
    for folder in folders:
        if not os.path.isdir(folder):
            parser.error(f"{folder} {'does not exist' if not os.path.exists(folder) else 'is not a folder'}")
    from photodedup.core.review.report import output_problem

    for output in outputs:
        problem = output_problem(output) if output is not None else None
        if problem:
            parser.error(problem)


def run_with_progress(work, quiet: bool):
    """``work(progress)`` with a progress bar on stderr; None if the person interrupted it."""
    from photodedup.core.progress import Cancelled
    from photodedup.terminal_progress import TerminalProgress

    progress = TerminalProgress(sys.stderr, quiet=quiet)
    try:
        return work(progress)
    except (Cancelled, KeyboardInterrupt):
        progress.close()
        print("\nStopped. Photos analysed so far stay cached for the next run.", file=sys.stderr)
        return None
    finally:
        progress.close()

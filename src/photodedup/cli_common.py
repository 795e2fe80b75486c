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


def add_option(parser: argparse.ArgumentParser, name: str, metavar: str | None = None, help: str | None = None) -> None:
    """The flag of option ``name`` (core/settings.py Options): its flag, default, help and parser
    come from there; lists repeat, booleans switch the default."""
    from photodedup.core.settings import OPTIONS, default_of

    spec = OPTIONS[name]
    default, meta = default_of(name), spec.metadata
    flag = meta["flag"] or "--" + name.replace("_", "-")
    help_text = help or meta["help"]
    if isinstance(default, bool):
        parser.add_argument(flag, dest=name, action="store_false" if default else "store_true", help=help_text)
        return
    if isinstance(default, list) and meta["parse"] is None:
        parser.add_argument(flag, dest=name, action="append", default=[], metavar=metavar, help=help_text + " (repeatable)")
        return
    parser.add_argument(flag, dest=name, type=argparse_type(meta["parse"] or type(default)), default=default,
                        metavar=metavar, help=f"{help_text} (default {_shown(default)})")


def _shown(default) -> str:
    return ",".join(default) if isinstance(default, list) else str(default)


def argparse_type(parse):
    """``parse`` with its ValueError as argparse's own message."""

    def convert(text: str):
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}" if "could not convert" in str(error)
                                             else str(error)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def options_from(args: argparse.Namespace, **given):
    """The Options a command's flags chose (those it has; the others keep their defaults)."""
    from photodedup.core.settings import OPTIONS, Options

    chosen = {name: getattr(args, name) for name in OPTIONS if getattr(args, name, None) is not None}
    return Options(**{**chosen, **given})

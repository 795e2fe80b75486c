"""What the command line's sub-commands share: checking folders and outputs, and a progress bar."""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "\\'"}


def shown(text) -> str:
    """``text`` (a file name, or a message holding one) as one printable line.

    A name may hold a newline, a carriage return, a terminal escape sequence, a right-to-left
    override or bytes that are not UTF-8; printed raw, such a name can fake a line of the output
    ("keep /x/original.jpg") or rewrite the terminal. Those names are printed quoted, with each such
    character written as an escape (``'a\\nb.jpg'``, ``\\x1b``, ``\\u202e``, a byte that isn't
    UTF-8 as ``\\xff``), the way ``ls`` shows them; every other name is printed as it is.
    """
    text = str(text)
    if all(_plain(ch) for ch in text):
        return text
    return "'" + "".join(ch if _plain(ch) and ch not in _NAMED else _escaped(ch) for ch in text) + "'"


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _plain(ch: str) -> bool:
    """Printable, and not one that reorders the line (an emoji's zero-width joiner is plain)."""
    return unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp") and ch not in _BIDI


def _escaped(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not read as UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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

"""The command line: photodedup scan | find-copies | trash | history | restore | gui | selftest."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from photodedup import __version__
from photodedup.cli_common import (add_option, argparse_type, check_folders_and_outputs, options_from,
                                   run_with_progress, shown)
from photodedup.core.review.report import ReportNotWritten, human_bytes


def _threshold(text: str) -> float:
    """The threshold's parser as a flag's type (find-copies takes it)."""
    from photodedup.core.settings import OPTIONS

    return argparse_type(OPTIONS["threshold"].metadata["parse"])(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photodedup",
        description="Find duplicate and near-duplicate photos. Nothing is deleted by scanning.",
    )
    parser.add_argument("--version", action="version", version=f"photodedup {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser("scan", help="find groups of duplicate photos under folders")
    scan.add_argument("roots", nargs="+", metavar="ROOT", help="folder to search (several allowed)")
    scan.add_argument("--json", type=Path, metavar="FILE", help="write the groups as JSON")
    scan.add_argument("--csv", type=Path, metavar="FILE", help="write the groups as CSV")
    add_option(scan, "threshold", "T")
    scan.add_argument("--cache-dir", type=Path, metavar="DIR", help="where the cache lives (default: the user cache folder)")
    add_option(scan, "excludes", "GLOB")
    scan.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_option(scan, "protected", "DIR")
    add_option(scan, "keeper_rules", "RULE,...")
    add_option(scan, "raw_jpeg_pairs_are_duplicates")
    add_option(scan, "follow_symlinks")

    from photodedup.cli_copies import add_command as add_find_copies
    from photodedup.cli_trash import add_commands

    add_commands(commands)
    add_find_copies(commands, _threshold)
    from photodedup.cli_find import add_command as add_find

    add_find(commands)

    gui = commands.add_parser("gui", help="open the desktop app (same as photodedup-gui)")
    gui.add_argument("folders", nargs="*", metavar="FOLDER", help="folders to add to the list")
    gui.add_argument("--cache-dir", metavar="DIR", help="where the cache lives")

    commands.add_parser("install-desktop", help="add photodedup to this user's application menu (Linux)")

    selftest = commands.add_parser("selftest", help="check the shipped model on the shipped sample photos")
    selftest.add_argument("--backend", choices=("tflite", "keras"), default="tflite")
    return parser


def main(argv: list[str] | None = None) -> int:
    from photodedup.core.analyse.pillow_setup import configure_pillow

    configure_pillow()  # Pillow and its warnings, once for the process
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 is printed, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return _dispatch(argv)
    except BrokenPipeError:  # e.g. `photodedup scan ... | head`
        sys.stdout = open(os.devnull, "w")
        return 0
    except ReportNotWritten as error:  # a photo named as the output, a full disk: said in words, nothing replaced
        print(f"photodedup: {shown(error)}", file=sys.stderr)
        return 1


def _dispatch(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "scan":
        return _scan(parser, args)
    if args.command == "selftest":
        return _selftest(args)
    if args.command == "find":
        from photodedup import cli_find

        return cli_find.run(parser, args)
    if args.command == "find-copies":
        from photodedup import cli_copies

        return cli_copies.run(parser, args)
    if args.command == "install-desktop":
        from photodedup.desktop_entry import install

        for path in install():
            print(f"wrote {path}")
        print("photodedup is now in the application menu (log out and in if it doesn't show yet).")
        return 0
    if args.command == "gui":
        from photodedup.gui.app import main as gui_main

        return gui_main(args.folders + (["--cache-dir", args.cache_dir] if args.cache_dir else []))
    if args.command in ("trash", "history", "restore"):
        from photodedup import cli_trash

        if args.command == "trash":
            return cli_trash.run_trash(args)
        if args.command == "history":
            return cli_trash.run_history(args)
        return cli_trash.run_restore(parser, args)
    parser.print_help()
    return 0


def _scan(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from photodedup.core.analyse.cache import default_cache_dir
    from photodedup.core.review.report import report_settings, write_csv, write_json
    from photodedup.core.session import Session

    check_folders_and_outputs(parser, [*args.roots, *args.protected], (args.json, args.csv))
    session = Session(options_from(args, folders=args.roots), args.cache_dir)
    policy = session.trash_policy()
    grouped = run_with_progress(session.scan, args.quiet)
    if grouped is None:
        return 130
    result = grouped.as_result()
    session.close()
    settings = report_settings(policy, args.threshold, args.cache_dir or default_cache_dir(), args.excludes,
                               session.options.keeper_rules, args.follow_symlinks)
    if args.json:
        write_json(result, args.json, settings, policy)
    if args.csv:
        write_csv(result, args.csv, policy)
    _print_summary(result, args, policy)
    return 0


def _print_summary(result, args: argparse.Namespace, policy) -> None:
    stats = result.stats
    print(
        f"{stats.files_found} photos scanned in {stats.seconds:.1f} s "
        f"({stats.cache_hits} from cache, {stats.files_decoded} analysed)."
    )
    copies = [g for g in result.groups if g.kind == "copies"]
    similar = [g for g in result.groups if g.kind == "similar"]
    if copies:
        print(
            f"{len(copies)} groups of duplicates: {stats.duplicates} copies, "
            f"{human_bytes(stats.reclaimable_bytes)} could be reclaimed."
        )
        for number, group in enumerate(copies[:10], start=1):
            print(f"  group {number}: keep {shown(group.keeper.path)}")
            marked, kept = policy.suggested(group)
            for member in group.members:
                if member.path in marked:
                    print(f"      copy ({member.reason}, {member.distance:.3f}) {shown(member.path)}")
                elif not member.keeper:
                    print(f"      also kept ({kept.get(member.path, 'kept')}) {shown(member.path)}")
        if len(copies) > 10:
            print(f"  … and {len(copies) - 10} more groups" + (" (see the JSON)" if args.json else ""))
    else:
        print("No duplicates found.")
    if similar:
        print(f"{len(similar)} groups of similar shots (different pictures of one scene; nothing is suggested "
              "for the Trash):")
        for number, group in enumerate(similar[:10], start=1):
            print(f"  similar {number}: {shown(group.keeper.path)} ({group.note or 'best shot'})")
            for member in group.members:
                if not member.keeper:
                    print(f"      another shot {shown(member.path)}")
        if len(similar) > 10:
            print(f"  … and {len(similar) - 10} more" + (" (see the JSON)" if args.json else ""))
    if result.problems:
        print(f"{len(result.problems)} problems (files that could not be read):")
        for problem in result.problems[:10]:
            print(f"  {shown(problem.path)}: {shown(problem.reason)}")
        if len(result.problems) > 10:
            print(f"  … and {len(result.problems) - 10} more")
    if args.json:
        print(f"Report written to {shown(args.json)}")
    if args.csv:
        print(f"CSV written to {shown(args.csv)}")


def _selftest(args: argparse.Namespace) -> int:
    from photodedup.core.embed.selftest import run_selftest

    try:
        report = run_selftest(args.backend, say=print)
    except Exception as error:  # the point of a self-test is to say what broke
        print(f"FAIL the model could not run: {type(error).__name__}: {error}")
        return 1
    print("self-test passed" if report.ok else "self-test FAILED")
    return 0 if report.ok else 1

"""The command line's trash side: photodedup trash | history | restore."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from photodedup.cli_common import shown
from photodedup.core.trash.safe_trash import FileOutcome


def add_commands(commands) -> None:
    from photodedup.cli_common import add_option

    trash = commands.add_parser(
        "trash", help="move the copies marked in a scan report to the trash (dry run unless --apply)",
        description="Trash every file whose \"keeper\" is false in a JSON report written by "
                    "`photodedup scan --json`. Without --apply, only says what would happen.")
    trash.add_argument("report", type=Path, metavar="GROUPS.json")
    trash.add_argument("--apply", action="store_true", help="really move the files to the trash")
    add_option(trash, "protected", "DIR", help="never trash files under DIR, whatever the report says (added to "
                                               "the report's own protected folders)")
    trash.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="the cache the scan used (default: your cache folder; a report never chooses it)")
    add_option(trash, "carry_over", help="do not first write what the kept file lacks (keywords, rating, GPS, ...) "
                                         "to its XMP sidecar")

    history = commands.add_parser("history", help="list the files photodedup has sent to the trash")
    history.add_argument("--all", action="store_true", help="include restored and failed entries")

    restore = commands.add_parser("restore", help="move trashed files back where they were")
    restore.add_argument("ids", nargs="*", type=int, metavar="ID", help="journal ids from `photodedup history`")
    restore.add_argument("--last", action="store_true", help="restore every file of the last trash action")


def run_trash(args: argparse.Namespace) -> int:
    from photodedup.core.review.report import human_bytes
    from photodedup.core.session import Session
    from photodedup.core.trash.journal import TrashUnavailable
    from photodedup.terminal_progress import TerminalProgress

    missing = [p for p in args.protected if not os.path.isdir(p)]
    if missing:
        print(f"photodedup trash: --protect {shown(missing[0])}: no such folder", file=sys.stderr)
        return 2
    session = Session(cache_dir=args.cache_dir)
    progress = TerminalProgress(sys.stderr, quiet=not sys.stderr.isatty())
    try:
        outcomes = session.trash_report(args.report, args.protected, progress, dry_run=not args.apply,
                                        carry_over=args.carry_over)
    except ValueError as error:
        print(f"photodedup trash: {shown(error)}", file=sys.stderr)
        return 2
    except TrashUnavailable as error:
        print(f"photodedup trash: {shown(error)}", file=sys.stderr)
        return 1
    finally:
        progress.close()
    _print_outcomes(outcomes)
    photos = [o for o in outcomes if not o.companion_of]  # companions are part of their photo, not counted as photos
    done = [o for o in photos if o.status in ("trashed", "would trash")]
    companions = sum(o.status in ("trashed", "would trash") for o in outcomes if o.companion_of)
    verb = "Moved to the trash" if args.apply else "Would move to the trash"
    print(f"{verb}: {len(done)} files, {human_bytes(sum(o.size for o in done))}"
          + (f" (with {companions} companion files: sidecars, Live Photo videos, Takeout JSON)" if companions else "")
          + f". Skipped: {sum(o.status == 'skipped' for o in photos)}. Failed: {sum(o.status == 'failed' for o in photos)}.")
    if not args.apply and done:
        print("Nothing was touched. Run again with --apply to do it.")
    if args.apply and done:
        print("`photodedup history` lists them; `photodedup restore --last` puts them back.")
    if any(o.trash_unavailable for o in outcomes):
        print("Some files are on a drive whose trash photodedup cannot use. They were left in place; "
              "photodedup never deletes permanently. Move them to a drive with a trash, or delete them yourself.")
    return 0 if all(o.status in ("trashed", "would trash") for o in photos) else 1


def _print_outcomes(outcomes: list[FileOutcome]) -> None:
    for outcome in outcomes:
        line = f"{outcome.status:>11}  {'  + ' if outcome.companion_of else ''}{shown(outcome.path)}"
        if outcome.reason:
            line += f"  ({shown(outcome.reason)})"
        print(line)
        if outcome.carried:
            print(f"{'':>13}{shown(outcome.carried)}")


def run_history(args: argparse.Namespace) -> int:
    from photodedup.core.review.report import human_bytes
    from photodedup.core.session import Session

    session = Session()
    records = session.history(everything=args.all)
    if not records:
        print(f"Nothing in the trash journal ({session.journal_path})." if args.all else
              "No trashed files to restore. (`photodedup history --all` shows restored and failed ones.)")
        return 0
    print(f"{'ID':>5}  {'when':16}  {'state':8}  {'size':>9}  file")
    for record in records:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.time))
        companion = "  + " if record.companion_of is not None else ""  # a sidecar, Live Photo video or Takeout JSON
        print(f"{record.id:>5}  {when:16}  {record.state:8}  {human_bytes(record.size):>9}  {companion}{shown(record.path)}")
        if record.location and record.state == "trashed":
            print(f"{'':>45}in trash: {shown(record.location)}")
        elif record.reason and record.state != "trashed":
            print(f"{'':>45}{shown(record.reason)}")
    return 0


def run_restore(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from photodedup.core.session import Session
    from photodedup.core.trash.journal import TrashUnavailable

    if not args.ids and not args.last:
        parser.error("give journal IDs (see `photodedup history`) or --last")
    try:
        outcomes = Session().restore(args.ids, last=args.last)
    except TrashUnavailable as error:
        print(f"photodedup restore: {shown(error)}", file=sys.stderr)
        return 1
    if not outcomes:
        print("Nothing to restore: the journal has no trashed files.")
        return 0
    for outcome in outcomes:
        line = f"{outcome.status:>8}  [{outcome.record_id}] {shown(outcome.path)}"
        print(line + (f"  ({shown(outcome.reason)})" if outcome.reason else ""))
    return 0 if all(o.status == "restored" for o in outcomes) else 1

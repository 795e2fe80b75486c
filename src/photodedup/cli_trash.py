"""The command line's trash side: photodedup trash | history | restore."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from photodedup.core.trash import FileOutcome, ScannedFile, TrashGroup


def add_commands(commands) -> None:
    trash = commands.add_parser(
        "trash", help="move the copies marked in a scan report to the trash (dry run unless --apply)",
        description="Trash every file whose \"keeper\" is false in a JSON report written by "
                    "`photodedup scan --json`. Without --apply, only says what would happen.")
    trash.add_argument("report", type=Path, metavar="GROUPS.json")
    trash.add_argument("--apply", action="store_true", help="really move the files to the trash")

    history = commands.add_parser("history", help="list the files photodedup has sent to the trash")
    history.add_argument("--all", action="store_true", help="include restored and failed entries")

    restore = commands.add_parser("restore", help="move trashed files back where they were")
    restore.add_argument("ids", nargs="*", type=int, metavar="ID", help="journal ids from `photodedup history`")
    restore.add_argument("--last", action="store_true", help="restore every file of the last trash action")


def read_report(path: Path) -> list[TrashGroup]:
    """The groups of a scan report as TrashGroups; raises ValueError with a readable message."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a readable JSON report ({error})") from None
    if not isinstance(report, dict) or report.get("version") != 1 or not isinstance(report.get("groups"), list):
        raise ValueError(f"{path} is not a photodedup scan report (version 1)")
    groups = []
    for number, group in enumerate(report["groups"], start=1):
        keep, remove = [], []
        try:
            for entry in group["files"]:
                file = ScannedFile(str(entry["path"]), int(entry["size"]), int(entry["mtime_ns"]),
                                   str(entry.get("content_hash") or ""))
                (keep if entry["keeper"] is not False else remove).append(file)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"group {number} of {path} is malformed (missing or bad {error})") from None
        groups.append(TrashGroup(keep, remove))
    return groups


def run_trash(args: argparse.Namespace) -> int:
    from photodedup.core.report import human_bytes
    from photodedup.core.trash import trash_groups
    from photodedup.terminal_progress import TerminalProgress

    try:
        groups = read_report(args.report)
    except ValueError as error:
        print(f"photodedup trash: {error}", file=sys.stderr)
        return 2
    progress = TerminalProgress(sys.stderr, quiet=not sys.stderr.isatty())
    try:
        outcomes = trash_groups(groups, progress=progress, dry_run=not args.apply)
    finally:
        progress.close()
    _print_outcomes(outcomes)
    done = [o for o in outcomes if o.status in ("trashed", "would trash")]
    verb = "Moved to the trash" if args.apply else "Would move to the trash"
    print(f"{verb}: {len(done)} files, {human_bytes(sum(o.size for o in done))}. "
          f"Skipped: {sum(o.status == 'skipped' for o in outcomes)}. Failed: {sum(o.status == 'failed' for o in outcomes)}.")
    if not args.apply and done:
        print("Nothing was touched. Run again with --apply to do it.")
    if args.apply and done:
        print("`photodedup history` lists them; `photodedup restore --last` puts them back.")
    if any(o.trash_unavailable for o in outcomes):
        print("Some files are on a drive whose trash photodedup cannot use. They were left in place; "
              "photodedup never deletes permanently. Move them to a drive with a trash, or delete them yourself.")
    return 0 if all(o.status in ("trashed", "would trash") for o in outcomes) else 1


def _print_outcomes(outcomes: list[FileOutcome]) -> None:
    for outcome in outcomes:
        line = f"{outcome.status:>11}  {outcome.path}"
        if outcome.reason:
            line += f"  ({outcome.reason})"
        print(line)


def run_history(args: argparse.Namespace) -> int:
    from photodedup.core.report import human_bytes
    from photodedup.core.journal import Journal

    journal = Journal()
    records = [r for r in journal.records() if args.all or r.state in ("trashed", "pending")]
    if not records:
        print(f"Nothing in the trash journal ({journal.path})." if args.all else
              "No trashed files to restore. (`photodedup history --all` shows restored and failed ones.)")
        return 0
    print(f"{'ID':>5}  {'when':16}  {'state':8}  {'size':>9}  file")
    for record in records:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.time))
        print(f"{record.id:>5}  {when:16}  {record.state:8}  {human_bytes(record.size):>9}  {record.path}")
        if record.location and record.state == "trashed":
            print(f"{'':>45}in trash: {record.location}")
        elif record.reason and record.state != "trashed":
            print(f"{'':>45}{record.reason}")
    return 0


def run_restore(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from photodedup.core.trash import restore

    if not args.ids and not args.last:
        parser.error("give journal IDs (see `photodedup history`) or --last")
    outcomes = restore(args.ids, last=args.last)
    if not outcomes:
        print("Nothing to restore: the journal has no trashed files.")
        return 0
    for outcome in outcomes:
        line = f"{outcome.status:>8}  [{outcome.record_id}] {outcome.path}"
        print(line + (f"  ({outcome.reason})" if outcome.reason else ""))
    return 0 if all(o.status == "restored" for o in outcomes) else 1

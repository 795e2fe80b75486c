"""photodedup find-copies: where copies of my originals ended up, and what each changed."""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

from photodedup.cli_common import shown


def add_command(commands, threshold_type) -> None:
    from photodedup.core.match.group import DEFAULT_THRESHOLD

    finder = commands.add_parser(
        "find-copies", help="find copies of your originals in other folders (nothing is changed)",
        description="For each photo under --originals, list its copies under --in and how each was changed. "
                    "Near-duplicates within the originals are not reported.")
    finder.add_argument("--originals", nargs="+", required=True, metavar="DIR", help="your originals (never touched)")
    finder.add_argument("--in", dest="look_in", nargs="+", required=True, metavar="DIR", help="where to look for copies")
    finder.add_argument("--json", type=Path, metavar="FILE", help="write the copies as JSON")
    finder.add_argument("--csv", type=Path, metavar="FILE", help="write one row per copy as CSV")
    finder.add_argument("--threshold", type=threshold_type, default=DEFAULT_THRESHOLD, metavar="T",
                        help=f"largest embedding distance still called a copy (default {DEFAULT_THRESHOLD})")
    finder.add_argument("--cache-dir", type=Path, metavar="DIR", help="where the cache lives")
    finder.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching files or folders")
    finder.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from photodedup.cli_common import check_folders_and_outputs, run_with_progress
    from photodedup.core.copy_check import CopyCheckOptions
    from photodedup.core.review.report import write_csv_atomically, write_text_atomically
    from photodedup.core.session import Session

    check_folders_and_outputs(parser, [*args.originals, *args.look_in], (args.json, args.csv))
    options = CopyCheckOptions(args.originals, args.look_in, args.exclude, args.threshold, args.cache_dir)
    session = Session(cache_dir=args.cache_dir)  # the copy check the app runs, through the same session
    found = run_with_progress(lambda progress: session.copy_check(options, progress), args.quiet)
    if found is None:
        return 130
    result = found.result
    if args.json:
        write_text_atomically(args.json, json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n")
    if args.csv:
        rows = [[os.path.abspath(entry.original.file.path), os.path.abspath(copy.info.file.path),
                 round(copy.distance, 6), "; ".join(change.text for change in copy.changes)]
                for entry in result.originals for copy in entry.copies]
        write_csv_atomically(args.csv, ["original", "copy", "distance", "changes"], rows)
    _summary(result, args)
    return 0


def to_dict(result) -> dict:
    return {
        "version": 1,
        "mode": "copies",
        "originals": [{
            "path": os.path.abspath(entry.original.file.path),
            "width": entry.original.width, "height": entry.original.height, "size": entry.original.file.size,
            "copies": [{
                "path": os.path.abspath(copy.info.file.path), "distance": round(copy.distance, 6),
                "matches": copy.matches, "width": copy.info.width, "height": copy.info.height,
                "size": copy.info.file.size, "format": copy.info.format,
                "changes": [{"kind": change.kind, "text": change.text} for change in copy.changes],
            } for copy in entry.copies],
        } for entry in result.originals],
        "problems": [{"path": os.path.abspath(p.path), "reason": p.reason} for p in result.problems],
        "stats": {"originals": result.originals_scanned, "looked_at": result.looked_at,
                  "originals_with_copies": len(result.originals), "copies": result.copies, "seconds": result.seconds},
    }


def _summary(result, args) -> None:
    print(f"{len(result.originals)} of {result.originals_scanned} originals have copies: {result.copies} copies "
          f"among {result.looked_at} photos looked at ({result.seconds:.1f} s).")
    kinds = Counter(change.kind for entry in result.originals for copy in entry.copies for change in copy.changes)
    if kinds:
        print("By change: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))
    for entry in result.originals[:20]:
        print(f"  {shown(entry.original.file.path)}")
        for copy in entry.copies:
            print(f"      {shown(copy.info.file.path)}: {'; '.join(change.text for change in copy.changes)}")
    if len(result.originals) > 20:
        print(f"  … and {len(result.originals) - 20} more originals" + (" (see the JSON)" if args.json else ""))
    if result.problems:
        print(f"{len(result.problems)} files could not be read (first: {shown(result.problems[0].path)}: {shown(result.problems[0].reason)})")

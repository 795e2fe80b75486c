"""The command line's search by example: photodedup find PHOTO... [--in DIR...]."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from photodedup.cli_common import shown


def add_command(commands) -> None:
    from photodedup.cli_common import add_option

    find = commands.add_parser(
        "find", help="where a photo, its copies and look-alikes are in your scanned folders",
        description="Search the folders of the last scan (or --in) for each PHOTO: copies first, with what "
                    "changed, then similar shots and look-alikes. Uses the scan's cache; nothing is changed.")
    find.add_argument("photos", nargs="+", metavar="PHOTO")
    find.add_argument("--in", dest="look_in", action="append", default=[], metavar="DIR",
                      help="the library's folders (default: those of the last scan)")
    find.add_argument("--limit", type=int, default=10, metavar="N", help="at most N results a photo (default 10)")
    add_option(find, "threshold", "T", help="largest distance still called a copy or similar shot")
    find.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON")
    find.add_argument("--cache-dir", type=Path, metavar="DIR", help="the cache the scan used")
    find.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from photodedup.cli_common import check_folders_and_outputs, run_with_progress
    from photodedup.core.session import Session

    if args.limit < 1:
        parser.error("--limit must be at least 1")
    session = Session(cache_dir=args.cache_dir)
    roots = args.look_in or session.last_roots()
    if not roots:
        parser.error("no scan to search yet: give the library's folders with --in DIR (or scan them first)")
    check_folders_and_outputs(parser, roots, (args.json,))
    missing = [p for p in args.photos if not os.path.isfile(p)]
    if missing:
        parser.error(f"{missing[0]} is not a file")
    result = run_with_progress(lambda progress: session.search(args.photos, roots, progress, args.limit,
                                                               args.threshold), args.quiet)
    if result is None:
        return 130
    print(f"Searched {result.library_size:,} photos in {', '.join(map(shown, roots))}.")
    if result.stale_note:
        print(f"Note: {result.stale_note}.")
    for query in result.queries:
        print(f"\n{shown(query.query)}: {query.verdict}")
        for match in query.matches:
            print(f"  {match.distance:.3f}  {shown(match.path)}\n         {match.label}")
    if args.json:
        from photodedup.core.review.report import json_text, write_text_atomically

        write_text_atomically(args.json, json_text(_as_dict(result, roots)))
        print(f"\nResults written to {shown(args.json)}")
    return 0 if all(q.problem is None for q in result.queries) else 1


def _as_dict(result, roots) -> dict:
    return {
        "version": 1, "roots": [os.path.abspath(r) for r in roots], "library_size": result.library_size,
        "not_cached": result.not_cached, "note": result.stale_note,
        "queries": [{"path": q.query, "verdict": q.verdict, "problem": q.problem,
                     "matches": [{"path": m.path, "distance": round(m.distance, 6), "kind": m.kind,
                                  "changes": [c.text for c in m.changes]} for m in q.matches]}
                    for q in result.queries],
    }

#!/usr/bin/env python3
"""A warm rescan (nothing changed) of a big library, timed by phase in-process, and optionally profiled.

    nice -n 5 .venv/bin/python bench/warm_scan.py CACHE_DIR ROOT... [--threshold 0.30] [--profile N]
                                                  [--json OUT] [--exclude GLOB]

Runs what `photodedup scan ROOTS --cache-dir CACHE_DIR --threshold T` runs (Session.scan), from a
cache that already holds every photo, and prints one JSON line: the walk of the folders
(scan_roots), the cache read (analyse_library minus the walk), the grouping (find_groups), the
whole scan (and its CPU time, all threads: steadier than the wall time on a loaded machine), and the groups/problems/counts as a digest, so that two versions of the code can be
compared for identical results. ``--profile N``: also prints the N costliest functions by
cumulative time (cProfile over the whole scan). ``--json OUT``: the JSON report written as
`photodedup scan --json` would, timed. The cache is only read (a warm rescan writes its roots
and the cached verdicts of pairs it already knows, as the real scan does).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not any(Path(p, "photodedup").is_dir() for p in sys.path if p):  # PYTHONPATH chooses the code measured
    sys.path.insert(0, str(HERE.parent / "src"))


def digest(grouped) -> str:
    """The groups (kind, members in order, keeper, reason), problems and counts as a short hash."""
    lines = []
    for group in grouped.groups:
        lines.append(f"{group.kind}|{group.note}|" + ";".join(
            f"{m.path}:{int(m.keeper)}:{m.reason}:{m.distance:.5f}" for m in group.members))
    lines += [f"problem|{p.path}|{p.reason}" for p in grouped.library.problems]
    stats = grouped.as_result().stats
    lines.append(f"stats|{stats.files_found}|{stats.cache_hits}|{stats.files_decoded}|{stats.groups}|"
                 f"{stats.duplicates}|{stats.reclaimable_bytes}")
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def timed_scan(roots: list[str], cache: Path, threshold: float, excludes: list[str] = ()) -> tuple[dict, object]:
    from photodedup.core import dedupe
    from photodedup.core.analyse import scan as scan_module
    from photodedup.core.session import Session
    from photodedup.core.settings import Options

    phases = {"walk": 0.0, "group": 0.0}
    walk, group = dedupe.scan_roots, dedupe.find_groups

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] += time.perf_counter() - started
        return wrapper

    dedupe.scan_roots = timed("walk", walk)
    import photodedup.core.session as session_module
    session_module.find_groups = timed("group", group)
    try:
        session = Session(Options(folders=list(roots), threshold=threshold, excludes=list(excludes)), cache)
        started, cpu = time.perf_counter(), time.process_time()
        grouped = session.scan()
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        dedupe.scan_roots, session_module.find_groups = walk, group
    del scan_module
    row = {"files": grouped.library.stats.files_found, "cache_hits": grouped.library.stats.cache_hits,
           "groups": len(grouped.groups), "problems": len(grouped.library.problems),
           "walk_s": round(phases["walk"], 2), "cache_read_s": round(total - phases["walk"] - phases["group"], 2),
           "group_s": round(phases["group"], 2), "scan_s": round(total, 2), "scan_cpu_s": round(cpu, 2), "digest": digest(grouped)}
    return row, (session, grouped)


def analysed(roots: list[str], cache: Path) -> dict:
    """The walk and the cache read alone (analyse_library), timed, with a digest of what they found."""
    from photodedup.core.dedupe import ScanOptions, analyse_library
    from photodedup.core.embed.embedder import default_model_id

    default_model_id()  # what the process start-up would have done
    started = time.perf_counter()
    library = analyse_library(ScanOptions(list(roots), cache_dir=cache))
    seconds = time.perf_counter() - started
    text = "\n".join(f"{i.file.path}|{i.content_hash}|{i.width}|{i.height}|{i.metadata}|{i.vector.tobytes().hex()}"
                     for i in library.infos) + f"\n{library.problems}|{library.stats}"
    library.close()
    return {"files": library.stats.files_found, "cache_hits": library.stats.cache_hits, "analyse_s": round(seconds, 2),
            "digest": hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", type=Path)
    parser.add_argument("roots", nargs="+")
    parser.add_argument("--threshold", type=float, default=0.30)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cumulative)")
    parser.add_argument("--json", type=Path, help="also write the JSON report here, timed")
    parser.add_argument("--exclude", action="append", default=[], help="skip files matching GLOB (as photodedup "
                        "scan --exclude): a scan without some photos, then one with them, times the tables' update "
                        "for photos that came, without rewriting any file")
    parser.add_argument("--analyse-only", action="store_true", help="the walk and the cache read alone, no grouping")
    args = parser.parse_args()
    from photodedup.core.analyse.pillow_setup import configure_pillow

    configure_pillow()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    if args.analyse_only:
        row = analysed(args.roots, args.cache)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        print(json.dumps(row), flush=True)
        return 0
    row, (session, grouped) = timed_scan(args.roots, args.cache, args.threshold, args.exclude)
    if profiler:
        profiler.disable()
    if args.json:
        from photodedup.core.review.report import report_settings, write_json

        policy = session.trash_policy()
        started = time.perf_counter()
        write_json(grouped.as_result(), args.json, report_settings(policy, args.threshold, args.cache), policy)
        row["json_s"] = round(time.perf_counter() - started, 2)
    session.close()
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(args.profile)
        print(text.getvalue(), file=sys.stderr)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(args.profile)
        print(text.getvalue(), file=sys.stderr)
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

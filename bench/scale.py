"""A photographer's archive, measured end to end: 10k → 50k → 100k photos in one run.

    nice -n 5 .venv/bin/python bench/scale.py [--corpus bench/corpus-100k] [--steps 10000,50000,100000]
                                              [--no-gui] [--out bench/results/scale.json]

The archive (made once by bench/scale_corpus.py, reused after) is 640×480 camera-like JPEGs, ~10%
copies of six kinds, in year/month folders. One cache folder grows with the steps, so at each step
"scan" analyses only the photos that step adds (all of them at the first) and then groups the
whole library; "warm" is the same scan again, nothing changed. Each scan is `photodedup scan` in
its own process (peak RSS from wait4). Then, at the largest step:
  changed   1% of the files rewritten (re-encoded), scanned again; then warm again, and the
            changed files alone (copied to an empty folder) scanned with an empty cache: the time
            to analyse them, which the changed rescan is to be compared with
  json      the JSON report of the whole library, written in-process from the warm scan's groups
  copies    `photodedup find-copies --originals a b --in c1` (50,000 originals, 10,000 files),
            with everything analysed already (the cache): the matching alone
  gui       the window (offscreen) scans the library from the cache: seconds from the scan's
            result arriving on the main thread to the first group shown; the longest gap of a
            10 ms main-thread heartbeat while the group list is scrolled end to end, a page at a
            time, and while the review steps through 100 groups.
Cache bytes per photo are the SQLite file's, and the saved index folder's, over the photos.

Every scan here groups at --threshold 0.30, not the default 0.55: the archive's photos are cut
from 57 photographs, so at 0.55 each is a look-alike of ~8 others at 11,000 files (measured:
7.6 at 11,000, and it grows with the library), which no real archive is, and the run would time the pixel check of
hundreds of thousands of look-alike pairs. At 0.30 a photo has 0.17 others (its planted copies).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from scale_corpus import PARTS, make_archive  # noqa: E402

STEP_PARTS = {10_000: ("a",), 50_000: ("a", "b"), 100_000: ("a", "b", "c1", "c2")}


def measured(arguments: list[str]) -> tuple[float, float, str]:
    """Run ``python -m photodedup ARGS`` in its own process: (seconds, peak RSS MB, stderr tail)."""
    command = [sys.executable, str(HERE / "_measure_child.py"), sys.executable, "-m", "photodedup", *arguments]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    seconds, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, peak, done.stderr[-500:]


THRESHOLD = 0.30


def scan(roots: list[Path], cache: Path, report: Path | None = None) -> dict:
    arguments = ["scan", *map(str, roots), "--cache-dir", str(cache), "--quiet", "--threshold", str(THRESHOLD)]
    if report is not None:
        arguments += ["--json", str(report)]
    seconds, peak, _ = measured(arguments)
    row = {"seconds": seconds, "peak_mb": peak}
    if report is not None:
        stats = json.loads(report.read_text())["stats"]
        row.update({k: stats.get(k) for k in ("files_found", "files_decoded", "cache_hits", "groups", "duplicates")})
    return row


def cache_bytes(cache: Path, photos: int) -> dict:
    """Bytes on disk over the photos the cache holds (a step's cache also holds earlier runs' rows)."""
    import sqlite3

    with sqlite3.connect(cache / "photodedup-cache.sqlite3") as db:
        rows = max(photos, db.execute("SELECT count(*) FROM images").fetchone()[0])
    database = sum(p.stat().st_size for p in cache.glob("photodedup-cache.sqlite3*") if p.is_file())
    # The last scan's neighbour tables (its row ids, its table, the thumbnails' table), not those
    # of earlier steps that wait an hour before they are removed.
    saved = sorted((cache / "index").glob("vectors-*.ids.npy"), key=lambda p: p.stat().st_mtime)
    last = saved[-1].name[:-len(".ids.npy")] if saved else None
    index = sum(p.stat().st_size for p in (cache / "index").glob(last + "*") if p.is_file()) if last else 0
    return {"sqlite_bytes_per_photo": round(database / rows), "index_bytes_per_photo": round(index / photos)}


def change_one_percent(roots: list[Path], count: int) -> list[Path]:
    """Re-encode ``count`` photos spread over the library (a new quality each run: new bytes)."""
    from PIL import Image

    files = sorted(p for root in roots for p in root.rglob("*.jpg"))
    chosen = files[:: max(1, len(files) // count)][:count]
    quality = 80 + int(time.time()) % 10
    for path in chosen:
        with Image.open(path) as image:
            image.load()
            image.save(path, "JPEG", quality=quality)
    return chosen


def json_seconds(roots: list[Path], cache: Path) -> dict:
    """The report of the whole library: its dict and JSON text written, timed in-process."""
    from photodedup.core.dedupe import ScanOptions, analyse_library, find_groups, scan_result
    from photodedup.core.review.policy import TrashPolicy
    from photodedup.core.review.report import report_settings, write_json

    options = ScanOptions([str(r) for r in roots], cache_dir=cache, threshold=THRESHOLD)
    library = analyse_library(options)
    groups = find_groups(library, options.threshold)
    result = scan_result(library, groups, 0.0)
    policy = TrashPolicy((), tuple(options.roots))
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        write_json(result, Path(out) / "report.json", report_settings(policy, options.threshold, cache), policy)
        seconds = time.perf_counter() - started
        size = (Path(out) / "report.json").stat().st_size
    library.close()
    return {"seconds": round(seconds, 2), "groups": len(groups), "mb": round(size / 1e6, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus-100k")
    parser.add_argument("--cache", type=Path, help="cache folder (default: a fresh temporary one)")
    parser.add_argument("--steps", default="10000,50000,100000")
    parser.add_argument("--no-gui", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale.json")
    parser.add_argument("--skip", default="", help="comma-separated: steps, json, copies, changed (quick runs of "
                        "some alone; 'changed' rewrites 1%% of the corpus)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    steps = [int(s) for s in args.steps.split(",")]
    needed = sorted({part for step in steps for part in STEP_PARTS[step]} | (set() if "copies" in skip else {"c1"}), key=[n for n, _ in PARTS].index)
    make_archive(args.corpus, parts=tuple(needed))
    temporary = tempfile.TemporaryDirectory(prefix="photodedup-scale-")
    cache = args.cache or Path(temporary.name) / "cache"
    results: dict = {"steps": []}

    def save() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")

    for step in (steps if "steps" not in skip else []):
        roots = [args.corpus / part for part in STEP_PARTS[step]]
        with tempfile.TemporaryDirectory() as out:
            first = scan(roots, cache, Path(out) / "cold.json")
            warm = scan(roots, cache, Path(out) / "warm.json")
        row = {"step": step, "files": first["files_found"], "scan": first, "warm": warm,
               **cache_bytes(cache, first["files_found"])}
        results["steps"].append(row)
        print(json.dumps(row), flush=True)
        save()
    roots = [args.corpus / part for part in STEP_PARTS[steps[-1]]]
    if "json" not in skip:
        results["json"] = json_seconds(roots, cache)
        print("json", results["json"], flush=True)
        save()
    if "copies" not in skip:
        copies(args.corpus, cache, results)
        save()
    if not args.no_gui:
        results["gui"] = gui_figures(roots, cache)
        print("gui", results["gui"], flush=True)
        save()
    if "changed" not in skip and results["steps"]:
        files = results["steps"][-1]["files"]
        changed = change_one_percent(roots, files // 100)
        with tempfile.TemporaryDirectory() as out:
            results["changed"] = {"files": len(changed), **scan(roots, cache, Path(out) / "changed.json")}
            results["changed"]["warm_after"] = scan(roots, cache, Path(out) / "warm.json")
            alone = Path(out) / "alone"  # the floor: the changed files alone, analysed with an empty cache
            for number, path in enumerate(changed):
                (alone / str(number // 500)).mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, alone / str(number // 500) / f"{number}.jpg")
            results["changed"]["changed_files_alone"] = scan([alone], Path(out) / "cache", Path(out) / "alone.json")
        print("changed", results["changed"], flush=True)
        save()
    temporary.cleanup()
    return 0


def copies(corpus: Path, cache: Path, results: dict) -> None:
    """find-copies, 50,000 originals (a, b) against 10,000 other files (c1)."""
    seconds, peak, _ = measured(["find-copies", "--originals", str(corpus / "a"), str(corpus / "b"),
                                 "--in", str(corpus / "c1"), "--cache-dir", str(cache), "--quiet",
                                 "--threshold", str(THRESHOLD)])
    results["copies"] = {"seconds": seconds, "peak_mb": peak}
    print("copies", results["copies"], flush=True)


def gui_figures(roots: list[Path], cache: Path) -> dict:
    """The window on the whole library (from the cache), in a process of its own."""
    command = [sys.executable, str(HERE / "scale_gui.py"), str(cache), str(THRESHOLD), *map(str, roots)]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src"), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return {"failed": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""How long the similarity slider takes to regroup a library (no rescan: from the cache).

    .venv/bin/python bench/regroup.py [--corpus bench/corpus] [--photos 360]

Takes the first PHOTOS files of the accuracy corpus (bench/make_corpus.py), analyses them
once, groups at the default (as the scan does), then at each setting of the slider, twice: the first
time pairs are checked by their pixels, the second time those verdicts come from the cache.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--photos", type=int, default=360)
    args = parser.parse_args()
    from photodedup.core.dedupe import ScanOptions, analyse_library, find_groups

    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.suffix.lower() != ".json")[: args.photos]
    with tempfile.TemporaryDirectory(prefix="photodedup-regroup-") as temporary:
        library_folder = Path(temporary) / "library"
        for number, path in enumerate(files):
            target = library_folder / f"{number // 50:02d}" / f"{number:04d}-{path.parent.name}-{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        library = analyse_library(ScanOptions([str(library_folder)], cache_dir=Path(temporary) / "cache"))
        for label in ("first time", "again"):
            times = []
            for threshold in (0.55, 0.20, 0.35, 0.65, 0.80):  # the scan groups at the default first
                started = time.perf_counter()
                groups = find_groups(library, threshold)
                times.append((threshold, time.perf_counter() - started, len(groups)))
            print(f"{len(library.infos)} photos, {label}: " +
                  ", ".join(f"{t:.2f}: {s:.2f} s ({g} groups)" for t, s, g in times))
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

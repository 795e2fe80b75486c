"""Which thread counts make the cold scan fastest: decode threads × model (LiteRT) threads.

    .venv/bin/python bench/threads.py [--corpus bench/corpus-speed] [--files 200] [--rounds 2]

Each setting analyses the same files with an empty cache (files/s, best of --rounds).
The defaults in core/dedupe.py (ScanOptions.workers: one decoding thread per core;
default_embedder: a quarter of the cores for the model) come from this table; see the
README's performance section.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus-speed")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from photodedup.core.embed.embedder import Embedder
    from photodedup.core.dedupe import ScanOptions, analyse_library

    folder = Path(tempfile.mkdtemp(prefix="photodedup-threads-"))
    files = sorted(p for p in args.corpus.rglob("*.jpg"))[: args.files]
    for number, file in enumerate(files):  # one folder of links: the same files for every setting
        os.symlink(file.resolve(), folder / f"{number:05d}.jpg")
    cores = os.cpu_count() or 1
    print(f"{len(files)} files from {args.corpus}, {cores} cores; files/s, best of {args.rounds}")
    print("| decode threads | model threads | files/s |")
    print("| --- | --- | --- |")
    for workers in sorted({1, cores, cores + 1, 2 * cores}):
        for threads in sorted({1, cores}):
            embedder = Embedder(threads=threads)
            best = 0.0
            for _ in range(args.rounds):
                with tempfile.TemporaryDirectory() as cache:
                    started = time.perf_counter()
                    library = analyse_library(ScanOptions([str(folder)], cache_dir=Path(cache), workers=workers),
                                              embedder_factory=lambda: embedder)
                    best = max(best, library.stats.files_decoded / (time.perf_counter() - started))
            print(f"| {workers} | {threads} | {best:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

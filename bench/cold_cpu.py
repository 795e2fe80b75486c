#!/usr/bin/env python3
"""CPU time of a cold `photodedup scan`, source trees alternating in one run.

    .venv/bin/python bench/cold_cpu.py --corpus bench/corpus-speed \\
        --tree before=/path/to/old/worktree/src --tree now=src [--rounds 2]

Each round scans the corpus once with every tree (in the order given), each in a fresh process
with an empty cache; the figure is the CPU the whole process used (user + sys, from wait4, so
start-up and model load included; the machine's other load moves wall time, much less CPU).
Prints every run, then each tree's median and its ratio to the first tree's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cold_scan(source: Path, corpus: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one cold scan of ``corpus`` with the code in ``source``."""
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(source), "QT_QPA_PLATFORM": "offscreen"}
        command = [sys.executable, "-m", "photodedup", "scan", str(corpus), "--cache-dir", cache,
                   "--quiet", "--json", str(Path(out) / "report.json")]
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"scan with {source} failed ({status})")
        return usage.ru_utime + usage.ru_stime, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--tree", action="append", required=True, help="NAME=SOURCE_DIR (the folder holding photodedup)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    trees = [(name, Path(folder).resolve()) for name, folder in (tree.split("=", 1) for tree in args.tree)]
    cpu: dict[str, list[float]] = {name: [] for name, _ in trees}
    for round_number in range(1, args.rounds + 1):
        for name, source in trees:
            seconds, wall = cold_scan(source, args.corpus)
            cpu[name].append(seconds)
            print(f"round {round_number}  {name:10} CPU {seconds:6.2f} s  wall {wall:6.2f} s", flush=True)
    first = statistics.median(cpu[trees[0][0]])
    for name, _ in trees:
        median = statistics.median(cpu[name])
        print(f"{name:10} median CPU {median:6.2f} s  ratio to {trees[0][0]} {median / first:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""What another_shot.turned_shot costs and says on a labelled corpus's copies, in process.

    .venv/bin/python bench/another_shot_cost.py [--corpus bench/corpus]

For every scene folder, original.jpg against each of its copies (the truth's copies, not similar
shots): the pixel verdict as the scan asks it (grouping.copy_verdict, CPU time) and, for the
pairs it calls copies, turned_shot on the two grey pictures as verify laid them (CPU time), and
how many copies turned_shot would withdraw either way round (it should be none). Both timed in the same run."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match.another_shot import turned_shot
from photodedup.core.match.grouping import copy_verdict

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    args = parser.parse_args()
    truth = json.loads((args.corpus / "truth.json").read_text())["files"]
    verdict_times, shot_times, spoke, pairs = [], [], [], 0
    for scene in sorted(p for p in args.corpus.iterdir() if (p / "original.jpg").exists()):
        for copy in sorted(scene.iterdir()):
            relative = f"{scene.name}/{copy.name}"
            if copy.name == "original.jpg" or truth.get(relative, {}).get("scene") != scene.name:
                continue
            started = time.process_time()
            verdict = copy_verdict(str(scene / "original.jpg"), str(copy))
            verdict_times.append(time.process_time() - started)
            pairs += 1
            if not verdict.copy:
                continue
            a, b = decode_gray(str(scene / "original.jpg")), decode_gray(str(copy))
            started = time.process_time()
            said = turned_shot(a, b, verdict.how)  # once per pair, as either_way asks it
            shot_times.append(time.process_time() - started)
            said = said or turned_shot(b, a, verdict.how)
            if said:
                spoke.append(f"{relative}: {said}")
    print(f"{pairs} original-copy pairs, {len(shot_times)} judged copies")
    print(f"copy_verdict CPU: median {statistics.median(verdict_times) * 1000:.1f} ms, total {sum(verdict_times):.1f} s")
    print(f"turned_shot CPU on the copies (once per pair): median {statistics.median(shot_times) * 1000:.1f} ms, "
          f"max {max(shot_times) * 1000:.1f} ms, total {sum(shot_times):.1f} s")
    print(f"copies turned_shot would withdraw: {len(spoke)}")
    for line in spoke:
        print("  " + line)


if __name__ == "__main__":
    main()

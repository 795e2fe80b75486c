#!/usr/bin/env python3
"""Accuracy on the labelled corpus: photodedup beside its peers, in one run.

    .venv/bin/python bench/make_corpus.py            # once
    .venv/bin/python bench/accuracy.py [--corpus bench/corpus] [--threshold T] [--no-peers]

Prints pairwise precision, recall and F1 (a pair is two files of one group; a true pair is
two files of one scene), recall per edit kind (pairs original↔edit), the number of groups
mixing two scenes, and hard-negative pairs grouped. Peers run where they install from PyPI
(imagehash pHash, czkawka, difPy), in the interpreter given by --peers-python.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pairs_of(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(set(g)), 2)}


def evaluate(name: str, groups: list[list[str]], truth: dict[str, dict]) -> dict:
    scene = {path: v["scene"] for path, v in truth.items()}
    groups = [[p for p in g if p in scene] for g in groups]
    found = pairs_of(groups)
    by_scene = defaultdict(list)
    for path, s in scene.items():
        by_scene[s].append(path)
    true = pairs_of(list(by_scene.values()))
    hits = found & true
    precision = len(hits) / len(found) if found else 1.0
    recall = len(hits) / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    mixed = sum(1 for g in groups if len({scene[p] for p in g}) > 1)
    per_edit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, v in truth.items():
        if v["edit"] == "original":
            continue
        original = next(p for p in by_scene[v["scene"]] if truth[p]["edit"] == "original")
        per_edit[v["edit"]][1] += 1
        per_edit[v["edit"]][0] += frozenset((path, original)) in found
    split_scenes = {v["scene"] for v in truth.values() if v.get("negative_split")}
    negatives = sum(1 for p in found - true if {scene[x] for x in p} <= split_scenes)
    return {
        "name": name, "precision": precision, "recall": recall, "f1": f1, "mixed_groups": mixed,
        "groups": len([g for g in groups if len(g) > 1]), "false_pairs": len(found - true),
        "hard_negative_pairs": negatives, "per_edit": {k: a / b for k, (a, b) in sorted(per_edit.items())},
    }


def run_photodedup(corpus: Path, threshold: float | None) -> list[list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "photodedup", "scan", str(corpus), "--json", str(report),
                   "--cache-dir", str(Path(tmp) / "cache"), "--quiet"]
        if threshold is not None:
            command += ["--threshold", str(threshold)]
        subprocess.run(command, check=True, capture_output=True)
        data = json.loads(report.read_text())
    return [[os.path.relpath(f["path"], corpus) for f in g["files"]] for g in data["groups"]]


PEERS_SCRIPT = r'''
import json, os, sys, itertools
corpus, which = sys.argv[1], sys.argv[2]
paths = []
for folder, _, names in os.walk(corpus):
    for n in names:
        if n.lower().endswith((".jpg", ".png", ".webp")):
            paths.append(os.path.join(folder, n))
groups = []
if which == "phash":
    import imagehash
    from PIL import Image, ImageOps
    hashes = {}
    for p in paths:
        with Image.open(p) as im:
            hashes[p] = imagehash.phash(ImageOps.exif_transpose(im))
    parent = {p: p for p in paths}
    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]; x = parent[x]
        return x
    for a, b in itertools.combinations(paths, 2):
        if hashes[a] - hashes[b] <= 10:
            parent[find(a)] = find(b)
    clusters = {}
    for p in paths:
        clusters.setdefault(find(p), []).append(p)
    groups = [g for g in clusters.values() if len(g) > 1]
elif which == "czkawka":
    import czkawka
    finder = czkawka.ImageSimilarity()  # its defaults: the similarity Czkawka's app starts with
    finder.set_directories([corpus])
    groups = [[str(x) for x in g] for g in finder.find_similar()]
elif which == "difpy":
    import difPy
    dif = difPy.build(corpus, show_progress=False)
    search = difPy.search(dif, similarity="similar")
    for key, matches in search.result.items():
        groups.append([key] + [m[0] for m in matches])
print(json.dumps([[os.path.relpath(p, corpus) for p in g] for g in groups]))
'''


def run_peer(python: str, corpus: Path, which: str) -> list[list[str]] | str:
    done = subprocess.run([python, "-c", PEERS_SCRIPT, str(corpus), which], capture_output=True, text=True)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(rows: list[dict]) -> None:
    print(f"{'tool':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'groups':>6} {'mixed':>6} {'false pairs':>11} {'hard neg':>8}")
    for r in rows:
        print(f"{r['name']:<22} {r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:6.3f} {r['groups']:6d} "
              f"{r['mixed_groups']:6d} {r['false_pairs']:11d} {r['hard_negative_pairs']:8d}")
    kinds = sorted({k for r in rows for k in r["per_edit"]})
    print("\nrecall per edit kind (pairs original ↔ edit)")
    print(f"{'edit':<12} " + " ".join(f"{r['name'][:14]:>14}" for r in rows))
    for kind in kinds:
        print(f"{kind:<12} " + " ".join(f"{r['per_edit'].get(kind, 0):14.3f}" for r in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--peers-python", default=os.environ.get("PEERS_PYTHON", sys.executable),
                        help="interpreter with imagehash / czkawka / difPy installed")
    args = parser.parse_args()
    truth = json.loads((args.corpus / "truth.json").read_text())["files"]
    print(f"corpus {args.corpus}: {len(truth)} files, {len({v['scene'] for v in truth.values()})} scenes")
    rows = [evaluate("photodedup", run_photodedup(args.corpus, args.threshold), truth)]
    if not args.no_peers:
        for which, label in (("phash", "imagehash pHash ≤10"), ("czkawka", "czkawka (default)"), ("difpy", "difPy similar")):
            groups = run_peer(args.peers_python, args.corpus, which)
            if isinstance(groups, str):
                print(f"{label}: not run ({groups})")
                continue
            rows.append(evaluate(label, groups, truth))
    print_table(rows)


if __name__ == "__main__":
    main()

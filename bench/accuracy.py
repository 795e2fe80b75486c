#!/usr/bin/env python3
"""Accuracy on the labelled corpus: photodedup beside its peers, in one run.

    .venv/bin/python bench/make_corpus.py            # once
    .venv/bin/python bench/accuracy.py [--corpus bench/corpus] [--threshold T] [--no-peers]

Copy groups: pairwise precision, recall and F1 (a pair is two files of one copy group; a true
pair is two files of one scene, i.e. copies of one picture), recall per copy kind (pairs
original↔edit), groups mixing two pictures, false pairs by what joined them (a similar-shot kind
or "unrelated"), and how often the suggested keeper is the true original. Similar shots: how
many labelled pairs of pictures share a similar group, and similar groups joining two families.
Then the worst cases of each error, with file names. Peers run where they install from PyPI
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


WORST = 5  # error pairs listed per kind of error (--worst changes it)


def evaluate(name: str, groups: list[list[str]], truth: dict[str, dict], kinds: list[str] | None = None,
             keepers: list[str | None] | None = None) -> dict:
    """Copy groups scored against the scenes (one scene = copies of one picture); similar groups
    against the families (two pictures of one family = similar shots). A tool without kinds gives
    only copy groups."""
    kinds = kinds or ["copies"] * len(groups)
    keepers = keepers or [None] * len(groups)
    scene = {path: v["scene"] for path, v in truth.items()}
    family = {path: v.get("family", v["scene"]) for path, v in truth.items()}
    similar_kind = {v["scene"]: v.get("similar_kind", "") for v in truth.values()}
    copies = [[p for p in g if p in scene] for g, k in zip(groups, kinds) if k == "copies"]
    copy_keepers = [kp for kp, k in zip(keepers, kinds) if k == "copies"]
    similar = [[p for p in g if p in scene] for g, k in zip(groups, kinds) if k == "similar"]
    found = pairs_of(copies)
    by_scene = defaultdict(list)
    for path, s in scene.items():
        by_scene[s].append(path)
    true = pairs_of(list(by_scene.values()))
    hits = found & true
    precision = len(hits) / len(found) if found else 1.0
    recall = len(hits) / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    mixed = [g for g in copies if len({scene[p] for p in g}) > 1]
    per_edit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for path, v in truth.items():
        if v["edit"] == "original":
            continue
        original = next(p for p in by_scene[v["scene"]] if truth[p]["edit"] == "original")
        per_edit[v["edit"]][1] += 1
        per_edit[v["edit"]][0] += frozenset((path, original)) in found
        if frozenset((path, original)) not in found:
            missed.append((original, path))
    false = sorted(found - true, key=lambda p: sorted(p))
    false_kinds = defaultdict(int)
    for pair in false:
        a, b = sorted(pair)
        kind = similar_kind[scene[a]] if family[a] == family[b] else "unrelated"
        false_kinds[kind or "unrelated"] += 1
    # Keeper: the true original, in copy groups that hold it.
    with_original = [(g, kp) for g, kp in zip(copies, copy_keepers)
                     if kp is not None and any(truth[p]["edit"] == "original" for p in g)]
    right_keepers = sum(1 for g, kp in with_original if kp in truth and truth[kp]["edit"] == "original"
                        and len({scene[p] for p in g}) == 1)
    wrong_keepers = [(kp, g) for g, kp in with_original if not (kp in truth and truth[kp]["edit"] == "original")]
    # Similar shots: each labelled pair of pictures of one family, found when some similar group holds
    # a file of each; a similar group holding two families joins unrelated scenes.
    family_pictures = defaultdict(set)
    for s in by_scene:
        family_pictures[family[by_scene[s][0]]].add(s)
    similar_truth = {frozenset(p) for pictures in family_pictures.values() if len(pictures) > 1
                     for p in itertools.combinations(sorted(pictures), 2)}
    similar_found = {frozenset(p) for g in similar for p in itertools.combinations(sorted({scene[x] for x in g}), 2)}
    similar_hits = similar_truth & similar_found
    similar_missed = sorted(similar_truth - similar_found, key=sorted)
    similar_mixed = [g for g in similar if len({family[p] for p in g}) > 1]
    return {
        "name": name, "precision": precision, "recall": recall, "f1": f1, "mixed_groups": len(mixed),
        "groups": len([g for g in copies if len(g) > 1]), "false_pairs": len(false),
        "false_by_kind": dict(sorted(false_kinds.items())),
        "per_edit": {k: a / b for k, (a, b) in sorted(per_edit.items())},
        "keeper_right": right_keepers, "keeper_groups": len(with_original),
        "similar_groups": len(similar), "similar_pairs": len(similar_truth), "similar_found": len(similar_hits),
        "similar_mixed": len(similar_mixed),
        "worst": {
            "copy groups joining two pictures": [" + ".join(sorted(pair)) for pair in false[:WORST]],
            "copies missed (original, copy)": [f"{a} ~ {b}" for a, b in missed[:WORST]],
            "wrong keeper (keeper, original)": [
                f"{kp} kept, not {next(p for p in g if truth[p]['edit'] == 'original')}" for kp, g in wrong_keepers[:WORST]],
            "similar pairs not in one similar group": [" + ".join(sorted(p)) for p in similar_missed[:WORST]],
            "similar groups joining unrelated scenes": [", ".join(sorted(g)) for g in similar_mixed[:WORST]],
        },
    }


def run_photodedup(corpus: Path, threshold: float | None, cache: Path | None = None
                   ) -> tuple[list[list[str]], list[str], list[str | None]]:
    """(groups as relative paths, kind of each, keeper of each); a cold scan unless ``cache`` is given."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "photodedup", "scan", str(corpus), "--json", str(report),
                   "--cache-dir", str(cache or Path(tmp) / "cache"), "--quiet"]
        if threshold is not None:
            command += ["--threshold", str(threshold)]
        subprocess.run(command, check=True, capture_output=True)
        data = json.loads(report.read_text())
    groups = [[os.path.relpath(f["path"], corpus) for f in g["files"]] for g in data["groups"]]
    kinds = [g.get("kind", "copies") for g in data["groups"]]
    keepers = [next((os.path.relpath(f["path"], corpus) for f in g["files"] if f.get("suggested_keeper")), None)
               for g in data["groups"]]
    return groups, kinds, keepers


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
    print("copy groups (one picture each)")
    print(f"{'tool':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'groups':>6} {'mixed':>6} {'false pairs':>11} {'keeper ok':>10}")
    for r in rows:
        keeper = f"{r['keeper_right']}/{r['keeper_groups']}" if r["keeper_groups"] else "-"
        print(f"{r['name']:<22} {r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:6.3f} {r['groups']:6d} "
              f"{r['mixed_groups']:6d} {r['false_pairs']:11d} {keeper:>10}")
    for r in rows:
        if r["false_by_kind"]:
            print(f"  {r['name']}: false copy pairs by what joined them: "
                  + ", ".join(f"{k} {v}" for k, v in r["false_by_kind"].items()))
    kinds = sorted({k for r in rows for k in r["per_edit"]})
    print("\nrecall per copy kind (pairs original ↔ edit)")
    print(f"{'edit':<12} " + " ".join(f"{r['name'][:14]:>14}" for r in rows))
    for kind in kinds:
        print(f"{kind:<12} " + " ".join(f"{r['per_edit'].get(kind, 0):14.3f}" for r in rows))
    print("\nsimilar shots (two different pictures of one scene)")
    print(f"{'tool':<22} {'groups':>6} {'pairs found':>12} {'of':>4} {'share':>6} {'joining unrelated':>18}")
    for r in rows:
        share = r["similar_found"] / r["similar_pairs"] if r["similar_pairs"] else 1.0
        print(f"{r['name']:<22} {r['similar_groups']:6d} {r['similar_found']:12d} {r['similar_pairs']:4d} "
              f"{share:6.3f} {r['similar_mixed']:18d}")
    for r in rows:
        print(f"\nworst cases, {r['name']}")
        for error, cases in r["worst"].items():
            print(f"  {error}: " + ("none" if not cases else ""))
            for case in cases:
                print(f"    {case}")


def main() -> None:
    global WORST
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--cache-dir", type=Path, help="keep photodedup's cache here (default: a cold scan)")
    parser.add_argument("--worst", type=int, default=WORST, help="error cases listed per kind of error")
    parser.add_argument("--peers-python", default=os.environ.get("PEERS_PYTHON", sys.executable),
                        help="interpreter with imagehash / czkawka / difPy installed")
    args = parser.parse_args()
    WORST = args.worst
    truth = json.loads((args.corpus / "truth.json").read_text())["files"]
    print(f"corpus {args.corpus}: {len(truth)} files, {len({v['scene'] for v in truth.values()})} scenes")
    groups, kinds, keepers = run_photodedup(args.corpus, args.threshold, args.cache_dir)
    rows = [evaluate("photodedup", groups, truth, kinds, keepers)]
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

#!/usr/bin/env python3
"""Attack the trash and the cache with real processes, many times, and count what was lost.

    .venv/bin/python bench/attack.py [--pairs 100] [--killed-scans 30] [--killed-trashes 30]

Everything runs in a throwaway home (XDG_DATA_HOME, XDG_CACHE_HOME): the real freedesktop
trash and journal, never yours.

1. Concurrent trash: for each pair of identical photos, two `photodedup trash --apply`
   processes start at once with opposite keepers (the one refused as busy tries again).
   Counted: pairs with both copies trashed.
2. Killed scans: `photodedup scan` is killed (SIGKILL) at a random moment; then a scan
   must succeed and find the same groups as a scan that was never interrupted.
3. Killed trashes: `photodedup trash --apply` is killed at a random moment; then every
   photo must be either where it was or in the Trash with a journal record, and
   `photodedup restore --last` (repeated until the journal has nothing left) must bring
   every photo back.
Printed: files lost, both copies trashed, duplicate journal ids, files not restorable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"


def photodedup(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photodedup", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "photodedup", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def noise_photo(path: Path, seed: int) -> None:
    """A distinct small picture per seed (blocks of colour), saved as JPEG."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    Image.fromarray(blocks).resize((320, 240), Image.Resampling.BICUBIC).save(path, quality=90)


def exact_pair_report(folder: Path, pairs: list[tuple[Path, Path]], keep_first: bool) -> dict:
    """A report as `scan --json` writes it, for pairs of byte-identical files."""
    from photodedup.core.analyse.exact import hash_file

    groups = []
    for first, second in pairs:
        files = []
        for path in (first, second):
            status = path.stat()
            files.append({"path": str(path), "size": status.st_size, "mtime_ns": status.st_mtime_ns,
                          "content_hash": hash_file(str(path)), "keeper": (path == first) == keep_first})
        groups.append({"files": files})
    return {"version": 1, "groups": groups, "settings": {"roots": [str(folder)]}}


from photodedup.core.trash import freedesktop as freedesktop_trash  # noqa: E402  (after numpy/PIL: reads XDG_DATA_HOME per call)


def journal_records(env: dict) -> list:
    from photodedup.core.trash.journal import Journal

    return Journal(Path(env["XDG_DATA_HOME"]) / "photodedup" / "trash-journal.jsonl").records()


def trash_until_done(env: dict, report: Path, busy: list[int]) -> None:
    """Apply a report; while the other process holds the trash, try again."""
    while True:
        run = start(env, "trash", str(report), "--apply")
        _, err = run.communicate(timeout=300)
        if "another photodedup" not in err:
            return
        busy.append(1)
        time.sleep(random.uniform(0, 0.05))


def concurrent_trash(env: dict, work: Path, pairs: int, rounds: int) -> dict:
    folder = work / "pairs"
    folder.mkdir()
    per_round = max(1, pairs // rounds)
    both_gone, busy = 0, []
    for round_number in range(rounds):
        round_pairs = make_pairs(folder, f"r{round_number:03d}", per_round, round_number * 1000)
        reports = []
        for keep_first in (True, False):
            report = work / f"round{round_number}-{keep_first}.json"
            report.write_text(json.dumps(exact_pair_report(folder, round_pairs, keep_first)))
            reports.append(report)
        threads = [threading.Thread(target=trash_until_done, args=(env, r, busy)) for r in reports]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        both_gone += sum(not a.exists() and not b.exists() for a, b in round_pairs)
    records = journal_records(env)
    ids = [r.id for r in records]
    return {"pairs": per_round * rounds, "both_copies_trashed": both_gone, "journal_records": len(ids),
            "duplicate_ids": len(ids) - len(set(ids)), "refused_as_busy": len(busy)}


def group_sets(report: Path) -> list[frozenset[str]]:
    data = json.loads(report.read_text())
    return sorted((frozenset(f["path"] for f in g["files"]) for g in data["groups"]), key=sorted)


def killed_scans(env: dict, work: Path, count: int) -> dict:
    folder = work / "library"
    folder.mkdir()
    for name in ("chelsea", "coffee", "astronaut"):
        with Image.open(SAMPLES / f"{name}.jpg") as image:
            image = image.convert("RGB")
        image.save(folder / f"{name}.jpg", quality=95)
        image.resize((image.width // 2, image.height // 2)).save(folder / f"{name}_small.jpg", quality=80)
        image.save(folder / f"{name}_q40.jpg", quality=40)
    for n in range(24):
        noise_photo(folder / f"noise{n:02d}.jpg", 10_000 + n)
    clean_cache, cache = work / "clean-cache", work / "cache"
    reference = work / "reference.json"
    done = photodedup(env, "scan", str(folder), "--json", str(reference), "--cache-dir", str(clean_cache), "--quiet")
    assert done.returncode == 0, done.stderr
    expected = group_sets(reference)
    wrong = failed = 0
    for n in range(count):
        run = start(env, "scan", str(folder), "--cache-dir", str(cache), "--quiet")
        time.sleep(random.uniform(0.3, 4.0))
        run.send_signal(signal.SIGKILL)
        run.wait()
        after = work / f"after{n}.json"
        done = photodedup(env, "scan", str(folder), "--json", str(after), "--cache-dir", str(cache), "--quiet")
        if done.returncode != 0:
            failed += 1
        elif group_sets(after) != expected:
            wrong += 1
        if n % 3 == 2:  # start some rounds from an empty cache, so kills land while it is written
            shutil.rmtree(cache, ignore_errors=True)
    return {"killed_scans": count, "scans_failing_after": failed, "scans_with_other_groups": wrong}


def make_pairs(folder: Path, prefix: str, count: int, seed: int) -> list[tuple[Path, Path]]:
    """``count`` pairs of byte-identical photos, distinct from each other."""
    pairs = []
    for k in range(count):
        first = folder / f"{prefix}-{k:03d}-a.jpg"
        noise_photo(first, seed + k)
        second = first.with_name(first.name.replace("-a.", "-b."))
        second.write_bytes(first.read_bytes())
        pairs.append((first, second))
    return pairs


def restore_everything(env: dict) -> None:
    for _ in range(10):  # restore every batch the journal still holds
        if not any(r.state in ("trashed", "pending") for r in journal_records(env)):
            return
        photodedup(env, "restore", "--last")


def killed_trashes(env: dict, work: Path, count: int, per_run: int = 60) -> dict:
    folder = work / "killed"
    folder.mkdir()
    calibration = make_pairs(folder, "calibrate", per_run, 40_000)
    report = work / "calibrate.json"
    report.write_text(json.dumps(exact_pair_report(folder, calibration, True)))
    started = time.perf_counter()
    photodedup(env, "trash", str(report), "--apply")
    whole_run = time.perf_counter() - started  # kills land anywhere in a run as long as this
    restore_everything(env)
    lost = unrestorable = mid_way = pending = 0
    for n in range(count):
        pairs = make_pairs(folder, f"k{n:02d}", per_run, 50_000 + n * 1000)
        report = work / f"killed{n}.json"
        report.write_text(json.dumps(exact_pair_report(folder, pairs, True)))
        run = start(env, "trash", str(report), "--apply")
        time.sleep(random.uniform(0.3, 1.0) * whole_run)
        run.send_signal(signal.SIGKILL)
        run.wait()
        gone = sum(not second.exists() for _, second in pairs)
        mid_way += 0 < gone < len(pairs)
        pending += sum(r.state == "pending" for r in journal_records(env))
        restore_everything(env)
        for path in (p for pair in pairs for p in pair):
            if not path.exists():
                in_trash = freedesktop_trash.locate(str(path)) is not None
                unrestorable += in_trash
                lost += not in_trash
        for first, second in pairs:
            first.unlink(missing_ok=True)
            second.unlink(missing_ok=True)
    return {"killed_trashes": count, "seconds_per_whole_trash": round(whole_run, 2), "killed_mid_way": mid_way,
            "pending_records_found": pending, "files_lost": lost, "files_not_restored": unrestorable}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--killed-scans", type=int, default=30)
    parser.add_argument("--killed-trashes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix="photodedup-attack-") as temporary:
        work = Path(temporary)
        env = dict(os.environ, XDG_DATA_HOME=str(work / "data"), XDG_CACHE_HOME=str(work / "cache-home"),
                   XDG_CONFIG_HOME=str(work / "config"))
        os.environ.update({k: env[k] for k in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")})
        started = time.perf_counter()
        figures = {}
        if args.pairs:
            figures["concurrent trash"] = concurrent_trash(env, work, args.pairs, args.rounds)
        if args.killed_trashes:
            figures["killed trashes"] = killed_trashes(env, work, args.killed_trashes)
        if args.killed_scans:
            figures["killed scans"] = killed_scans(env, work, args.killed_scans)
        ids = [r.id for r in journal_records(env)]
    for name, values in figures.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    print(f"journal ids unique over the whole run: {len(ids) == len(set(ids))} ({len(ids)} records)")
    print(f"took {time.perf_counter() - started:.0f} s")
    bad = sum(values.get(k, 0) for values in figures.values()
              for k in ("both_copies_trashed", "duplicate_ids", "files_lost", "files_not_restored",
                        "scans_failing_after", "scans_with_other_groups"))
    return 1 if bad or len(ids) != len(set(ids)) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Scan speed and memory, measured in one run against the decode floor and Czkawka.

    .venv/bin/python bench/speed.py [--corpus bench/corpus-speed] [--peers-python PY]
                                    [--scale bench/corpus-scale] [--group-vectors 100000]

What it prints (all on this machine, in this run, so the ratios compare like with like):
  floor     Pillow draft-decode + resize to 224 px of every file, one process per core:
            the speed no scanner can beat without a faster JPEG decoder.
  cold      `photodedup scan` with an empty cache (a fresh process: start-up and model load included).
  warm      the same scan again, nothing changed.
  czkawka   Czkawka's engine (PyPI `czkawka`, similar-images search, its defaults, empty cache).
  no model  photodedup's analysis in-process with the CNN replaced by a no-op: what decoding,
            hashing and caching alone leave (the ceiling before the model and the check of
            look-alikes are added).
Peak RSS is the peak resident memory of the scanning process (from wait4).
--scale DIR (folders 00, 01, ... of 1000 files each, from make_speed_corpus.py --size 1024x768)
scans its first two folders, then all of it, cold and warm, for memory growth and rescan time.
--group-vectors N groups N synthetic vectors (with planted copies) from a cache, timed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGE_SUFFIXES = {".jpg", ".jpeg"}


def photos(roots: list[Path]) -> list[str]:
    return sorted(str(p) for root in roots for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def _floor_one(path: str) -> int:
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", (224, 224))
        image.convert("RGB").resize((224, 224), Image.Resampling.BILINEAR)
    return 1


def decode_floor(files: list[str]) -> float:
    """Files per second for draft decode + resize only, on all cores."""
    started = time.perf_counter()
    with multiprocessing.Pool(os.cpu_count()) as pool:
        done = sum(pool.imap_unordered(_floor_one, files, chunksize=4))
    return done / (time.perf_counter() - started)


def scan(roots: list[Path], cache: Path) -> tuple[float, float, dict]:
    """A `photodedup scan` in its own process: (seconds, peak RSS MB, JSON report)."""
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        command = [sys.executable, str(HERE / "_measure_child.py"), sys.executable, "-m", "photodedup", "scan",
                   *map(str, roots), "--cache-dir", str(cache), "--quiet", "--json", str(report)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        seconds, peak = json.loads(done.stdout.strip().splitlines()[-1])
        return seconds, peak, json.loads(report.read_text())


def czkawka(peers_python: str, roots: list[Path]) -> tuple[float, float] | str:
    code = ("import sys, czkawka\n"
            "finder = czkawka.ImageSimilarity()\n"
            "finder.set_directories(sys.argv[1:])\n"
            "groups = finder.find_similar()\n"
            "print(len(groups))\n")
    with tempfile.TemporaryDirectory() as home:  # its own, empty cache
        env = {**os.environ, "HOME": home, "XDG_CACHE_HOME": f"{home}/cache", "XDG_CONFIG_HOME": f"{home}/config"}
        command = [sys.executable, str(HERE / "_measure_child.py"), peers_python, "-c", code, *map(str, roots)]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            return f"failed: {done.stderr[-300:]}"
        seconds, peak = json.loads(done.stdout.strip().splitlines()[-1])
        return seconds, peak


def decode_side(roots: list[Path]) -> float:
    """Files/s of a cold analysis with the model replaced by a no-op: everything the scan does
    per file but the CNN (read, hash, decode, trim, scratch picture, cache). The ceiling the
    decoding leaves; the model and the check of look-alikes come on top of it."""
    import numpy as np

    sys.path.insert(0, str(HERE.parent / "src"))
    from photodedup.core.dedupe import ScanOptions, analyse_library

    class NoModel:
        model_id = "no-model"

        def embed(self, images: np.ndarray) -> np.ndarray:
            return np.full((len(images), 1280), 1280 ** -0.5, np.float32)

    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        library = analyse_library(ScanOptions([str(r) for r in roots], cache_dir=Path(cache)),
                                  embedder_factory=NoModel, model_id="no-model")
        seconds = time.perf_counter() - started
        library.close()
    return library.stats.files_decoded / seconds


def group_synthetic(count: int) -> tuple[float, int]:
    """Seconds to group ``count`` cached vectors (10% planted copies), and the groups found."""
    import numpy as np

    sys.path.insert(0, str(HERE.parent / "src"))
    from photodedup.core.models import ImageFile, ImageInfo, ScanStats
    from photodedup.core.dedupe import Library, find_groups

    from photodedup.core.analyse.cache import Cache

    rng = np.random.default_rng(100)
    vectors = rng.standard_normal((count, 1280), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    copies = count // 10
    # Copies 0.15 away from their originals (a recompressed or resized photo's distance):
    # close enough to group on the embedding alone, so grouping really merges 10% of the items.
    vectors[-copies:] = vectors[:copies] + rng.standard_normal((copies, 1280), dtype=np.float32) * (0.15 / 1280 ** 0.5)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    infos = [ImageInfo(ImageFile(f"/synthetic/{n:06d}.jpg", 1000 + n, n, 1, n), 4000, 3000, "JPEG", f"{n:032x}",
                       vectors[n]) for n in range(count)]
    with tempfile.TemporaryDirectory() as cache:
        with Cache(Path(cache), "synthetic") as store:  # thumbnails with detail: photos, not blank sky
            for info in infos:
                store.store(info, rng.integers(0, 256, (32, 32), dtype=np.uint8))
            store.commit()
        library = Library(infos, [], ScanStats(files_found=count), Path(cache), "synthetic")
        started = time.perf_counter()
        groups = find_groups(library)
        return time.perf_counter() - started, len(groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus-speed")
    parser.add_argument("--peers-python", default=os.environ.get("PEERS_PYTHON"),
                        help="interpreter with the czkawka package (or set PEERS_PYTHON)")
    parser.add_argument("--scale", type=Path, help="a 10,000-file corpus in folders of 1000 (make_speed_corpus --size 1024x768)")
    parser.add_argument("--group-vectors", type=int, default=0, help="also group this many synthetic vectors")
    args = parser.parse_args()
    rows = []
    if args.corpus.exists():
        files = photos([args.corpus])
        print(f"corpus {args.corpus}: {len(files)} JPEGs, {sum(os.path.getsize(f) for f in files) / 1e6:.0f} MB, "
              f"{os.cpu_count()} cores", flush=True)
        floor = decode_floor(files)
        print(f"  floor: {floor:.1f} files/s", flush=True)
        no_model = decode_side([args.corpus])
        print(f"  decode side (model skipped): {no_model:.1f} files/s", flush=True)
        with tempfile.TemporaryDirectory() as cache:
            cold_s, cold_rss, report = scan([args.corpus], Path(cache))
            print(f"  cold: {cold_s:.1f} s", flush=True)
            warm_s, warm_rss, _ = scan([args.corpus], Path(cache))
        cold = len(files) / cold_s
        rows.append(("decode floor (draft + resize, all cores)", f"{floor:.1f}", "", ""))
        rows.append(("photodedup analysis, model skipped (in-process)", f"{no_model:.1f}", "", ""))
        rows.append(("photodedup cold scan", f"{cold:.1f}", f"{cold_s:.1f}", f"{cold_rss:.0f}"))
        rows.append(("photodedup warm rescan", f"{len(files) / warm_s:.0f}", f"{warm_s:.2f}", f"{warm_rss:.0f}"))
        peer = czkawka(args.peers_python, [args.corpus]) if args.peers_python else "no --peers-python"
        if isinstance(peer, tuple):
            rows.append(("czkawka (similar images, defaults)", f"{len(files) / peer[0]:.1f}", f"{peer[0]:.1f}", f"{peer[1]:.0f}"))
        print()
        print("| | files/s | seconds | peak RSS MB |")
        print("| --- | --- | --- | --- |")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print(f"\nphotodedup cold / floor = {cold / floor:.2f} (analysis without the model / floor = "
              f"{no_model / floor:.2f})")
        if isinstance(peer, tuple):
            print(f"photodedup cold / czkawka = {cold / (len(files) / peer[0]):.1f}")
        else:
            print(f"czkawka: {peer}")
        print(f"groups found: {len(report['groups'])}, problems: {len(report['problems'])}")
    if args.scale:
        folders = sorted(p for p in args.scale.iterdir() if p.is_dir())
        print(f"\nscale corpus {args.scale}: {len(photos(folders))} files in {len(folders)} folders", flush=True)
        print("| files | cold s | cold peak RSS MB | warm s | warm peak RSS MB |")
        print("| --- | --- | --- | --- | --- |")
        results = {}
        for subset in (folders[:2], folders):
            count = len(photos(subset))
            with tempfile.TemporaryDirectory() as cache:
                cold_s, cold_rss, _ = scan(subset, Path(cache))
                warm_s, warm_rss, _ = scan(subset, Path(cache))
            results[count] = cold_rss
            print(f"| {count} | {cold_s:.1f} | {cold_rss:.0f} | {warm_s:.2f} | {warm_rss:.0f} |", flush=True)
        small, large = sorted(results)
        print(f"peak RSS growth {small} → {large} files: {100 * (results[large] / results[small] - 1):+.0f}%")
    if args.group_vectors:
        seconds, groups = group_synthetic(args.group_vectors)
        print(f"\ngrouping {args.group_vectors} cached vectors: {seconds:.1f} s ({groups} groups)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Camera-like JPEGs for the speed benchmark: 12 megapixels with sensor-like noise, seeded.

    .venv/bin/python bench/make_speed_corpus.py [--count 400] [--size 4000x3000] [--seed 5] [--out bench/corpus-speed]

Each file is a different part (one cell of a 3×3 grid) of one of the photographs
bench/make_corpus.py fetches (Debian wallpapers, scikit-image), scaled to --size, given
per-pixel Gaussian noise as a camera sensor would (so files are the 3-4 MB a 12 MP camera
JPEG is, not the 1 MB of a smooth picture), and saved as quality-92 4:2:0 JPEG.
Every tenth file also gets a resized copy (a near duplicate) so the grouping has work.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

NOISE_SIGMA = 5.0


def source_photos() -> list[Path]:
    from make_corpus import fetch_sources

    return [path for _, path in fetch_sources()]


def make_one(job: tuple[int, str, int, int, int, int, str]) -> int:
    number, source, sources, width, height, seed, out = job
    rng = np.random.default_rng(seed * 1_000_003 + number)
    with Image.open(source) as opened:
        image = opened.convert("RGB")
    # A different part of the source for every file: one cell of a 3×3 grid (cells don't
    # overlap, so two files are never copies of each other), flipped every other round.
    cell = (number // sources) % 9
    cell_w, cell_h = image.width // 3, image.height // 3
    left, top = (cell % 3) * cell_w, (cell // 3) * cell_h
    image = image.crop((left, top, left + cell_w, top + cell_h))
    if (number // (sources * 9)) % 2:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    image = image.resize((width, height), Image.Resampling.BILINEAR)
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * NOISE_SIGMA
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    path = Path(out) / f"{number // 1000:02d}" / f"IMG_{number:05d}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=92, subsampling=2)
    written = 1
    if number % 10 == 0:
        small = image.resize((width // 2, height // 2), Image.Resampling.BILINEAR)
        small.save(path.with_name(f"IMG_{number:05d}_small.jpg"), "JPEG", quality=85)
        written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="photos to make (plus a resized copy of every tenth)")
    parser.add_argument("--size", default="4000x3000", help="WIDTHxHEIGHT of each photo")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "corpus-speed")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    sources = source_photos()
    jobs = [(n, str(sources[n % len(sources)]), len(sources), width, height, args.seed, str(args.out))
            for n in range(args.count)]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        written = sum(pool.imap_unordered(make_one, jobs, chunksize=4))
    size = sum(p.stat().st_size for p in args.out.rglob("*.jpg"))
    print(f"{written} files, {size / 1e6:.0f} MB, in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A photographer's archive for bench/scale.py: 100,000 small real-looking JPEGs, seeded.

    .venv/bin/python bench/scale_corpus.py [--out bench/corpus-100k] [--seed 22]

Every photo is 640×480: a random part (random scale, place, mirror, colour balance) of one of the
photographs of the accuracy corpus (/work/main/bench/corpus/*/original.jpg or --sources), with a
second part of another one laid over a random third of it (so two photos are never the same
scene cut twice), and per-pixel sensor noise; quality 88-94, 4:2:0. About 10% of the files are
copies, of six kinds (same bytes, recompressed, half size, cropped, brighter, grey), each put in
another folder of the same part. Parts (each a folder of year/month folders, 500 files a folder):

    a   10,000 files    the 10k step
    b   40,000 files    a + b: the 50k step
    c1  10,000 files    the "other files" of find-copies (also ~5% copies of photos in a and b)
    c2  40,000 files    a + b + c1 + c2: the 100k step

A part that is already complete (its ``.done`` file) is reused, so a second run makes nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
PARTS = (("a", 10_000), ("b", 40_000), ("c1", 10_000), ("c2", 40_000))
WIDTH, HEIGHT = 640, 480
PER_FOLDER = 500
COPY_KINDS = ("bytes", "recompressed", "half", "cropped", "brighter", "grey")
NOISE_SIGMA = 4.0

_sources: list[Image.Image] = []  # each worker decodes the sources once
_noise: list[np.ndarray] = []


def _start_worker(paths: list[str], seed: int) -> None:
    for path in paths:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        image.thumbnail((1280, 1280), Image.Resampling.LANCZOS)  # all a 640×480 part needs
        _sources.append(image)
    rng = np.random.default_rng(seed)
    for _ in range(6):
        _noise.append((rng.standard_normal((HEIGHT * 2, WIDTH * 2, 3), dtype=np.float32) * NOISE_SIGMA)
                      .astype(np.int16))


def _region(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """A random part of a random source, scaled to width × height (nearest: 20x faster than
    bilinear here, and the noise added after it hides the steps)."""
    source = _sources[rng.integers(len(_sources))]
    cols, rows = source.size
    scale = rng.uniform(0.3, 0.9)
    crop_w = max(16, int(min(cols, rows * width / height) * scale))
    crop_h = max(16, int(crop_w * height / width))
    left = int(rng.integers(0, cols - crop_w + 1))
    top = int(rng.integers(0, rows - crop_h + 1))
    part = source.resize((width, height), Image.Resampling.NEAREST, box=(left, top, left + crop_w, top + crop_h))
    if rng.random() < 0.5:
        part = part.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return part


def photo(seed: int, number: int) -> Image.Image:
    """Photo ``number`` of the archive: always the same pixels for the same seed."""
    rng = np.random.default_rng(seed * 1_000_003 + number)
    base = _region(rng, WIDTH, HEIGHT)
    inset_w, inset_h = int(WIDTH * rng.uniform(0.35, 0.6)), int(HEIGHT * rng.uniform(0.35, 0.6))
    base.paste(_region(rng, inset_w, inset_h), (int(rng.integers(0, WIDTH - inset_w)), int(rng.integers(0, HEIGHT - inset_h))))
    bands = base.split()
    gains = rng.uniform(0.8, 1.2, 3)
    base = Image.merge("RGB", [bands[b].point([min(255, int(v * g)) for v in range(256)])
                               for b, g in zip(rng.permutation(3), gains)])
    noise = _noise[rng.integers(len(_noise))]
    dy, dx = rng.integers(0, HEIGHT), rng.integers(0, WIDTH)
    pixels = np.asarray(base, dtype=np.int16) + noise[dy:dy + HEIGHT, dx:dx + WIDTH]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _folder(part: str, index: int) -> str:
    """Nested like a camera archive: part/YYYY/MM-event/ (500 files a folder)."""
    folder = index // PER_FOLDER
    return f"{part}/{2000 + folder // 12:04d}/{folder % 12 + 1:02d}-event{folder:03d}"


def make_one(job: tuple[int, str, int, int, int, str]) -> int:
    """Photo ``number`` (index ``index`` in its part), and when due, one copy of it (or of an
    original of an earlier part, for c1)."""
    number, part, index, part_size, seed, out = job
    rng = np.random.default_rng(seed * 7 + number)
    image = photo(seed, number)
    path = Path(out) / _folder(part, index) / f"IMG_{number:06d}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=int(rng.integers(88, 95)), subsampling=2)
    if index % 10 != 5:
        return 1
    if part == "c1" and index % 20 == 5:  # a copy of one of the originals of a or b
        source_number = int(rng.integers(0, 50_000))
        image = photo(seed, source_number)
        source_part, source_index = ("a", source_number) if source_number < 10_000 else ("b", source_number - 10_000)
        origin = Path(out) / _folder(source_part, source_index) / f"IMG_{source_number:06d}.jpg"
    else:
        origin = path
        source_number = number
    kind = COPY_KINDS[(number // 10) % len(COPY_KINDS)]
    copy_index = (index + part_size // 2) % part_size  # another folder of the same part
    target = Path(out) / _folder(part, copy_index) / f"IMG_{source_number:06d}_{kind}.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "bytes" and origin.exists():
        shutil.copyfile(origin, target)
    elif kind == "half":
        image.resize((WIDTH // 2, HEIGHT // 2), Image.Resampling.LANCZOS).save(target, "JPEG", quality=85)
    elif kind == "cropped":
        image.crop((32, 24, WIDTH - 32, HEIGHT - 24)).save(target, "JPEG", quality=90)
    elif kind == "brighter":
        Image.fromarray(np.clip(np.asarray(image, np.int16) + 25, 0, 255).astype(np.uint8)).save(target, "JPEG", quality=90)
    elif kind == "grey":
        image.convert("L").save(target, "JPEG", quality=90)
    else:  # recompressed (or a byte copy of an original not made yet: recompressed instead)
        image.save(target, "JPEG", quality=70)
    return 2


def sources(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*/original.jpg"))


def make_part(out: Path, part: str, start: int, count: int, seed: int, source_paths: list[str]) -> int:
    """Make one part (reused when its .done file says it is complete); returns the files in it."""
    done = out / part / ".done"
    if done.exists():
        return int(done.read_text())
    jobs = [(start + i, part, i, count, seed, str(out)) for i in range(count)]
    workers = os.cpu_count() or 1
    with multiprocessing.Pool(workers, _start_worker, (source_paths, seed)) as pool:
        made = sum(pool.imap_unordered(make_one, jobs, chunksize=64))
    files = sum(1 for _ in (out / part).rglob("*.jpg"))
    done.write_text(str(files))
    print(f"part {part}: {files} files ({made} made)", flush=True)
    return files


def make_archive(out: Path, seed: int = 22, source_folder: Path = Path("/work/main/bench/corpus"),
                 parts: tuple[str, ...] = tuple(name for name, _ in PARTS)) -> dict[str, int]:
    to_make = [name for name in parts if not (out / name / ".done").exists()]
    source_paths = sources(source_folder) if to_make else []
    if to_make and not source_paths:
        raise SystemExit(f"no */original.jpg under {source_folder}: run bench/make_corpus.py first")
    files, start = {}, 0
    for name, count in PARTS:
        if name in parts:
            files[name] = make_part(out, name, start, count, seed, source_paths)
        start += count
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "corpus-100k")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--sources", type=Path, default=Path("/work/main/bench/corpus"))
    args = parser.parse_args()
    print(make_archive(args.out, args.seed, args.sources))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

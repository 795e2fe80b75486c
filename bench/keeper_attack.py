#!/usr/bin/env python3
"""Which file does a scan suggest keeping when the original sits beside one edited copy of it?

    .venv/bin/python bench/keeper_attack.py [--corpus bench/corpus] [--scenes 6] [--out bench/out/keeper]

A second opinion on the keeper, built apart from bench/make_corpus.py's edits: the kinds an
adversarial pass used to get the original offered for the Trash (an upscale, a framed or paper
border, a copy given a camera's EXIF and an older date, a blurred or web round-tripped copy re-saved
at q98, an "enhanced" copy, a crop or straightened copy scaled back to the original's size, a square
crop exported larger, a plain re-save at a higher JPEG quality, a redacted copy). Each pair is scanned
on its own (one model for all); per kind it prints how often the pair was grouped as copies and how
often the original is the suggested keeper, then every miss with its folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

HERE = Path(__file__).resolve().parent


def camera_exif(make: str = "Canon", model: str = "Canon EOS 5D Mark IV", date: str = "2021:06:01 10:00:00") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = make, model, date
    exif.get_ifd(0x8769)[0x9003] = date
    return exif


def upscaled(a):
    return a.resize((int(a.width * 1.6), int(a.height * 1.6)), Image.BICUBIC), {"quality": 80}


def framed(a):
    inner = ImageOps.expand(ImageOps.expand(a, 3, (90, 90, 90)), int(a.width * .04), (250, 250, 250))
    return ImageOps.expand(inner, int(a.width * .01), (20, 20, 20)), {"quality": 85}


def paper_border(a):
    pad = int(a.height * .06)
    noise = np.random.default_rng(0).normal(0, 12, (a.height + 2 * pad, a.width + 2 * pad, 3))
    paper = Image.fromarray(np.clip(235 + noise, 0, 255).astype(np.uint8))
    paper.paste(a, (pad, pad))
    return paper, {"quality": 85}


def fake_camera_exif(a):
    return a, {"quality": 60, "exif": camera_exif("NIKON CORPORATION", "NIKON D850", "2009:01:01 08:00:00")}


def blurred_q98(a):
    return a.filter(ImageFilter.GaussianBlur(1.6)), {"quality": 98, "exif": camera_exif()}


def round_trip_q98(a):
    return a.resize((a.width // 2, a.height // 2), Image.LANCZOS).resize(a.size, Image.BICUBIC), {"quality": 98}


def enhanced(a):
    sharp = ImageEnhance.Contrast(a.filter(ImageFilter.UnsharpMask(2, 150, 2))).enhance(1.25)
    return sharp, {"quality": 97, "exif": camera_exif()}


def crop_same_size(a):
    w, h = a.size
    return a.crop((int(w * .04), int(h * .04), int(w * .96), int(h * .96))).resize(a.size, Image.LANCZOS), {"quality": 95}


def straightened(a):
    w, h = a.size
    turned = a.rotate(3, Image.BICUBIC)
    return turned.crop((int(w * .06), int(h * .08), int(w * .94), int(h * .92))).resize(a.size, Image.LANCZOS), {"quality": 95}


def square_larger(a):
    w, h = a.size
    side = min(w, h)
    square = a.crop(((w - side) // 2, (h - side) // 2, (w + side) // 2, (h + side) // 2))
    return square.resize((int(max(w, h) * 1.08),) * 2, Image.LANCZOS), {"quality": 90}


def higher_quality(a):
    return a, {"quality": 98, "resave_of_original": True}


def redacted(a):
    copy = a.copy()
    w, h = a.size
    ImageDraw.Draw(copy).rectangle((int(w * .6), int(h * .6), int(w * .6 + w * .22), int(h * .6 + h * .22)), fill=0)
    return copy, {"quality": 92}


KINDS = {f.__name__: f for f in (upscaled, framed, paper_border, fake_camera_exif, blurred_q98, round_trip_q98,
                                  enhanced, crop_same_size, straightened, square_larger, higher_quality, redacted)}
ORIGINAL_QUALITY = 88  # the camera's


def scenes(corpus: Path, count: int) -> list[Path]:
    """Originals of copy scenes (not the similar-shot families), spread over the corpus."""
    found = sorted(p for p in corpus.glob("*/original.jpg")
                   if not any(k in p.parent.name for k in ("-split-", "-moved-", "-pan-", "-burst-")))
    step = max(1, len(found) // count)
    return found[::step][:count]


def build(corpus: Path, out: Path, count: int) -> list[tuple[str, str, Path]]:
    shutil.rmtree(out, ignore_errors=True)
    pairs = []
    for source in scenes(corpus, count):
        with Image.open(source) as image:
            base = image.convert("RGB")
        base.thumbnail((1200, 1200), Image.LANCZOS)
        for kind, make in KINDS.items():
            folder = out / f"{source.parent.name}__{kind}"
            folder.mkdir(parents=True)
            base.save(folder / "original.jpg", quality=ORIGINAL_QUALITY, exif=camera_exif())
            copy, options = make(base)
            if options.pop("resave_of_original", False):  # decoded from the camera file, saved again
                with Image.open(folder / "original.jpg") as decoded:
                    copy = decoded.convert("RGB")
                options["exif"] = camera_exif()
            copy.save(folder / f"{kind}.jpg", **options)
            pairs.append((source.parent.name, kind, folder))
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "keeper")
    args = parser.parse_args()

    from photodedup.core.dedupe import ScanOptions, default_embedder, run_scan

    pairs = build(args.corpus, args.out, args.scenes)
    embedder = default_embedder()
    grouped, kept = defaultdict(int), defaultdict(int)
    misses = []
    for scene, kind, folder in pairs:
        result = run_scan(ScanOptions(roots=[str(folder)], cache_dir=args.out / ".cache"), embedder_factory=lambda: embedder)
        copies = [g for g in result.groups if g.kind == "copies"]
        if not copies:
            misses.append(f"not grouped        {folder.name}")
            continue
        grouped[kind] += 1
        keeper = Path(copies[0].keeper.path).name
        if keeper == "original.jpg":
            kept[kind] += 1
        else:
            misses.append(f"keeper is the copy {folder.name}")
    total = len(pairs) // len(KINDS)
    print(f"{'edit':18} grouped  original kept (of grouped)")
    for kind in KINDS:
        print(f"{kind:18} {grouped[kind]:>3}/{total}  {kept[kind]:>3}/{grouped[kind]}")
    all_grouped = sum(grouped.values())
    print(f"{'all':18} {all_grouped:>3}/{len(pairs)}  {sum(kept.values()):>3}/{all_grouped}"
          f" = {sum(kept.values()) / max(1, all_grouped):.3f}")
    print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""How right the copy check's claims are: a corpus of copies with known edits and known amounts.

    .venv/bin/python bench/copy_check.py [--corpus bench/corpus] [--out bench/out/copy-check]
                                         [--originals N] [--seed 19]

Originals are the single-picture scenes of the accuracy corpus (bench/make_corpus.py), re-saved
at JPEG quality 95; each gets edited copies with recorded amounts (scale, crop area, angle,
padding sides, brightness, colour) and a 100-px thumbnail. The first shot of each similar-shot
family goes with the originals and its neighbouring shot into the other folder: it must not be
reported at all.
Prints, per claim type: correct / wrong value / claimed but not done / missing; copies not found
or found under the wrong original; crashes; the worst claims verbatim. Held out: another corpus
(--corpus bench/corpus-s11) and other edit amounts (--seed 11, --seed 23).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from photodedup.core.copy_check import CopyCheckOptions, find_copies  # noqa: E402

MAX_SIDE = 1200
TOLERANCE = {"resized": 0.03, "cropped": 0.05, "rotated": 1.0, "brightness": 0.06}
JPEG = {"format": "JPEG", "quality": 95}


def _pad(image: Image.Image, sides: str, share: float, colour) -> Image.Image:
    w, h = image.size
    top = int(h * share) if "t" in sides else 0
    bottom = int(h * share) if "b" in sides else 0
    left = int(w * share) if "l" in sides else 0
    right = int(w * share) if "r" in sides else 0
    padded = Image.new("RGB", (w + left + right, h + top + bottom), colour)
    padded.paste(image, (left, top))
    return padded


def _words_of(sides: str) -> str:
    names = {"t": "top", "b": "bottom", "l": "left", "r": "right"}
    chosen = {names[s] for s in sides}
    if len(chosen) == 4:
        return "all round"
    if chosen == {"top", "bottom"}:
        return "top and bottom"
    if chosen == {"left", "right"}:
        return "left and right"
    return " and ".join(n for n in ("top", "bottom", "left", "right") if n in chosen)


def edits(image: Image.Image, rng: random.Random):
    """(name, edited picture, save options, expected claims {kind: value or None})."""
    w, h = image.size
    s = rng.uniform(0.3, 0.8)
    yield "resize", image.resize((round(w * s), round(h * s)), Image.Resampling.LANCZOS), JPEG, {"resized": s}
    q = rng.randint(35, 60)
    yield "recompress", image, {"format": "JPEG", "quality": q}, {"recompressed": None}
    yield "resave", image, {"format": "JPEG", "quality": 93}, {"same": None}
    a = rng.uniform(0.45, 0.9)
    cw, ch = round(w * a ** 0.5), round(h * a ** 0.5)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    area = cw * ch / (w * h)
    yield "crop", image.crop((x, y, x + cw, y + ch)), JPEG, {"cropped": area}
    s2 = rng.uniform(0.4, 0.8)
    yield "crop_resize", image.crop((x, y, x + cw, y + ch)).resize((round(cw * s2), round(ch * s2)),
                                                                    Image.Resampling.LANCZOS), JPEG, \
        {"cropped": area, "resized": s2}
    for name, method, angle in (("rot90", Image.Transpose.ROTATE_90, 90), ("rot180", Image.Transpose.ROTATE_180, 180),
                                ("rot270", Image.Transpose.ROTATE_270, -90)):
        yield name, image.transpose(method), JPEG, {"rotated": angle}
    yield "mirror", ImageOps.mirror(image), JPEG, {"mirrored": None}
    angle = rng.choice((-1, 1)) * rng.uniform(2.0, 6.0)
    margin = 0.1
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC)
    window = turned.crop((int(w * margin), int(h * margin), int(w * (1 - margin)), int(h * (1 - margin))))
    shown = (int(w * (1 - margin)) - int(w * margin)) * (int(h * (1 - margin)) - int(h * margin)) / (w * h)
    yield "rotate_small", window, JPEG, {"rotated": angle, "cropped": shown}
    rot_crop = image.crop((x, y, x + cw, y + ch)).transpose(Image.Transpose.ROTATE_90)
    yield "crop_rot90", rot_crop, JPEG, {"cropped": area, "rotated": 90}
    for sides in ("tb", "lr", "tblr", "b", "l"):
        colour = rng.choice(((0, 0, 0), (255, 255, 255)))
        yield f"pad_{sides}", _pad(image, sides, rng.uniform(0.08, 0.2), colour), JPEG, {"padded": _words_of(sides)}
    small = image.resize((round(w * s), round(h * s)), Image.Resampling.LANCZOS)
    yield "pad_resize", _pad(small, "tb", 0.15, (0, 0, 0)), JPEG, {"padded": "top and bottom", "resized": s}
    factor = rng.choice((rng.uniform(0.65, 0.82), rng.uniform(1.18, 1.35)))
    yield "brightness", ImageEnhance.Brightness(image).enhance(factor), JPEG, {"brightness": factor - 1}
    factor = rng.choice((rng.uniform(0.6, 0.75), rng.uniform(1.3, 1.5)))
    yield "contrast", ImageEnhance.Contrast(image).enhance(factor), JPEG, {"contrast": "more" if factor > 1 else "less"}
    warm = rng.random() < 0.5
    gains = (1.12, 1.0, 0.85) if warm else (0.88, 1.0, 1.15)
    channels = [c.point(lambda v, k=k: min(255, int(v * k))) for c, k in zip(image.split(), gains)]
    yield "colour", Image.merge("RGB", channels), JPEG, {"colour": "warmer" if warm else "cooler"}
    factor = rng.choice((0.5, 1.6))
    yield "saturation", ImageEnhance.Color(image).enhance(factor), JPEG, \
        {"saturation": "more" if factor > 1 else "less"}
    sepia = ImageOps.colorize(ImageOps.grayscale(image), (40, 26, 13), (255, 240, 192))
    yield "sepia", sepia, JPEG, {"colour": "sepia"}
    yield "grayscale", ImageOps.grayscale(image).convert("RGB"), JPEG, {"grayscale": None}
    yield "blur", image.filter(ImageFilter.GaussianBlur(2.5)), JPEG, {"blur": None}
    yield "sharpen", image.filter(ImageFilter.UnsharpMask(2, 150, 2)), JPEG, {"sharpen": None}
    noise = np.random.default_rng(rng.randint(0, 2 ** 31)).normal(0, 12, (h, w, 1))
    noisy = np.clip(np.asarray(image, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    yield "noise", Image.fromarray(noisy), JPEG, {"noise": None}
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    try:
        font = ImageFont.load_default(max(16, h // 14))
    except TypeError:
        font = ImageFont.load_default()
    draw.text((int(w * 0.05), int(h * 0.85)), "© Jane Doe Photography", fill=(255, 255, 255), font=font,
              stroke_width=2, stroke_fill=(0, 0, 0))
    yield "text", marked, JPEG, {"text": None}
    orientation, method = rng.choice(((6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270),
                                      (3, Image.Transpose.ROTATE_180)))
    exif = Image.Exif()
    exif[0x0112] = orientation
    yield "exif_orientation", image.transpose(method), {**JPEG, "exif": exif}, {"orientation": None}
    yield "png", image, {"format": "PNG"}, {"format": None}
    yield "webp", image, {"format": "WEBP", "quality": 90}, {"format": None}
    tiny = 100 / max(w, h)  # a 100-px thumbnail (draws nothing from rng: the other edits stay as they were)
    yield "thumb100", image.resize((max(1, round(w * tiny)), max(1, round(h * tiny))), Image.Resampling.LANCZOS), JPEG, \
        {"resized": tiny}


def load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def build(corpus: Path, out: Path, count: int, seed: int) -> dict:
    """originals/ and look_in/ under ``out``; returns {copy file name: (original name, expected)}."""
    if out.exists():
        shutil.rmtree(out)
    (out / "originals").mkdir(parents=True)
    (out / "look_in").mkdir()
    rng = random.Random(seed)
    scenes = sorted(p.parent for p in corpus.glob("*/original.jpg"))
    singles = [s for s in scenes if not re.search(r"-[ab]$", s.name)][:count]
    truth = {}
    for scene in singles:
        image = load(scene / "original.jpg")
        image.save(out / "originals" / f"{scene.name}.jpg", **JPEG)
        rgb = np.asarray(image.resize((64, 64)), dtype=np.int16)
        spread = rgb.max(axis=2) - rgb.min(axis=2)  # already black and white: no colour to take (coloured
        grey = spread.mean() < 12 and np.percentile(spread, 99) < 24  # stars on a black sky are colour)
        for name, edited, options, expected in edits(image, rng):
            if grey and name in ("grayscale", "saturation"):
                expected = {"same": None}
            suffix = {"PNG": ".png", "WEBP": ".webp"}.get(options["format"], ".jpg")
            target = out / "look_in" / f"{scene.name}__{name}{suffix}"
            edited.save(target, **options)
            truth[target.name] = (f"{scene.name}.jpg", expected)
    for first in (s for s in scenes if s.name.endswith("-a")):
        second = first.with_name(first.name[:-1] + "b")
        if (second / "original.jpg").exists():
            load(first / "original.jpg").save(out / "originals" / f"{first.name}.jpg", **JPEG)
            load(second / "original.jpg").save(out / "look_in" / f"{second.name}__neighbour.jpg", **JPEG)
            truth[f"{second.name}__neighbour.jpg"] = (None, {})
    return truth


def claimed(change) -> tuple[str, object]:
    """(claim type, measured value) of one reported change."""
    text, kind = change.text, change.kind
    number = re.search(r"([+-]?\d+)%", text)
    if kind in ("resized", "enlarged"):
        return "resized", int(number.group(1)) / 100
    if kind == "cropped":
        return "cropped", int(number.group(1)) / 100
    if kind == "rotated":
        if "180" in text:
            return "rotated", 180
        degrees = float(re.search(r"([+-]?\d+)°", text).group(1))
        return "rotated", abs(degrees) * (1 if "anticlockwise" in text else -1)
    if kind == "brightness":
        return "brightness", (1 if "brighter" in text else -1) * int(number.group(1)) / 100
    if kind == "identical":
        return "same", None
    if kind == "padded":
        return "padded", re.search(r"\((.*?);", text).group(1).replace(" sides", "").replace(" side", "")
    if kind in ("contrast", "saturation"):
        return kind, text.split()[0]
    if kind == "colour":
        return "colour", "sepia" if "sepia" in text else "warmer" if "warmer" in text else "cooler"
    return kind, None


def agrees(kind: str, expected, measured) -> bool:
    if expected is None:
        return True
    if kind == "rotated":
        return abs(((measured - expected) + 180) % 360 - 180) <= TOLERANCE[kind]
    if kind in TOLERANCE:
        return abs(measured - expected) <= TOLERANCE[kind]
    return measured == expected


def _answer(result) -> set:
    return {(o.original.file.path, c.info.file.path, tuple(ch.text for ch in c.changes))
            for o in result.originals for c in o.copies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent / "corpus")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "copy-check")
    parser.add_argument("--originals", type=int, default=26)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    truth = build(args.corpus, args.out, args.originals, args.seed)
    started = time.monotonic()
    crashes = 0
    try:
        result = find_copies(CopyCheckOptions([str(args.out / "originals")], [str(args.out / "look_in")],
                                              cache_dir=args.out / "cache"))
    except Exception:
        traceback.print_exc()
        print("crashes: 1")
        sys.exit(1)
    seconds = time.monotonic() - started
    warm = find_copies(CopyCheckOptions([str(args.out / "originals")], [str(args.out / "look_in")],
                                        cache_dir=args.out / "cache"))
    differ = len(_answer(result) ^ _answer(warm))
    found = {Path(c.info.file.path).name: (Path(o.original.file.path).name, c) for o in result.originals
             for c in o.copies}
    counts: dict[str, Counter] = defaultdict(Counter)
    worst: list[tuple[float, str]] = []
    not_found = wrong_original = neighbours_reported = 0
    for name, (original, expected) in sorted(truth.items()):
        if original is None:
            if name in found:
                neighbours_reported += 1
                worst.append((9, f"{name}: reported as a copy of {found[name][0]}"))
            continue
        if name not in found:
            not_found += 1
            worst.append((8, f"{name}: not found"))
            for kind in expected:
                counts[kind]["not found"] += 1
            continue
        if found[name][0] != original:
            wrong_original += 1
            worst.append((9, f"{name}: under {found[name][0]}"))
            continue
        copy = found[name][1]
        measured = {}
        for change in copy.changes:
            kind, value = claimed(change)
            measured.setdefault(kind, value)
        text = "; ".join(c.text for c in copy.changes)
        for kind, value in expected.items():
            if kind not in measured:
                counts[kind]["missing"] += 1
                worst.append((1, f"{name}: {kind} missing: \"{text}\""))
            elif agrees(kind, value, measured[kind]):
                counts[kind]["correct"] += 1
            else:
                counts[kind]["wrong value"] += 1
                worst.append((3, f"{name}: {kind} {measured[kind]} (done: {value:.3g}): \"{text}\""
                              if isinstance(value, float) else f"{name}: {kind} {measured[kind]} (done: {value}): \"{text}\""))
        for kind in measured:
            if kind not in expected:
                counts[kind]["claimed, not done"] += 1
                worst.append((2, f"{name}: claimed {kind}: \"{text}\""))
    copies = sum(1 for original, _ in truth.values() if original)
    print(f"copy check on {args.out}: {len(set(o for o, _ in truth.values() if o))} originals with "
          f"{copies} copies, {len(truth) - copies} neighbouring shots; {seconds:.0f} s")
    print(f"cold and warm runs differ for: {differ} copies")
    print(f"crashes: {crashes}; copies not found: {not_found}; under the wrong original: {wrong_original}; "
          f"neighbouring shots reported as copies: {neighbours_reported}")
    print(f"{'claim':<13}{'done':>6}{'correct':>9}{'wrong value':>13}{'claimed, not done':>19}{'missing':>9}{'not found':>11}")
    for kind in sorted(counts):
        c = counts[kind]
        done = c["correct"] + c["wrong value"] + c["missing"] + c["not found"]
        share = f"{c['correct'] / done:.0%}" if done else "-"
        print(f"{kind:<13}{done:>6}{c['correct']:>5} {share:>4}{c['wrong value']:>12}{c['claimed, not done']:>19}"
              f"{c['missing']:>9}{c['not found']:>11}")
    print("worst claims:")
    for _, line in sorted(worst, key=lambda w: -w[0])[:25]:
        print("  " + line)
    (args.out / "claims.txt").write_text("\n".join(line for _, line in sorted(worst, key=lambda w: -w[0])) + "\n")
    (args.out / "result.json").write_text(json.dumps({k: dict(v) for k, v in counts.items()}, indent=1))


if __name__ == "__main__":
    main()

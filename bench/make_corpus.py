#!/usr/bin/env python3
"""Build the labelled accuracy corpus: real photographs and edited copies of each.

    .venv/bin/python bench/make_corpus.py [--out bench/corpus] [--seed 7]

Photographs come from Debian's wallpaper packages (fetched with `apt-get download`, unpacked
with `dpkg -x`) and scikit-image's sample data (`pip download scikit-image`), both cached
under bench/.sources. For each scene: the original plus edited copies (resized, recompressed,
thumbnail, crops, brightness/contrast, colour grading, grayscale, small rotation with crop,
EXIF-orientation rotation, PNG and WebP, watermark, letterbox, burst neighbour). Hard
negatives: non-overlapping parts of one large photo, each its own scene; the photo set itself
holds several similar subjects (grass, leaves, flowers, water, sunsets).
Ground truth: OUT/truth.json, {"files": {relative path: {"scene": str, "edit": str}}}.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

HERE = Path(__file__).resolve().parent
SOURCES = HERE / ".sources"
MAX_SIDE = 2048
DEBIAN_PHOTOS = (
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Picture_1A_by_freespace.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg"),
    ("lomiri-wallpapers-20.04", "usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Dragonfly_by_Bolly.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/free_by_Peter_Nerlich.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Picture_0B_by_freespace.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Garden.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Dune.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Wood.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Aqua.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/TwoWings.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Storm.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/GreenMeadow.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/RainDrops.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Blinds.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/LadyBird.jpg"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/YellowFlower.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/analogpattern_by_Peter_Nerlich.jpg"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/Path/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/Grey/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/Kite/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg"),
    ("plasma-workspace-wallpapers", "usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg"),
)
SKIMAGE_PHOTOS = ("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png", "hubble_deep_field.jpg")
# Large photos cut into non-overlapping parts: same light and colours, different pictures.
SPLIT_PHOTOS = ("Dune", "GreenMeadow", "aitzgorri_by_Aitzol_Berasategi", "Path")
EDITS = (
    "resize", "recompress", "thumbnail", "crop", "brightness", "contrast", "colorgrade", "grayscale",
    "rotate", "exif_rotate", "png", "webp", "watermark", "letterbox", "burst",
)


def fetch_sources() -> list[tuple[str, Path]]:
    """(scene name, path) of every source photograph, fetching packages once."""
    SOURCES.mkdir(exist_ok=True)
    photos = []
    for package in sorted({p for p, _ in DEBIAN_PHOTOS}):
        unpacked = SOURCES / package
        if not unpacked.exists():
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(["apt-get", "download", package], cwd=tmp, check=True, capture_output=True)
                (deb,) = glob.glob(f"{tmp}/*.deb")
                subprocess.run(["dpkg", "-x", deb, str(unpacked)], check=True)
    for package, member in DEBIAN_PHOTOS:
        path = SOURCES / package / member
        name = path.parent.parent.parent.name if "contents/images" in member else path.stem
        photos.append((name, path))
    skimage = SOURCES / "skimage"
    if not skimage.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "scikit-image==0.26.0", "-d", tmp],
                           check=True, capture_output=True)
            (wheel,) = glob.glob(f"{tmp}/*.whl")
            skimage.mkdir()
            with zipfile.ZipFile(wheel) as archive:
                for name in SKIMAGE_PHOTOS:
                    (skimage / name).write_bytes(archive.read(f"skimage/data/{name}"))
    photos += [(Path(n).stem, skimage / n) for n in SKIMAGE_PHOTOS]
    return photos


def load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image = image.convert("RGB")
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def crop_fraction(image: Image.Image, fraction: float, rng: random.Random) -> Image.Image:
    w, h = image.size
    cw, ch = int(w * fraction), int(h * fraction)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    return image.crop((x, y, x + cw, y + ch))


def edit(image: Image.Image, kind: str, rng: random.Random) -> tuple[Image.Image, dict]:
    """The edited picture and how to save it."""
    w, h = image.size
    jpeg = {"format": "JPEG", "quality": 92}
    if kind == "resize":
        scale = rng.uniform(0.35, 0.7)
        return image.resize((int(w * scale), int(h * scale)), Image.Resampling.LANCZOS), jpeg
    if kind == "recompress":
        return image, {"format": "JPEG", "quality": rng.randint(40, 60)}
    if kind == "thumbnail":
        thumb = image.copy()
        thumb.thumbnail((rng.choice((240, 320, 400)),) * 2)
        return thumb, {"format": "JPEG", "quality": 85}
    if kind == "crop":
        return crop_fraction(image, rng.uniform(0.8, 0.9), rng), jpeg
    if kind == "brightness":
        factor = rng.choice((rng.uniform(0.65, 0.8), rng.uniform(1.2, 1.4)))
        return ImageEnhance.Brightness(image).enhance(factor), jpeg
    if kind == "contrast":
        factor = rng.choice((rng.uniform(0.6, 0.8), rng.uniform(1.2, 1.5)))
        return ImageEnhance.Contrast(image).enhance(factor), jpeg
    if kind == "colorgrade":
        r, g, b = image.split()
        warm = rng.random() < 0.5
        gains = (1.12, 1.0, 0.85) if warm else (0.88, 1.0, 1.15)
        r, g, b = (c.point(lambda v, k=k: min(255, int(v * k))) for c, k in zip((r, g, b), gains))
        graded = Image.merge("RGB", (r, g, b))
        return ImageEnhance.Color(graded).enhance(rng.uniform(0.7, 1.3)), jpeg
    if kind == "grayscale":
        return ImageOps.grayscale(image).convert("RGB"), jpeg
    if kind == "rotate":
        angle = rng.choice((-1, 1)) * rng.uniform(2.0, 5.0)
        rotated = image.rotate(angle, resample=Image.Resampling.BICUBIC)
        margin = 0.08
        return rotated.crop((int(w * margin), int(h * margin), int(w * (1 - margin)), int(h * (1 - margin)))), jpeg
    if kind == "exif_rotate":
        # Pixels stored rotated, with the orientation tag that shows them upright.
        orientation, method = rng.choice(((6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270), (3, Image.Transpose.ROTATE_180)))
        exif = Image.Exif()
        exif[0x0112] = orientation
        return image.transpose(method), {**jpeg, "exif": exif}
    if kind == "png":
        return image, {"format": "PNG"}
    if kind == "webp":
        return image, {"format": "WEBP", "quality": 80}
    if kind == "watermark":
        marked = image.copy()
        draw = ImageDraw.Draw(marked)
        size = max(16, h // 14)
        try:
            font = ImageFont.load_default(size)
        except TypeError:
            font = ImageFont.load_default()
        text = "© " + rng.choice(("Jane Doe Photography", "stock preview", "example.org"))
        draw.text((int(w * 0.05), int(h * 0.85)), text, fill=(255, 255, 255), font=font, stroke_width=2, stroke_fill=(0, 0, 0))
        return marked, jpeg
    if kind == "letterbox":
        side = max(w, h)
        colour = rng.choice(((0, 0, 0), (255, 255, 255)))
        padded = Image.new("RGB", (side, side), colour)
        padded.paste(image, ((side - w) // 2, (side - h) // 2))
        return padded, jpeg
    if kind == "burst":
        # The next frame of a burst: the camera moved a few percent.
        dx, dy = rng.uniform(0.02, 0.05) * rng.choice((-1, 1)), rng.uniform(0.0, 0.03) * rng.choice((-1, 1))
        window = (0.9 * w, 0.9 * h)
        x0 = (w - window[0]) / 2 + dx * w
        y0 = (h - window[1]) / 2 + dy * h
        return image.crop((int(x0), int(y0), int(x0 + window[0]), int(y0 + window[1]))), jpeg
    raise ValueError(kind)


def save(image: Image.Image, path: Path, options: dict) -> Path:
    options = dict(options)
    image_format = options.pop("format")
    suffix = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[image_format]
    path = path.with_suffix(suffix)
    image.save(path, image_format, **options)
    return path


def build(out: Path, seed: int) -> dict:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    truth: dict[str, dict] = {}
    photos = fetch_sources()
    for scene, source in photos:
        image = load(source)
        if scene in SPLIT_PHOTOS:
            # Two non-overlapping halves, each a scene of its own with a few copies.
            w, h = image.size
            parts = {f"{scene}-left": image.crop((0, 0, int(w * 0.48), h)), f"{scene}-right": image.crop((int(w * 0.52), 0, w, h))}
            for part_name, part in parts.items():
                folder = out / part_name
                folder.mkdir()
                path = save(part, folder / "original", {"format": "JPEG", "quality": 92})
                truth[str(path.relative_to(out))] = {"scene": part_name, "edit": "original", "negative_split": True}
                for kind in ("resize", "recompress"):
                    edited, options = edit(part, kind, rng)
                    path = save(edited, folder / kind, options)
                    truth[str(path.relative_to(out))] = {"scene": part_name, "edit": kind, "negative_split": True}
            continue
        folder = out / scene
        folder.mkdir()
        path = save(image, folder / "original", {"format": "JPEG", "quality": 92})
        truth[str(path.relative_to(out))] = {"scene": scene, "edit": "original"}
        for kind in EDITS:
            edited, options = edit(image, kind, rng)
            path = save(edited, folder / kind, options)
            truth[str(path.relative_to(out))] = {"scene": scene, "edit": kind}
    document = {"seed": seed, "files": truth}
    (out / "truth.json").write_text(json.dumps(document, indent=1))
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "corpus")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    document = build(args.out, args.seed)
    scenes = {v["scene"] for v in document["files"].values()}
    print(f"{len(document['files'])} files, {len(scenes)} scenes in {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the labelled accuracy corpus: real photographs and edited copies of each.

    .venv/bin/python bench/make_corpus.py [--out bench/corpus] [--seed 7]

Photographs come from Debian's wallpaper packages (fetched with `apt-get download`, unpacked
with `dpkg -x`) and scikit-image's sample data (`pip download scikit-image`), both cached
under bench/.sources. For each copy scene: the original plus edited copies (resized, recompressed,
thumbnails down to 100 px, crops, brightness/contrast, colour grading, grayscale, small rotation
with crop, rotation by 90/180/270 in the pixels, mirrored, EXIF-orientation rotation, PNG and
WebP, watermark, letterbox). Hard negatives, drawn by the seed from the large photos: similar-
shot families, two different pictures of one scene, each with an edited copy: neighbouring
parts that share no pixels ("split"), an object replaced or moved ("moved"), two frames of a pan
overlapping 50-70% ("pan"), burst frames with motion and noise ("burst"). The photo set itself
holds several similar subjects (grass, leaves, flowers, water, sunsets).
Ground truth: OUT/truth.json, {"files": {relative path: {"scene": picture, "edit": str,
"family": str, "similar_kind": str}}}: one scene = copies of one picture; two scenes of one
family = similar shots; anything else is unrelated.
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
EDITS = (
    "resize", "recompress", "thumbnail", "thumb100", "crop", "brightness", "contrast", "colorgrade", "grayscale",
    "rotate", "exif_rotate", "rot90", "rot180", "rot270", "mirror", "png", "webp", "watermark", "letterbox",
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
    if kind == "thumb100":
        thumb = image.copy()
        thumb.thumbnail((100, 100), Image.Resampling.LANCZOS)
        return thumb, {"format": "JPEG", "quality": 80}
    if kind in ("rot90", "rot180", "rot270"):
        method = {"rot90": Image.Transpose.ROTATE_90, "rot180": Image.Transpose.ROTATE_180,
                  "rot270": Image.Transpose.ROTATE_270}[kind]
        return image.transpose(method), jpeg
    if kind == "mirror":
        return ImageOps.mirror(image), jpeg
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


SIMILAR_KINDS = ("split", "moved", "pan", "burst")
RESAVES = ("png", "webp")  # made from the original JPEG as decoded, as a person re-saving it would
FAMILIES_PER_KIND = 4
SHOT_COPY_EDITS = ("resize", "recompress", "brightness", "thumbnail")


def _window(image: Image.Image, fraction_w: float, fraction_h: float, rng: random.Random,
            right_room: float = 0.0) -> tuple[int, int, int, int]:
    """A crop box of the given fractions at a random place, leaving ``right_room`` (fraction) to its right."""
    w, h = image.size
    cw, ch = int(w * fraction_w), int(h * fraction_h)
    x = rng.randint(0, max(0, w - cw - int(w * right_room)))
    y = rng.randint(0, h - ch)
    return (x, y, x + cw, y + ch)


def _region(size: tuple[int, int], area: float, rng: random.Random) -> tuple[int, int, int, int]:
    """A box of about ``area`` of a picture of ``size``, away from the edges."""
    w, h = size
    rw, rh = int(w * area ** 0.5 * rng.uniform(0.8, 1.2)), int(h * area ** 0.5 * rng.uniform(0.8, 1.2))
    x = rng.randint(int(w * 0.05), max(int(w * 0.05), int(w * 0.95) - rw))
    y = rng.randint(int(h * 0.05), max(int(h * 0.05), int(h * 0.95) - rh))
    return (x, y, x + rw, y + rh)


def _noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    import numpy as np

    generator = np.random.default_rng(rng.randrange(2**31))
    pixels = np.asarray(image).astype(np.float32) + generator.normal(0, sigma, (image.size[1], image.size[0], 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"))


def similar_shots(kind: str, image: Image.Image, other: Image.Image, rng: random.Random) -> tuple[Image.Image, Image.Image]:
    """Two different pictures of one scene (they share no edit history), made from one large photo.

    split: neighbouring parts that share no pixels; moved: one frame, then an object replaced by a
    patch of another photo, a region of the scene outside the frame, or a region of the frame moved;
    pan: two frames overlapping 50-70%; burst: the camera moved 1-2%, something in the frame moved,
    and the sensor noise differs.
    """
    w, h = image.size
    if kind == "split":
        if rng.random() < 0.5:
            gap = int(w * rng.uniform(0.0, 0.05))
            half = (w - gap) // 2
            return image.crop((0, 0, half, h)), image.crop((half + gap, 0, w, h))
        gap = int(h * rng.uniform(0.0, 0.05))
        half = (h - gap) // 2
        return image.crop((0, 0, w, half)), image.crop((0, half + gap, w, h))
    if kind == "pan":
        overlap = rng.uniform(0.5, 0.7)
        fw, fh = rng.uniform(0.5, 0.6), rng.uniform(0.8, 0.9)
        box = _window(image, fw, fh, rng, right_room=fw * (1 - overlap))
        shift_x = int(w * fw * (1 - overlap))
        shift_y = rng.randint(-int(h * 0.03), int(h * 0.03))
        y0 = min(max(0, box[1] + shift_y), h - (box[3] - box[1]))
        second = (box[0] + shift_x, y0, box[2] + shift_x, y0 + box[3] - box[1])
        return image.crop(box), image.crop(second)
    if kind == "moved":
        box = _window(image, 0.7, 0.7, rng)
        first = image.crop(box)
        second = first.copy()
        target = _region(first.size, rng.uniform(0.12, 0.25), rng)
        size = (target[2] - target[0], target[3] - target[1])
        how = rng.choice(("other photo", "outside the frame", "moved"))
        if how == "other photo":
            ow, oh = other.size
            x, y = rng.randint(0, max(0, ow - size[0])), rng.randint(0, max(0, oh - size[1]))
            patch = other.crop((x, y, x + size[0], y + size[1]))
        elif how == "outside the frame":
            x = rng.choice((rng.randint(0, max(0, box[0] - size[0])), rng.randint(min(box[2], w - size[0]), w - size[0])))
            y = rng.randint(0, h - size[1])
            patch = image.crop((x, y, x + size[0], y + size[1]))
        else:
            source = _region(first.size, size[0] * size[1] / (first.size[0] * first.size[1]), rng)
            patch = first.crop(source).resize(size)
        second.paste(patch, target[:2])
        return first, second
    if kind == "burst":
        box = _window(image, 0.7, 0.7, rng)
        dx, dy = int(w * rng.uniform(0.01, 0.02)) * rng.choice((-1, 1)), int(h * rng.uniform(0.0, 0.015)) * rng.choice((-1, 1))
        first = image.crop(box)
        moved_box = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
        moved_box = (max(0, moved_box[0]), max(0, moved_box[1]), min(w, moved_box[2]), min(h, moved_box[3]))
        second = image.crop(moved_box).resize(first.size)
        subject = _region(second.size, rng.uniform(0.08, 0.15), rng)
        size = (subject[2] - subject[0], subject[3] - subject[1])
        step = (int(size[0] * rng.uniform(0.15, 0.3)) * rng.choice((-1, 1)), int(size[1] * rng.uniform(0.05, 0.2)))
        patch = second.crop(subject)
        target = (min(max(0, subject[0] + step[0]), second.size[0] - size[0]),
                  min(max(0, subject[1] + step[1]), second.size[1] - size[1]))
        second.paste(patch, target)
        return _noise(first, 2.0, rng), _noise(second, 3.0, rng)
    raise ValueError(kind)


def _record(truth: dict, out: Path, path: Path, **facts) -> None:
    truth[str(path.relative_to(out))] = facts


def build(out: Path, seed: int) -> dict:
    """Copy scenes (an original and its edited copies) and similar-shot families (two different
    pictures of one scene, each with a copy). Truth per file: "scene" (the picture: files of one
    scene are copies of each other), "edit", "family" (pictures of one family are similar shots)
    and "similar_kind"."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    truth: dict[str, dict] = {}
    photos = fetch_sources()
    large = [name for name, path in photos if min(Image.open(path).size) >= 1000]
    rng.shuffle(large)
    roles = {name: kind for number, name in enumerate(large[:len(SIMILAR_KINDS) * FAMILIES_PER_KIND])
             for kind in (SIMILAR_KINDS[number // FAMILIES_PER_KIND],)}
    images = {}
    for scene, source in photos:
        image = load(source)
        images[scene] = image
        if scene in roles:
            continue
        folder = out / scene
        folder.mkdir()
        path = save(image, folder / "original", {"format": "JPEG", "quality": 92})
        _record(truth, out, path, scene=scene, edit="original", family=scene, similar_kind="")
        with Image.open(path) as saved:
            as_saved = saved.convert("RGB")  # what a re-save starts from: the original's decoded pixels
        for kind in EDITS:
            edited, options = edit(as_saved if kind in RESAVES else image, kind, rng)
            path = save(edited, folder / kind, options)
            _record(truth, out, path, scene=scene, edit=kind, family=scene, similar_kind="")
    copy_scenes = sorted(name for name in images if name not in roles)
    for family in sorted(roles):
        kind = roles[family]
        other = images[rng.choice(copy_scenes)]
        for letter, shot in zip("ab", similar_shots(kind, images[family], other, rng)):
            picture = f"{family}-{kind}-{letter}"
            folder = out / picture
            folder.mkdir()
            path = save(shot, folder / "original", {"format": "JPEG", "quality": 92})
            _record(truth, out, path, scene=picture, edit="original", family=family, similar_kind=kind)
            copy_kind = rng.choice(SHOT_COPY_EDITS)
            edited, options = edit(shot, copy_kind, rng)
            path = save(edited, folder / copy_kind, options)
            _record(truth, out, path, scene=picture, edit=copy_kind, family=family, similar_kind=kind)
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

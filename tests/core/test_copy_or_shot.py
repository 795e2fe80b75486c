"""Copy or another shot, decided by the pixels: made pairs from the shipped sample photos."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from conftest import sample, save
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match.verify import (Alignment, PixelVerdict, compare_pictures, extract_features, sane_fit)


def gray_of(image: Image.Image, tmp_path, name: str, **options) -> np.ndarray:
    return decode_gray(str(save(image, tmp_path / name, **(options or {"quality": 90}))))


def verdict(first: np.ndarray, second: np.ndarray) -> PixelVerdict:
    return compare_pictures(first, second, (extract_features(first), extract_features(second)))


def copies_of(photo: Image.Image) -> dict[str, tuple[Image.Image, dict]]:
    w, h = photo.size
    jpeg = {"quality": 90}
    exif = Image.Exif()
    exif[0x0112] = 6
    marked = photo.copy()
    ImageDraw.Draw(marked).text((int(w * 0.05), int(h * 0.85)), "© example.org", fill=(255, 255, 255))
    padded = Image.new("RGB", (max(w, h), max(w, h)))
    padded.paste(photo, ((max(w, h) - w) // 2, (max(w, h) - h) // 2))
    small = photo.copy()
    small.thumbnail((100, 100))
    r, g, b = photo.split()
    return {
        "resized": (photo.resize((w // 2, h // 2)), jpeg),
        "recompressed": (photo, {"quality": 40}),
        "thumbnail 100 px": (small, jpeg),
        "cropped": (photo.crop((int(w * 0.07), int(h * 0.05), int(w * 0.92), int(h * 0.9))), jpeg),
        "brightened": (ImageEnhance.Brightness(photo).enhance(1.3), jpeg),
        "darkened": (ImageEnhance.Brightness(photo).enhance(0.7), jpeg),
        "more contrast": (ImageEnhance.Contrast(photo).enhance(1.4), jpeg),
        "colour graded": (Image.merge("RGB", (r.point(lambda v: min(255, int(v * 1.12))), g, b.point(lambda v: int(v * 0.85)))), jpeg),
        "grey": (ImageOps.grayscale(photo).convert("RGB"), jpeg),
        "rotated 3° and cropped": (photo.rotate(3, resample=Image.Resampling.BICUBIC).crop(
            (int(w * 0.08), int(h * 0.08), int(w * 0.92), int(h * 0.92))), jpeg),
        "turned 90°": (photo.transpose(Image.Transpose.ROTATE_90), jpeg),
        "turned 180°": (photo.transpose(Image.Transpose.ROTATE_180), jpeg),
        "turned 270°": (photo.transpose(Image.Transpose.ROTATE_270), jpeg),
        "mirrored": (ImageOps.mirror(photo), jpeg),
        "EXIF-rotated": (photo.transpose(Image.Transpose.ROTATE_270), {**jpeg, "exif": exif}),
        "PNG": (photo, {"format": "PNG"}),
        "watermarked": (marked, jpeg),
        "letterboxed": (padded, jpeg),
    }


@pytest.mark.parametrize("name", ["coffee", "chelsea", "astronaut"])
def test_every_kind_of_copy_is_a_copy(tmp_path, name):
    photo = sample(name)
    original = gray_of(photo, tmp_path, "original.jpg")
    wrong = {}
    for kind, (copy, options) in copies_of(photo).items():
        suffix = ".png" if options.get("format") == "PNG" else ".jpg"
        result = verdict(original, gray_of(copy, tmp_path, kind + suffix, **options))
        if not result.copy:
            wrong[kind] = result
    assert wrong == {}


def similar_shots(photo: Image.Image, other: Image.Image) -> dict[str, tuple[Image.Image, Image.Image]]:
    w, h = photo.size
    rng = np.random.default_rng(3)
    frame = (int(w * 0.1), int(h * 0.1), int(w * 0.8), int(h * 0.8))
    first = photo.crop(frame)
    replaced = first.copy()
    fw, fh = first.size
    replaced.paste(other.crop((0, 0, fw // 2, fh // 2)).resize((fw // 2, fh // 2)), (fw // 4, fh // 4))
    moved = first.copy()
    moved.paste(first.crop((0, 0, fw // 3, fh // 3)), (fw // 2, fh // 2))
    burst = photo.crop((frame[0] + int(w * 0.02), frame[1], frame[2] + int(w * 0.02), frame[3]))
    burst.paste(burst.crop((fw // 3, fh // 3, fw // 3 + fw // 4, fh // 3 + fh // 4)), (fw // 3 + fw // 12, fh // 3))
    noisy = np.asarray(burst).astype(np.float32) + rng.normal(0, 3, (fh, fw, 3))
    burst = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    pan_width = int(w * 0.6)
    shift = int(pan_width * 0.4)
    return {
        "neighbouring parts": (photo.crop((0, 0, w // 2, h)), photo.crop((w // 2, 0, w, h))),
        "an object replaced": (first, replaced),
        "an object moved": (first, moved),
        "a pan, 60% overlap": (photo.crop((0, 0, pan_width, h)), photo.crop((shift, 0, shift + pan_width, h))),
        "a burst with motion": (first, burst),
    }


@pytest.mark.parametrize("name,other", [("coffee", "chelsea"), ("chelsea", "astronaut"), ("astronaut", "coffee")])
def test_similar_shots_are_not_copies(tmp_path, name, other):
    copies = {}
    for kind, (first, second) in similar_shots(sample(name), sample(other)).items():
        result = verdict(gray_of(first, tmp_path, "first.jpg"), gray_of(second, tmp_path, "second.jpg"))
        if result.copy:
            copies[kind] = result
    assert copies == {}


@pytest.mark.parametrize("matrix", [
    np.zeros((2, 3)),  # scale 0
    np.array([[1.0, 0, 0], [1.0, 0, 0]]),  # singular
    np.array([[1.0, 0.4, 0], [0, 1.0, 0]]),  # shear
    np.array([[-1.0, 0, 0], [0, 1.0, 0]]),  # a reflection posing as a fit
    np.array([[np.nan, 0, 0], [0, 1.0, 0]]),
    np.array([[40.0, 0, 0], [0, 40.0, 0]]),  # absurd scale
])
def test_degenerate_fits_never_confirm_and_never_crash(tmp_path, matrix):
    photo = sample("coffee")
    w, h = photo.size
    first = gray_of(photo.crop((0, 0, w // 2, h)), tmp_path, "left.jpg")
    second = gray_of(photo.crop((w // 2, 0, w, h)), tmp_path, "right.jpg")
    assert not sane_fit(matrix)
    assert not compare_pictures(first, second, alignment=Alignment(500, matrix)).copy


def test_tiny_and_flat_pictures_are_not_copies():
    flat = np.full((200, 300), 120, np.uint8)
    assert not compare_pictures(flat, np.full((3, 3), 120, np.uint8)).copy
    noise = np.random.default_rng(0).integers(0, 255, (200, 300), dtype=np.uint8)
    assert not compare_pictures(flat, noise).copy


def test_verdict_survives_the_cache_code():
    original = PixelVerdict(True, 0.973, 1.0, 0.012, "turned 90°", 0.5)
    again = PixelVerdict.from_code(original.code())
    assert again.copy and again.how == "turned 90°" and abs(again.agreement - 0.973) < 0.002
    assert abs(again.changed - 0.012) < 0.002 and abs(again.scale - 0.5) < 0.01

"""Copy-check claims (issue 19), each against its threshold: blur, sharpening, noise and a caption
each named alone; a contrast edit is no colour change; a resized copy has no noise; a plain sky is
no bar; a mirror is decided by comparing both fits; the room a fit leaves for bars."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import sample, save
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from photodedup.core import copy_check, copy_geometry
from photodedup.core.match.changes import QUARTER_WORDS, Geometry, PictureFacts, describe, room_for_bars
from photodedup.core.match.copy_look import find_bars, look_changes, read_gray
from photodedup.core.match.verdict import PixelVerdict
from photodedup.core.models import ImageFile, ImageInfo

AS_IS = copy_check.TURN_OF["as is"]


def _claims(tmp_path, original: Image.Image, edited: Image.Image, name: str) -> dict[str, str]:
    first = save(original, tmp_path / "original.jpg", quality=95)
    second = save(edited, tmp_path / name, quality=95)
    return dict(look_changes(str(first), str(second), AS_IS, whole=True).claims)


def _noisy(picture: Image.Image, sigma: float, seed: int = 1) -> Image.Image:
    noise = np.random.default_rng(seed).normal(0, sigma, (picture.height, picture.width, 1))
    return Image.fromarray(np.clip(np.asarray(picture, np.float32) + noise, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("name", ["chelsea", "coffee", "astronaut"])
def test_blur_sharpening_and_noise_are_each_named_alone(tmp_path, name):
    picture = sample(name)
    assert set(_claims(tmp_path, picture, picture.filter(ImageFilter.GaussianBlur(2.5)), "blur.jpg")) == {"blur"}
    assert set(_claims(tmp_path, picture, picture.filter(ImageFilter.UnsharpMask(2, 150, 2)), "sharp.jpg")) == \
        {"sharpen"}
    assert set(_claims(tmp_path, picture, _noisy(picture, 12), "noise.jpg")) == {"noise"}
    assert _claims(tmp_path, picture, picture, "resaved.jpg") == {}


def test_a_caption_is_said_where_it_is_and_is_no_blur(tmp_path):
    picture = sample("coffee")
    marked = picture.copy()
    draw = ImageDraw.Draw(marked)
    draw.text((int(picture.width * 0.05), int(picture.height * 0.85)), "© Jane Doe Photography",
              fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0), font_size=picture.height // 14)
    claims = _claims(tmp_path, picture, marked, "text.jpg")
    assert set(claims) == {"text"} and claims["text"].startswith("text or a logo added (bottom"), claims


def test_contrast_is_no_colour_change_and_a_cast_is_no_contrast(tmp_path):
    picture = sample("astronaut")
    assert set(_claims(tmp_path, picture, ImageEnhance.Contrast(picture).enhance(1.4), "contrast.jpg")) == \
        {"contrast"}
    r, g, b = picture.split()
    cool = Image.merge("RGB", (r.point(lambda v: int(v * 0.88)), g, b.point(lambda v: min(255, int(v * 1.15)))))
    assert _claims(tmp_path, picture, cool, "cool.jpg") == {"colour": "colours made cooler"}
    assert set(_claims(tmp_path, picture, ImageEnhance.Color(picture).enhance(0.5), "grey.jpg")) == {"saturation"}


def test_a_resized_copy_is_no_noise_nor_blur(tmp_path):
    picture = sample("chelsea")
    small = picture.resize((picture.width * 2 // 5, picture.height * 2 // 5), Image.Resampling.LANCZOS)
    assert _claims(tmp_path, picture, small, "small.jpg") == {}


def test_a_plain_sky_fading_into_the_picture_is_no_bar():
    height, width = 200, 300
    sky = np.linspace(170, 150, height)[:, None, None] * np.ones((1, width, 3))  # a grey fading slowly down,
    picture = sky + np.random.default_rng(2).normal(0, 3, (height, width, 1))  # with a camera's grain
    picture[120:] = np.random.default_rng(3).uniform(0, 255, (80, width, 3))  # the pier, below
    assert not find_bars(picture.astype(np.float32)).any
    padded = np.concatenate([np.full((30, width, 3), 255.0), picture], axis=0)  # a white bar over the sky
    bars = find_bars(padded.astype(np.float32))
    assert bars.top == pytest.approx(30 / 230, abs=0.01) and bars.bottom == 0


def test_the_room_for_bars_comes_from_the_fit():
    crop = np.array([[1.0, 0, -40], [0, 1.0, -30]])  # the copy shows the middle: the picture goes on past each edge
    assert all(room < 0 for room in room_for_bars(crop, (300, 400), (240, 320)).values())
    padded = np.array([[1.0, 0, 0], [0, 1.0, 60]])  # the picture sits 60 px down a 360 px frame: a bar on top
    room = room_for_bars(padded, (300, 400), (360, 400))
    assert room["top"] == pytest.approx(60 / 360) and room["bottom"] == pytest.approx(0) and room["left"] == 0
    assert room_for_bars(np.array([[0, 0, 63], [0, 0, 311]], dtype=float), (300, 400), (300, 400)) is None


@pytest.mark.parametrize("told, mirrored", [("as is", True), ("mirrored", False)])
def test_the_mirror_is_decided_by_comparing_both_fits_not_by_the_verdict(tmp_path, told, mirrored):
    cat = sample("chelsea")
    original = save(cat, tmp_path / "cat.jpg", quality=95)
    copy = save(cat.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if mirrored else cat, tmp_path / "copy.jpg",
                quality=95)
    verdict = PixelVerdict(True, 0.95, 1.0, 0.0, told)  # what a nearly symmetric picture could be laid as
    geometry, matches = copy_geometry.geometry_of(verdict, read_gray(str(original)), read_gray(str(copy)))
    assert geometry.how == ("mirrored" if mirrored else "as is") and matches >= 100


def test_a_crop_turned_by_a_quarter_is_said_as_a_turn(tmp_path):
    original = ImageInfo(ImageFile("/o/a.jpg", 1000, 1, 1, 1), 400, 300, "JPEG", "a", None)
    copy = ImageInfo(ImageFile("/c/a.jpg", 900, 1, 1, 2), 180, 320, "JPEG", "b", None)
    turned = np.array([[0.0, 1.0, -40], [-1.0, 0.0, 380]])  # 90° anticlockwise, a part of the picture
    facts = PictureFacts(False, 95)
    texts = [c.text for c in describe(original, copy, Geometry("aligned by features", turned, (300, 400), (320, 180)),
                                      facts, facts)]
    assert QUARTER_WORDS[1] in texts and not any("+90" in t for t in texts), texts

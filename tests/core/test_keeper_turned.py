"""The measures behind docs/RELIABILITY.md case 52 on made files, real decodes: a turned canvas's
filled corners (origin_fill), one extent at two sizes (origin_scale), an upscale softer than its
source (origin.upscaled_from) and a JPEG holding another's pixels at a lower quality
(origin_lossy). Each is also shown not to fire where the original must keep winning: a photo, a
frame, a thing on a plain background, a crop, a downscaled copy, an edit, a plain re-save."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import sample, save
from PIL import Image, ImageDraw, ImageOps

from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match.origin import measure_origin, upscaled_from
from photodedup.core.match.origin_fill import measure_fill
from photodedup.core.match.origin_lossy import is_lossier_copy
from photodedup.core.match.origin_scale import same_extent


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    image = sample("chelsea")
    image = image.resize((1200, round(1200 * image.height / image.width)), Image.LANCZOS)
    noisy = np.asarray(image).astype(np.float32) + np.random.default_rng(3).normal(0, 2, (image.height, image.width, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("degrees, fill", [(2.5, "black"), (-3, "white"), (6, (40, 90, 200))])
def test_the_filled_corners_of_a_turned_canvas_are_measured(tmp_path, photo, degrees, fill):
    turned = photo.rotate(degrees, Image.BICUBIC, expand=True, fillcolor=fill)
    path = save(turned, tmp_path / "turned.jpg", quality=90)
    expected = 1 - photo.width * photo.height / (turned.width * turned.height)
    assert measure_fill(str(path)) == pytest.approx(expected, abs=0.015)


def test_no_fill_in_a_photo_a_frame_or_a_thing_on_a_plain_background(tmp_path, photo):
    framed = ImageOps.expand(photo, 3, (58, 58, 62))
    disc = Image.new("RGB", photo.size, "white")
    ImageDraw.Draw(disc).ellipse((200, 100, 900, 700), fill=(200, 40, 40))
    sky = photo.copy()
    sky.paste((255, 255, 255), (0, 0, photo.width, photo.height // 3))  # a blown sky along the top
    for name, image in (("photo", photo), ("framed", framed), ("disc", disc), ("sky", sky)):
        assert measure_fill(str(save(image, tmp_path / f"{name}.jpg", quality=90))) == 0.0, name


def test_one_extent_at_two_sizes_and_not_a_crop(tmp_path, photo):
    whole = save(photo, tmp_path / "whole.jpg", quality=95)
    larger = save(photo.resize((1320, round(1320 * photo.height / photo.width)), Image.BILINEAR), tmp_path / "zoom.png")
    w, h = photo.size
    crop = save(photo.crop((50, 30, w - 50, h - 30)), tmp_path / "crop.jpg", quality=95)  # 1.1 times smaller, one scale
    assert same_extent(decode_gray(str(larger)), decode_gray(str(whole)))
    assert not same_extent(decode_gray(str(whole)), decode_gray(str(crop)))


def test_an_upscale_is_softer_than_its_source_and_a_downscale_is_not(tmp_path, photo):
    source = save(photo, tmp_path / "source.jpg", quality=95)
    zoomed = save(photo.resize((round(photo.width * 1.25), round(photo.height * 1.25)), Image.BILINEAR), tmp_path / "zoom.png")
    smaller = save(photo.resize((round(photo.width / 1.2), round(photo.height / 1.2)), Image.LANCZOS), tmp_path / "small.jpg",
                   quality=90)
    assert upscaled_from(measure_origin(str(zoomed)), measure_origin(str(source)))
    assert not upscaled_from(measure_origin(str(source)), measure_origin(str(smaller)))


def test_a_lower_quality_copy_of_the_same_pixels_and_not_an_edit_or_a_resave(tmp_path, photo):
    original = save(photo, tmp_path / "scan.jpg", quality=92)
    same = save(photo, tmp_path / "same.jpg", quality=85)
    warm = np.clip(np.asarray(photo).astype(np.float32) * np.array([1.08, 1.0, 0.9]) + 4, 0, 255).astype(np.uint8)
    edited = save(Image.fromarray(warm), tmp_path / "warm.jpg", quality=85)
    assert is_lossier_copy(str(same), str(original))
    assert not is_lossier_copy(str(edited), str(original))
    camera = save(photo, tmp_path / "camera.jpg", quality=85)  # the camera's q85, then saved again at q95 from it
    with Image.open(camera) as decoded:
        resaved = save(decoded.convert("RGB"), tmp_path / "resaved.jpg", quality=95)
    assert not is_lossier_copy(str(camera), str(resaved))
    half = photo.resize((photo.width // 2, photo.height // 2), Image.LANCZOS).resize(photo.size, Image.BICUBIC)
    round_trip = save(half, tmp_path / "round-trip.jpg", quality=98)  # bench/keeper_attack.py "round_trip_q98"
    assert not is_lossier_copy(str(camera), str(round_trip))

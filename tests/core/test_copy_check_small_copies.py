"""Claims on a copy much smaller than its original (issue 19): in a 100-px thumbnail a plain sky
fading over a few lines looks like a bar, and fine detail is the resampler's; neither is an edit."""

from __future__ import annotations

import numpy as np
from conftest import sample, save
from PIL import Image

from photodedup.core import copy_check
from photodedup.core.match.copy_look import find_bars, look_changes, read_small

AS_IS = copy_check.TURN_OF["as is"]


def _thumbnail(picture: Image.Image) -> Image.Image:
    small = picture.copy()
    small.thumbnail((100, 100), Image.Resampling.LANCZOS)
    return small


def test_a_sky_that_looks_like_a_bar_in_a_thumbnail_is_picture_and_no_darkening(tmp_path):
    pixels = np.asarray(sample("coffee").resize((640, 400)), dtype=np.float32)
    sky = int(pixels.shape[0] * 0.4)  # a pale sky fading slowly down, with a camera's grain
    pixels[:sky] = np.linspace(200, 185, sky)[:, None, None] + np.random.default_rng(2).normal(0, 3, (sky, 640, 1))
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    original = save(picture, tmp_path / "original.jpg", quality=95)
    thumbnail = save(_thumbnail(picture), tmp_path / "thumb.jpg", quality=85)
    assert find_bars(read_small(str(thumbnail))[0]).top > 0.1, "the thumbnail's sky looks like a bar"
    look = look_changes(str(original), str(thumbnail), AS_IS, whole=True)
    assert not look.bars.any and look.claims == (), look


def test_a_letterbox_added_to_a_whole_copy_is_still_found(tmp_path):
    picture = sample("chelsea")
    padded = Image.new("RGB", (picture.width, picture.height + 80), (0, 0, 0))
    padded.paste(picture, (0, 40))
    original, copy = save(picture, tmp_path / "o.jpg", quality=95), save(padded, tmp_path / "p.jpg", quality=95)
    look = look_changes(str(original), str(copy), AS_IS, whole=True)
    assert look.bars.top > 0.05 and look.bars.bottom > 0.05, look


def test_a_thumbnail_s_fine_detail_is_no_noise_blur_or_sharpening(tmp_path):
    for name in ("astronaut", "chelsea", "coffee"):
        picture = sample(name)
        original = save(picture, tmp_path / f"{name}.jpg", quality=95)
        thumbnail = save(_thumbnail(picture), tmp_path / f"{name}_thumb.jpg", quality=85)
        claims = dict(look_changes(str(original), str(thumbnail), AS_IS, whole=True).claims)
        assert not set(claims) & {"noise", "blur", "sharpen", "text"}, (name, claims)


def test_bars_all_round_that_keep_the_shape_are_still_bars_and_no_tone_change(tmp_path):
    picture = sample("coffee")
    width, height = picture.size
    padded = Image.new("RGB", (width + 2 * (width // 8), height + 2 * (height // 8)), (255, 255, 255))
    padded.paste(picture, (width // 8, height // 8))
    original, copy = save(picture, tmp_path / "o.jpg", quality=95), save(padded, tmp_path / "p.jpg", quality=95)
    look = look_changes(str(original), str(copy), AS_IS, whole=True)
    assert look.bars.words().startswith("padded with bars (all round"), look
    assert look.claims == (), look

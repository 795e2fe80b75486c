"""Claims the held-out bench got wrong (issue 19, corpus-s11): a warm cast on a grey picture was
called sepia (a cast only multiplies the channels, toning tints the dark tones too); a caption
whose level change and new strokes fall in neighbouring blocks was not said; a crop of a sky
without features, laid whole by the pixels, was called a resize with less contrast."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import save
from PIL import Image, ImageDraw, ImageOps

from photodedup.core import copy_check
from photodedup.core.copy_check import described
from photodedup.core.match.copy_look import look_changes
from photodedup.core.match.grouping import feature_gray, pixel_verdict
from photodedup.core.models import ImageFile, ImageInfo

AS_IS = copy_check.TURN_OF["as is"]


def _grey_scene(width: int = 900, height: int = 600) -> Image.Image:
    """A black-and-white picture: a sky fading down over hills, with a camera's grain."""
    rng = np.random.default_rng(4)
    ys, xs = np.mgrid[0:height, 0:width]
    sky = 210 - 80 * ys / height
    hills = 90 + 40 * np.sin(xs / 70.0) * np.cos(ys / 50.0)
    grey = np.where(ys > height * 0.55 + 40 * np.sin(xs / 150.0), hills, sky) + rng.normal(0, 3, (height, width))
    return Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")


def _claims(tmp_path, original: Image.Image, edited: Image.Image) -> dict[str, str]:
    first = save(original, tmp_path / "original.jpg", quality=95)
    second = save(edited, tmp_path / "edited.jpg", quality=95)
    return dict(look_changes(str(first), str(second), AS_IS, whole=True).claims)


def test_a_warm_cast_on_a_grey_picture_is_warmer_and_toning_is_sepia(tmp_path):
    picture = _grey_scene()
    gains = (1.12, 1.0, 0.85)
    warm = Image.merge("RGB", [c.point(lambda v, k=k: min(255, int(v * k))) for c, k in zip(picture.split(), gains)])
    assert _claims(tmp_path, picture, warm).get("colour") == "colours made warmer"
    sepia = ImageOps.colorize(ImageOps.grayscale(picture), (40, 26, 13), (255, 240, 192))
    assert _claims(tmp_path, picture, sepia).get("colour") == "toned sepia"


@pytest.mark.parametrize("top", [0.85, 0.875])
def test_a_caption_over_a_plain_sky_is_said(tmp_path, top):
    width, height = 900, 600
    sky = np.linspace(150, 120, height)[:, None, None] * np.ones((1, width, 3))
    sky += np.random.default_rng(6).normal(0, 2, (height, width, 1))
    picture = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8))
    marked = picture.copy()
    ImageDraw.Draw(marked).text((int(width * 0.05), int(height * top)), "© Jane Doe Photography",
                                fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0), font_size=height // 14)
    claims = _claims(tmp_path, picture, marked)
    assert claims.get("text", "").startswith("text or a logo added (bottom"), claims
    assert _claims(tmp_path, picture, picture) == {}


def _clouds(width: int = 1200, height: int = 800) -> Image.Image:
    """A stormy sky: broad soft shapes and no corners, where local features fit nothing."""
    rng = np.random.default_rng(9)
    field = rng.normal(0, 1, (height // 160 + 2, width // 160 + 2))
    soft = np.asarray(Image.fromarray(((field - field.min()) / np.ptp(field) * 255).astype(np.uint8))
                      .resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)
    return Image.fromarray(np.clip(60 + soft * 0.6, 0, 255).astype(np.uint8)).convert("RGB")


def _described(tmp_path, original: Image.Image, copy: Image.Image):
    first, second = save(original, tmp_path / "sky.jpg", quality=95), save(copy, tmp_path / "sky_copy.jpg", quality=95)
    verdict = pixel_verdict(feature_gray(str(first)), feature_gray(str(second)))
    assert verdict.copy
    return described(_info(first, *original.size), _info(second, *copy.size), verdict)[0]


def _info(path, width, height):
    return ImageInfo(ImageFile(str(path), 1000, 10, 1, hash(str(path)) % 10**6), width, height, "JPEG",
                     f"hash-{path}", None, 1.0)


def test_a_crop_of_a_featureless_sky_is_measured_by_correlation_and_its_tone_is_unchanged(tmp_path):
    sky = _clouds()
    crop = sky.crop((100, 60, 100 + 960, 60 + 640))  # 80% of each side: 64% of the picture
    changes = _described(tmp_path, sky, crop)
    texts = {c.kind: c.text for c in changes}
    assert "cropped" in texts and abs(int(texts["cropped"].split()[2].rstrip("%")) - 64) <= 5, changes
    assert not set(texts) & {"resized", "brightness", "contrast", "saturation", "colour"}, changes
    resized = _described(tmp_path, sky, sky.resize((600, 400), Image.Resampling.LANCZOS))
    assert {c.kind for c in resized} == {"resized"}, resized

"""Copy-check claims (issue 19): degenerate fits never reported nor crashing, turns and mirrors
named from the pixels' verdict, bars found side by side, tone and colour measured."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import sample, save
from PIL import Image, ImageEnhance, ImageOps

from photodedup.core import copy_check as pipeline_copies
from photodedup.core.match.changes import Geometry, PictureFacts, covered_fraction, describe
from photodedup.core.match.copy_look import Bars, find_bars, look_changes
from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.copy_check import described
from photodedup.core.match.grouping import feature_gray, pixel_verdict

FACTS = PictureFacts(False, 95)


def info(path, width, height, image_format="JPEG", fraction=1.0):
    return ImageInfo(ImageFile(str(path), 1000, 10, 1, hash(str(path)) % 10**6), width, height, image_format,
                     f"hash-{path}", None, fraction)


@pytest.mark.parametrize("fit", [
    [[0, 0, 63], [0, 0, 311]],  # scale 0 (issue 19's crash)
    [[1, 2, 0], [2, 4, 0]],  # singular
    [[np.nan, 0, 0], [0, 1, 0]],
    [[50, 0, 0], [0, 50, 0]],  # absurd scale
    [[1, 0.5, 0], [0.1, 1, 0]],  # shear: no similarity
])
def test_a_degenerate_fit_is_never_measured_nor_reported(fit):
    fit = np.array(fit, dtype=np.float64)
    assert covered_fraction(fit, (300, 400), (300, 400)) is None
    original, copy = info("/o/a.jpg", 1200, 900), info("/c/a.jpg", 600, 450)
    changes = describe(original, copy, Geometry("aligned by features", fit, (300, 400), (150, 200)), FACTS, FACTS)
    kinds = {c.kind for c in changes}
    assert not kinds & {"cropped", "rotated", "enlarged"}, changes
    assert any(c.kind == "size" for c in changes), "the pixel sizes are still said"


def test_an_error_while_measuring_one_copy_falls_back_to_what_needs_no_fit(tmp_path, monkeypatch):
    cat = sample("chelsea")
    original = save(cat, tmp_path / "cat.jpg", quality=95)
    copy = save(cat, tmp_path / "cat.png")

    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(pipeline_copies, "look_changes", broken)
    verdict = pixel_verdict(feature_gray(str(original)), feature_gray(str(copy)))
    changes, _ = described(info(original, *cat.size), info(copy, *cat.size, "PNG"), verdict)
    assert [c.kind for c in changes] == ["format"]


@pytest.mark.parametrize("method, words, mirrored", [
    (Image.Transpose.ROTATE_90, "rotated by 90° anticlockwise", False),
    (Image.Transpose.ROTATE_180, "rotated by 180°", False),
    (Image.Transpose.ROTATE_270, "rotated by 90° clockwise", False),
    (Image.Transpose.FLIP_LEFT_RIGHT, None, True),
])
def test_turns_and_mirrors_are_named_from_how_the_pixels_lie(tmp_path, method, words, mirrored):
    cat = sample("chelsea")
    original = save(cat, tmp_path / "cat.jpg", quality=95)
    turned = cat.transpose(method)
    copy = save(turned, tmp_path / "turned.jpg", quality=95)
    verdict = pixel_verdict(feature_gray(str(original)), feature_gray(str(copy)))
    assert verdict.copy
    changes, _ = described(info(original, *cat.size), info(copy, *turned.size), verdict)
    texts = [c.text for c in changes]
    kinds = {c.kind for c in changes}
    if words:
        assert words in texts, texts
    assert ("mirrored" in kinds) == mirrored, texts
    assert not kinds & {"resized", "enlarged", "cropped", "size"}, texts
    assert sum(c.kind == "rotated" for c in changes) == (1 if words else 0), texts


@pytest.mark.parametrize("sides, words", [("b", "bottom side"), ("l", "left side"), ("tb", "top and bottom"),
                                          ("tblr", "all round")])
def test_bars_on_one_side_two_sides_or_all_round_are_said_and_are_no_resize(tmp_path, sides, words):
    cat = sample("chelsea")
    w, h = cat.size
    pad = {s: 40 if s in sides else 0 for s in "tblr"}
    padded = Image.new("RGB", (w + pad["l"] + pad["r"], h + pad["t"] + pad["b"]), (0, 0, 0))
    padded.paste(cat, (pad["l"], pad["t"]))
    original = save(cat, tmp_path / "cat.jpg", quality=95)
    copy = save(padded, tmp_path / "padded.jpg", quality=95)
    bars = find_bars(np.asarray(padded, dtype=np.float32))
    assert bars.any and bars.words().startswith(f"padded with bars ({words}"), bars
    verdict = pixel_verdict(feature_gray(str(original)), feature_gray(str(copy)))
    assert verdict.copy
    copy_info = info(copy, *padded.size, fraction=w * h / (padded.size[0] * padded.size[1]))
    changes, _ = described(info(original, w, h), copy_info, verdict)
    kinds = {c.kind for c in changes}
    assert "padded" in kinds and not kinds & {"resized", "enlarged", "cropped"}, changes


def test_a_plain_picture_has_no_bars():
    assert not find_bars(np.full((100, 150, 3), 128, np.float32)).any
    assert Bars(bottom=0.1).words() == "padded with bars (bottom side; the picture fills 90%)"


def test_brightness_contrast_and_colour_are_measured_and_a_resave_claims_none(tmp_path):
    cat = sample("chelsea")
    original = str(save(cat, tmp_path / "cat.jpg", quality=95))
    TURN = pipeline_copies.TURN_OF["as is"]

    def claims(image, name):
        return {kind: text for kind, text in look_changes(original, str(save(image, tmp_path / name, quality=95)),
                                                           TURN, whole=True).claims}

    assert claims(cat, "resaved.jpg") == {}
    brighter = claims(ImageEnhance.Brightness(cat).enhance(1.3), "bright.jpg")
    assert set(brighter) == {"brightness"} and "brighter by about 3" in brighter["brightness"], brighter
    assert set(claims(ImageEnhance.Contrast(cat).enhance(0.6), "flat.jpg")) == {"contrast"}
    r, g, b = cat.split()
    warm = Image.merge("RGB", (r.point(lambda v: min(255, int(v * 1.12))), g, b.point(lambda v: int(v * 0.85))))
    assert claims(warm, "warm.jpg").get("colour") == "colours made warmer"
    sepia = ImageOps.colorize(ImageOps.grayscale(cat), (40, 26, 13), (255, 240, 192))
    assert claims(sepia, "sepia.jpg").get("colour") == "toned sepia"

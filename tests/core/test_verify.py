"""Local-feature verification on real photos: copies confirmed, look-alikes refused."""

import numpy as np
from PIL import Image, ImageEnhance

from conftest import sample, save
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match.verify import MIN_INLIERS, count_inliers, extract_features


def features_of(image: Image.Image, tmp_path, name: str):
    return extract_features(decode_gray(str(save(image, tmp_path / name, quality=90))))


def test_crop_rotation_and_dark_copy_are_confirmed(tmp_path):
    photo = sample("astronaut")
    original = features_of(photo, tmp_path, "original.jpg")
    w, h = photo.size
    copies = {
        "crop": photo.crop((40, 30, 40 + int(w * 0.85), 30 + int(h * 0.85))),
        "rotate": photo.rotate(4, resample=Image.Resampling.BICUBIC).crop((30, 30, w - 30, h - 30)),
        "dark": ImageEnhance.Brightness(photo).enhance(0.6),
        "small": photo.resize((w // 3, h // 3)),
    }
    for name, copy in copies.items():
        assert count_inliers(original, features_of(copy, tmp_path, f"{name}.jpg")) >= MIN_INLIERS, name


def test_two_halves_of_one_photo_are_refused(tmp_path):
    photo = sample("coffee")
    w, h = photo.size
    left = features_of(photo.crop((0, 0, int(w * 0.48), h)), tmp_path, "left.jpg")
    right = features_of(photo.crop((int(w * 0.52), 0, w, h)), tmp_path, "right.jpg")
    assert count_inliers(left, right) < MIN_INLIERS


def test_featureless_picture_confirms_nothing(tmp_path):
    flat = features_of(Image.new("RGB", (300, 200), (120, 120, 120)), tmp_path, "flat.png")
    other = features_of(sample("chelsea"), tmp_path, "cat.jpg")
    assert count_inliers(flat, other) == 0
    assert flat.points.shape[1] == 2 and np.isfinite(flat.points).all()

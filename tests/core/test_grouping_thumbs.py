"""100-px thumbnails (issue 18): a thumbnail whose border trimming differs from its original's is still
its copy (grouping.untrimmed_retry), and a tiny file's best thumbnail matches are candidates
(turned.turned_candidates with ``rows``), on made images."""

from __future__ import annotations

import numpy as np
from conftest import sample
from PIL import Image

from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match.turned import turned_candidates
from photodedup.core.match.grouping import copy_verdict, pixel_verdict


def with_grainy_dark_foot(name: str, share: float = 0.2) -> Image.Image:
    """A photo whose bottom ``share`` is dark with a fine bright grain: picture at full size, a plain
    bar once shrunk to 100 px (the grain averages away), so only the thumbnail is trimmed."""
    pixels = np.asarray(sample(name).resize((1200, 800))).copy()
    band = int(800 * share)
    pixels[-band:] = 10
    pixels[-band:][np.random.default_rng(0).random((band, 1200)) < 0.05] = 200
    return Image.fromarray(pixels)


def test_a_thumbnail_trimmed_unlike_its_original_is_its_copy(tmp_path):
    photo = with_grainy_dark_foot("chelsea")
    photo.save(tmp_path / "original.jpg", quality=92)
    photo.thumbnail((100, 100), Image.Resampling.LANCZOS)
    photo.save(tmp_path / "thumb100.jpg", quality=80)
    original, thumb = str(tmp_path / "original.jpg"), str(tmp_path / "thumb100.jpg")
    grays = decode_gray(original), decode_gray(thumb)
    assert grays[0].shape[1] / grays[0].shape[0] < 1.55 < grays[1].shape[1] / grays[1].shape[0]  # trimmed unlike
    assert not pixel_verdict(*grays).copy  # compared trimmed, they disagree
    assert copy_verdict(original, thumb).copy


def test_the_untrimmed_comparison_does_not_make_two_photos_one(tmp_path):
    for name in ("chelsea", "coffee"):
        photo = with_grainy_dark_foot(name)
        if name == "coffee":
            photo.thumbnail((100, 100), Image.Resampling.LANCZOS)
        photo.save(tmp_path / f"{name}.jpg", quality=85)
    assert not copy_verdict(str(tmp_path / "chelsea.jpg"), str(tmp_path / "coffee.jpg")).copy


def test_a_tiny_file_gets_its_best_thumbnail_matches_as_candidates():
    rng = np.random.default_rng(1)
    thumbs = rng.integers(0, 255, (6, 32, 32)).astype(np.uint8)
    thumbs[5] = np.clip(thumbs[2].astype(int) + rng.integers(-90, 90, (32, 32)), 0, 255)  # 2, badly trimmed
    aspects = np.ones(6)
    assert turned_candidates(thumbs, aspects) == []  # under the 0.93 every photo is asked for
    assert turned_candidates(thumbs, aspects, rows=[5], correlation=0.4, per_photo=2) == [(2, 5)]

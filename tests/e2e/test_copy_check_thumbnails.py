"""The copy check finds 100-px thumbnails of the originals as a scan does (issue 19): the embedding
puts a thumbnail too far from its original, so its best thumbnail matches are proposed too
(copy_proposals.tiny_partners, the scan's turned.turned_candidates), and a thumbnail whose border
trimming differs from its original's is compared again untrimmed (grouping.untrimmed_retry).
Each is said to be resized, and nothing its resampler did is taken for an edit."""

from __future__ import annotations

import os

import numpy as np
from conftest import sample, save
from PIL import Image

from photodedup.core.copy_check import CopyCheckOptions, find_copies
from photodedup.core.match.grouping import feature_gray, pixel_verdict


def _starry(picture: Image.Image) -> Image.Image:
    """The picture with a dark, starry band above and to the left: specks enough in each line of the
    photo to be picture, averaged away in a 100-px thumbnail, whose trimming then cuts the bands."""
    rng = np.random.default_rng(5)

    def sky(height: int, width: int) -> np.ndarray:
        band = np.zeros((height, width, 3), np.uint8)
        count = height * width // 30
        band[rng.integers(0, height, count), rng.integers(0, width, count)] = 255
        return band

    pixels = np.asarray(picture)
    height, width = pixels.shape[:2]
    pixels = np.concatenate([sky(height // 12, width), pixels], axis=0)
    return Image.fromarray(np.concatenate([sky(pixels.shape[0], width // 8), pixels], axis=1))


def _thumbnail(picture: Image.Image) -> Image.Image:
    small = picture.copy()
    small.thumbnail((100, 100), Image.Resampling.LANCZOS)
    return small


def test_100_px_thumbnails_are_found_and_said_resized(tmp_path, embedder):
    originals, look_in = tmp_path / "originals", tmp_path / "look_in"
    pictures = {"chelsea": sample("chelsea"), "astronaut": sample("astronaut"), "starry": _starry(sample("coffee"))}
    for name, picture in pictures.items():
        save(picture, originals / f"{name}.jpg", quality=95)
        save(_thumbnail(picture), look_in / f"{name}_thumb.jpg", quality=85)
    trimmed = feature_gray(str(originals / "starry.jpg")), feature_gray(str(look_in / "starry_thumb.jpg"))
    assert not pixel_verdict(*trimmed).copy, "the starry thumbnail needs the untrimmed retry"
    result = find_copies(CopyCheckOptions([str(originals)], [str(look_in)], cache_dir=tmp_path / "cache"),
                         embedder_factory=lambda: embedder)
    found = {os.path.basename(c.info.file.path): (os.path.basename(o.original.file.path), c.changes)
             for o in result.originals for c in o.copies}
    for name in pictures:
        original, changes = found[f"{name}_thumb.jpg"]
        assert original == f"{name}.jpg", found
        kinds = {change.kind for change in changes}
        assert "resized" in kinds, changes
        assert not kinds & {"brightness", "contrast", "padded", "noise", "blur", "sharpen", "cropped"}, changes

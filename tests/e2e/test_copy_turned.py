"""The copy check (issue 19): a crop turned by 90°, 180° or 270° is proposed (the embedding of the
copy turned back), found under its original and named; the turned vectors are cached, so a warm
run embeds nothing and says the same."""

from __future__ import annotations

import os

import numpy as np
from conftest import sample, save
from PIL import Image

from photodedup.core.copy_check import CopyCheckOptions, find_copies
from photodedup.core.copy_proposals import TurnedEmbedder


class CountingEmbedder:
    """The real model, counting the pictures it embeds."""

    def __init__(self, embedder) -> None:
        self.embedder, self.model_id, self.count = embedder, embedder.model_id, 0

    def embed(self, images: np.ndarray) -> np.ndarray:
        self.count += len(images)
        return self.embedder.embed(images)


def _answer(result):
    return sorted((os.path.basename(o.original.file.path), os.path.basename(c.info.file.path),
                   tuple(ch.text for ch in c.changes)) for o in result.originals for c in o.copies)


def test_a_turned_crop_is_found_named_and_the_warm_run_embeds_nothing(tmp_path, embedder):
    originals, look_in = tmp_path / "originals", tmp_path / "look_in"
    turns = {"chelsea": (Image.Transpose.ROTATE_90, "rotated by 90° anticlockwise"),
             "coffee": (Image.Transpose.ROTATE_180, "rotated by 180°"),
             "astronaut": (Image.Transpose.ROTATE_270, "rotated by 90° clockwise")}
    for name, (turn, _) in turns.items():
        picture = sample(name)
        w, h = picture.size
        save(picture, originals / f"{name}.jpg", quality=95)
        crop = picture.crop((int(w * 0.1), int(h * 0.12), int(w * 0.85), int(h * 0.92)))  # 60% of the picture
        save(crop.transpose(turn), look_in / f"{name}_crop_turned.jpg", quality=92)
    options = CopyCheckOptions([str(originals)], [str(look_in)], cache_dir=tmp_path / "cache")
    cold_model = CountingEmbedder(embedder)
    cold = _answer(find_copies(options, embedder_factory=lambda: cold_model))
    found = {copy: (original, texts) for original, copy, texts in cold}
    for name, (_, words) in turns.items():
        original, texts = found[f"{name}_crop_turned.jpg"]
        assert original == f"{name}.jpg", found
        assert words in texts, texts
        cropped = next(t for t in texts if t.startswith("cropped: shows "))
        assert abs(int(cropped.split()[2].rstrip("%")) - 60) <= 5, texts
    warm_model = CountingEmbedder(embedder)
    assert _answer(find_copies(options, embedder_factory=lambda: warm_model)) == cold
    assert cold_model.count > 0 and warm_model.count == 0, "the turned vectors come from their cache when warm"


def test_the_turned_embedder_gives_the_model_s_vectors_of_the_picture_turned(embedder):
    picture = np.asarray(sample("chelsea").resize((224, 224)), dtype=np.uint8)[None]
    turned = TurnedEmbedder(embedder).embed(picture)
    assert turned.shape == (1, 3 * 1280)
    for k in (1, 2, 3):
        expected = embedder.embed(np.ascontiguousarray(np.rot90(picture, k, axes=(1, 2))))[0]
        assert np.allclose(turned[0, (k - 1) * 1280:k * 1280], expected, atol=1e-5)
    assert not np.allclose(turned[0, :1280], embedder.embed(picture)[0], atol=1e-2), "turned is not as is"

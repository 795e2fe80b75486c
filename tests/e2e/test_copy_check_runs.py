"""The copy check (issue 19): a neighbouring shot is no copy; cold and warm runs say the same."""

from __future__ import annotations

import os

from conftest import sample, save
from PIL import Image

from photodedup.core.copy_check import CopyCheckOptions, find_copies


def _answer(result):
    return sorted((os.path.basename(o.original.file.path), os.path.basename(c.info.file.path),
                   tuple(ch.text for ch in c.changes)) for o in result.originals for c in o.copies)


def test_cold_and_warm_runs_give_the_same_answer_and_a_neighbouring_shot_is_no_copy(tmp_path, embedder):
    cat, coffee = sample("chelsea"), sample("coffee")
    w, h = cat.size
    originals, look_in = tmp_path / "originals", tmp_path / "look_in"
    save(cat.crop((0, 0, int(w * 0.62), h)), originals / "left.jpg", quality=95)
    save(coffee, originals / "coffee.jpg", quality=95)
    save(cat.crop((int(w * 0.38), 0, w, h)), look_in / "right_neighbour.jpg", quality=95)  # the next shot
    save(cat.crop((0, 0, int(w * 0.62), h)).transpose(Image.Transpose.ROTATE_90), look_in / "left_turned.jpg",
         quality=95)
    save(coffee.resize((coffee.width // 2, coffee.height // 2)), look_in / "coffee_small.jpg", quality=95)
    save(coffee.transpose(Image.Transpose.FLIP_LEFT_RIGHT), look_in / "coffee_mirror.jpg", quality=95)
    options = CopyCheckOptions([str(originals)], [str(look_in)], cache_dir=tmp_path / "cache")
    cold = _answer(find_copies(options, embedder_factory=lambda: embedder))
    warm = _answer(find_copies(options, embedder_factory=lambda: embedder))
    assert cold == warm
    copies = {copy: (original, texts) for original, copy, texts in cold}
    assert "right_neighbour.jpg" not in copies, copies
    assert copies["left_turned.jpg"][0] == "left.jpg" and "rotated by 90° anticlockwise" in copies["left_turned.jpg"][1]
    assert any(t.startswith("resized to 50%") for t in copies["coffee_small.jpg"][1]), copies
    assert "mirrored (flipped left to right)" in copies["coffee_mirror.jpg"][1], copies


def test_a_warm_run_reads_the_pixel_verdicts_it_kept_and_answers_the_same(tmp_path, embedder, monkeypatch):
    """core/copy_verdicts.py: every verdict of the first run is kept, exactly; the second compares no pixels."""
    from photodedup.core import copy_check

    cat, coffee = sample("chelsea"), sample("coffee")
    originals, look_in = tmp_path / "originals", tmp_path / "look_in"
    save(cat, originals / "cat.jpg", quality=95)
    save(coffee, originals / "coffee.jpg", quality=95)
    save(cat.resize((cat.width // 2, cat.height // 2)), look_in / "cat_small.jpg", quality=90)
    save(coffee.transpose(Image.Transpose.ROTATE_90), look_in / "coffee_turned.jpg", quality=90)
    save(sample("astronaut"), look_in / "astronaut.jpg", quality=90)  # a copy of nothing
    options = CopyCheckOptions([str(originals)], [str(look_in)], cache_dir=tmp_path / "cache")
    made = []
    real = copy_check.pixel_verdict
    monkeypatch.setattr(copy_check, "pixel_verdict", lambda a, b: made.append(1) or real(a, b))

    def run():
        result = find_copies(options, embedder_factory=lambda: embedder)
        return _answer(result), [(c.distance, c.matches) for o in result.originals for c in o.copies]

    cold = run()
    compared = len(made)
    warm = run()
    assert compared >= 2 and len(made) == compared, "the warm run compared no pixels"
    assert cold == warm
    assert {copy for _, copy, _ in cold[0]} == {"cat_small.jpg", "coffee_turned.jpg"}

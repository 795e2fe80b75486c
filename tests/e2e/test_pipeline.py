"""The whole pipeline on real photos with the real model and the real SQLite cache."""

from __future__ import annotations

import os

import numpy as np

import pytest

from conftest import SAMPLES, jpeg_bytes, sample
from photodedup.core import dedupe as pipeline
from photodedup.core.match import grouping as pipeline_grouping
from photodedup.core.match import keeper_evidence
from photodedup.core.analyse import read as reading
from photodedup.core.dedupe import ScanOptions, run_scan


def names(group):
    return sorted(os.path.basename(m.path) for m in group.members)


def test_groups_copies_and_leaves_unrelated_photos_alone(library, tmp_path, embedder):
    result = run_scan(ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert [names(g) for g in result.groups] == [["cat copy.jpg", "cat.jpg", "cat_q45.jpg", "cat_small.jpg"]]
    (group,) = result.groups
    by_name = {os.path.basename(m.path): m for m in group.members}
    assert group.keeper.path.endswith("cat.jpg") or group.keeper.path.endswith("cat copy.jpg")
    kept = os.path.basename(group.keeper.path)
    twin = "cat copy.jpg" if kept == "cat.jpg" else "cat.jpg"
    assert by_name[twin].reason == "exact" and by_name[twin].distance == 0.0
    for name in ("cat_q45.jpg", "cat_small.jpg"):
        assert by_name[name].reason == "near" and 0.0 < by_name[name].distance < 0.45
    assert result.problems == []
    assert result.stats.files_found == 6 and result.stats.files_decoded == 6


def test_second_scan_decodes_nothing_and_loads_no_model(library, tmp_path, embedder, monkeypatch):
    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    first = run_scan(options, embedder_factory=lambda: embedder)
    decodes = []
    real = reading.read_and_decode
    monkeypatch.setattr(reading, "read_and_decode", lambda f: decodes.append(f) or real(f))
    real_gray = pipeline_grouping.decode_gray
    monkeypatch.setattr(pipeline_grouping, "decode_gray", lambda p: decodes.append(p) or real_gray(p))

    def no_model():
        raise AssertionError("the model must not be loaded when nothing changed")

    second = run_scan(options, embedder_factory=no_model)
    assert decodes == [] and second.stats.cache_hits == 6
    assert [names(g) for g in second.groups] == [names(g) for g in first.groups]


def test_changed_file_is_reanalysed(library, tmp_path, embedder):
    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    run_scan(options, embedder_factory=lambda: embedder)
    library["recompressed"].write_bytes(jpeg_bytes(sample("coffee"), quality=45))  # now a coffee
    result = run_scan(options, embedder_factory=lambda: embedder)
    assert result.stats.files_decoded == 1
    groups = sorted(names(g) for g in result.groups)
    assert groups == [["cat copy.jpg", "cat.jpg", "cat_small.jpg"], ["cat_q45.jpg", "coffee.jpg"]]


def test_bad_files_become_problems_and_the_scan_completes(library, tmp_path, embedder):
    root = library["root"]
    (root / "truncated.jpg").write_bytes(library["original"].read_bytes()[:2500])
    (root / "random.jpg").write_bytes(os.urandom(4096))
    (root / "empty.png").write_bytes(b"")
    result = run_scan(ScanOptions([str(root)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    reasons = {os.path.basename(p.path): p.reason for p in result.problems}
    assert set(reasons) == {"truncated.jpg", "random.jpg", "empty.png"}
    assert "truncated" in reasons["truncated.jpg"] and "not an image" in reasons["random.jpg"]
    assert "empty" in reasons["empty.png"]
    assert len(result.groups) == 1 and len(result.groups[0].members) == 4


def test_overlapping_roots_and_symlinked_folder_give_each_file_once(library, tmp_path, embedder):
    root = library["root"]
    os.symlink(root / "exports", root / "link-to-exports")
    roots = [str(root), str(root / "exports"), str(root / "link-to-exports")]
    result = run_scan(ScanOptions(roots, cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert result.stats.files_found == 6
    paths = [m.path for g in result.groups for m in g.members]
    assert len(paths) == len(set(paths)) == 4
    assert not any("link-to-exports" in p for p in paths)


def test_cancel_keeps_what_was_cached(library, tmp_path, embedder):
    from photodedup.core.progress import CancelToken, Cancelled, NullProgress

    token = CancelToken()

    class CancelAfterFirstBatch(NullProgress):
        def advance(self, count=1):
            if self.stage == "Analysing photos":
                token.cancel()

        def start(self, stage, total=None):
            self.stage = stage

    options = ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache")
    pipeline.BATCH_SIZE, saved = 2, pipeline.BATCH_SIZE
    try:
        with pytest.raises(Cancelled):
            run_scan(options, CancelAfterFirstBatch(token), embedder_factory=lambda: embedder)
    finally:
        pipeline.BATCH_SIZE = saved
    again = run_scan(options, embedder_factory=lambda: embedder)
    assert again.stats.cache_hits >= 2 and again.stats.cache_hits + again.stats.files_decoded == 6


def test_look_alike_halves_of_one_photo_are_not_grouped_but_a_crop_is(tmp_path, embedder):
    from conftest import save

    photo = sample("astronaut").resize((1024, 1024))
    root = tmp_path / "halves"
    save(photo.crop((0, 0, 490, 1024)), root / "left.jpg", quality=92)
    save(photo.crop((534, 0, 1024, 1024)), root / "right.jpg", quality=92)
    save(photo, root / "whole.jpg", quality=92)
    save(photo.crop((60, 60, 60 + 870, 60 + 870)), root / "crop.jpg", quality=80)
    result = run_scan(ScanOptions([str(root)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert [names(g) for g in result.groups] == [["crop.jpg", "whole.jpg"]]
    (crop,) = [m for m in result.groups[0].members if not m.keeper]
    assert crop.reason == "near" and crop.detail.startswith("similar picture")


def test_a_cold_scan_verifies_from_its_own_decode_not_the_files_again(library, tmp_path, embedder, monkeypatch):
    """Verification reads the gray pictures the analysis kept, and the scratch file goes afterwards."""
    def no_second_decode(path, *args):
        raise AssertionError(f"{path} decoded a second time")

    monkeypatch.setattr(pipeline_grouping, "decode_gray", no_second_decode)
    result = run_scan(ScanOptions([str(library["root"])], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    assert [names(g) for g in result.groups] == [["cat copy.jpg", "cat.jpg", "cat_q45.jpg", "cat_small.jpg"]]
    assert not list((tmp_path / "cache").glob(".scan-scratch-*"))


def sky(seed: int, tint: tuple[int, int, int]):
    """A clear-sky photo: a smooth gradient with sensor noise, nothing to recognise."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    rows = np.linspace(0, 1, 600)[:, None, None]
    top, bottom = np.array(tint, float), np.array([200, 220, 240], float)
    pixels = top + (bottom - top) * rows + np.zeros((600, 900, 3)) + rng.normal(0, 3, (600, 900, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def test_two_different_featureless_photos_are_not_grouped(tmp_path, embedder):
    """Look-alike is not copy: without detail to confirm it, a close pair must pass local features."""
    from photodedup.core.analyse.decode import MIN_DETAIL, decode_image, picture_detail
    from photodedup.core.match.group import SURE_THRESHOLD, vector_distance

    folder = tmp_path / "skies"
    folder.mkdir()
    sky(1, (70, 110, 190)).save(folder / "sky-monday.jpg", quality=90)
    sky(2, (80, 120, 200)).save(folder / "sky-tuesday.jpg", quality=90)
    (folder / "sky-monday copy.jpg").write_bytes((folder / "sky-monday.jpg").read_bytes())
    images = [decode_image(str(folder / name)) for name in ("sky-monday.jpg", "sky-tuesday.jpg")]
    vectors = embedder.embed(np.stack([i.pixels for i in images]))
    assert vector_distance(vectors[0], vectors[1]) < SURE_THRESHOLD, "the model alone would call them copies"
    assert all(picture_detail(i.thumb) < MIN_DETAIL for i in images)
    assert picture_detail(decode_image(str(SAMPLES / "coffee.jpg")).thumb) > MIN_DETAIL
    result = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    copies = [g for g in result.groups if g.kind == "copies"]
    assert [names(g) for g in copies] == [["sky-monday copy.jpg", "sky-monday.jpg"]], "only the exact copy"
    for group in result.groups:  # two skies may be offered as similar shots, never as copies
        assert group.kind == "copies" or names(group) == ["sky-monday.jpg", "sky-tuesday.jpg"]


def test_the_jpeg_is_kept_over_its_lossless_resave_and_a_lossy_webp_is_never_decoded_for_it(
        tmp_path, embedder, monkeypatch):
    from PIL import Image

    root = tmp_path / "shots"
    root.mkdir()
    sample("chelsea").save(root / "shot.jpg", quality=90)
    with Image.open(root / "shot.jpg") as decoded:
        decoded.save(root / "shot-resaved.png")  # the JPEG's own pixels, losslessly
        decoded.save(root / "shot-web.webp", quality=60)  # lossy (and smaller): can't hold them exactly
    compared = []
    real = keeper_evidence.same_pixels
    monkeypatch.setattr(keeper_evidence, "same_pixels", lambda a, b: compared.append((a, b)) or real(a, b))
    options = ScanOptions([str(root)], cache_dir=tmp_path / "cache")
    (group,) = run_scan(options, embedder_factory=lambda: embedder).groups
    assert names(group) == ["shot-resaved.png", "shot-web.webp", "shot.jpg"]
    assert os.path.basename(group.keeper.path) == "shot.jpg"
    assert [tuple(map(os.path.basename, pair)) for pair in compared] == [("shot-resaved.png", "shot.jpg")]
    compared.clear()
    (again,) = run_scan(options, embedder_factory=lambda: embedder).groups
    assert os.path.basename(again.keeper.path) == "shot.jpg" and compared == []  # remembered

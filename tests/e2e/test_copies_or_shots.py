"""A whole scan on made pairs: copies in one group each, similar shots apart, cold = warm."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from conftest import sample, save
from photodedup.core import dedupe as pipeline
from photodedup.core.match import grouping as pipeline_grouping
from photodedup.core.analyse import read as reading
from photodedup.core.dedupe import ScanOptions, run_scan


def made_library(root):
    """Coffee and its copies (turned, mirrored, brightened, grey, a 100-px thumbnail), two frames
    of a pan over the cat photo (each with a copy), and the astronaut with a patch of coffee pasted in."""
    coffee, cat, astronaut = sample("coffee"), sample("chelsea"), sample("astronaut")
    small = coffee.copy()
    small.thumbnail((100, 100))
    save(coffee, root / "coffee.jpg", quality=92)
    save(coffee.transpose(Image.Transpose.ROTATE_90), root / "turned" / "coffee-90.jpg", quality=92)
    save(ImageOps.mirror(coffee), root / "mirrored" / "coffee.jpg", quality=92)
    save(ImageEnhance.Brightness(coffee).enhance(1.3), root / "edits" / "coffee-bright.jpg", quality=92)
    save(ImageOps.grayscale(coffee).convert("RGB"), root / "edits" / "coffee-grey.jpg", quality=92)
    save(small, root / "web" / "coffee-thumb.jpg", quality=85)
    w, h = cat.size
    left, right = cat.crop((0, 0, int(w * 0.62), h)), cat.crop((int(w * 0.38), 0, w, h))
    save(left, root / "pan" / "cat-1.jpg", quality=92)
    save(left.resize((left.width // 2, left.height // 2)), root / "pan" / "cat-1-small.jpg", quality=90)
    save(right, root / "pan" / "cat-2.jpg", quality=92)
    save(right, root / "pan" / "cat-2-q50.jpg", quality=50)
    replaced = astronaut.copy()
    replaced.paste(coffee.crop((200, 100, 380, 260)), (300, 60))
    save(astronaut, root / "sofa" / "astronaut.jpg", quality=92)
    save(replaced, root / "sofa" / "astronaut-and-cup.jpg", quality=92)


def summary(result):
    return sorted((g.kind, os.path.basename(g.keeper.path), sorted(os.path.relpath(m.path) for m in g.members))
                  for g in result.groups)


def test_copies_are_one_picture_each_and_similar_shots_mark_nothing(tmp_path, embedder, monkeypatch):
    root = tmp_path / "photos"
    made_library(root)
    monkeypatch.chdir(root)
    options = ScanOptions([str(root)], cache_dir=tmp_path / "cache")
    cold = run_scan(options, embedder_factory=lambda: embedder)
    copies = [g for g in cold.groups if g.kind == "copies"]
    by_keeper = {os.path.relpath(g.keeper.path): sorted(os.path.relpath(m.path) for m in g.members) for g in copies}
    assert by_keeper["coffee.jpg"] == sorted(["coffee.jpg", "turned/coffee-90.jpg", "mirrored/coffee.jpg",
                                              "edits/coffee-bright.jpg", "edits/coffee-grey.jpg",
                                              "web/coffee-thumb.jpg"])
    for group in copies:  # no copy group holds two pictures
        pictures = {os.path.basename(m.path).split("-")[0].split(".")[0] for m in group.members}
        names = {os.path.relpath(m.path) for m in group.members}
        assert not ({"pan/cat-1.jpg", "pan/cat-2.jpg"} <= names
                    or {"sofa/astronaut.jpg", "sofa/astronaut-and-cup.jpg"} <= names)
        assert not ({"pan/cat-1-small.jpg", "pan/cat-2.jpg"} <= names), pictures
    similar = [sorted(os.path.relpath(m.path) for m in g.members) for g in cold.groups if g.kind == "similar"]
    assert ["pan/cat-1.jpg", "pan/cat-2.jpg"] in similar, "two frames of a pan: similar shots, each shown by its keeper"
    assert ["sofa/astronaut-and-cup.jpg", "sofa/astronaut.jpg"] in similar
    for group in cold.groups:
        if group.kind == "similar":
            assert group.reclaimable_bytes == 0 and group.note.startswith("best shot")
    # A warm rescan decodes nothing and gives the very same groups and keepers.
    decodes = []
    real = pipeline_grouping.decode_gray
    monkeypatch.setattr(pipeline_grouping, "decode_gray", lambda *a: decodes.append(a) or real(*a))
    monkeypatch.setattr(reading, "read_and_decode", lambda f: decodes.append(f))

    warm = run_scan(options, embedder_factory=lambda: None)
    assert decodes == []
    assert summary(warm) == summary(cold)
    assert [(g.kind, g.keeper.path) for g in warm.groups] == [(g.kind, g.keeper.path) for g in cold.groups]


def _with_capture(photo, path, tags: dict):
    exif = Image.Exif()
    details = exif.get_ifd(0x8769)
    details.update({0x9003: "2026:05:01 10:00:00", 0x829A: 1 / 250, 0x829D: 8.0, **tags})  # taken, time, f-number
    path.parent.mkdir(parents=True, exist_ok=True)
    photo.save(path, quality=92, exif=exif)
    return path


def test_frames_of_an_exposure_bracket_are_similar_shots_and_an_edit_that_keeps_the_tags_a_copy(tmp_path, embedder):
    cat = sample("chelsea").convert("RGB")
    root = tmp_path / "photos"
    normal = _with_capture(cat, root / "IMG_1.jpg", {0x9204: 0.0})  # the 0 EV frame
    under = _with_capture(ImageEnhance.Brightness(cat).enhance(0.5), root / "IMG_2.jpg", {0x9204: -2.0})
    brightened = _with_capture(ImageEnhance.Brightness(cat).enhance(1.3), root / "edits" / "IMG_1-bright.jpg",
                               {0x9204: 0.0})  # an edit of the 0 EV frame: the camera's tags kept
    result = run_scan(ScanOptions([str(root)], cache_dir=tmp_path / "cache"), embedder_factory=lambda: embedder)
    copies = [sorted(m.path for m in g.members) for g in result.groups if g.kind == "copies"]
    assert copies == [sorted([str(normal), str(brightened)])], summary(result)
    assert any(str(under) in [m.path for m in g.members] for g in result.groups if g.kind == "similar"), summary(result)


def test_the_copy_check_calls_a_bracket_frame_another_exposure_as_the_scan_does(tmp_path, embedder):
    """find-copies applies the scan's camera-exposure veto: a -2 EV frame is no copy of the 0 EV one
    (it used to be reported as a darkened copy, which `trash` of a report would then be asked to move),
    and an edit that kept the camera's tags still is."""
    from photodedup.core.copy_check import CopyCheckOptions, find_copies

    cat = sample("chelsea").convert("RGB")
    originals, others = tmp_path / "originals", tmp_path / "downloads"
    _with_capture(cat, originals / "IMG_1.jpg", {0x9204: 0.0})
    under = _with_capture(ImageEnhance.Brightness(cat).enhance(0.5), others / "IMG_2.jpg", {0x9204: -2.0})
    bright = _with_capture(ImageEnhance.Brightness(cat).enhance(1.3), others / "IMG_1-bright.jpg", {0x9204: 0.0})
    result = find_copies(CopyCheckOptions([str(originals)], [str(others)], cache_dir=tmp_path / "cache"),
                         embedder_factory=lambda: embedder)
    found = {c.info.file.path for entry in result.originals for c in entry.copies}
    assert str(bright) in found
    assert str(under) not in found

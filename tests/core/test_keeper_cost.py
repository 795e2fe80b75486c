"""The keeper's costly measures are taken only where they can change the answer (issue 18, cold-scan
cost): the full-size detail measure of a larger file only when the rules after "pixels" would not
pick it anyway, and the frame measure's decode only when the scan's own grey picture has an outer
ring uniform enough to be a frame. On made files, with a real cache; the keeper must stay the one
the eager rules choose."""

from __future__ import annotations

import os

import numpy as np
from conftest import sample, save
from PIL import Image, ImageOps

from photodedup.core.analyse.cache import Cache
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match import origin as origin_module
from photodedup.core.match.measures import keeper_facts
from photodedup.core.match.origin import frame_of, measure_frame, origin_facts, plainly_unframed
from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.review.keeper import PixelEvidence, _more_pixels, choose_keeper


def info_of(path, when):
    os.utime(path, ns=(when, when))
    with Image.open(path) as image:
        width, height = image.size
        image_format = image.format
    return ImageInfo(ImageFile(str(path), path.stat().st_size, when, 1, hash(str(path)) % 10**6), width, height,
                     image_format, f"hash-{path.name}", None, 1.0)


def keeper_and_measured(tmp_path, infos):
    """The keeper's file name and the files whose full-size origin facts were measured."""
    measured = []
    cache = Cache(tmp_path / "cache", "m")
    with cache:
        hashes = {info.file.path: info.content_hash for info in infos}

        def measure_origin(path):
            measured.append(os.path.basename(path))
            return origin_facts(path, hashes[path], cache)

        evidence = PixelEvidence(measure=lambda path: keeper_facts(path, hashes[path], cache),
                                 measure_origin=measure_origin,
                                 measure_frame=lambda path: frame_of(path, hashes[path], cache))
        keeper = choose_keeper(infos, evidence=evidence)
        eager = PixelEvidence(measure=evidence.measure, measure_origin=lambda path: origin_facts(path, hashes[path], cache),
                              measure_frame=evidence.measure_frame)
        # what "pixels" alone says for the two, measured eagerly (the rule as it was)
        decided = _more_pixels(infos[0], infos[1], _context(infos, eager))
        return os.path.basename(infos[keeper].file.path), measured, decided


def _context(infos, evidence):
    from photodedup.core.review.keeper import KeeperContext

    return KeeperContext((), frozenset(), evidence, {}, tuple(infos))


def test_the_full_size_measure_is_skipped_when_the_later_rules_pick_the_larger_file_anyway(tmp_path):
    original = save(sample("coffee"), tmp_path / "original.jpg", quality=90)
    photo = Image.open(original).convert("RGB")
    resized = save(photo.resize((int(photo.width / 1.6), int(photo.height / 1.6)), Image.LANCZOS),
                   tmp_path / "resized.jpg", quality=90)
    # The original is the older file: "oldest-file" picks it whatever "pixels" says.
    keeper, measured, decided = keeper_and_measured(tmp_path, [info_of(original, 10), info_of(resized, 20)])
    assert keeper == "original.jpg" and decided == -1
    assert measured == []


def test_the_full_size_measure_decides_when_the_later_rules_would_pick_the_smaller_file(tmp_path):
    original = save(sample("coffee"), tmp_path / "original.jpg", quality=90)
    photo = Image.open(original).convert("RGB")
    resized = save(photo.resize((int(photo.width / 1.6), int(photo.height / 1.6)), Image.LANCZOS),
                   tmp_path / "resized.jpg", quality=90)
    upscaled = save(photo.resize((int(photo.width * 1.6), int(photo.height * 1.6)), Image.BICUBIC),
                    tmp_path / "upscaled.jpg", quality=90)
    # The resized copy is the older file here: only the detail the original holds keeps it.
    keeper, measured, decided = keeper_and_measured(tmp_path, [info_of(original, 20), info_of(resized, 10)])
    assert keeper == "original.jpg" and decided == -1 and measured == ["original.jpg"]
    # An upscale holds nothing more: "pixels" ties, and the older original is kept.
    keeper, measured, decided = keeper_and_measured(tmp_path / "up", [info_of(upscaled, 20), info_of(original, 10)])
    assert keeper == "original.jpg" and decided == 0 and measured == ["upscaled.jpg"]


def test_a_picture_with_a_busy_edge_is_plainly_unframed_and_a_framed_one_is_not(tmp_path):
    original = save(sample("coffee"), tmp_path / "original.jpg", quality=90)
    photo = Image.open(original).convert("RGB")
    framed = save(ImageOps.expand(ImageOps.expand(photo, 3, (90, 90, 90)), int(photo.width * .05), (250, 250, 250)),
                  tmp_path / "framed.jpg", quality=90)
    assert plainly_unframed(decode_gray(str(original), trim=False))
    assert not plainly_unframed(decode_gray(str(framed), trim=False))
    assert measure_frame(str(framed)) < 0.9 and measure_frame(str(original)) == 1.0


def test_frame_of_decodes_only_when_the_grey_picture_may_show_a_frame(tmp_path, monkeypatch):
    original = save(sample("coffee"), tmp_path / "original.jpg", quality=90)
    photo = Image.open(original).convert("RGB")
    framed = save(ImageOps.expand(photo, int(photo.width * .05), (250, 250, 250)), tmp_path / "framed.jpg", quality=90)
    decoded = []

    def counting(path):
        decoded.append(os.path.basename(path))
        return measure_frame(path)

    monkeypatch.setattr(origin_module, "measure_frame", counting)
    with Cache(tmp_path / "cache", "m") as cache:
        assert frame_of(str(original), "h1", cache, lambda: decode_gray(str(original), trim=False)) == 1.0
        assert decoded == []
        framed_share = frame_of(str(framed), "h2", cache, lambda: decode_gray(str(framed), trim=False))
        assert decoded == ["framed.jpg"] and framed_share < 0.9
        # remembered: a rescan measures nothing, and agrees
        assert frame_of(str(framed), "h2", cache) == framed_share
        assert frame_of(str(original), "h1", cache) == 1.0
        assert decoded == ["framed.jpg"]
    assert np.isclose(framed_share, measure_frame(str(framed)), atol=1e-3)

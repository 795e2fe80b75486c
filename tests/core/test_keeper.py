"""Keeper rules: for each rule, a group where it decides; the order is the person's (issue 8)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from conftest import sample
from PIL import Image

from photodedup.core.analyse.cache import Cache
from photodedup.core.review.keeper import DEFAULT_RULES, RULES, PixelEvidence, check_rules, choose_keeper
from photodedup.core.match.measures import KeeperFacts
from photodedup.core.match.origin import OriginFacts
from photodedup.core.match.origin_extent import CROP_OF_OUTER
from photodedup.core.match.origin_format import FormatFacts
from photodedup.core.review.policy import TrashPolicy, raw_jpeg_partners
from photodedup.core.analyse.metadata import read_metadata
from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo, PhotoMetadata, ScanResult
from photodedup.core.review.report import result_to_dict
from photodedup.core.review.choices import Review


def info(path, width=4000, height=3000, size=1000, mtime_ns=10, fraction=1.0, metadata=PhotoMetadata(), kind="JPEG"):
    vector = np.ones(1280, np.float32) / np.sqrt(1280)
    return ImageInfo(ImageFile(path, size, mtime_ns, 1, hash(path) % 10**6), width, height, kind,
                     f"hash-{path}", vector, fraction, metadata)


CAMERA = PhotoMetadata("2021-06-01 10:00:00", "Canon EOS R6", "RF24-105mm", True, True)

# rule → (the file that must win, a file that differs from it only in what that rule looks at)
CASES = {
    "protected": (info("/archive/a.jpg"), info("/downloads/a.jpg")),
    "raw": (info("/p/IMG_1.CR2", 1616, 1080), info("/p/IMG_1.JPG")),
    "whole": (info("/p/whole.jpg"), info("/p/cropped.jpg", size=9000)),
    "pixels": (info("/p/big.jpg"), info("/p/small.jpg", 2000, 1500)),
    "no-padding": (info("/p/plain.jpg", fraction=0.99), info("/p/boxed.jpg", 4000, 4000, fraction=0.74)),
    "upright": (info("/p/upright.jpg"), info("/p/turned.jpg", size=9000)),
    "colour": (info("/p/colour.jpg"), info("/p/grey.jpg", size=9000)),
    "full-colour": (info("/p/photo.jpg"), info("/p/web.gif", size=9000, kind="GIF")),
    "original": (info("/p/camera.jpg", metadata=CAMERA), info("/p/export.png", size=9000)),
    "native": (info("/p/IMG_2.HEIC", metadata=CAMERA, kind="HEIF"), info("/p/IMG_2.JPG", size=9000, metadata=CAMERA)),
    "unedited": (info("/p/DSCF1.jpg", metadata=CAMERA), info("/p/DSCF1-edit.jpg", size=9000, metadata=CAMERA)),
    "as-stored": (info("/p/shown.jpg"), info("/p/tagged.jpg", size=9000)),
    "not-resaved": (info("/p/shot.jpg"), info("/p/shot-resaved.png", size=9000)),
    "not-enhanced": (info("/p/natural.jpg"), info("/p/enhanced.jpg", size=9000)),
    "detail": (info("/p/sharp.jpg"), info("/p/blurred.jpg", size=9000)),
    "quality": (info("/p/q92.jpg"), info("/p/q50.jpg", size=9000)),
    "central": (info("/p/middle.jpg"), info("/p/edited.jpg", size=9000)),
    "tones": (info("/p/wide.jpg"), info("/p/brightened.jpg", size=9000)),
    "oldest-taken": (info("/p/first.jpg", metadata=CAMERA),
                     info("/p/later.jpg", metadata=PhotoMetadata("2023-01-01 00:00:00", "Canon EOS R6", "", True, True))),
    "largest-file": (info("/p/large.jpg", size=5000), info("/p/light.jpg", size=3000)),
    "oldest-file": (info("/p/old.jpg", mtime_ns=1), info("/p/new.jpg", mtime_ns=9)),
    "shortest-path": (info("/p/a.jpg"), info("/p/longer/a.jpg")),
}


# What the pixel comparison measured for the files of the pixel rules' cases.
EVIDENCE = PixelEvidence(laid={"/p/turned.jpg": "turned 90°"}, facts={
    "/p/grey.jpg": KeeperFacts(monochrome=True), "/p/q92.jpg": KeeperFacts(quality=92),
    "/p/q50.jpg": KeeperFacts(quality=50), "/p/wide.jpg": KeeperFacts(tones=7.6),
    "/p/brightened.jpg": KeeperFacts(tones=7.0), "/p/tagged.jpg": KeeperFacts(turned_by_tag=True),
    "/p/natural.jpg": KeeperFacts(quality=88), "/p/enhanced.jpg": KeeperFacts(quality=97),
    "/p/sharp.jpg": KeeperFacts(quality=88), "/p/blurred.jpg": KeeperFacts(quality=98)}, spread={"/p/middle.jpg": 2.0, "/p/edited.jpg": 6.5},
    origins={"/p/natural.jpg": OriginFacts(blur=(0.3, 0.4)), "/p/enhanced.jpg": OriginFacts(blur=(0.6, 0.8), clipped=0.02),
             "/p/sharp.jpg": OriginFacts(blur=(0.3, 0.4)), "/p/blurred.jpg": OriginFacts(blur=(0.02, 0.03))},
    formats={"/p/web.gif": FormatFacts(palette=True), "/p/DSCF1-edit.jpg": FormatFacts(edited=True)},
    extents={("/p/whole.jpg", "/p/cropped.jpg"): CROP_OF_OUTER, ("/p/cropped.jpg", "/p/whole.jpg"): 10 * CROP_OF_OUTER})


@pytest.mark.parametrize("rule", DEFAULT_RULES)
def test_each_rule_decides_a_group(rule):
    winner, loser = CASES[rule]
    for group in ([winner, loser], [loser, winner]):
        chosen = group[choose_keeper(group, protected=["/archive"], resaves=frozenset({"/p/shot-resaved.png"}),
                                     evidence=EVIDENCE)]
        assert chosen is winner, f"{rule}: {RULES[rule][0]}"


def test_the_order_of_the_rules_is_the_persons():
    raw_preview, camera_jpeg = info("/p/IMG_1.CR2", 1616, 1080), info("/p/IMG_1.JPG", 6000, 4000)
    assert choose_keeper([raw_preview, camera_jpeg]) == 0, "by default RAW wins over more pixels"
    assert choose_keeper([raw_preview, camera_jpeg], rules=["pixels", "raw"]) == 1
    with pytest.raises(ValueError, match="unknown keeper rule"):
        check_rules(["pixels", "prettiest"])


def group_of(*infos, keeper=0):
    return Group([GroupMember(i, keeper=(n == keeper), reason="near") for n, i in enumerate(infos)])


def test_raw_and_jpeg_of_one_shot_are_not_suggested_for_trash_against_each_other():
    raw, jpeg, export = info("/p/IMG_7.NEF"), info("/p/IMG_7.jpg"), info("/p/web/IMG_7-small.jpg", 1200, 900)
    group = group_of(raw, jpeg, export)
    assert raw_jpeg_partners([m.path for m in group.members]) == {"/p/IMG_7.NEF", "/p/IMG_7.jpg"}
    choice, = Review([group]).choices
    assert choice.marked == {"/p/web/IMG_7-small.jpg"}
    asked, = Review([group], TrashPolicy(raw_jpeg_pairs_are_duplicates=True)).choices
    assert asked.marked == {"/p/IMG_7.jpg", "/p/web/IMG_7-small.jpg"}
    files = result_to_dict(ScanResult(groups=[group]))["groups"][0]["files"]
    assert [f["keeper"] for f in files] == [True, True, False] and files[1]["raw_jpeg_pair"]
    files = result_to_dict(ScanResult(groups=[group]), policy=TrashPolicy(raw_jpeg_pairs_are_duplicates=True))["groups"][0]["files"]
    assert [f["keeper"] for f in files] == [True, False, False]


def test_exif_is_read_and_cached(tmp_path):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "NIKON CORPORATION", "NIKON Z 6"
    exif.get_ifd(0x8769)[0x9003] = "2019:07:14 18:30:05"
    exif.get_ifd(0x8769)[0xA434] = "NIKKOR Z 24-70mm f/4 S"
    exif.get_ifd(0x8825)[1] = "N"
    buffer = io.BytesIO()
    sample("coffee").save(buffer, "JPEG", exif=exif)
    metadata = read_metadata(io.BytesIO(buffer.getvalue()))
    assert metadata == PhotoMetadata("2019-07-14 18:30:05", "NIKON Z 6", "NIKKOR Z 24-70mm f/4 S",
                                     True, True)
    assert read_metadata(io.BytesIO(b"not an image")) == PhotoMetadata()
    stored = info("/p/nikon.jpg", metadata=metadata)
    with Cache(tmp_path, "m") as cache:
        cache.store(stored, np.zeros((32, 32), np.uint8))
        cache.commit()
    with Cache(tmp_path, "m") as cache:
        assert cache.lookup(stored.file).metadata == metadata


def test_a_lossless_resave_of_a_jpeg_is_told_from_a_jpeg_export_of_a_lossless_original(tmp_path):
    from photodedup.core.analyse.decode import same_pixels

    photo = sample("chelsea")
    jpeg = tmp_path / "shot.jpg"
    photo.save(jpeg, quality=90)
    with Image.open(jpeg) as decoded:
        decoded.save(tmp_path / "shot-resaved.png")  # the JPEG's own pixels, losslessly
    photo.save(tmp_path / "original.png")
    photo.save(tmp_path / "export.jpg", quality=95)  # a JPEG made from the lossless original
    assert same_pixels(str(tmp_path / "shot-resaved.png"), str(jpeg))
    assert not same_pixels(str(tmp_path / "original.png"), str(tmp_path / "export.jpg"))


def test_reading_exif_on_many_threads_leaves_the_warning_filters_alone():
    # warnings.catch_warnings() swaps the process-wide filter list; from several threads
    # at once it can leave "ignore everything" behind. read_metadata runs on the decoders.
    import threading
    import warnings

    buffer = io.BytesIO()
    sample("coffee").save(buffer, "JPEG", exif=Image.Exif())
    data = buffer.getvalue()
    before = list(warnings.filters)

    def read_many():
        for _ in range(1500):
            read_metadata(io.BytesIO(data))

    threads = [threading.Thread(target=read_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert warnings.filters == before

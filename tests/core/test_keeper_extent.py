"""The whole photo is kept over a crop of it exported at its size and over a composite made around
it (fourth adversarial pass, K2 and K7): made files, measured by the code the scan uses
(match/origin_extent.py)."""

from __future__ import annotations

import pytest
from conftest import sample, save
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from photodedup.core.analyse.cache import Cache
from photodedup.core.analyse.metadata import read_metadata
from photodedup.core.match.measures import keeper_facts
from photodedup.core.match.origin_extent import CROP_OF_OUTER, NONE, PASTED_IN_OUTER, extent_of
from photodedup.core.match.origin_format import format_facts
from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.review.keeper import PixelEvidence, choose_keeper


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "samsung", "SM-G991B"
    exif.get_ifd(0x8769)[0x9003] = "2022:08:14 17:02:11"
    return exif


def photo() -> Image.Image:
    picture = sample("astronaut")
    return picture.resize((picture.width * 2, picture.height * 2), Image.LANCZOS)


def info_of(path, n):
    with Image.open(path) as image:
        width, height, kind = *ImageOps.exif_transpose(image).size, image.format
    return ImageInfo(ImageFile(str(path), path.stat().st_size, 10 + n, 1, n), width, height, kind,
                     f"hash-{path.name}", None, 1.0, read_metadata(str(path)))


def keeper_of(tmp_path, paths) -> str:
    infos = [info_of(path, n) for n, path in enumerate(paths)]
    hashes = {info.file.path: info.content_hash for info in infos}
    chosen = set()
    with Cache(tmp_path / "cache", "m") as cache:
        for order in (infos, infos[::-1]):
            evidence = PixelEvidence(measure=lambda path: keeper_facts(path, hashes[path], cache),
                                     measure_format=lambda path: format_facts(path, hashes[path], cache),
                                     measure_extent=lambda a, b: extent_of(a, hashes[a], b, hashes[b], cache))
            chosen.add(order[choose_keeper(order, evidence=evidence)].file.path.rsplit("/", 1)[-1])
    assert len(chosen) == 1, chosen
    return chosen.pop()


@pytest.mark.parametrize("share", [0.9, 0.8, 0.7])
def test_the_full_photo_is_kept_over_a_crop_exported_at_its_size(tmp_path, share):
    # K2: a crop scaled back to the original's pixel size, EXIF kept, at a higher quality, won
    # "quality" (or a later rule) over the full picture in 18 of 18 pairs.
    full = photo()
    width, height = full.size
    original = save(full, tmp_path / "original.jpg", quality=90, exif=camera_exif())
    w, h = int(width * share), int(height * share)
    x, y = (width - w) // 3, (height - h) // 2
    crop = save(full.crop((x, y, x + w, y + h)).resize(full.size, Image.LANCZOS), tmp_path / "crop_same_size.jpg",
                quality=95, exif=camera_exif())
    assert keeper_of(tmp_path, [original, crop]) == "original.jpg"


def meme(full):
    band = int(full.height * .22)
    made = Image.new("RGB", (full.width, full.height + band), "white")
    made.paste(full, (0, band))
    ImageDraw.Draw(made).text((20, band // 4), "when you finally get the shot", fill=(0, 0, 0), font_size=band // 3)
    return made


def polaroid(full):
    made = Image.new("RGB", (full.width + 60, full.height + 200), (248, 246, 240))
    made.paste(full, (30, 30))
    ImageDraw.Draw(made).text((60, full.height + 70), "Summer 2021 - lake house", fill=(40, 40, 90), font_size=60)
    return made


def collage(full):
    made = Image.new("RGB", (int(full.width * 1.45), full.height + 40), "white")
    made.paste(full, (20, 20))
    for n, other in enumerate((sample("coffee"), sample("chelsea"))):
        other.thumbnail((int(full.height * .45),) * 2)
        made.paste(other, (full.width + 40, 20 + n * int(full.height * .5)))
    return made


@pytest.mark.parametrize("make", [meme, polaroid, collage])
def test_the_photo_is_kept_over_a_composite_made_around_it(tmp_path, make):
    # K7: a caption band, a printed frame with a note, or a collage holding the whole photo has
    # more pixels, and won "pixels" in 4 of 4 pairs each.
    full = photo()
    original = save(full, tmp_path / "original.jpg", quality=93, exif=camera_exif())
    made = save(make(full), tmp_path / f"{make.__name__}.jpg", quality=88)
    assert keeper_of(tmp_path, [original, made]) == "original.jpg"


def test_a_copy_of_one_extent_and_either_order_of_the_pair(tmp_path):
    full = photo()
    original = save(full, tmp_path / "original.jpg", quality=90)
    brighter = save(ImageEnhance.Brightness(full).enhance(1.2), tmp_path / "brighter.jpg", quality=90)
    band = save(meme(full), tmp_path / "meme.jpg", quality=88)
    with Cache(tmp_path / "cache", "m") as cache:
        assert extent_of(str(original), "h1", str(brighter), "h2", cache) == NONE
        measured = extent_of(str(band), "h4", str(original), "h3", cache)
        assert measured == PASTED_IN_OUTER  # the photo (second) lies in the meme (first), a seam above it
        assert extent_of(str(original), "h3", str(band), "h4", cache) == 10 * PASTED_IN_OUTER  # from the store
    crop = save(full.crop((40, 30, 840, 630)), tmp_path / "crop.jpg", quality=90)
    with Cache(tmp_path / "cache2", "m") as cache:
        assert extent_of(str(original), "h1", str(crop), "h2", cache) == CROP_OF_OUTER

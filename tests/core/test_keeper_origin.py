"""The suggested keeper is the original under edits nobody listed (issue 18, item 5; bench/keeper_attack.py):
an upscale, a square crop exported larger, nested frames, a blurred copy at a higher quality, a plain
re-save at a higher quality, a sharpened and contrast-boosted copy. On made files, measured by the code
the scan uses (match/origin.py, a real cache)."""

from __future__ import annotations

import os

from conftest import sample, save
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from photodedup.core.analyse.cache import Cache
from photodedup.core.match.keeper_evidence import resaves_of
from photodedup.core.match.measures import keeper_facts
from photodedup.core.match.origin import (
    OriginFacts, enhanced, frame_of, holds_more, measure_frame, measure_origin, origin_facts, sharper,
)
from photodedup.core.match.origin_lossy import is_jpeg_resave
from photodedup.core.models import ImageFile, ImageInfo, PhotoMetadata
from photodedup.core.review.keeper import PixelEvidence, choose_keeper

CAMERA = PhotoMetadata("2021-06-01 10:00:00", "Canon EOS R6", "", False, True)


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "Canon", "Canon EOS R6", "2021:06:01 10:00:00"
    return exif


def info_of(path, metadata=PhotoMetadata(), when=10):
    os.utime(path, ns=(when, when))
    with Image.open(path) as image:
        width, height = image.size
        image_format = image.format
    return ImageInfo(ImageFile(str(path), path.stat().st_size, when, 1, hash(str(path)) % 10**6), width, height,
                     image_format, f"hash-{path.name}", None, 1.0, metadata)


def keeper_of(tmp_path, infos, resaves=frozenset(), origin=True):
    """The keeper's file name, with the evidence the scan gives (without the origin facts if not ``origin``)."""
    cache = Cache(tmp_path / "cache", "m")
    with cache:
        hashes = {info.file.path: info.content_hash for info in infos}
        evidence = PixelEvidence(measure=lambda path: keeper_facts(path, hashes[path], cache),
                                 measure_origin=(lambda path: origin_facts(path, hashes[path], cache)) if origin else None,
                                 measure_frame=(lambda path: frame_of(path, hashes[path], cache)) if origin else None)
        return os.path.basename(infos[choose_keeper(infos, resaves=resaves, evidence=evidence)].file.path)


def camera_original(tmp_path, name="coffee"):
    return save(sample(name), tmp_path / "original.jpg", quality=88, exif=camera_exif())


def test_an_upscaled_copy_holds_no_more_than_its_source_and_loses_to_it(tmp_path):
    original = camera_original(tmp_path)
    photo = Image.open(original).convert("RGB")
    upscaled = save(photo.resize((int(photo.width * 1.6), int(photo.height * 1.6)), Image.BICUBIC),
                    tmp_path / "upscaled.jpg", quality=80)
    resized = save(photo.resize((int(photo.width * 0.6), int(photo.height * 0.6)), Image.LANCZOS),
                   tmp_path / "resized.jpg", quality=92)
    assert not holds_more(measure_origin(str(upscaled)), 1.6)
    assert holds_more(measure_origin(str(original)), 1 / 0.6)  # a real original over its resized copy
    infos = [info_of(upscaled, when=20), info_of(original, CAMERA)]
    assert keeper_of(tmp_path, infos, origin=False) == "upscaled.jpg"  # it used to win by its pixels
    assert keeper_of(tmp_path, infos) == "original.jpg"
    assert keeper_of(tmp_path, [info_of(resized, when=20), info_of(original, CAMERA)]) == "original.jpg"


def test_an_upscale_with_the_cameras_exif_at_a_higher_quality_does_not_win(tmp_path):
    original = camera_original(tmp_path)
    photo = Image.open(original).convert("RGB")
    hostile = save(photo.resize((int(photo.width * 1.9), int(photo.height * 1.9)), Image.LANCZOS),
                   tmp_path / "IMG_0001.jpg", quality=98, exif=camera_exif())
    infos = [info_of(hostile, CAMERA, when=20), info_of(original, CAMERA)]
    assert keeper_of(tmp_path, infos, origin=False) == "IMG_0001.jpg"
    assert keeper_of(tmp_path, infos) == "original.jpg"


def test_a_soft_original_is_kept_over_its_thumbnail_whatever_their_dates(tmp_path):
    soft = save(sample("coffee").resize((1200, 800), Image.BICUBIC).filter(ImageFilter.GaussianBlur(1.5)),
                tmp_path / "original.jpg", quality=92)
    photo = Image.open(soft).convert("RGB")
    thumbnail = save(photo.resize((300, 200), Image.LANCZOS), tmp_path / "thumbnail.jpg", quality=95)
    facts = measure_origin(str(soft))
    assert facts.share_beyond(4 / 1.1) < 0.2  # as little beyond the thumbnail's frequencies as an upscale
    infos = [info_of(thumbnail, when=5), info_of(soft, when=20)]  # the thumbnail the older file
    assert keeper_of(tmp_path, infos) == "original.jpg"


def test_a_square_crop_exported_larger_loses_to_the_picture_it_was_cut_from(tmp_path):
    original = camera_original(tmp_path)
    photo = Image.open(original).convert("RGB")
    side = min(photo.size)
    left = (photo.width - side) // 2
    square = photo.crop((left, 0, left + side, side)).resize((int(photo.width * 1.08),) * 2, Image.LANCZOS)
    copy = save(square, tmp_path / "square.jpg", quality=90)
    infos = [info_of(copy, when=20), info_of(original, CAMERA)]
    assert keeper_of(tmp_path, infos, origin=False) == "square.jpg"
    assert keeper_of(tmp_path, infos) == "original.jpg"


def test_nested_frames_count_as_frame_not_picture(tmp_path):
    original = camera_original(tmp_path)
    photo = Image.open(original).convert("RGB")
    inner = ImageOps.expand(ImageOps.expand(photo, 3, (90, 90, 90)), int(photo.width * .04), (250, 250, 250))
    framed = save(ImageOps.expand(inner, int(photo.width * .01), (20, 20, 20)), tmp_path / "framed.jpg", quality=85)
    assert 0.7 < measure_frame(str(framed)) < 0.85
    assert measure_frame(str(original)) == 1.0
    infos = [info_of(framed, when=20), info_of(original, CAMERA)]
    assert keeper_of(tmp_path, infos, origin=False) == "framed.jpg"
    assert keeper_of(tmp_path, infos) == "original.jpg"


def test_a_blurred_copy_at_a_higher_quality_loses_to_the_sharper_original(tmp_path):
    original = camera_original(tmp_path)
    photo = Image.open(original).convert("RGB")
    blurred = save(photo.filter(ImageFilter.GaussianBlur(1.6)), tmp_path / "blurred.jpg", quality=98, exif=camera_exif())
    assert sharper(measure_origin(str(original)), measure_origin(str(blurred))) == -1
    infos = [info_of(blurred, CAMERA), info_of(original, CAMERA, when=20)]
    assert keeper_of(tmp_path, infos, origin=False) == "blurred.jpg"
    assert keeper_of(tmp_path, infos) == "original.jpg"


def test_a_sharpened_and_contrast_boosted_copy_loses_to_its_original(tmp_path):
    original = camera_original(tmp_path, "chelsea")
    photo = Image.open(original).convert("RGB")
    boosted = ImageEnhance.Contrast(photo.filter(ImageFilter.UnsharpMask(2, 150, 2))).enhance(1.25)
    copy = save(boosted, tmp_path / "enhanced.jpg", quality=97, exif=camera_exif())
    assert enhanced(measure_origin(str(copy)), measure_origin(str(original))) == 1
    infos = [info_of(copy, CAMERA), info_of(original, CAMERA, when=20)]
    assert keeper_of(tmp_path, infos, origin=False) == "enhanced.jpg"
    assert keeper_of(tmp_path, infos) == "original.jpg"


def test_a_plain_resave_at_a_higher_quality_is_a_resave_and_loses(tmp_path):
    original = camera_original(tmp_path)
    resave = save(Image.open(original).convert("RGB"), tmp_path / "resave.jpg", quality=98, exif=camera_exif())
    lower = save(Image.open(original).convert("RGB"), tmp_path / "lower.jpg", quality=50)
    assert is_jpeg_resave(str(resave), str(original))
    assert not is_jpeg_resave(str(original), str(lower))  # the original is not a re-save of its q50 copy
    infos = [info_of(resave, CAMERA), info_of(original, CAMERA, when=20), info_of(lower, when=30)]
    cache = Cache(tmp_path / "cache", "m")
    with cache:
        [resaves] = resaves_of([infos], cache, workers=1)
    assert resaves == {str(resave)}
    assert keeper_of(tmp_path, infos[:2]) == "resave.jpg"  # without the re-save check, "quality" decides
    assert keeper_of(tmp_path, infos, resaves) == "original.jpg"


def test_origin_facts_survive_the_cache(tmp_path):
    original = camera_original(tmp_path)
    measured = measure_origin(str(original))
    restored = OriginFacts.from_code(measured.code())
    assert restored.frame == measured.frame and restored.clipped <= 1.2e-4 + measured.clipped * 1.13
    for kept, exact in zip(restored.shares + restored.blur, measured.shares + measured.blur):
        assert abs(kept / exact - 1) < 0.07  # twentieths of a decade
    cache = Cache(tmp_path / "cache", "m")
    with cache:
        first = origin_facts(str(original), "hash-o", cache)
        original.unlink()  # the second answer comes from the cache, not the file
        assert origin_facts(str(original), "hash-o", cache) == first

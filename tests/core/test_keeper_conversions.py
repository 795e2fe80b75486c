"""The keeper is the original when the copies are conversions that look better by a rule's measure
(fourth adversarial pass, K3, K5, K6): two black-and-white copies beside a colour original, an
iPhone's HEIC beside its JPEG conversion at a higher stated quality, a 256-colour GIF or PNG beside
a JPEG without camera EXIF. Made files, measured by the code the scan uses."""

from __future__ import annotations

import pytest
from conftest import sample, save
from PIL import Image, ImageEnhance, ImageOps

from photodedup.core.analyse.cache import Cache
from photodedup.core.analyse.metadata import read_metadata
from photodedup.core.analyse.pillow_setup import configure_pillow
from photodedup.core.match.measures import keeper_facts
from photodedup.core.match.origin_format import format_facts, measure_format
from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.review.keeper import PixelEvidence, choose_keeper


def camera_exif(make="Canon", model="Canon EOS 80D") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = make, model
    exif.get_ifd(0x8769)[0x9003] = "2021:06:01 10:00:00"
    return exif


def info_of(path, n=0):
    configure_pillow()
    with Image.open(path) as image:
        width, height, kind = *ImageOps.exif_transpose(image).size, image.format
    return ImageInfo(ImageFile(str(path), path.stat().st_size, 10 + n, 1, n), width, height, kind,
                     f"hash-{path.name}", None, 1.0, read_metadata(str(path)))


def keeper_of(tmp_path, paths) -> str:
    """The suggested keeper's file name among ``paths``, each order tried (the answer must not depend on it)."""
    infos = [info_of(path, n) for n, path in enumerate(paths)]
    chosen = set()
    with Cache(tmp_path / "cache", "m") as cache:
        hashes = {info.file.path: info.content_hash for info in infos}
        for order in (infos, infos[::-1]):
            evidence = PixelEvidence(measure=lambda path: keeper_facts(path, hashes[path], cache),
                                     measure_format=lambda path: format_facts(path, hashes[path], cache))
            chosen.add(order[choose_keeper(order, evidence=evidence)].file.path.rsplit("/", 1)[-1])
    assert len(chosen) == 1, chosen
    return chosen.pop()


@pytest.mark.parametrize("with_exif", [True, False])
def test_a_colour_original_is_kept_over_two_black_and_white_copies(tmp_path, with_exif):
    # K3: "a grey photo over its colour-graded copy when most files still tied are grey" kept a
    # black-and-white copy and marked the colour original in 10 of 10 groups.
    photo = sample("chelsea")
    options = {"quality": 92, **({"exif": camera_exif()} if with_exif else {})}
    grey = ImageOps.grayscale(photo)
    paths = [save(photo, tmp_path / "original.jpg", **options),
             save(grey.convert("RGB"), tmp_path / "bw.jpg", **options),
             save(ImageEnhance.Contrast(grey).enhance(1.4).convert("RGB"), tmp_path / "bw-contrast.jpg", **options)]
    assert keeper_of(tmp_path, paths) == "original.jpg"


def test_a_colour_original_is_kept_over_its_sepia_copy_and_a_grey_photo_over_its_tint(tmp_path):
    photo = sample("chelsea")
    grey = ImageOps.grayscale(photo)
    sepia = Image.merge("RGB", (grey.point(lambda v: min(255, int(v * 1.1))), grey, grey.point(lambda v: int(v * 0.8))))
    colour = save(photo, tmp_path / "c" / "original.jpg", quality=92)
    toned = save(sepia, tmp_path / "c" / "sepia.jpg", quality=97)
    assert measure_format(str(toned)).tinted_grey and not measure_format(str(colour)).tinted_grey
    assert keeper_of(tmp_path / "c", [colour, toned]) == "original.jpg"
    grey_original = save(grey.convert("RGB"), tmp_path / "g" / "original.jpg", quality=92)
    tinted = save(sepia, tmp_path / "g" / "sepia.jpg", quality=97)
    assert keeper_of(tmp_path / "g", [grey_original, tinted]) == "original.jpg"


@pytest.mark.parametrize("jpeg_quality", [85, 95])
def test_an_iphone_heic_is_kept_over_its_jpeg_conversion(tmp_path, jpeg_quality):
    # K5: a HEIC states no quality (taken as 75), so its JPEG conversion at q85-95 won "quality"
    # in 12 of 12 pairs, each file with the phone's EXIF.
    configure_pillow()
    exif = camera_exif("Apple", "iPhone 13")
    photo = sample("chelsea")
    heic = save(photo, tmp_path / "IMG_0001.HEIC", quality=80, exif=exif.tobytes())
    with Image.open(heic) as decoded:
        jpeg = save(decoded.convert("RGB"), tmp_path / "IMG_0001.JPG", quality=jpeg_quality, exif=exif)
    assert info_of(heic).format == "HEIF" and info_of(heic).metadata.camera == info_of(jpeg).metadata.camera
    assert keeper_of(tmp_path, [heic, jpeg]) == "IMG_0001.HEIC"


def test_a_heic_without_camera_exif_is_no_evidence_and_its_unknown_quality_ties(tmp_path):
    # A HEIC converted from a camera JPEG (EXIF dropped) does not win "native"; the JPEG's camera EXIF decides.
    configure_pillow()
    photo = sample("chelsea")
    jpeg = save(photo, tmp_path / "IMG_0002.JPG", quality=70, exif=camera_exif())
    heic = save(photo, tmp_path / "IMG_0002.HEIC", quality=95)
    assert keeper_of(tmp_path, [heic, jpeg]) == "IMG_0002.JPG"


@pytest.mark.parametrize("kind", ["copy.gif", "copy-min.png"])
def test_a_jpeg_original_is_kept_over_a_256_colour_copy(tmp_path, kind):
    # K6: a palette file counted as lossless (quality 100) and won over the JPEG original
    # without camera EXIF (a scan, a download, an export) in 10 of 10 pairs.
    photo = sample("chelsea")
    original = save(photo, tmp_path / "original.jpg", quality=92)
    palette = photo.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    copy = save(palette, tmp_path / kind, optimize=True)
    assert copy.stat().st_size > 0 and measure_format(str(copy)).palette and not measure_format(str(original)).palette
    assert keeper_of(tmp_path, [original, copy]) == "original.jpg"
    # A lossless full-colour PNG (a scan kept losslessly) is no palette: it still counts as lossless.
    scan = save(photo, tmp_path / "scan" / "scan.png")
    assert not measure_format(str(scan)).palette


@pytest.mark.parametrize("export_quality", [100, 90])
def test_the_camera_file_is_kept_over_a_graded_export_that_kept_its_exif(tmp_path, export_quality):
    # K1: Lightroom's export of the camera's size keeps the camera's EXIF (so "original" ties) and
    # won "quality" at q100, or "tones" at the camera's q90, in 20 and 14 of 20 pairs.
    camera = camera_exif("FUJIFILM", "X-T3")
    camera[0x0131] = "Digital Camera X-T3 Ver3.00"
    export = camera_exif("FUJIFILM", "X-T3")
    export[0x0131] = "Adobe Photoshop Lightroom Classic 12.0 (Macintosh)"
    photo = sample("chelsea")
    original = save(photo, tmp_path / "DSCF1234.jpg", quality=90, exif=camera)
    warm = Image.merge("RGB", [band.point(lambda v, k=k: min(255, int(v * k))) for band, k in zip(photo.split(), (1.29, 1.2, 1.03))])
    edit = save(warm, tmp_path / "DSCF1234-edit.jpg", quality=export_quality, exif=export)
    assert measure_format(str(edit)).edited and not measure_format(str(original)).edited
    assert keeper_of(tmp_path, [original, edit]) == "DSCF1234.jpg"

"""The camera's file is kept over two copies turned 90° in the pixels that keep its EXIF (fourth
adversarial pass, K4): a camera stores its sensor's shape, so the copies stored taller than wide
were turned by a program, however many they are. How each file lies over the group's seed is
measured by the verifier the scan uses."""

from __future__ import annotations

from conftest import sample, save
from PIL import Image

from photodedup.core.analyse.cache import Cache
from photodedup.core.analyse.metadata import read_metadata
from photodedup.core.match.grouping import _seed, copy_verdict
from photodedup.core.match.measures import keeper_facts
from photodedup.core.match.origin_format import format_facts
from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.review.keeper import PixelEvidence, choose_keeper


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 80D"
    exif.get_ifd(0x8769)[0x9003] = "2021:06:01 10:00:00"
    return exif


def info_of(path, n):
    with Image.open(path) as image:
        width, height = image.size
    return ImageInfo(ImageFile(str(path), path.stat().st_size, 10 + n, 1, n), width, height, "JPEG",
                     f"hash-{path.name}", None, 1.0, read_metadata(str(path)))


def test_the_camera_file_is_kept_over_two_copies_turned_in_the_pixels(tmp_path):
    photo = sample("chelsea")  # wider than tall, as the camera stored it
    turned = photo.transpose(Image.Transpose.ROTATE_90)
    paths = [save(photo, tmp_path / "original.jpg", quality=92, exif=camera_exif()),
             save(turned, tmp_path / "rot90-1.jpg", quality=92, exif=camera_exif()),
             save(turned.resize((turned.width * 3 // 4, turned.height * 3 // 4)), tmp_path / "rot90-2-web.jpg", quality=85)]
    infos = [info_of(path, n) for n, path in enumerate(paths)]
    seed = _seed(infos)
    laid = {i.file.path: copy_verdict(seed.file.path, i.file.path).how for i in infos if i is not seed}
    assert sorted(laid.values()) in (["turned 270°", "turned 270°"], ["turned 90°", "turned 90°"], ["as is", "turned 90°"],
                                     ["as is", "turned 270°"]), laid
    hashes = {info.file.path: info.content_hash for info in infos}
    with Cache(tmp_path / "cache", "m") as cache:
        for order in (infos, infos[::-1]):
            evidence = PixelEvidence(laid, measure=lambda path: keeper_facts(path, hashes[path], cache),
                                     measure_format=lambda path: format_facts(path, hashes[path], cache))
            assert order[choose_keeper(order, evidence=evidence)].file.path.endswith("/original.jpg")

"""The keeper among copies that tie on size and quality (issue 18, item 5), on made files: a copy a
program turned by an EXIF tag, a frame whose plain edge one copy's trimming took for a bar, a grey
photo with a colour-graded copy, measured by the same code the scan uses."""

from __future__ import annotations

from conftest import sample, save
from PIL import Image, ImageEnhance, ImageOps

from photodedup.core.analyse.cache import Cache
from photodedup.core.match.measures import keeper_facts, measure_keeper_facts
from photodedup.core.match.origin_format import format_facts
from photodedup.core.models import ImageFile, ImageInfo, PhotoMetadata
from photodedup.core.review.keeper import PixelEvidence, choose_keeper, frame_fractions

CAMERA = PhotoMetadata("2021-06-01 10:00:00", "Canon EOS R6", "", False, True)


def info_of(path, fraction=1.0, metadata=PhotoMetadata()):
    with Image.open(path) as image:
        width, height = ImageOps.exif_transpose(image).size
    return ImageInfo(ImageFile(str(path), path.stat().st_size, 10, 1, hash(str(path)) % 10**6), width, height,
                     "JPEG", f"hash-{path.name}", None, fraction, metadata)


def evidence_for(tmp_path):
    cache = Cache(tmp_path / "cache", "m")
    return cache, PixelEvidence(measure=lambda path: keeper_facts(path, "hash-" + path.rsplit("/", 1)[-1], cache),
                                measure_format=lambda path: format_facts(path, "hash-" + path.rsplit("/", 1)[-1], cache))


def test_a_copy_turned_by_a_tag_loses_to_the_file_as_it_was(tmp_path):
    photo = sample("chelsea")
    original = save(photo, tmp_path / "original.jpg", quality=92)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned, shown upright: what a viewer's "rotate" writes
    tagged = save(photo.transpose(Image.Transpose.ROTATE_90), tmp_path / "tagged.jpg", quality=92, exif=exif)
    assert measure_keeper_facts(str(tagged)).turned_by_tag and not measure_keeper_facts(str(original)).turned_by_tag
    infos = [info_of(tagged), info_of(original)]
    assert infos[0].file.size > infos[1].file.size  # it used to win by "largest-file"
    cache, evidence = evidence_for(tmp_path)
    with cache:
        assert infos[choose_keeper(infos, evidence=evidence)] is infos[1]


def test_the_cameras_tagged_file_wins_over_a_resave_that_turned_the_pixels(tmp_path):
    photo = sample("chelsea")
    exif = Image.Exif()
    exif[0x0112], exif[0x0110] = 6, "Canon EOS R6"
    camera = save(photo.transpose(Image.Transpose.ROTATE_90), tmp_path / "IMG_1.jpg", quality=92, exif=exif)
    resave = save(photo, tmp_path / "IMG_1-upright.jpg", quality=92)  # EXIF kept, turned for real
    infos = [info_of(resave, metadata=CAMERA), info_of(camera, metadata=CAMERA)]
    cache, evidence = evidence_for(tmp_path)
    with cache:
        assert infos[choose_keeper(infos, evidence=evidence)] is infos[1]


def test_files_of_one_frame_count_the_same_picture_whatever_their_trimming_found():
    original, contrast = "/p/original.jpg", "/p/contrast.jpg"
    infos = [ImageInfo(ImageFile(path, size, 1, 1, n), 2048, 1280, "JPEG", path, None, fraction)
             for n, (path, size, fraction) in enumerate(((contrast, 466_784, 1.0), (original, 359_073, 0.928)))]
    letterbox = ImageInfo(ImageFile("/p/letterbox.jpg", 1, 1, 1, 9), 2048, 2048, "JPEG", "l", None, 0.625)
    assert frame_fractions(infos + [letterbox]) == {contrast: 1.0, original: 1.0, "/p/letterbox.jpg": 0.625}
    # The pixel rules now tie; "central" (the original sits among its edits) decides.
    evidence = PixelEvidence(spread={original: 2.8, contrast: 7.0})
    assert infos[choose_keeper(infos, evidence=evidence)].file.path == original


def test_a_grey_photo_is_kept_over_its_colour_graded_copy(tmp_path):
    grey = ImageOps.grayscale(sample("chelsea")).convert("RGB")
    original = save(grey, tmp_path / "original.jpg", quality=92)
    r, g, b = grey.split()
    graded = Image.merge("RGB", (r.point(lambda v: min(255, int(v * 1.12))), g, b.point(lambda v: int(v * 0.85))))
    tinted = save(ImageEnhance.Color(graded).enhance(1.2), tmp_path / "colorgrade.jpg", quality=92)
    grey_copy = save(grey, tmp_path / "grayscale.jpg", quality=80)
    infos = [info_of(tinted), info_of(original), info_of(grey_copy)]
    cache, evidence = evidence_for(tmp_path)
    with cache:
        assert infos[choose_keeper(infos, evidence=evidence)] is infos[1]
    # A colour photo with a grey copy: colour still wins.
    colour = save(sample("chelsea"), tmp_path / "c" / "original.jpg", quality=92)
    grey_of_it = save(grey, tmp_path / "c" / "grayscale.jpg", quality=92)
    infos = [info_of(grey_of_it), info_of(colour)]
    cache, evidence = evidence_for(tmp_path / "c")
    with cache:
        assert infos[choose_keeper(infos, evidence=evidence)] is infos[1]

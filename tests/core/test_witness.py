"""core/review/witness.py: which kept file can stand for a copy that goes, from the scan's facts."""

from __future__ import annotations

from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.review.witness import Look, why_not_witness


def info(name: str, width: int, height: int, image_format: str = "JPEG", content: float = 1.0) -> ImageInfo:
    return ImageInfo(ImageFile(f"/photos/{name}", 1000, 0, 0, 0), width, height, image_format, name,
                     content_fraction=content)


def test_the_witness_must_hold_nine_tenths_of_the_picture_not_of_the_pixels():
    original = info("a.jpg", 4000, 3000)
    assert why_not_witness(info("b.jpg", 4000, 3000), original) is None  # a re-save
    assert why_not_witness(info("c.jpg", 3900, 2950), original) is None  # a 96% crop still stands for it
    assert "more of the picture" in why_not_witness(info("d.jpg", 2000, 1500), original)
    assert "more of the picture" in why_not_witness(info("e.jpg", 4000, 4000, content=0.56), original)  # bars


def test_a_camera_file_is_witnessed_only_by_a_camera_file():
    assert "RAW" in why_not_witness(info("a.jpg", 6000, 4000), info("a.cr2", 6000, 4000, "TIFF"))
    assert why_not_witness(info("b.dng", 6000, 4000, "TIFF"), info("a.cr2", 6000, 4000, "TIFF")) is None
    heic = info("IMG_1.HEIC", 4032, 3024, "HEIF")
    assert "HEIC" in why_not_witness(info("IMG_1.jpg", 4032, 3024), heic)
    assert why_not_witness(info("IMG_1 copy.heic", 4032, 3024, "HEIF"), heic) is None
    assert why_not_witness(heic, info("IMG_1.jpg", 4032, 3024)) is None  # the HEIC stands for its JPEG


def test_colours_lost_are_never_witnessed():
    photo = info("a.jpg", 800, 600)
    assert "256 colours" in why_not_witness(info("a.gif", 800, 600, "GIF"), photo)
    looks = {"a.jpg": Look(), "grey.jpg": Look(monochrome=True), "p.png": Look(palette=True)}
    look = lambda i: looks[i.content_hash]  # noqa: E731
    assert "black and white" in why_not_witness(info("grey.jpg", 800, 600), photo, look)
    assert "256 colours" in why_not_witness(info("p.png", 800, 600, "PNG"), photo, look)
    assert why_not_witness(photo, info("grey.jpg", 800, 600), look) is None  # colour stands for grey

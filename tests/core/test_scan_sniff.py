"""Photos named as no photo is (issue 18, item 6): a JPEG saved as .jfif, .jpg_large, .svg or with no
extension is found by its first bytes; a file that is not a photo is read for SNIFF_BYTES at most."""

from __future__ import annotations

import io
import os

from conftest import sample
from PIL import Image

from photodedup.core.analyse import scan as scan_module
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.analyse.scan import SNIFF_BYTES, picture_kind, scan_roots, supported_extensions


def encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def test_photos_with_wrong_or_no_extension_are_found_by_their_content(tmp_path):
    photo = sample("coffee")
    jpeg, png = encoded(photo, "JPEG"), encoded(photo, "PNG")
    named = {"shot.jfif": jpeg, "shot.jpg_large": jpeg, "shot.svg": jpeg, "IMG_0001": jpeg, "image": png,
             "real.jpg": jpeg}
    others = {"drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n',
              "notes": b"a text file with no extension, long enough to be read\n" * 20,
              "clip.mov": jpeg,  # a live photo's video is a companion: its name is trusted
              "tiny": b"\xff\xd8"}
    for name, data in {**named, **others}.items():
        (tmp_path / name).write_bytes(data)
    os.mkfifo(tmp_path / "pipe")  # never opened: a reader would wait forever
    files, problems = scan_roots([str(tmp_path)])
    assert sorted(os.path.basename(f.path) for f in files) == sorted(named)
    assert problems == []
    for f in files:  # and they decode as the photos they are
        assert decode_gray(f.path).shape[1] > 100


def test_a_file_that_is_not_a_photo_is_read_for_a_few_bytes_only(tmp_path, monkeypatch):
    (tmp_path / "archive").write_bytes(os.urandom(1 << 20))
    (tmp_path / "photo").write_bytes(encoded(sample("coffee"), "JPEG"))
    reads = []
    real_read = os.read

    def counting_read(handle, size):
        reads.append(size)
        return real_read(handle, size)

    monkeypatch.setattr(scan_module.os, "read", counting_read)
    files, _ = scan_roots([str(tmp_path)])
    assert [os.path.basename(f.path) for f in files] == ["photo"]
    assert reads == [SNIFF_BYTES, SNIFF_BYTES]


def test_the_first_bytes_name_each_photo_format_and_nothing_else():
    extensions = supported_extensions()
    photo = sample("coffee")
    for image_format, extension in (("JPEG", ".jpg"), ("PNG", ".png"), ("GIF", ".gif"), ("WEBP", ".webp"),
                                    ("TIFF", ".tif"), ("BMP", ".bmp")):
        data = encoded(photo, image_format)
        assert picture_kind(data[:SNIFF_BYTES], len(data), extensions) == extension, image_format
    bmp = encoded(photo, "BMP")
    assert picture_kind(bmp[:SNIFF_BYTES], len(bmp) + 1, extensions) is None  # "BM" and a wrong size: text
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"
    assert picture_kind(video, 10_000, extensions) is None
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"
    assert picture_kind(heic, 10_000, extensions) == (".heic" if ".heic" in extensions else None)
    assert picture_kind(b"<?xml version='1.0'", 100, extensions) is None

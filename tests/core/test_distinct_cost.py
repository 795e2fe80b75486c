"""The camera-exposure veto reads each file's capture tags without decoding its pixels, once per file
version (issue 18, cold-scan cost: Pillow's getexif decodes a whole PNG to look for an eXIf chunk
after its pixels, 53 ms a file, 19 of the 56 s of a cold scan of bench/corpus)."""

from __future__ import annotations

import os

from conftest import sample
from PIL import Image, PngImagePlugin

from photodedup.core.match.capture import different_exposures, read_capture


def capture_exif(bias: float) -> Image.Exif:
    source = Image.Exif()
    source.get_ifd(0x8769).update({0x829A: 1 / 250, 0x9204: bias})
    return source


def test_a_png_is_read_for_its_capture_tags_without_decoding_its_pixels(tmp_path, monkeypatch):
    photo = sample("coffee")
    jpeg = tmp_path / "bracket.jpg"
    photo.save(jpeg, quality=90, exif=capture_exif(-2.0))
    with Image.open(jpeg) as opened:
        tags = opened.getexif()
    tagged, bare = tmp_path / "tagged.png", tmp_path / "bare.png"
    photo.save(tagged, exif=tags)  # Pillow writes eXIf before the pixels, as the PNG spec asks
    photo.save(bare)
    normal = tmp_path / "normal.jpg"
    photo.save(normal, quality=90, exif=capture_exif(0.0))
    decoded = []
    original_load = PngImagePlugin.PngImageFile.load

    def counting_load(self):
        decoded.append(self.filename)
        return original_load(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", counting_load)
    assert read_capture(str(tagged)).exposure_bias == -2.0
    assert "exposure bias" in different_exposures(read_capture(str(tagged)), read_capture(str(normal)))
    assert not read_capture(str(bare)).says_anything()
    assert decoded == []


def test_a_file_rewritten_in_place_is_read_again(tmp_path):
    photo = sample("chelsea")
    path = tmp_path / "frame.jpg"
    photo.save(path, quality=90, exif=capture_exif(-1.0))
    assert read_capture(str(path)).exposure_bias == -1.0
    photo.save(path, quality=90, exif=capture_exif(1.0))
    os.utime(path, ns=(10**18, 10**18))  # another version, whatever the clock's resolution
    assert read_capture(str(path)).exposure_bias == 1.0
    assert not read_capture(str(tmp_path / "gone.jpg")).says_anything()

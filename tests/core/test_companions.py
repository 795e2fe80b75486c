"""Companions: which files belong to a photo, and which sidecar name a folder uses."""

from __future__ import annotations

from pathlib import Path

from photodedup.core.analyse.companions import (
    _is_takeout_json_of, companions_of, sidecar_for, sidecar_style_in, travelling_companions,
)
from photodedup.core.analyse.scan import scan_roots, supported_extensions
from metadata_files import quicktime_clip


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def kinds(photo: Path) -> dict[str, str]:
    return {Path(c.path).name: c.kind + (f"/{c.style}" if c.style else "") for c in companions_of(str(photo))}


def test_darktable_and_lightroom_sidecars_live_video_and_takeout_json_are_found(tmp_path):
    raw = touch(tmp_path / "IMG_1.CR2")
    touch(tmp_path / "IMG_1.CR2.xmp")
    touch(tmp_path / "IMG_1.xmp")
    heic = touch(tmp_path / "IMG_2.HEIC")
    touch(tmp_path / "IMG_2.MOV", quicktime_clip(3))
    jpeg = touch(tmp_path / "IMG_3.jpg")
    touch(tmp_path / "IMG_3.jpg.json")
    touch(tmp_path / "IMG_3.jp.json")
    touch(tmp_path / "IMG_3.jpg.supplemental-metadata.json")
    touch(tmp_path / "IMG_30.jpg.json")  # another photo's
    assert kinds(raw) == {"IMG_1.CR2.xmp": "sidecar/darktable", "IMG_1.xmp": "sidecar/lightroom"}
    assert kinds(heic) == {"IMG_2.MOV": "live video"}
    assert kinds(jpeg) == {"IMG_3.jpg.json": "takeout json", "IMG_3.jp.json": "takeout json",
                           "IMG_3.jpg.supplemental-metadata.json": "takeout json"}


def test_takeout_cuts_long_names_to_46_characters():
    name = "a-very-long-file-name-from-a-phone-export-0001.jpg"
    assert _is_takeout_json_of(name[:46] + ".json", name)
    assert not _is_takeout_json_of("IMG_1.json", "IMG_1.jpg")  # too short to say whose
    assert _is_takeout_json_of("IMG_1.jpg(1).json", "IMG_1(1).jpg")  # Takeout's numbering of a second IMG_1.jpg
    assert not _is_takeout_json_of("IMG_1.jpg(1).json", "IMG_1.jpg")
    assert not _is_takeout_json_of("IMG_12.jpg.json", "IMG_1.jpg")


def test_a_video_beside_a_png_or_a_raw_is_not_a_live_photo(tmp_path):
    png = touch(tmp_path / "clip.png")
    touch(tmp_path / "clip.MOV", quicktime_clip(3))
    assert kinds(png) == {}


def test_a_video_that_only_shares_the_photos_name_is_not_its_live_photo(tmp_path):
    still = touch(tmp_path / "frame.jpg")
    touch(tmp_path / "frame.mov", quicktime_clip(120, padding=4096))  # a two-minute clip with Apple's key
    plain = touch(tmp_path / "other.jpg")
    touch(tmp_path / "other.mov", quicktime_clip(3, live_photo=False))  # short, but no Live Photo key
    junk = touch(tmp_path / "junk.jpg")
    touch(tmp_path / "junk.mov", b"\xff" * 64)  # not even a movie
    live = touch(tmp_path / "live.jpg")
    touch(tmp_path / "live.mov", quicktime_clip(2.9, padding=4096))
    assert kinds(still) == kinds(plain) == kinds(junk) == {}
    assert kinds(live) == {"live.mov": "live video"}


def test_a_sidecar_named_like_a_video_stays_with_the_video(tmp_path):
    photo = touch(tmp_path / "clip.jpg")
    touch(tmp_path / "clip.mp4", b"a video")
    touch(tmp_path / "clip.xmp")
    going, staying = travelling_companions(str(photo))
    assert going == [] and [(p.kind, why) for p, why in staying] == [("sidecar", "clip.mp4 still uses it")]


def test_companions_are_never_scanned_as_photos(tmp_path):
    for name in ("IMG_1.CR2.xmp", "IMG_1.xmp", "IMG_2.MOV", "IMG_3.jpg.json", "IMG_3.jp.json"):
        touch(tmp_path / name)
    touch(tmp_path / "IMG_3.jpg")
    files, _problems = scan_roots([str(tmp_path)])
    assert [Path(f.path).name for f in files] == ["IMG_3.jpg"]


def test_a_shared_lightroom_sidecar_stays_while_another_photo_uses_it(tmp_path):
    raw = touch(tmp_path / "IMG_1.CR2")
    jpeg = touch(tmp_path / "IMG_1.JPG")
    touch(tmp_path / "IMG_1.xmp")
    touch(tmp_path / "IMG_1.JPG.xmp")
    going, staying = travelling_companions(str(jpeg))
    assert [Path(c.path).name for c in going] == ["IMG_1.JPG.xmp"]
    assert [(Path(c.path).name, why) for c, why in staying] == [("IMG_1.xmp", "IMG_1.CR2 still uses it")]
    raw.unlink()
    going, staying = travelling_companions(str(jpeg))
    assert sorted(Path(c.path).name for c in going) == ["IMG_1.JPG.xmp", "IMG_1.xmp"]


def test_the_sidecar_name_follows_the_folders_convention(tmp_path):
    darktable, lightroom, empty = tmp_path / "dt", tmp_path / "lr", tmp_path / "none"
    touch(darktable / "a.jpg"), touch(darktable / "a.jpg.xmp"), touch(darktable / "b.jpg")
    touch(lightroom / "a.jpg"), touch(lightroom / "a.xmp"), touch(lightroom / "b.jpg")
    touch(empty / "b.jpg")
    extensions = supported_extensions()
    assert sidecar_style_in(str(darktable), extensions) == "darktable"
    assert sidecar_style_in(str(lightroom), extensions) == "lightroom"
    assert sidecar_for(str(darktable / "b.jpg")) == str(darktable / "b.jpg.xmp")
    assert sidecar_for(str(lightroom / "b.jpg")) == str(lightroom / "b.xmp")
    assert sidecar_for(str(empty / "b.jpg")) == str(empty / "b.jpg.xmp")
    assert sidecar_for(str(lightroom / "a.jpg")) == str(lightroom / "a.xmp")  # its existing one

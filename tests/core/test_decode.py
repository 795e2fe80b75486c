import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from conftest import jpeg_bytes, sample, save
from photodedup.core.analyse.decode import MODEL_SIZE, DecodeError, decode_image, webp_is_lossy


def test_decodes_to_model_size_and_reports_full_dimensions(tmp_path):
    path = save(sample("coffee"), tmp_path / "coffee.jpg", quality=90)
    decoded = decode_image(str(path))
    assert decoded.pixels.shape == (MODEL_SIZE, MODEL_SIZE, 3) and decoded.pixels.dtype == np.uint8
    assert (decoded.width, decoded.height, decoded.format) == (600, 400, "JPEG")
    assert decoded.thumb.shape == (32, 32)


def test_exif_orientation_is_applied(tmp_path):
    # Left half bright, right half dark; stored with orientation 6 (rotate 90° clockwise to show).
    image = Image.new("RGB", (400, 200), (250, 250, 250))
    image.paste((10, 10, 10), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    image.save(path, quality=95, exif=exif)
    decoded = decode_image(str(path))
    assert (decoded.width, decoded.height) == (200, 400)
    top, bottom = decoded.pixels[20, 112], decoded.pixels[200, 112]
    assert top[0] > 200 and bottom[0] < 60, "after rotating clockwise the bright half is on top"


def test_invalid_orientation_value_is_ignored(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 99
    path = tmp_path / "odd.jpg"
    sample("coffee").save(path, exif=exif)
    assert decode_image(str(path)).width == 600


def test_large_jpeg_is_draft_decoded(tmp_path, monkeypatch):
    path = save(sample("coffee").resize((3000, 2000)), tmp_path / "big.jpg", quality=85)
    loaded_sizes = []
    real_load = Image.Image.load

    def spy(self):
        loaded_sizes.append(self.size)
        return real_load(self)

    monkeypatch.setattr(Image.Image, "load", spy)
    decoded = decode_image(str(path))
    assert (decoded.width, decoded.height) == (3000, 2000)
    assert loaded_sizes and max(loaded_sizes[0]) <= 3000 // 4, "draft should decode at 1/8 or 1/4 scale"
    assert min(loaded_sizes[0]) >= MODEL_SIZE


def test_transparent_png_is_flattened_onto_white(tmp_path):
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    path = save(image, tmp_path / "clear.png")
    assert decode_image(str(path)).pixels.min() == 255


def test_grayscale_copy_decodes_like_the_colour_original(tmp_path):
    colour = save(sample("coffee"), tmp_path / "colour.png")
    gray = save(sample("coffee").convert("L"), tmp_path / "gray.png")
    a, b = decode_image(str(colour)).pixels.astype(int), decode_image(str(gray)).pixels.astype(int)
    assert np.abs(a - b).mean() < 1.0


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255)])
def test_letterbox_bars_are_trimmed(tmp_path, colour):
    photo = sample("coffee")
    padded = Image.new("RGB", (600, 600), colour)
    padded.paste(photo, (0, 100))
    plain = decode_image(str(save(photo, tmp_path / "plain.png"))).pixels.astype(int)
    boxed = decode_image(str(save(padded, tmp_path / "boxed.png")))
    assert (boxed.width, boxed.height) == (600, 600)
    assert abs(boxed.content_fraction - 400 / 600) < 0.02
    assert np.abs(plain - boxed.pixels.astype(int)).mean() < 3.0


def test_plain_picture_is_not_trimmed_to_nothing(tmp_path):
    image = Image.new("RGB", (400, 300), (30, 30, 30))
    image.paste((200, 200, 200), (180, 130, 220, 170))  # a small bright square on a dark plain
    decoded = decode_image(str(save(image, tmp_path / "plain.png")))
    assert (decoded.pixels[:, :, 0] < 60).mean() > 0.9


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width×height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("empty.jpg", b"", "not an image"),
        ("random.jpg", bytes(range(256)) * 40, "not an image"),
        ("truncated.jpg", jpeg_bytes(sample("chelsea"))[:3000], "truncated"),
        ("huge.png", png_claiming(20000, 20000), "too large"),
    ],
)
def test_bad_files_raise_decode_error_with_reason(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DecodeError) as caught:
        decode_image(str(path))
    assert words in str(caught.value)


def test_decode_from_bytes_matches_decode_from_path(tmp_path):
    path = save(sample("chelsea"), tmp_path / "cat.jpg", quality=90)
    from_path = decode_image(str(path)).pixels
    from_bytes = decode_image(io.BytesIO(path.read_bytes())).pixels
    assert np.array_equal(from_path, from_bytes)


def test_heic_decodes_like_its_jpeg(tmp_path):
    pytest.importorskip("pillow_heif")
    photo = sample("chelsea")
    heic = save(photo, tmp_path / "cat.heic", quality=80)
    jpeg = save(photo, tmp_path / "cat.jpg", quality=90)
    a, b = decode_image(str(heic)), decode_image(str(jpeg))
    assert (a.width, a.height, a.format) == (451, 300, "HEIF")
    assert np.abs(a.pixels.astype(int) - b.pixels.astype(int)).mean() < 4.0


def test_lossy_webp_is_told_from_lossless_by_its_chunks(tmp_path):
    frames = [sample("chelsea").resize((64, 48)), sample("astronaut").resize((64, 48))]
    frames[0].save(tmp_path / "lossless.webp", lossless=True)
    frames[0].save(tmp_path / "lossy.webp", quality=90)
    frames[0].convert("RGBA").save(tmp_path / "lossy-alpha.webp", quality=90)  # VP8X, ALPH, then VP8
    frames[0].save(tmp_path / "animated-lossless.webp", save_all=True, append_images=frames[1:], lossless=True)
    frames[0].save(tmp_path / "animated-lossy.webp", save_all=True, append_images=frames[1:], quality=90)
    (tmp_path / "broken.webp").write_bytes(b"RIFF\x10\x00\x00\x00WEBPVP8")
    lossy = {path.name for path in tmp_path.iterdir() if webp_is_lossy(str(path))}
    assert lossy == {"lossy.webp", "lossy-alpha.webp", "animated-lossy.webp"}


def test_importing_the_core_changes_no_global_pillow_or_warnings_setting():
    """Only configure_pillow(), called by the entry points, does (a fresh interpreter shows it)."""
    import subprocess
    import sys

    probe = """
import warnings, pkgutil, importlib
from PIL import Image, ImageFile
def state():  # the filters on Pillow's warnings (numpy and others add their own at import)
    ours = [f for f in warnings.filters if f[2] in (UserWarning, Image.DecompressionBombWarning)]
    return (ours, ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS, "HEIF" in Image.OPEN)
before = state()
import photodedup.core
for module in pkgutil.walk_packages(photodedup.core.__path__, "photodedup.core."):
    if ".embed." not in module.name:  # the model's modules touch no Pillow setting; TF takes 10 s to load
        importlib.import_module(module.name)
after_import = state()
from photodedup.core.analyse.pillow_setup import configure_pillow
configure_pillow()
print(before == after_import, state() != before)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_a_failure_says_whether_the_next_scan_should_read_the_file_again(tmp_path):
    """A file gone or changed mid-scan is TRANSIENT (read again next time); a broken one PERMANENT
    (the cache remembers it). The scan decides by this kind, not by the wording of the reason."""
    from photodedup.core.analyse.decode import PERMANENT, TRANSIENT, DecodeError, decode_image
    from photodedup.core.analyse.read import read_and_decode
    from photodedup.core.models import ImageFile

    def file_of(path):
        status = path.stat()
        return ImageFile(str(path), status.st_size, status.st_mtime_ns, status.st_dev, status.st_ino)

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture at all" * 50)
    gone = tmp_path / "gone.jpg"
    gone.write_bytes(broken.read_bytes())
    gone_file = file_of(gone)
    gone.unlink()
    changed = tmp_path / "changed.jpg"
    changed.write_bytes(broken.read_bytes())
    changed_file = file_of(changed)
    changed.write_bytes(b"longer now" * 200)

    assert read_and_decode(file_of(broken)).error_kind == PERMANENT
    assert read_and_decode(gone_file).error_kind == TRANSIENT
    assert read_and_decode(changed_file).error_kind == TRANSIENT
    with pytest.raises(DecodeError) as raised:
        decode_image(str(gone))
    assert raised.value.kind == TRANSIENT

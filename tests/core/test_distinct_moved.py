"""Frames of a burst where a plain subject moved are two moments, also when one frame is cropped;
a caption, a watermark, a brightened or cropped copy stay copies (core/match/moved_subject.py,
hooked into distinct.either_way). Made images: a plain sky over a sample photo, a bird or a flat
ball drawn in it, a person pasted in."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from conftest import sample, save
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match import moved_subject
from photodedup.core.match.verify import compare_pictures, extract_features

WIDTH, HEIGHT = 1280, 800


def gray(image: Image.Image, tmp_path, name: str, quality: int = 92) -> np.ndarray:
    return decode_gray(str(save(image, tmp_path / name, quality=quality)))


def is_copy(first: np.ndarray, second: np.ndarray) -> bool:
    return compare_pictures(first, second, (extract_features(first), extract_features(second))).copy


def sky_over(name: str) -> Image.Image:
    """A clear sky (smooth, lighter down and to the right: no letterbox bar to trim) over the
    lower 45% of a sample photo."""
    rows = np.linspace(0.0, 1.0, HEIGHT)[:, None, None]
    cols = np.linspace(-1.0, 1.0, WIDTH)[None, :, None]
    top, bottom = np.array([80.0, 130.0, 195.0]), np.array([150.0, 190.0, 225.0])
    sky = np.clip(top + (bottom - top) * rows + 30 * cols, 0, 255).astype(np.uint8)
    scene = Image.fromarray(np.ascontiguousarray(sky))
    ground = sample(name).resize((WIDTH, int(HEIGHT * 0.45)))
    scene.paste(ground, (0, HEIGHT - ground.height))
    return scene


def bird(scene: Image.Image, x: float, size: float) -> Image.Image:
    """``scene`` with a dark bird silhouette ``size`` of its width wide, centred at ``x`` (share)."""
    frame = scene.copy()
    cx, cy, s = WIDTH * x, HEIGHT * 0.25, WIDTH * size / 2
    ImageDraw.Draw(frame).polygon([(cx - s, cy - s * .3), (cx - s * .2, cy), (cx, cy - s * .1), (cx + s * .2, cy),
                                   (cx + s, cy - s * .3), (cx + s * .25, cy + s * .2), (cx, cy + s * .15),
                                   (cx - s * .25, cy + s * .2)], fill=(25, 25, 30))
    return frame


def ball(scene: Image.Image, x: float, y: float, size: float) -> Image.Image:
    frame = scene.copy()
    n = int(WIDTH * size)
    left, top = int(WIDTH * x), int(HEIGHT * y)
    ImageDraw.Draw(frame).ellipse((left, top, left + n, top + n), fill=(220, 40, 30))
    return frame


def crop(image: Image.Image, share: float = 0.88) -> Image.Image:
    w, h = image.size
    cw, ch = int(w * share), int(h * share)
    return image.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch))


@pytest.mark.parametrize("size", [0.06, 0.1, 0.16])
def test_a_bird_crossing_a_clear_sky_is_two_moments(tmp_path, size):
    """The adversarial pass's U1: bird frames over Kite's sky were copies in 9 of 9 pairs."""
    scene = sky_over("coffee")
    empty = gray(scene, tmp_path, "empty.jpg")
    first = gray(bird(scene, 0.2, size), tmp_path, "f0.jpg")
    second = gray(bird(scene, 0.6, size), tmp_path, "f1.jpg")
    pairs = {"frame to frame": (first, second), "bird or none": (empty, first), "none or bird": (second, empty)}
    assert {name: is_copy(*pair) for name, pair in pairs.items()} == dict.fromkeys(pairs, False)


@pytest.mark.parametrize("size", [0.06, 0.1])
def test_a_flat_ball_moving_over_a_photo_is_two_moments(tmp_path, size):
    """U1's ball over the forest: flat red over texture read as a caption laid on the picture."""
    photo = sample("chelsea").resize((WIDTH, HEIGHT))
    first = gray(ball(photo, 0.15, 0.35, size), tmp_path, "f0.jpg")
    second = gray(ball(photo, 0.6, 0.35, size), tmp_path, "f1.jpg")
    empty = gray(photo, tmp_path, "empty.jpg")
    assert not is_copy(first, second) and not is_copy(empty, first)


def test_a_crop_of_the_other_frame_does_not_hide_the_subject(tmp_path):
    """U2: frame X against an 88% crop of frame Y, where the bird moved or a person is pasted in."""
    scene = sky_over("coffee")
    person = sample("astronaut").crop((150, 40, 330, 330))
    with_person = scene.copy()
    with_person.paste(person, (700, 180))
    frame_x = gray(bird(scene, 0.25, 0.12), tmp_path, "x.jpg")
    frame_y = gray(crop(bird(scene, 0.6, 0.12)), tmp_path, "y.jpg", quality=88)
    plain = gray(scene, tmp_path, "plain.jpg")
    person_cropped = gray(crop(with_person), tmp_path, "person.jpg", quality=88)
    assert not is_copy(frame_x, frame_y) and not is_copy(frame_y, frame_x)
    assert not is_copy(plain, person_cropped)


def test_a_caption_over_the_clear_sky_and_other_edits_stay_copies(tmp_path):
    """What only a copy holds is lettering: a caption in the sky stays a copy, as do a brightened
    copy (its sky burnt white in places), a crop and a half-size export."""
    scene = bird(sky_over("coffee"), 0.3, 0.1)
    captioned = scene.copy()
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 48)
    except OSError:
        font = ImageFont.load_default(48)
    ImageDraw.Draw(captioned).text((620, 120), "Summer 2024, Lake Constance", font=font, fill=(255, 255, 255))
    original = gray(scene, tmp_path, "original.jpg")
    edits = {
        "caption in the sky": gray(captioned, tmp_path, "caption.jpg"),
        "brightened": gray(ImageEnhance.Brightness(scene).enhance(1.35), tmp_path, "bright.jpg"),
        "cropped": gray(crop(scene), tmp_path, "crop.jpg"),
        "half size": gray(scene.resize((WIDTH // 2, HEIGHT // 2)), tmp_path, "half.jpg"),
    }
    assert [kind for kind, edited in edits.items() if not is_copy(original, edited)] == []


def test_the_reason_says_what_moved(tmp_path):
    scene = sky_over("coffee")
    first, second = (gray(bird(scene, x, 0.1), tmp_path, f"{x}.jpg") for x in (0.2, 0.6))
    assert moved_subject.other_moment(first, second, "as is").startswith("a subject moved")
    assert moved_subject.other_moment(first, first, "as is") == ""

"""Another shot of one subject (the camera turned half a degree and moved a few pixels, its own
sensor noise, one small new thing or none) is no copy; copies turned, straightened, cropped,
recompressed, resized, watermarked keep their verdicts (core/match/another_shot.py, asked by
distinct.either_way). Made frames: a sample photo larger than the frame, so the second shot shows
the scene to its corners as a camera would."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance

from conftest import sample, save
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match import another_shot
from photodedup.core.match.grouping import copy_verdict
from photodedup.core.match.verify import compare_pictures, extract_features

WIDTH, HEIGHT = 1200, 800


def scene(name: str) -> Image.Image:
    """The sample photo a little larger than a frame, so a turned frame still shows it to its corners."""
    return sample(name).resize((WIDTH + 160, HEIGHT + 110), Image.Resampling.LANCZOS)


def noisy(image: Image.Image, seed: int, sigma: float = 3.0) -> Image.Image:
    values = np.asarray(image, dtype=np.float32) + np.random.default_rng(seed).normal(0, sigma, (image.height, image.width, 3))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def shot(name: str, turn: float = 0.0, dx: int = 0, dy: int = 0, seed: int = 1) -> Image.Image:
    """One exposure: the frame at the centre of the scene, the camera turned ``turn`` degrees and moved."""
    big = scene(name)
    cx, cy = big.width / 2 + dx, big.height / 2 + dy
    turned = big.rotate(turn, resample=Image.Resampling.BICUBIC, center=(cx, cy)) if turn else big
    left, top = round(cx - WIDTH / 2), round(cy - HEIGHT / 2)
    return noisy(turned.crop((left, top, left + WIDTH, top + HEIGHT)), seed)


def with_detail(image: Image.Image, what: str) -> Image.Image:
    """``image`` with one new thing: a blue disc 4.4% of the width, or a 6-px pale track."""
    image = image.copy()
    draw = ImageDraw.Draw(image)
    x, y = WIDTH * 0.3, HEIGHT * 0.35
    if what == "disc":
        r = WIDTH * 0.022
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(30, 90, 200))
    elif what == "track":
        draw.line((x, y, x + 110, y + 50, x + 220, y + 40), fill=(235, 230, 215), width=6)
    return image


def straightened(image: Image.Image, turn: float) -> Image.Image:
    """Turned and cropped to fill its frame, back to its size (Lightroom's, Photos' straighten)."""
    w, h = image.size
    zoom = np.cos(np.radians(abs(turn))) + max(w, h) / min(w, h) * np.sin(np.radians(abs(turn)))
    cw, ch = w / zoom, h / zoom
    turned = image.rotate(turn, resample=Image.Resampling.BICUBIC)
    return turned.crop((round((w - cw) / 2), round((h - ch) / 2), round((w + cw) / 2), round((h + ch) / 2))).resize((w, h), Image.Resampling.LANCZOS)


def watermarked(image: Image.Image) -> Image.Image:
    image = image.copy()
    draw = ImageDraw.Draw(image)
    for row in range(3):
        draw.text((WIDTH * 0.55, HEIGHT * (0.8 + 0.04 * row)), "(c) 2026 photodedup studio", fill=(255, 255, 255))
    return image


COPIES = {
    "recompressed": lambda im: (im, {"quality": 60}),
    "resized": lambda im: (im.resize((WIDTH // 2, HEIGHT // 2), Image.Resampling.LANCZOS), {"quality": 85}),
    "brighter": lambda im: (ImageEnhance.Brightness(im).enhance(1.2), {"quality": 90}),
    "grey": lambda im: (im.convert("L").convert("RGB"), {"quality": 90}),
    "watermarked": lambda im: (watermarked(im), {"quality": 92}),
    "straightened 0.5°": lambda im: (straightened(im, 0.5), {"quality": 90}),
    "straightened 2°": lambda im: (straightened(im, 2.0), {"quality": 90}),
    "turned 1.5°, canvas grown white": lambda im: (im.rotate(-1.5, resample=Image.Resampling.BICUBIC, expand=True,
                                                            fillcolor=(255, 255, 255)), {"quality": 90}),
    "turned 0.6° on its canvas": lambda im: (im.rotate(0.6, resample=Image.Resampling.BICUBIC), {"quality": 90}),
    "cropped": lambda im: (im.crop((90, 60, WIDTH - 80, HEIGHT - 50)), {"quality": 90}),
}


def grey(image: Image.Image, tmp_path, name: str, **options) -> np.ndarray:
    return decode_gray(str(save(image, tmp_path / name, **({"quality": 92} | options))))


def is_copy(first: np.ndarray, second: np.ndarray) -> bool:
    return compare_pictures(first, second, (extract_features(first), extract_features(second))).copy


@pytest.mark.parametrize("name", ["chelsea", "coffee", "astronaut"])
@pytest.mark.parametrize("what", ["disc", "track", "nothing"])
def test_another_shot_with_a_small_new_thing_is_no_copy(tmp_path, name, what):
    """The adversarial pass's F5: the camera moved 7 px and turned 0.5°, its own noise, a disc of
    0.15% of the area or a 6-px track. Both ways round, the same verdict: not a copy."""
    first = save(shot(name), tmp_path / "IMG_0101.jpg", quality=92)
    second = save(with_detail(shot(name, 0.5, 7, -4, seed=2), what), tmp_path / "IMG_0102.jpg", quality=92)
    assert not copy_verdict(str(first), str(second)).copy
    assert not copy_verdict(str(second), str(first)).copy
    reason = another_shot.turned_shot(decode_gray(str(first)), decode_gray(str(second)), "as is")
    assert "the camera turned 0.5°" in reason


@pytest.mark.parametrize("turn", [-0.3, 1.2, 2.5])
def test_a_turned_camera_at_other_angles_is_no_copy(tmp_path, turn):
    first = grey(shot("chelsea"), tmp_path, "a.jpg")
    second = grey(shot("chelsea", turn, -5, 6, seed=2), tmp_path, "b.jpg")
    assert not is_copy(first, second)


def test_the_same_frame_again_is_not_judged_by_a_turn(tmp_path):
    """A second exposure from a tripod (no turn, only noise) gives this module nothing to say: a
    copy with grain added looks the same, so the verdict is left to the other checks."""
    first = grey(shot("coffee"), tmp_path, "a.jpg")
    second = grey(shot("coffee", seed=2), tmp_path, "b.jpg")
    assert another_shot.turned_shot(first, second, "as is") == ""


# Copies the pixel check missed before another_shot existed (main at b575e69, same verdicts with it):
# a recall gap of other checks, measured here so that this module is seen to add none.
MISSED_BEFORE = {("chelsea", "straightened 0.5°"), ("astronaut", "straightened 0.5°"), ("coffee", "watermarked"),
                 ("coffee", "turned 0.6° on its canvas"), ("astronaut", "turned 0.6° on its canvas")}


@pytest.mark.parametrize("name", ["chelsea", "coffee", "astronaut"])
@pytest.mark.parametrize("edit", sorted(COPIES))
def test_copies_turned_cropped_recompressed_resized_watermarked_stay_copies(tmp_path, name, edit):
    """No copy is taken for a turned camera, both ways round (the turned ones are turned about their
    centre, cropped to fill, or their canvas grew), and every copy found before is found still."""
    original = shot(name)
    first = grey(original, tmp_path, "original.jpg")
    image, options = COPIES[edit](original)
    second = grey(image, tmp_path, "copy.jpg", **options)
    assert another_shot.turned_shot(first, second, "as is") == ""
    assert another_shot.turned_shot(second, first, "as is") == ""
    if (name, edit) not in MISSED_BEFORE:
        assert is_copy(first, second) and is_copy(second, first)


@pytest.mark.parametrize("name", ["chelsea", "coffee", "astronaut"])
def test_a_sticker_added_to_a_copy_is_not_taken_for_a_turned_camera(tmp_path, name):
    """An edit that adds a sticker does not turn the picture: this module says nothing of it (the
    sticker itself is moved_subject's to judge), nor of the sticker on a straightened copy."""
    original = shot(name)
    first = grey(original, tmp_path, "original.jpg")
    for n, image in enumerate((with_detail(original, "disc"), with_detail(straightened(original, 0.5), "disc"))):
        second = grey(image, tmp_path, f"copy{n}.jpg")
        assert another_shot.turned_shot(first, second, "as is") == ""
        assert another_shot.turned_shot(second, first, "as is") == ""


def test_the_fit_measures_the_turn_and_the_move(tmp_path):
    """The Gauss-Newton fit at FIT_SIDE finds the made turn within 0.02° and the move within a pixel."""
    first = grey(shot("astronaut"), tmp_path, "a.jpg").astype(np.float32)
    second = grey(shot("astronaut", 0.5, 7, -4, seed=2), tmp_path, "b.jpg").astype(np.float32)
    found = another_shot.camera_turn(first, second)
    assert found is not None
    params, turn = found
    assert abs(abs(turn) - 0.5) <= 0.02
    factor = first.shape[1] / WIDTH
    assert abs(np.hypot(params[2], params[3]) - np.hypot(7, 4) * factor) <= 1.0


def test_verdicts_cached_before_another_shot_are_asked_again():
    """The grouping's cached verdicts are keyed by a method name that carries this module's, so a
    cache written before it (a3's other shots stored as copies) is re-checked, not reused."""
    from photodedup.core.match.grouping import GROUPING_METHOD

    assert another_shot.METHOD in GROUPING_METHOD
    assert GROUPING_METHOD != GROUPING_METHOD.replace("-" + another_shot.METHOD, "")

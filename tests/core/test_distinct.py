"""Unique pictures are never copies: pairs from one template, a person pasted in, a subject that
moved, frames of a bracket; and the edits that must stay copies (core/match/distinct.py,
core/match/capture.py, the veto in verify.compare_pictures)."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from conftest import sample, save
from photodedup.core.analyse.decode import decode_gray
from photodedup.core.match import distinct, verify
from photodedup.core.match.capture import CaptureFacts, different_exposures, read_capture
from photodedup.core.match.verify import compare_pictures, extract_features


def gray(image: Image.Image, tmp_path, name: str, **options) -> np.ndarray:
    return decode_gray(str(save(image, tmp_path / name, **(options or {"quality": 92}))))


def is_copy(first: np.ndarray, second: np.ndarray) -> bool:
    return compare_pictures(first, second, (extract_features(first), extract_features(second))).copy


def font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def ticket(name: str, seat: str, seed: int) -> Image.Image:
    """An e-ticket: a photo banner, a title, the holder's name and seat, and a QR-like code."""
    page = Image.new("RGB", (1080, 2340), (250, 250, 252))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 1080, 120), fill=(20, 20, 30))
    page.paste(sample("coffee").resize((1080, 600)), (0, 120))
    draw.text((60, 780), "COFFEE TASTING LIVE", font=font(56), fill="black")
    draw.text((60, 980), f"Name: {name}", font=font(40), fill="black")
    draw.text((60, 1050), seat, font=font(40), fill="black")
    code = (np.random.default_rng(seed).random((29, 29)) > 0.5).astype(np.uint8) * 255
    page.paste(Image.fromarray(code).resize((290, 290), Image.Resampling.NEAREST).convert("RGB"), (395, 1250))
    draw.text((60, 1650), "Show this code at the entrance", font=font(40), fill=(90, 90, 90))
    return page


def pasted(photo: Image.Image, patch: Image.Image, x: float, y: float) -> Image.Image:
    result = photo.copy()
    result.paste(patch, (int(photo.width * x), int(photo.height * y)))
    return result


def figure(photo: Image.Image, share: float) -> Image.Image:
    """A standing figure (twice as tall as wide, in frame units) cut from another photo, covering
    ``share`` of ``photo``."""
    w, h = photo.size
    width, height = int(w * (share / 2) ** 0.5), int(h * (share * 2) ** 0.5)
    return sample("astronaut").crop((150, 40, 150 + width, 40 + height))


def test_tickets_for_two_people_are_not_copies_either_way(tmp_path):
    anna = gray(ticket("Anna Keller", "Row 12 Seat 7", 0), tmp_path, "anna.png", format="PNG")
    ben = gray(ticket("Ben Okafor", "Row 12 Seat 8", 1), tmp_path, "ben.png", format="PNG")
    assert not is_copy(anna, ben) and not is_copy(ben, anna)
    assert distinct.different_content(anna, ben, "as is") and distinct.different_content(ben, anna, "as is")


def test_a_ticket_and_its_edits_stay_copies(tmp_path):
    page = ticket("Anna Keller", "Row 12 Seat 7", 0)
    original = gray(page, tmp_path, "ticket.png", format="PNG")
    edits = {
        "recompressed": gray(page, tmp_path, "low.jpg", quality=45),
        "resized": gray(page.resize((540, 1170)), tmp_path, "half.jpg"),
        "brightened": gray(ImageEnhance.Brightness(page).enhance(1.2), tmp_path, "bright.jpg"),
    }
    wrong = [kind for kind, edited in edits.items() if not is_copy(original, edited)]
    assert wrong == []


@pytest.mark.parametrize("name", ["coffee", "chelsea"])
def test_a_person_pasted_into_a_scene_is_another_shot(tmp_path, name):
    photo = sample(name)
    person = figure(photo, 0.04)
    scene = gray(photo, tmp_path, "scene.jpg")
    with_person = gray(pasted(photo, person, 0.6, 0.3), tmp_path, "person.jpg")
    assert not is_copy(scene, with_person) and not is_copy(with_person, scene)


@pytest.mark.parametrize("name", ["coffee", "chelsea"])
def test_a_burst_where_the_subject_moved_is_two_shots(tmp_path, name):
    photo = sample(name)
    subject = figure(photo, 0.03)
    first = gray(pasted(photo, subject, 0.2, 0.3), tmp_path, "frame1.jpg")
    second = gray(pasted(photo, subject, 0.2 + 2 * subject.width / photo.width, 0.3), tmp_path, "frame2.jpg", quality=91)
    assert not is_copy(first, second)


@pytest.mark.parametrize("name", ["coffee", "chelsea", "astronaut"])
@pytest.mark.parametrize("where", [0.45, 0.85])
def test_a_watermark_across_the_middle_or_the_foot_stays_a_copy(tmp_path, name, where):
    """White letters with a black outline, as bench/make_corpus.py writes them (the astronaut's:
    white on a white suit, the closest call on corpus seed 11)."""
    photo = sample(name)
    w, h = photo.size
    marked = photo.copy()
    ImageDraw.Draw(marked).text((int(w * 0.05), int(h * where)), "© Jane Doe Photography",
                                font=ImageFont.load_default(max(16, h // 14)),
                                fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0))
    original = gray(photo, tmp_path, "original.jpg")
    watermarked = gray(marked, tmp_path, "marked.jpg")
    assert is_copy(original, watermarked) and is_copy(watermarked, original)


def test_the_turns_are_verify_s(tmp_path):
    """distinct lays b whole by the name verify gives; the two tables must name the same turns."""
    picture = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert list(distinct.TURNS) == [name for name, _ in verify.TURNS]
    for name, turn in verify.TURNS:
        assert np.array_equal(distinct.TURNS[name](picture), turn(picture))


def test_a_picture_laid_by_features_or_too_small_gives_no_evidence():
    picture = np.asarray(sample("coffee").convert("L"))
    other = np.asarray(sample("chelsea").convert("L").resize(picture.shape[::-1]))
    assert distinct.different_content(picture, other, "aligned by features") == ""
    assert distinct.different_content(picture[:30, :40], other[:30, :40], "as is") == ""


def with_capture(photo: Image.Image, path, tags: dict) -> str:
    exif = Image.Exif()
    details = exif.get_ifd(0x8769)
    details.update(tags)
    photo.save(path, quality=90, exif=exif)
    return str(path)


def test_two_frames_of_an_exposure_bracket_are_two_exposures(tmp_path):
    photo = sample("coffee")
    taken = {0x9003: "2026:05:01 10:00:00", 0x9291: "120", 0x829A: 1 / 250, 0x829D: 8.0}
    under = with_capture(ImageEnhance.Brightness(photo).enhance(0.5), tmp_path / "m2.jpg", {**taken, 0x9204: -2.0})
    normal = with_capture(photo, tmp_path / "0.jpg", {**taken, 0x9204: 0.0})
    assert "exposure bias" in different_exposures(read_capture(under), read_capture(normal))


def test_a_burst_frame_differs_by_its_sub_second(tmp_path):
    photo = sample("chelsea")
    first = with_capture(photo, tmp_path / "1.jpg", {0x9003: "2026:05:01 10:00:00", 0x9291: "120"})
    second = with_capture(photo, tmp_path / "2.jpg", {0x9003: "2026:05:01 10:00:00", 0x9291: "370"})
    assert "subsecond" in different_exposures(read_capture(first), read_capture(second))


def test_an_edit_that_keeps_the_camera_tags_or_drops_them_is_no_evidence(tmp_path):
    photo = sample("coffee")
    tags = {0x9003: "2026:05:01 10:00:00", 0x9291: "120", 0x829A: 1 / 250, 0x829D: 8.0, 0x9204: 0.0}
    original = read_capture(with_capture(photo, tmp_path / "original.jpg", tags))
    resized = read_capture(with_capture(photo.resize((200, 133)), tmp_path / "resized.jpg", tags))
    bare = tmp_path / "bare.png"
    photo.save(bare)
    assert original.says_anything() and original.exposure_time == pytest.approx(1 / 250)
    assert different_exposures(original, resized) == ""
    assert not read_capture(str(bare)).says_anything()
    assert different_exposures(original, read_capture(str(bare))) == ""
    assert different_exposures(original, CaptureFacts(taken="2026:05:01 10:00:00", subsecond=None)) == ""


def letter(seed: int) -> Image.Image:
    """A page of text in one layout (a letter series): every page a different document."""
    words = "the of and to in is that for it as was with be by on not invoice total amount due".split()
    rng = np.random.default_rng(seed)
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((100, 90), f"Quarterly report {seed}", font=font(40), fill="black")
    for y in range(180, 1650, 34):
        draw.text((100, y), " ".join(rng.choice(words, 14)), font=font(22), fill="black")
    return page


def test_the_verdict_is_the_same_either_way_round(tmp_path):
    photo = sample("chelsea")
    original = gray(photo, tmp_path, "original.jpg")
    turned = gray(photo.resize((photo.width // 2, photo.height // 2)).transpose(Image.Transpose.ROTATE_90), tmp_path, "t.jpg")
    pages = [gray(letter(n), tmp_path, f"page{n}.png", format="PNG") for n in (2, 3)]
    for first, second in ((original, turned), tuple(pages)):
        there, back = compare_pictures(first, second), compare_pictures(second, first)
        assert (there.copy, there.agreement, there.coverage, there.changed) == (back.copy, back.agreement, back.coverage, back.changed)
    there, back = compare_pictures(original, turned), compare_pictures(turned, original)
    assert there.copy and {there.how, back.how} == {"turned 90°", "turned 270°"}
    assert there.scale == pytest.approx(1 / back.scale)


def slide(seed: int) -> Image.Image:
    """A slide of one template: a title bar and six bullet lines of other words."""
    words = "revenue growth market plan team budget risk launch customer data quarter goal review".split()
    rng = np.random.default_rng(seed)
    page = Image.new("RGB", (1920, 1080), (245, 245, 240))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 1920, 160), fill=(30, 50, 90))
    draw.text((80, 40), f"Q{seed + 1} " + " ".join(rng.choice(words, 2)), font=font(64), fill="white")
    for line in range(6):
        draw.text((120, 260 + line * 110), "•  " + " ".join(rng.choice(words, 5)), font=font(34), fill="black")
    return page


def as_the_scan_keeps_it(image: Image.Image, tmp_path, name: str) -> np.ndarray:
    """The grey picture as a scan keeps it for the copy check (JPEG in the scratch store)."""
    import io

    from photodedup.core.analyse.read import encode_gray

    return np.asarray(Image.open(io.BytesIO(encode_gray(gray(image, tmp_path, name, format="PNG")))))


def test_slides_of_one_template_are_not_copies(tmp_path):
    slides = [as_the_scan_keeps_it(slide(n), tmp_path, f"slide{n}.png") for n in range(3)]
    pairs = [(slides[i], slides[j]) for i in range(3) for j in range(i + 1, 3)]
    assert [is_copy(first, second) for first, second in pairs] == [False, False, False]


def test_a_crop_is_a_copy_either_way_round_when_features_are_found_on_demand(tmp_path):
    """Grouping passes the local features as a function, called only when laying whole fails
    (a crop, a small rotation): asked either way round, it must still be called right."""
    photo = sample("chelsea")
    w, h = photo.size
    original = gray(photo, tmp_path, "original.jpg")
    cropped = gray(photo.rotate(3, resample=Image.Resampling.BICUBIC).crop(
        (int(w * 0.08), int(h * 0.08), int(w * 0.92), int(h * 0.92))), tmp_path, "crop.jpg")
    for first, second in ((original, cropped), (cropped, original)):
        def found_now(first=first, second=second):
            return extract_features(first), extract_features(second)

        assert compare_pictures(first, second, found_now).copy


def test_a_copy_whose_date_was_shifted_later_is_no_evidence_of_a_second_exposure(tmp_path):
    photo = sample("chelsea").convert("RGB")
    original = read_capture(with_capture(photo, tmp_path / "a.jpg", {0x9003: "2026:05:01 10:00:00", 0x829A: 0.004}))
    shifted = read_capture(with_capture(photo, tmp_path / "b.jpg", {0x9003: "2026:05:01 12:00:00", 0x829A: 0.004}))
    forged = read_capture(with_capture(photo, tmp_path / "c.jpg", {0x9003: "2009:01:01 08:00:00"}))
    burst = read_capture(with_capture(photo, tmp_path / "d.jpg", {0x9003: "2026:05:01 10:00:02", 0x829A: 0.004}))
    assert different_exposures(original, shifted) == "" and different_exposures(original, forged) == ""
    assert "taken" in different_exposures(original, burst)

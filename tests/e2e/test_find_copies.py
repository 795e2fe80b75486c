"""The copy check (issue 10): copies of my originals in other folders, and what each changed."""

from __future__ import annotations

import json
import os

import pytest
from conftest import sample, save
from PIL import Image

from photodedup.core.copy_check import CopyCheckOptions, find_copies
from test_cli import photodedup


@pytest.fixture
def two_sides(tmp_path):
    """originals/ (a cat with EXIF, a coffee, and a burst neighbour of the cat) and
    downloads/ (edited copies of both, and an unrelated photo)."""
    cat, coffee = sample("chelsea"), sample("coffee")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS R6"
    exif.get_ifd(0x8769)[0x9003] = "2020:05:01 12:00:00"
    originals, downloads = tmp_path / "originals", tmp_path / "downloads"
    save(cat, originals / "cat.jpg", quality=95, exif=exif)
    save(coffee, originals / "coffee.jpg", quality=95)
    w, h = cat.size
    save(cat.crop((4, 0, w, h - 3)), originals / "cat_burst.jpg", quality=95)  # a near-duplicate inside the archive
    copies = {
        "cat_small.jpg": cat.resize((int(w * 0.6), int(h * 0.6))),
        "cat_crop.jpg": cat.crop((int(w * 0.2), int(h * 0.2), int(w * 0.95), int(h * 0.95))),
        "cat_bw.jpg": cat.convert("L").convert("RGB"),
        "cat_mirror.jpg": cat.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        "cat_turned.jpg": cat.transpose(Image.Transpose.ROTATE_90),
        "coffee_q30.jpg": coffee,
        "coffee.png": coffee,
        "coffee.webp": coffee,
    }
    for name, image in copies.items():
        save(image, downloads / name, **({"quality": 30} if name == "coffee_q30.jpg" else
                                          {"quality": 95} if name.endswith(".jpg") else {}))
    save(sample("astronaut"), downloads / "astronaut.jpg", quality=90)
    return originals, downloads


def kinds(found):
    return {os.path.basename(c.info.file.path): {change.kind for change in c.changes} for c in found.copies}


def test_each_copy_is_reported_against_its_original_with_what_changed(two_sides, tmp_path, embedder):
    originals, downloads = two_sides
    result = find_copies(CopyCheckOptions([str(originals)], [str(downloads)], cache_dir=tmp_path / "cache"),
                         embedder_factory=lambda: embedder)
    by_original = {os.path.basename(o.original.file.path): kinds(o) for o in result.originals}
    assert set(by_original) == {"cat.jpg", "coffee.jpg"}, "nothing within the originals; the burst has no copy"
    cat, coffee = by_original["cat.jpg"], by_original["coffee.jpg"]
    assert set(cat) == {"cat_small.jpg", "cat_crop.jpg", "cat_bw.jpg", "cat_mirror.jpg", "cat_turned.jpg"}
    assert set(coffee) == {"coffee_q30.jpg", "coffee.png", "coffee.webp"}
    assert "resized" in cat["cat_small.jpg"] and "cropped" not in cat["cat_small.jpg"]
    assert "cropped" in cat["cat_crop.jpg"]
    assert "grayscale" in cat["cat_bw.jpg"] and "resized" not in cat["cat_bw.jpg"]
    assert "mirrored" in cat["cat_mirror.jpg"]
    turned = next(c for o in result.originals for c in o.copies if c.info.file.path.endswith("cat_turned.jpg"))
    assert any(ch.kind == "rotated" and "90°" in ch.text for ch in turned.changes), turned.changes
    assert all("exif" in k for k in cat.values()), "the cat had EXIF; the copies don't"
    assert coffee["coffee_q30.jpg"] == {"recompressed"}
    assert coffee["coffee.png"] == {"format"} and coffee["coffee.webp"] == {"format"}
    small = next(c for o in result.originals for c in o.copies if c.info.file.path.endswith("cat_small.jpg"))
    assert any("resized to 60%" in change.text for change in small.changes), small.changes
    crop = next(c for o in result.originals for c in o.copies if c.info.file.path.endswith("cat_crop.jpg"))
    shown = next(ch.text for ch in crop.changes if ch.kind == "cropped")
    assert "shows 56%" in shown or "shows 55%" in shown or "shows 57%" in shown, shown  # 0.75 × 0.75 of the area
    assert result.copies == 8 and result.looked_at == 9 and result.originals_scanned == 3


def test_find_copies_command_line(two_sides, tmp_path):
    originals, downloads = two_sides
    report = tmp_path / "copies.json"
    table = tmp_path / "copies.csv"
    done = photodedup("find-copies", "--originals", str(originals), "--in", str(downloads), "--json", str(report),
                      "--csv", str(table), "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert "2 of 3 originals have copies: 8 copies" in done.stdout
    assert "resized" in done.stdout and "recompressed" in done.stdout
    data = json.loads(report.read_text())
    assert data["version"] == 1 and data["mode"] == "copies"
    assert sorted(os.path.basename(o["path"]) for o in data["originals"]) == ["cat.jpg", "coffee.jpg"]
    assert all(c["changes"] and c["path"].startswith(str(downloads)) for o in data["originals"] for c in o["copies"])
    assert len(table.read_text().strip().splitlines()) == 9
    bad = photodedup("find-copies", "--originals", str(tmp_path / "missing"), "--in", str(downloads))
    assert bad.returncode == 2 and "does not exist" in bad.stderr

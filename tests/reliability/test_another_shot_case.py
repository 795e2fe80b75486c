"""docs/RELIABILITY.md case 53 (the fifth adversarial pass's F5): another shot of one subject with
one small new detail is no copy, and the scan's own report, applied, trashes neither frame. Real
files, the real model through the real command line, the real trash in the tests' temporary
XDG_DATA_HOME."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from conftest import sample, save
from test_wrong_trash import photodedup, scan_report

WIDTH, HEIGHT = 1200, 800


def _frame(big: Image.Image, turn: float, dx: int, dy: int, seed: int) -> Image.Image:
    """One exposure: the frame at the centre of ``big``, the camera turned and moved, its own noise."""
    cx, cy = big.width / 2 + dx, big.height / 2 + dy
    turned = big.rotate(turn, resample=Image.Resampling.BICUBIC, center=(cx, cy)) if turn else big
    left, top = round(cx - WIDTH / 2), round(cy - HEIGHT / 2)
    frame = np.asarray(turned.crop((left, top, left + WIDTH, top + HEIGHT)), dtype=np.float32)
    frame = frame + np.random.default_rng(seed).normal(0, 3, frame.shape)
    return Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8))


def test_case_53_another_shot_with_a_small_new_detail_is_not_trashed(tmp_path):
    big = sample("chelsea").resize((WIDTH + 160, HEIGHT + 110), Image.Resampling.LANCZOS)
    root = tmp_path / "photos"
    first = save(_frame(big, 0.0, 0, 0, seed=1), root / "IMG_0101.jpg", quality=92)
    second = _frame(big, 0.5, 7, -4, seed=2)  # the camera moved 7 px and turned 0.5°
    r = WIDTH * 0.022
    ImageDraw.Draw(second).ellipse((360 - r, 280 - r, 360 + r, 280 + r), fill=(30, 90, 200))  # a disc came
    second = save(second, root / "IMG_0102.jpg", quality=92)
    copy = save(Image.open(first), root / "IMG_0101_small.jpg", quality=80)  # a real copy still goes

    report = scan_report(tmp_path, str(root))
    groups = {g["kind"]: [Path(f["path"]).name for f in g["files"]] for g in report["groups"]}
    assert sorted(groups.get("copies", [])) == ["IMG_0101.jpg", "IMG_0101_small.jpg"], report["groups"]

    done = photodedup("trash", str(tmp_path / "report.json"), "--apply")
    assert done.returncode == 0, done.stdout + done.stderr
    assert first.exists() and second.exists()
    assert not copy.exists()

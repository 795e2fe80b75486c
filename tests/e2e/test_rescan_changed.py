"""A rescan after a few photos changed, came or went (issue 22) updates the saved neighbour tables
instead of making them again, and groups exactly as a scan with an empty cache does. The real
model, the real cache, photos the test makes."""

from __future__ import annotations

import shutil

from conftest import sample, save
from PIL import Image

from photodedup.core.dedupe import ScanOptions, run_scan
from photodedup.core.match import neighbour_tables


def groups_of(result) -> list[tuple[str, list[str]]]:
    return sorted((g.kind, sorted(m.path for m in g.members)) for g in result.groups)


def test_a_rescan_after_a_few_changes_groups_as_a_cold_scan(tmp_path, many_photos, embedder, monkeypatch):
    folder = many_photos(40)
    cat = sample("chelsea")
    save(cat, folder / "cat.jpg", quality=95)
    save(cat.resize((cat.width // 2, cat.height // 2)), folder / "cat_small.jpg", quality=90)
    options = ScanOptions([str(folder)], cache_dir=tmp_path / "warm")
    before = run_scan(options, embedder_factory=lambda: embedder)
    assert [members for kind, members in groups_of(before) if kind == "copies"]

    # Changed: one photo re-encoded, one deleted, a turned copy and a copy of another added.
    with Image.open(folder / "p0005.jpg") as photo:
        photo.load()
        photo.save(folder / "p0005.jpg", quality=60)
    (folder / "p0011.jpg").unlink()
    cat.rotate(90, expand=True).save(folder / "cat_turned.jpg", quality=90)
    shutil.copy(folder / "p0020.jpg", folder / "p0020 copy.jpg")
    with Image.open(folder / "p0021.jpg") as photo:
        photo.resize((photo.width // 2, photo.height // 2)).save(folder / "p0021_small.jpg", quality=85)

    updates = []
    original = neighbour_tables.updated_table
    monkeypatch.setattr(neighbour_tables, "updated_table", lambda *a, **k: updates.append(1) or original(*a, **k))
    incremental = run_scan(options, embedder_factory=lambda: embedder)
    assert updates, "the saved table was updated, not made again"
    monkeypatch.undo()
    cold = run_scan(ScanOptions([str(folder)], cache_dir=tmp_path / "cold"), embedder_factory=lambda: embedder)
    assert groups_of(incremental) == groups_of(cold)
    copies = [members for kind, members in groups_of(cold) if kind == "copies"]
    assert any(str(folder / "cat_turned.jpg") in members for members in copies)
    assert any(str(folder / "p0021_small.jpg") in members for members in copies)

"""Search by example (issue #23), on real photos with the real model: a copy finds its original
first, a stranger finds none, and a library whose cache is stale or missing says so."""

from __future__ import annotations

import json

from conftest import sample, save
from test_cli import photodedup

from photodedup.core.dedupe import ScanOptions, analyse_library
from photodedup.core.search import find_photos


def a_picture_nobody_has():
    """Shapes on a gradient: like no photo of the library (a crop of one would be a copy of it)."""
    from PIL import Image, ImageDraw

    picture = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    for n in range(12):
        draw.ellipse((n * 30, (n * 47) % 250, n * 30 + 60, (n * 47) % 250 + 40), fill=(40 * n % 255, 90, 200))
    return picture


def test_an_edited_copy_finds_its_original_first_and_a_stranger_finds_none(library, tmp_path, embedder):
    cache = tmp_path / "cache"
    analyse_library(ScanOptions([str(library["root"])], cache_dir=cache), embedder_factory=lambda: embedder).close()
    cat = sample("chelsea")
    downloaded = save(cat.crop((40, 20, 400, 280)).resize((240, 173)), tmp_path / "downloads" / "cat.jpg", quality=70)
    stranger = save(a_picture_nobody_has(), tmp_path / "downloads" / "x.jpg")
    result = find_photos([str(downloaded), str(stranger)], [str(library["root"])], cache, limit=5,
                         embedder_factory=lambda: embedder)
    assert result.library_size == 6 and result.not_cached == 0 and result.stale_note is None
    found, alone = result.queries
    assert found.matches[0].kind == "copy" and found.matches[0].path in {str(library["original"]), str(library["exact"])}
    assert any(c.kind in ("cropped", "resized") for c in found.matches[0].changes)
    assert "in the library" in found.verdict
    assert all(m.kind != "copy" for m in alone.matches)
    assert alone.verdict in ("not in the library: only look-alikes", "nothing like it in the library")


def test_a_library_not_scanned_or_changed_since_says_so(library, tmp_path, embedder):
    cache = tmp_path / "cache"
    query = library["resized"]
    result = find_photos([str(query)], [str(library["root"])], cache, embedder_factory=lambda: embedder)
    assert result.library_size == 0 and "not been scanned" in result.stale_note
    analyse_library(ScanOptions([str(library["root"])], cache_dir=cache), embedder_factory=lambda: embedder).close()
    save(sample("coffee"), library["root"] / "new.jpg")
    result = find_photos([str(query)], [str(library["root"])], cache, embedder_factory=lambda: embedder)
    assert result.not_cached == 1 and "1 photos" in result.stale_note
    assert str(query) not in {m.path for m in result.queries[0].matches}  # the query itself is no answer


def test_the_cli_searches_the_last_scans_folders(library, tmp_path):
    cache = tmp_path / "cache"
    done = photodedup("scan", str(library["root"]), "--cache-dir", str(cache), "--quiet")
    assert done.returncode == 0, done.stderr
    query = save(sample("coffee").resize((300, 200)), tmp_path / "q" / "coffee-small.jpg")
    report = tmp_path / "found.json"
    done = photodedup("find", str(query), "--cache-dir", str(cache), "--json", str(report), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "coffee.jpg" in done.stdout and "yours is resized" in done.stdout
    (answer,) = json.loads(report.read_text())["queries"]
    assert answer["matches"][0]["kind"] == "copy" and answer["matches"][0]["path"].endswith("coffee.jpg")
    done = photodedup("find", str(query), "--cache-dir", str(tmp_path / "empty-cache"))
    assert done.returncode == 2 and "no scan to search yet" in done.stderr

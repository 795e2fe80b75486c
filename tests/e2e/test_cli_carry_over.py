"""photodedup scan → trash --apply with carry-over → restore --last, as subprocesses: the report
lists companions and gains, the keeper's sidecar gains the copies' metadata, restore undoes it all."""

from __future__ import annotations

import json
import os
from pathlib import Path

from metadata_files import quicktime_clip, write_metadata
from test_cli import photodedup

from photodedup.core.analyse.photo_tags import read_sidecar_tags


def test_scan_trash_with_carry_over_then_restore(library, tmp_path):
    write_metadata(library["resized"], {"Xmp.dc.subject": ["cat", "sofa"], "Xmp.xmp.Rating": "4"})
    write_metadata(library["recompressed"], exif={"Exif.GPSInfo.GPSLatitudeRef": "N",
                                                  "Exif.GPSInfo.GPSLatitude": "48/1 51/1 24/1",
                                                  "Exif.GPSInfo.GPSLongitudeRef": "E",
                                                  "Exif.GPSInfo.GPSLongitude": "2/1 21/1 3/1"})
    live = library["recompressed"].with_suffix(".MOV")
    live.write_bytes(quicktime_clip(3))
    takeout = Path(str(library["resized"]) + ".json")
    takeout.write_text('{"title": "cat_small.jpg"}')
    report = tmp_path / "report.json"
    cache = ("--cache-dir", str(tmp_path / "cache"))
    done = photodedup("scan", str(library["root"]), "--json", str(report), *cache, "--quiet")
    assert done.returncode == 0, done.stderr
    (group,) = json.loads(report.read_text())["groups"]
    by_path = {f["path"]: f for f in group["files"]}
    keeper = next(f["path"] for f in group["files"] if f["keeper"])
    assert keeper == str(library["original"]), "the test expects the original kept"
    assert by_path[str(library["recompressed"])]["companions"] == [{"path": str(live), "kind": "live video"}]
    assert by_path[str(library["resized"])]["companions"] == [{"path": str(takeout), "kind": "takeout json"}]
    assert group["keeper_gains"]["text"] == "gains 2 keywords, rating ★★★★ and GPS from cat_small.jpg, cat_q45.jpg"
    assert len(group["files"]) == 4, "companions are never counted as photos"

    dry = photodedup("trash", str(report), *cache)
    assert "would write to cat.jpg.xmp: gains 2 keywords and rating ★★★★ from cat_small.jpg" in dry.stdout, dry.stdout
    assert "Would move to the trash: 3 files" in dry.stdout and "with 2 companion files" in dry.stdout
    assert not Path(keeper + ".xmp").exists()

    applied = photodedup("trash", str(report), "--apply", *cache)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "cat.jpg.xmp: gains 2 keywords and rating ★★★★ from cat_small.jpg" in applied.stdout
    assert "cat.jpg.xmp: gains GPS from cat_q45.jpg" in applied.stdout
    carried = read_sidecar_tags(keeper + ".xmp")
    assert carried.keywords == ["cat", "sofa"] and carried.rating == 4 and carried.gps == (48.856667, 2.350833)
    assert not live.exists() and not takeout.exists()

    history = photodedup("history")
    assert f"  + {live}" in history.stdout and f"  + {takeout}" in history.stdout, history.stdout

    restored = photodedup("restore", "--last")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert live.exists() and takeout.exists() and library["resized"].exists() and library["recompressed"].exists()
    assert not Path(keeper + ".xmp").exists() and os.path.exists(keeper)

"""The report's companions and keeper gains, found with fewer reads (core/review/report_extras.py),
say exactly what reading every file and every name of its folder says, on real files with real
metadata (written by libexiv2)."""

from __future__ import annotations

import os
from pathlib import Path

from metadata_files import photo, quicktime_clip, write_metadata

from photodedup.core.analyse import photo_tags
from photodedup.core.analyse.companions import companion_names, companions_of
from photodedup.core.analyse.exact import hash_bytes
from photodedup.core.review.carry_over import describe_gains, plan_carry_over
from photodedup.core.review.report_extras import add_companions_and_gains, names_sharing_a_start

TRICKY = [  # photo names, and names around them that are or are not their companions
    "IMG_1.jpg", "IMG_1.jpg.xmp", "IMG_1.xmp", "IMG_1.MOV", "IMG_1.jpg.json", "IMG_10.jpg", "IMG_10.xmp",
    "IMG_1(1).jpg", "IMG_1.jpg(1).json", "IMG_1(1).jpg.xmp", "IMG_", "a.b.c.jpg", "a.b.c.xmp", "a.b.jpg",
    "Screenshot_2019-07-14-10-11-12-123_com.example.app.jpg", "Screenshot_2019-07-14-10-11-12-123_com.exa.json",
    "Screenshot_2019-07-14-10-11-12-123_com.example.app.jpg.supplemental-metadata.json",
    "PXL_20230101_101010.jpg", "PXL_20230101_101010.jp.json", "PXL_20230101_101010.jpg.supplemental-me.json",
    "pxl_20230101_101010.xmp", "zz.jpg", "zz.MOV", "é.jpg", "é.jpg.xmp",
]


def test_a_photos_companions_are_among_the_names_that_start_as_it_does(tmp_path):
    for name in TRICKY:
        path = tmp_path / name
        path.write_bytes(quicktime_clip(3) if name.endswith(".MOV") else b"x")
    every = companion_names(str(tmp_path))
    found = 0
    for name in TRICKY:
        if not name.endswith(".jpg"):
            continue
        whole = companions_of(str(tmp_path / name), every)
        assert companions_of(str(tmp_path / name), names_sharing_a_start(every, name)) == whole, name
        found += len(whole)
    assert found >= 10  # the names above do have companions: the comparison means something


def report_group(files: list[tuple[Path, bool]]) -> dict:
    return {"files": [{"path": str(path), "keeper": keeper, "suggested_keeper": keeper,
                       "content_hash": hash_bytes(path.read_bytes())} for path, keeper in files]}


def every_file_read(group: dict) -> dict:
    """What the report said before: every file's tags read, the keeper's too."""
    keeper = next(f["path"] for f in group["files"] if f["keeper"])
    plan = plan_carry_over(photo_tags.read_tags(keeper),
                           [(f["path"], photo_tags.read_tags(f["path"])) for f in group["files"] if not f["keeper"]])
    return {"keeper": keeper, "text": describe_gains(plan), "conflicts": plan.conflicts, "from": plan.sources}


def test_keeper_gains_are_those_of_reading_every_file(tmp_path, monkeypatch):
    keeper = photo(tmp_path / "a" / "keeper.jpg")
    write_metadata(keeper, {"Xmp.xmp.Rating": "2"})
    same = tmp_path / "b" / "keeper.jpg"  # the same bytes: nothing of its own to give
    same.parent.mkdir()
    same.write_bytes(keeper.read_bytes())
    same_with_sidecar = tmp_path / "c" / "keeper.jpg"
    same_with_sidecar.parent.mkdir()
    same_with_sidecar.write_bytes(keeper.read_bytes())
    write_metadata(Path(str(same_with_sidecar) + ".xmp"), {"Xmp.dc.subject": ["beach"]}, sidecar=True)
    tagged = photo(tmp_path / "d" / "keeper_small.jpg", quality=60)
    write_metadata(tagged, {"Xmp.xmp.Rating": "5", "Xmp.xmp.Label": "Red"})
    plain = photo(tmp_path / "e" / "plain.jpg", quality=50)
    other = photo(tmp_path / "e" / "other.jpg", quality=70)
    cases = [
        [(keeper, True), (same, False)],
        [(keeper, True), (same, False), (same_with_sidecar, False)],
        [(keeper, True), (tagged, False), (plain, False)],
        [(other, True), (plain, False)],  # nothing anywhere
        [(plain, True), (tagged, False)],
    ]
    reads = []
    read_tags = photo_tags.read_tags
    monkeypatch.setattr("photodedup.core.review.report_extras.read_tags",
                        lambda path, listing=None: reads.append(path) or read_tags(path, listing))
    for files in cases:
        group = report_group(files)
        add_companions_and_gains(group)
        assert group["keeper_gains"] == every_file_read(group), files
    texts = [every_file_read(report_group(files))["text"] for files in cases]
    assert texts[1] and texts[2] and not texts[0] and not texts[3]  # the cases do differ
    assert str(same) not in reads and str(other) not in reads  # same bytes; a keeper nothing is offered to
    assert os.path.exists(str(same_with_sidecar) + ".xmp") and str(same_with_sidecar) in reads

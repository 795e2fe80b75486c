"""docs/RELIABILITY.md, Companions (cases 38-39): sidecars, Live Photo videos and Takeout JSON
travel with their photo through the real freedesktop trash, and come back with it."""

from __future__ import annotations

from pathlib import Path

from metadata_files import quicktime_clip
from test_deleting import as_scanned, photo

from photodedup.core.trash.journal import Journal
from photodedup.core.trash.safe_trash import TrashGroup, restore, trash_groups


def test_case_38_companions_go_after_their_photo_journalled_and_come_back_with_it(tmp_path):
    keeper = photo(tmp_path / "keep" / "IMG_1.jpg")
    copy = photo(tmp_path / "copies" / "IMG_2.jpg", 70)
    companions = {name: (tmp_path / "copies" / name) for name in
                  ("IMG_2.jpg.xmp", "IMG_2.xmp", "IMG_2.MOV", "IMG_2.jpg.json", "IMG_2.jp.json")}
    for number, path in enumerate(companions.values()):
        path.write_bytes(quicktime_clip(3) if path.suffix == ".MOV" else f"companion {number}".encode())
    before = {path: path.read_bytes() for path in companions.values()}

    dry = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], dry_run=True)
    assert [o.status for o in dry] == ["would trash"] * 6 and Journal().records() == []

    outcomes = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    assert outcomes[0].path == str(copy) and outcomes[0].status == "trashed" and not outcomes[0].companion_of
    assert {Path(o.path).name for o in outcomes[1:]} == set(companions)
    assert all(o.status == "trashed" and o.companion_of == str(copy) for o in outcomes[1:])
    assert not any(path.exists() for path in companions.values())
    records = Journal().records()
    assert records[0].path == str(copy) and all(r.companion_of == records[0].id for r in records[1:])

    restored = restore([records[0].id])  # the photo's id alone brings its companions back
    assert [o.status for o in restored] == ["restored"] * 6
    assert copy.exists() and {path: path.read_bytes() for path in companions.values()} == before
    assert keeper.exists()


def test_case_39_a_companion_another_photo_still_uses_is_never_trashed(tmp_path):
    raw = tmp_path / "IMG_1.CR2"
    raw.write_bytes(b"raw bytes")
    keeper = photo(tmp_path / "IMG_1-edit.jpg")
    copy = photo(tmp_path / "IMG_1.jpg", 70)
    shared = tmp_path / "IMG_1.xmp"  # Lightroom's sidecar: the RAW's edits
    shared.write_bytes(b"<x:xmpmeta/>")
    live = tmp_path / "IMG_1.MOV"  # a Live Photo's video, claimed by the .jpg only
    live.write_bytes(quicktime_clip(2.5))
    outcomes = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])])
    by_name = {Path(o.path).name: o for o in outcomes}
    assert by_name["IMG_1.jpg"].status == "trashed"
    assert by_name["IMG_1.xmp"].status == "skipped" and "IMG_1.CR2 still uses it" in by_name["IMG_1.xmp"].reason
    assert by_name["IMG_1.MOV"].status == "trashed"
    assert shared.read_bytes() == b"<x:xmpmeta/>" and raw.exists()
    assert restore(last=True)[-1].status == "restored" and live.read_bytes() == quicktime_clip(2.5)

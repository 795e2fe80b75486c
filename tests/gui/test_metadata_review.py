"""The review shows each photo's metadata (differences highlighted), its companions as a badge and
what the keeper would gain; trashing from the window carries it to the keeper's sidecar (#21)."""

from __future__ import annotations

from pathlib import Path

from conftest import scan_and_wait
from metadata_files import quicktime_clip, write_metadata

from photodedup.core.analyse.photo_tags import read_sidecar_tags


def test_compare_rows_badge_gains_and_carry_over_from_the_window(qtbot, make_window, library):
    write_metadata(library["resized"], {"Xmp.dc.subject": ["cat", "sofa"], "Xmp.xmp.Rating": "4"})
    library["recompressed"].with_suffix(".MOV").write_bytes(quicktime_clip(3))
    window = make_window([str(library["root"])])
    assert window.settings.carry_over, "on by default"
    scan_and_wait(qtbot, window)
    window.results_page.select_row(0)
    compare = window.results_page.compare
    choice = window.review.choices[0]
    assert choice.keeper == str(library["original"])
    assert {"Keywords", "Rating"} <= set(compare.differing_rows()) and "Companions" not in compare.differing_rows()
    badges = {Path(p.path).name: p.companions.text() for p in compare.panels}
    assert badges["cat_q45.jpg"] == "+LIVE" and badges["cat.jpg"] == ""
    assert compare.gains_label.text() == "Keeper gains 2 keywords and rating ★★★★ from cat_small.jpg"

    window.confirm = lambda parent, files, groups: True
    window.trash_marked()
    qtbot.waitUntil(lambda: window.last_dialog is not None and not window.controller.busy, timeout=30000)
    assert read_sidecar_tags(str(library["original"]) + ".xmp").keywords == ["cat", "sofa"]
    assert not library["recompressed"].with_suffix(".MOV").exists()

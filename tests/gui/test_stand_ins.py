"""A copy left unmarked because no file that stays can stand for it (core/review/witness.py) says so
in the window, on its panel and in the table's Match row, and the answer follows the marks and the
keeper as the person changes them (worked out again each time, never a string kept from the scan)."""

from __future__ import annotations

from conftest import scan_and_wait
from PySide6.QtCore import Qt

from photodedup.gui.compare_view import ROWS


def shown(page) -> dict[str, tuple[str, str, str]]:
    """path → (badge text, badge tooltip, Match row text) of each panel on screen."""
    compare = page.compare
    row = ROWS.index("Match")
    return {panel.path: (panel.badge.text(), panel.badge.toolTip() + " / " + panel.note.text(),
                         compare.table.item(row, column).text()) for column, panel in enumerate(compare.panels)}


def test_an_unmarked_copy_nothing_staying_stands_for_says_why_and_follows_the_marks(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    exports = library["root"] / "exports"
    window.folders_page.add_folders([str(exports)], protected=[str(exports)])
    scan_and_wait(qtbot, window)
    page = window.results_page
    choice = window.review.choices[0]
    small, original = str(library["resized"]), str(library["original"])
    recompressed = str(library["recompressed"])
    assert choice.keeper == small, "the protected half-size copy is the keeper"
    full_size = {original, recompressed} | {m.path for m in choice.members if m.path.endswith("cat copy.jpg")}
    assert full_size <= {m.path for m in choice.members} and not choice.marked & full_size, \
        "the policy suggests no full-size file beside a half-size keeper"

    panels = shown(page)
    for path in full_size & set(panels):
        badge, tip, match = panels[path]
        assert "NOT SUGGESTED" in badge
        assert tip.count("no file that stays can stand for it") == 2 and tip.count("holds more of the picture") == 2
        assert "no file that stays can stand for it" in match and "holds more of the picture" in match
    assert "NOT SUGGESTED" not in panels[small][0] and "stand for" not in panels[small][2]

    # The person marks one full-size file: the others still have nothing staying that stands for them.
    qtbot.mouseClick(next(p for p in page.compare.panels if p.path == recompressed).trash_box,
                     Qt.MouseButton.LeftButton)
    assert recompressed in choice.marked
    panels = shown(page)
    assert "TRASH" in panels[recompressed][0] and "stand for" not in panels[recompressed][2]
    assert "NOT SUGGESTED" in panels[original][0]

    # The full-size original becomes the keeper: it stands for every other file, and no panel nor
    # row says otherwise any more.
    page.keep(original)
    assert choice.keeper == original
    panels = shown(page)
    assert not any("NOT SUGGESTED" in badge or "stand for" in tip + match for badge, tip, match in panels.values())
    assert not any(panel.note.isVisible() for panel in page.compare.panels)

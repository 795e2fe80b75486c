"""The desktop app driven through its real widgets: add folder, scan, review, trash, undo."""

from __future__ import annotations

import os

from conftest import sample, save, scan_and_wait
from PySide6.QtCore import Qt

from photodedup.core.trash.journal import Journal
from photodedup.gui.compare_view import ROWS

MATCH = ROWS.index("Match")


def group_names(window) -> list[list[str]]:
    return sorted(sorted(os.path.basename(m.path) for m in c.members) for c in window.review.choices)


def two_group_library(library):
    """The shared library (a cat and three copies) plus a coffee and its copy."""
    save(sample("coffee"), library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    return library


def test_first_run_shows_what_to_do(make_window):
    window = make_window()
    page = window.folders_page
    assert window.pages.currentWidget() is page
    assert page.showing_first_steps and page.empty_add_button.isVisible()
    assert not page.scan_button.isEnabled()


def test_folder_from_the_command_line_and_settings_are_remembered(make_window, library, tmp_path):
    window = make_window([str(library["root"])])
    assert window.folders_page.folders() == [str(library["root"])]
    window.folders_page.add_folders([str(tmp_path)], protected=[str(tmp_path)])
    window.folders_page.excludes_edit.setText("backup, *.png")
    window.close()
    again = make_window()
    assert again.folders_page.folders() == [str(library["root"]), str(tmp_path)]
    assert again.folders_page.protected_folders() == [str(tmp_path)]
    assert again.folders_page.excludes() == ["backup", "*.png"]


def test_scan_review_dismiss_and_trash(qtbot, make_window, library, settings_file):
    two_group_library(library)
    window = make_window()
    window.folders_page.add_folders([str(library["root"])])
    scan_and_wait(qtbot, window)
    assert group_names(window) == [["cat copy.jpg", "cat.jpg", "cat_q45.jpg", "cat_small.jpg"],
                                   ["coffee.jpg", "coffee_q40.jpg"]]
    page = window.results_page
    assert "2 groups · 4 copies" in page.summary.text()

    # The cat group (the larger saving) is shown first; its panels, keeper first.
    page.select_row(0)
    compare = page.compare
    assert len(compare.panels) == 4 and compare.panels[0].path == window.review.choices[0].keeper
    assert "Dimensions" in compare.differing_rows() and "File size" in compare.differing_rows()

    # Change the keeper by clicking "Keep this one" on the small copy; then toggle a file back.
    small = next(p for p in compare.panels if p.path.endswith("cat_small.jpg"))
    qtbot.mouseClick(small.keep_button, Qt.MouseButton.LeftButton)
    choice = window.review.choices[0]
    assert choice.keeper == small.path and small.path not in choice.marked and len(choice.marked) == 3
    original = str(library["original"])
    original_panel = next(p for p in compare.panels if p.path == original)
    qtbot.mouseClick(original_panel.trash_box, Qt.MouseButton.LeftButton)  # unmark: keep the original too
    assert original not in choice.marked and not original_panel.trash_box.isChecked()
    assert "Move 3 marked files" in page.trash_button.text()  # 2 of the cats, 1 coffee

    # "Not duplicates" on the coffee group: hidden now and remembered.
    page.select_row(1)
    qtbot.mouseClick(page.dismiss_button, Qt.MouseButton.LeftButton)
    assert group_names(window) == [["cat copy.jpg", "cat.jpg", "cat_q45.jpg", "cat_small.jpg"]]
    assert "Move 2 marked files" in page.trash_button.text()

    # Trash the two marked files: really gone into the (temporary) trash, keeper and original stay.
    marked = sorted(choice.marked)
    qtbot.mouseClick(page.trash_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.last_dialog is not None and not window.controller.busy, timeout=30000)
    assert not any(os.path.exists(p) for p in marked)
    assert os.path.exists(small.path) and os.path.exists(original)
    assert sorted(r.path for r in Journal().records() if r.state == "trashed") == marked
    assert group_names(window) == [["cat.jpg", "cat_small.jpg"]]
    results = window.last_dialog.tree
    assert results.topLevelItemCount() == 2 and all("moved to Trash" in results.topLevelItem(i).text(0) for i in range(2))

    # Scan again: the coffee group stays dismissed.
    scan_and_wait(qtbot, window)
    assert group_names(window) == [["cat.jpg", "cat_small.jpg"]]

    # Undo last trash puts the files back, and the rescan shows them again.
    window.undo_last_trash()
    qtbot.waitUntil(lambda: all(os.path.exists(p) for p in marked), timeout=30000)
    qtbot.waitUntil(lambda: not window.controller.busy and window.pages.currentWidget() is page, timeout=60000)
    assert group_names(window) == [["cat copy.jpg", "cat.jpg", "cat_q45.jpg", "cat_small.jpg"]]


def test_keyboard_review(qtbot, make_window, library):
    two_group_library(library)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    page.group_view.setFocus()
    assert page.current_row() == 0
    qtbot.keyClick(page, Qt.Key.Key_J)
    assert page.current_row() == 1
    qtbot.keyClick(page, Qt.Key.Key_K)
    assert page.current_row() == 0
    choice = page.current_choice()
    keeper = choice.keeper
    qtbot.keyClick(page, Qt.Key.Key_Right)  # focus the second photo
    second = page.compare.focused_path()
    assert second != keeper and second in choice.marked
    qtbot.keyClick(page, Qt.Key.Key_Space)
    assert second not in choice.marked
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert choice.keeper == second and keeper in choice.marked
    qtbot.keyClick(page, Qt.Key.Key_D)
    assert len(window.review.choices) == 1
    from PySide6.QtWidgets import QApplication

    assert [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()
            and type(w).__name__ == "PhotoPanel"] == [], "panels of groups left behind never become windows"


def test_protected_folder_files_are_kept_and_cannot_be_marked(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    exports = library["root"] / "exports"
    window.folders_page.add_folders([str(exports)], protected=[str(exports)])
    scan_and_wait(qtbot, window)
    choice = window.review.choices[0]
    small = str(library["resized"])
    assert choice.keeper == small, "a protected file is preferred as the keeper"
    assert window.review.toggle(choice, small) is not None and small not in choice.marked
    panel = next(p for p in window.results_page.compare.panels if p.path == small)
    assert not panel.trash_box.isEnabled()


def test_every_file_of_a_group_can_never_be_marked(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    choice = window.review.choices[0]
    refusal = window.review.toggle(choice, choice.keeper)
    assert refusal is not None and "At least one" in refusal
    assert choice.keeper not in choice.marked and len(choice.marked) == len(choice.members) - 1


def test_similarity_slider_regroups_from_the_cache(qtbot, make_window, library, monkeypatch):
    from photodedup.core.analyse import read as reading
    from photodedup.core.dedupe import find_groups

    coffee = sample("coffee")
    w, h = coffee.size
    save(coffee.crop((int(w * .15), int(h * .15), int(w * .85), int(h * .85))), library["root"] / "coffee_crop.jpg")
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    assert ["coffee.jpg", "coffee_crop.jpg"] in group_names(window)  # distance about 0.37
    monkeypatch.setattr(reading, "read_and_decode", lambda f: (_ for _ in ()).throw(AssertionError("decoded")))
    page = window.results_page
    strict = find_groups(window.library, page.slider.minimum() / 100)
    expected = sorted(sorted(os.path.basename(m.path) for m in g.members) for g in strict)
    assert ["coffee.jpg", "coffee_crop.jpg"] not in expected
    page.slider.setValue(page.slider.minimum())  # strictest
    qtbot.waitUntil(lambda: not window.controller.busy and group_names(window) == expected, timeout=20000)
    assert window.pages.currentWidget() is page
    assert window.settings.threshold == page.slider.minimum() / 100


def test_compare_zoom_and_pan_stay_in_step(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    compare = window.results_page.compare
    compare.actual_size()
    states = [panel.view.state() for panel in compare.panels]
    largest = max(compare.panels, key=lambda p: p.view.original_size[0])
    assert abs(largest.view.fit_scale() * states[0][0] - 1.0) < 1e-6, "100%: the largest photo pixel for pixel"
    first = compare.panels[0].view
    first.horizontalScrollBar().setValue(first.horizontalScrollBar().value() + 40)
    centres = [panel.view.state()[1] for panel in compare.panels]
    assert max(centres) - min(centres) < 0.02, "panning one photo pans them all to the same place"
    compare.fit()
    assert all(abs(panel.view.state()[0] - 1.0) < 1e-9 for panel in compare.panels)


def test_copy_check_mode_lists_originals_with_their_copies(qtbot, make_window, tmp_path):
    cat = sample("chelsea")
    originals, downloads = tmp_path / "originals", tmp_path / "downloads"
    save(cat, originals / "cat.jpg", quality=95)
    save(sample("coffee"), originals / "coffee.jpg", quality=95)
    save(cat.resize((225, 150)), downloads / "cat_small.jpg", quality=80)
    save(cat.convert("L"), downloads / "cat_bw.png")
    save(sample("astronaut"), downloads / "astronaut.jpg")
    window = make_window()
    window.folders_page.add_folders([str(originals)], protected=[str(originals)])
    window.folders_page.add_folders([str(downloads)])
    window.folders_page.copies_mode.setChecked(True)
    assert window.folders_page.scan_button.text() == "Find copies"
    scan_and_wait(qtbot, window)
    page = window.results_page
    assert "1 originals with copies · 2 copies found" in page.summary.text()
    (choice,) = window.review.choices
    assert choice.keeper == str(originals / "cat.jpg") and choice.marked == set(), "copies are found, not judged"
    assert window.review.toggle(choice, str(originals / "cat.jpg")) is not None, "an original can't be marked"
    assert window.review.toggle(choice, str(downloads / "cat_small.jpg")) is None
    compare = page.compare
    match_row = compare.table.item(MATCH, 1).text() + compare.table.item(MATCH, 2).text()
    assert "resized to 50%" in match_row and "made black and white" in match_row


def test_keeper_rule_order_is_set_in_preferences_and_regroups(qtbot, make_window, library):
    os.utime(library["recompressed"], ns=(10**9, 10**9))  # the q45 copy is the oldest file
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    assert window.review.choices[0].keeper == str(library["original"]), "by default: pixels, then the largest file"
    window.edit_preferences()
    dialog = window.preferences_dialog
    assert dialog.rules() == ["protected", "raw", "whole", "pixels", "no-padding", "upright", "colour", "full-colour",
                              "original", "native", "unedited", "as-stored", "not-resaved", "not-enhanced", "detail",
                              "quality", "central", "tones", "oldest-taken", "largest-file", "oldest-file", "shortest-path"]
    dialog.rule_list.setCurrentRow(20)  # "keep the oldest file" up to the top
    for _ in range(20):
        dialog.move(-1)
    dialog.move(-1)  # already first: nothing happens
    assert dialog.rules()[0] == "oldest-file"
    dialog.accept()
    qtbot.waitUntil(lambda: not window.controller.busy and bool(window.review.choices)
                    and window.review.choices[0].keeper == str(library["recompressed"]), timeout=20000)
    assert window.settings.keeper_rules[0] == "oldest-file"


def test_compare_table_says_what_each_copy_changed(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    compare = window.results_page.compare
    qtbot.waitUntil(lambda: len(compare.changes) == 3, timeout=20000)
    match = {compare.table.item(0, column).text(): compare.table.item(MATCH, column).text()
             for column in range(compare.table.columnCount())}
    assert match["cat_small.jpg"].startswith("resized to 50%")
    assert "identical file" in match["cat copy.jpg"]
    assert "recompressed: JPEG quality about 45 (original about 95)" in match["cat_q45.jpg"]


def test_similar_shots_are_labelled_and_nothing_is_marked(qtbot):
    import numpy as np

    from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo
    from photodedup.core.review.choices import KEPT_ELSEWHERE, Review
    from photodedup.gui.group_list import GroupListModel
    from photodedup.gui.image_loader import ImageLoader

    def info(path):
        return ImageInfo(ImageFile(path, 1000, 1, 1, hash(path) % 10**6), 40, 30, "JPEG", f"h-{path}",
                         np.ones(8, np.float32) / np.sqrt(8))

    shot, copy, other = info("/p/shot.jpg"), info("/p/shot-small.jpg"), info("/p/other-shot.jpg")
    copies = Group([GroupMember(shot, keeper=True), GroupMember(copy)])
    similar = Group([GroupMember(shot, keeper=True), GroupMember(other)], kind="similar", note="best shot: sharper")
    review = Review([copies, similar])
    assert review.choices[0].marked == {"/p/shot-small.jpg"} and review.choices[1].marked == set()
    assert review.toggle(review.choices[1], "/p/shot.jpg") == KEPT_ELSEWHERE, "the copies' keeper stays"
    model = GroupListModel(ImageLoader())
    model.set_review(review)
    text = model.data(model.index(1), Qt.ItemDataRole.DisplayRole)
    assert text.startswith("Similar shots: shot.jpg") and "nothing marked" in text
    assert "best shot: sharper" in model.data(model.index(1), Qt.ItemDataRole.ToolTipRole)

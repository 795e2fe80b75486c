"""The results page's controls: a slider that stays put, a way back to the default, sorting,
and stale groups greyed out while a regroup runs."""

from __future__ import annotations

import os

from conftest import sample, save, scan_and_wait

from photodedup.core.match.group import DEFAULT_THRESHOLD


def test_slider_label_keeps_its_width_and_default_is_one_click_away(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    handle_before = page.slider.geometry()
    width = page.slider_label.width()
    page.slider.setValue(54)
    assert page.slider_label.text() == "0.54" and page.slider_label.width() == width
    assert page.slider.geometry() == handle_before
    qtbot.waitUntil(lambda: not window.controller.busy and window.settings.threshold == 0.54, timeout=20000)
    page.reset_button.click()
    assert page.threshold() == DEFAULT_THRESHOLD and "(default)" in page.slider_label.text()
    qtbot.waitUntil(lambda: not window.controller.busy and window.settings.threshold == DEFAULT_THRESHOLD,
                    timeout=20000)


def test_groups_sort_by_name_and_regrouping_greys_them_out(qtbot, make_window, library):
    save(sample("coffee"), library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    by_saving = [os.path.basename(c.keeper) for c in window.review.choices]
    page.sort_box.setCurrentIndex(page.sort_box.findData("name"))
    names = [os.path.basename(c.keeper) for c in window.review.choices]
    assert names == sorted(names, key=str.lower) and sorted(names) == sorted(by_saving)
    assert page.model.choice(0) is window.review.choices[0]
    page.set_regrouping(True)
    assert not page.splitter.isEnabled() and not page.trash_button.isEnabled() and "Regrouping" in page.summary.text()
    page.set_regrouping(False)
    assert page.splitter.isEnabled() and page.trash_button.isEnabled()


def test_a_hidden_group_can_be_shown_again_and_stays_hidden_after_a_copy_is_trashed(qtbot, make_window, library):
    coffee = sample("coffee")
    save(coffee, library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    leaving = save(coffee, library["root"] / "phone" / "coffee_q60.jpg", quality=60)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page

    def hide_coffee():
        page.select_row(next(n for n, c in enumerate(window.review.choices) if "coffee" in c.keeper))
        page.dismiss_current()

    hide_coffee()
    assert len(window.review.choices) == 1 and len(window.review.hidden) == 1
    assert len(window.settings.dismissed) == 1

    window.show_hidden_groups()
    dialog = window.hidden_dialog
    assert dialog.list.count() == 1 and "coffee" in dialog.list.item(0).text()
    dialog.list.setCurrentRow(0)
    dialog.show_button.click()
    assert len(window.review.choices) == 2 and window.review.hidden == [] and window.settings.dismissed == []
    dialog.close()

    hide_coffee()  # hidden again; then one of its three photos leaves: still hidden after a rescan
    os.remove(leaving)
    scan_and_wait(qtbot, window)
    assert all("coffee" not in c.keeper for c in window.review.choices) and len(window.review.hidden) == 1
    save(coffee.resize((coffee.width // 2, coffee.height // 2)), library["root"] / "coffee_small.jpg")
    scan_and_wait(qtbot, window)  # a new copy of the hidden photo shows the group again
    assert any("coffee" in c.keeper for c in window.review.choices)


def test_preferences_set_the_default_similarity_and_clear_the_cache(qtbot, make_window, library, tmp_path):
    window = make_window([str(library["root"])])
    assert not window.undo_action.isEnabled()  # nothing trashed yet: nothing to undo
    scan_and_wait(qtbot, window)
    cache = tmp_path / "cache"
    before = sorted(p.name for p in cache.iterdir())
    (cache / "my-notes.txt").write_text("not photodedup's")  # a folder the person chose may hold other things
    window.edit_preferences()
    dialog = window.preferences_dialog
    assert "in " + str(cache) in dialog.cache_label.text()
    from PySide6.QtWidgets import QMessageBox
    original = QMessageBox.question
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    try:
        dialog.clear()
    finally:
        QMessageBox.question = original
    assert "freed" in dialog.cache_label.text() and (cache / "my-notes.txt").exists()
    assert not any(p.name.startswith("photodedup-cache") for p in cache.iterdir()) and before
    dialog.threshold_box.setValue(0.40)
    dialog.accept()
    page = window.results_page
    page.reset_button.click()
    assert page.threshold() == 0.40 and "(default)" in page.slider_label.text()
    assert window.settings.default_threshold == 0.40


def test_a_file_deleted_outside_the_app_leaves_the_list_and_failures_come_first(qtbot, make_window, library):
    from photodedup.core.trash.safe_trash import FileOutcome
    from photodedup.gui.trash_dialogs import OutcomeDialog

    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    choice = window.review.choices[0]
    gone = sorted(choice.marked)[0]
    os.remove(gone)
    window.results_page.select_row(0)
    assert gone not in {m.path for c in window.review.choices for m in c.members}
    assert "no longer exist" in window.statusBar().currentMessage()

    dialog = OutcomeDialog(window, "Move to Trash", [FileOutcome("/a.jpg", "trashed"), FileOutcome("/b.jpg", "failed", "x"),
                                                     FileOutcome("/c.jpg", "trashed")])
    assert dialog.tree.topLevelItem(0).text(1) == "/b.jpg"


def test_the_filter_shows_groups_with_a_file_in_a_folder_or_by_name(qtbot, make_window, library):
    save(sample("coffee"), library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    page.filter_box.setText("PHONE")
    assert page.model.rowCount() == 1 and "coffee" in page.current_choice().keeper
    assert "1 shown" in page.summary.text()
    page.step_group(1)
    assert "coffee" in page.current_choice().keeper
    page.filter_box.setText("uploads")
    assert page.model.rowCount() == 1 and "cat" in page.current_choice().keeper
    page.filter_box.clear()
    assert page.model.rowCount() == 2 and "shown" not in page.summary.text()


def test_the_window_fits_a_1024_by_700_screen_and_pages_the_photos(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() <= 1024)
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 700
    compare = window.results_page.compare
    qtbot.waitUntil(lambda: len(compare.panels) == 2 and compare.pager.isVisible())
    panel_right = max(p.mapTo(compare, p.rect().topRight()).x() for p in compare.panels)
    assert panel_right <= compare.width()  # no photo behind a sideways scroll
    compare.page(1)
    assert [p.path for p in compare.panels][0] == window.review.choices[0].keeper and "of 4" in compare.pager_label.text()


def test_zoom_is_shown_and_a_photo_that_cannot_be_read_says_so(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    assert page.zoom_label.text() == "Fit"
    page.actual_button.click()
    assert page.zoom_label.text() == "100%"
    page.fit_button.click()
    assert page.zoom_label.text() == "Fit"

    choice = window.review.choices[0]
    victim = sorted(choice.marked)[0]
    with open(victim, "r+b") as handle:  # still there, no longer a picture
        handle.truncate(10)
    window.previews.forget(victim)
    page.compare.show_choice(choice, window.review)
    panel = next(p for p in page.compare.panels if p.path == victim)
    qtbot.waitUntil(lambda: "can't be shown" in panel.view.placeholder, timeout=10000)


def test_the_keys_work_at_once_after_a_scan_and_after_hiding_a_group(qtbot, make_window, library):
    save(sample("coffee"), library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    window = make_window([str(library["root"])])
    window.activateWindow()
    scan_and_wait(qtbot, window)
    page = window.results_page
    assert window.focusWidget() is page.group_view
    page.dismiss_current()
    assert window.focusWidget() is page.group_view

"""Marking a person controls: per-group trash, unmark all, a confirmation that defaults to Cancel,
marks that survive a rescan, and a quit that asks while files are marked."""

from __future__ import annotations

import os

from conftest import sample, save, scan_and_wait
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from photodedup.gui import trash_dialogs


def two_groups(library):
    save(sample("coffee"), library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    return library


def test_trash_one_group_and_unmark_all(qtbot, make_window, library):
    two_groups(library)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    cats, coffees = window.review.choices
    cat_marked, coffee_marked = sorted(cats.marked), sorted(coffees.marked)
    asked = []
    window.confirm = lambda parent, files, groups: asked.append((files, groups)) or True
    page.select_row(1)
    qtbot.mouseClick(page.group_trash_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.last_dialog is not None and not window.controller.busy, timeout=30000)
    (files, groups), = asked
    sizes = {m.path: m.info.file.size for m in coffees.members}
    assert groups == 1 and files == [(p, sizes[p]) for p in coffee_marked]
    assert not any(os.path.exists(p) for p in coffee_marked) and all(os.path.exists(p) for p in cat_marked)

    window.mark_all(False)
    assert window.review.marked_count == 0 and not page.trash_button.isEnabled()
    assert "0 marked files" in page.trash_button.text()


def test_the_confirmation_lists_folders_and_defaults_to_cancel(qtbot, monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(box) or 0)
    files = [(str(tmp_path / "a" / "1.jpg"), 1000), (str(tmp_path / "a" / "2.jpg"), 2000),
             (str(tmp_path / "b" / "3.jpg"), 500)]
    assert trash_dialogs.confirm_trash(None, files, 2) is False  # closed without a click: nothing moves
    box, = seen
    assert box.defaultButton().text() == "Cancel"
    assert "3 marked files" in box.text() and "2 groups" in box.text()
    assert f"2 files, 3.0 KB — {tmp_path / 'a'}" in box.informativeText()


def test_marks_survive_a_rescan_and_quitting_with_marks_asks(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    choice = window.review.choices[0]
    unmarked = sorted(choice.marked)[0]
    window.results_page.select_row(0)
    window.results_page.toggle(unmarked)
    assert unmarked not in choice.marked, window.results_page.current_row()
    scan_and_wait(qtbot, window)
    again = window.review.choices[0]
    assert unmarked not in again.marked and len(again.marked) == len(choice.marked)

    asked = []
    window.confirm_quit = lambda marked: asked.append(marked) or False
    window.close()
    assert asked == [len(again.marked)] and window.isVisible()
    window.confirm_quit = lambda marked: True


def test_exported_results_keep_the_persons_marks_and_the_cli_trashes_exactly_those(qtbot, make_window, library,
                                                                                    tmp_path, monkeypatch):
    import json

    import subprocess
    import sys

    from PySide6.QtWidgets import QFileDialog

    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    choice = window.review.choices[0]
    kept_too = sorted(choice.marked)[0]
    window.results_page.select_row(0)
    window.results_page.toggle(kept_too)
    exported = tmp_path / "results.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(exported), "JSON report (*.json)"))
    window.export_results()
    (group,) = json.loads(exported.read_text())["groups"]
    marked = sorted(f["path"] for f in group["files"] if not f["keeper"])
    assert marked == sorted(choice.marked) and kept_too not in marked

    done = subprocess.run([sys.executable, "-m", "photodedup", "trash", str(exported), "--apply",
                           "--cache-dir", window.cache_dir],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not any(os.path.exists(p) for p in marked) and os.path.exists(kept_too) and os.path.exists(choice.keeper)


def test_unmark_everything_asks_and_undo_brings_photos_back_unmarked(qtbot, make_window, library):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    asked = []
    window.ask = lambda title, question: asked.append(question) or False
    window.mark_all(False)
    assert asked and window.review.marked_count == 3  # refused: nothing changed
    window.ask = lambda *a: True

    marked = sorted(window.review.choices[0].marked)
    window.trash_marked()
    qtbot.waitUntil(lambda: window.last_dialog is not None and not window.controller.busy, timeout=30000)
    assert window.undo_action.isEnabled()
    window.undo_last_trash()
    qtbot.waitUntil(lambda: all(os.path.exists(p) for p in marked), timeout=30000)
    qtbot.waitUntil(lambda: not window.controller.busy and window.review is not None and bool(window.review.choices),
                    timeout=60000)
    assert window.review.marked_count == 0  # the photos you brought back are not marked again


def test_copy_check_offers_no_keep_trash_or_mark_controls(qtbot, make_window, tmp_path):
    originals, downloads = tmp_path / "originals", tmp_path / "downloads"
    cat = sample("chelsea")
    save(cat, originals / "cat.jpg", quality=95)
    save(cat.resize((cat.width // 2, cat.height // 2)), downloads / "cat_small.jpg")
    window = make_window()
    window.folders_page.add_folders([str(originals), str(downloads)], [str(originals)])
    window.folders_page.copies_mode.setChecked(True)
    assert "My originals" in window.folders_page.hint.text()
    scan_and_wait(qtbot, window)
    panels = window.results_page.compare.panels
    assert panels and not any(p.keep_button.isVisible() or p.trash_box.isVisible() for p in panels)
    assert not any(action.isEnabled() for action in window.mark_actions)


def test_the_confirmation_counts_the_companions_that_go_with_the_photos(qtbot, monkeypatch, tmp_path):
    from metadata_files import quicktime_clip

    seen = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(box) or 0)
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "1.jpg").write_bytes(b"x" * 1000)
    (folder / "1.jpg.xmp").write_bytes(b"<x/>" * 256)
    (folder / "1.mov").write_bytes(quicktime_clip(3, padding=2000))  # a Live Photo's clip
    (folder / "2.jpg").write_bytes(b"x" * 1000)
    (folder / "2.mov").write_bytes(quicktime_clip(90, padding=5000))  # a video of its own: stays
    trash_dialogs.confirm_trash(None, [(str(folder / "1.jpg"), 1000), (str(folder / "2.jpg"), 1000)], 1)
    box, = seen
    assert "With them go 2 companion files" in box.informativeText(), box.informativeText()
    assert f"  + {folder / '1.mov'}" in box.detailedText() and "2.mov" not in box.detailedText()

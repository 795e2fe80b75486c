"""A trash in progress is never interrupted or doubled: a regroup, a rescan or a second trash
asked for meanwhile waits or is refused, and the trash's result is always shown."""

from __future__ import annotations

import os
import time

from conftest import scan_and_wait
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from photodedup.core.trash.journal import Journal


def slow_trash(monkeypatch, seconds: float = 0.4) -> None:
    """Each move to the Trash takes ``seconds`` (send2trash, the library itself, slowed down)."""
    import send2trash

    real_send = send2trash.send2trash

    def send(path: str) -> None:
        time.sleep(seconds)
        real_send(path)

    monkeypatch.setattr(send2trash, "send2trash", send)


def test_regroup_and_rescan_during_a_trash_wait_and_the_result_is_shown(qtbot, make_window, library, monkeypatch):
    slow_trash(monkeypatch)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    marked = sorted(window.review.choices[0].marked)
    assert len(marked) == 3

    qtbot.mouseClick(page.trash_button, Qt.MouseButton.LeftButton)
    assert window.controller.running_kind == "trash"
    page.slider.setValue(page.slider.minimum())  # asks for a regroup while the trash runs
    window.regroup(page.slider.minimum() / 100)
    window.start_scan()  # Ctrl+R: refused, and the person is told why
    assert "being moved" in window.statusBar().currentMessage()
    window.find_photos([str(library["coffee"])])  # a search: refused too
    window.trash_marked()  # a second trash
    assert window.controller.running_kind == "trash" and window.pages.currentWidget() is page

    qtbot.waitUntil(lambda: window.last_dialog is not None, timeout=30000)
    assert not any(os.path.exists(p) for p in marked)
    results = window.last_dialog.tree
    assert results.topLevelItemCount() == 3
    assert sorted(r.path for r in Journal().records() if r.state == "trashed") == marked
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=30000)
    assert page.isEnabled() and window.pages.currentWidget() is page
    assert window.settings.threshold == page.slider.minimum() / 100  # the regroup ran after the trash


def test_a_trash_refused_because_another_runs_leaves_the_page_usable(qtbot, make_window, library, monkeypatch):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    marked = sorted(window.review.choices[0].marked)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    with Journal().exclusive():  # as another photodedup process would hold it
        qtbot.mouseClick(page.trash_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "another photodedup" in shown[0]
    assert all(os.path.exists(p) for p in marked) and page.isEnabled()
    assert sorted(window.review.choices[0].marked) == marked

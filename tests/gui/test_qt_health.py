"""The Qt binding itself: a long review session must not wear out Python's None."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_calls_that_return_nothing_keep_none_alive(qtbot):
    # PySide6 6.12.0 on Python 3.11 dropped one reference to None per such call; the app then
    # aborted ("none_dealloc") after about a thousand zoom steps (pyproject.toml pins it out).
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        label.setEnabled(True)
    assert sys.getrefcount(None) - before > -100

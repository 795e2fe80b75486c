"""Search by example in the window: drop a photo, see where it lives, compare it with the query."""

from __future__ import annotations

from conftest import SCAN_TIMEOUT_MS, sample, save, scan_and_wait
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent


def test_a_dropped_photo_is_found_and_compared_with_its_original(qtbot, make_window, library, tmp_path):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    query = save(sample("coffee").resize((300, 200)), tmp_path / "from-the-web" / "coffee.jpg", quality=70)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(query))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: getattr(window, "search_dialog", None) is not None, timeout=SCAN_TIMEOUT_MS)
    dialog = window.search_dialog
    assert dialog.list.count() >= 1 and "the same picture" in dialog.list.item(0).text()
    assert "coffee.jpg" in dialog.list.item(0).text() and "in the library" in dialog.verdict.text()
    compare = dialog.compare
    qtbot.waitUntil(lambda: len(compare.panels) == 2)
    assert compare.panels[0].path == str(query) and compare.panels[1].path == str(library["coffee"])
    assert not compare.panels[1].trash_box.isVisible()  # a search changes nothing
    dialog.close()

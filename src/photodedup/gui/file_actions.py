"""What a person does with one photo outside photodedup: open it, show it in its folder, copy its path."""

from __future__ import annotations

import os

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu, QWidget


def _open(url: QUrl, what: str) -> bool:
    if QDesktopServices.openUrl(url):
        return True
    window = QApplication.activeWindow()
    if window is not None and hasattr(window, "statusBar"):
        window.statusBar().showMessage(f"No program on this computer opens {what}; "
                                       "right-click › Copy path to open it yourself.", 8000)
    return False


def open_file(path: str) -> bool:
    """Open the photo in the desktop's default viewer; says so in the status bar if none can."""
    return _open(QUrl.fromLocalFile(path), "this photo")


def show_in_folder(path: str) -> bool:
    """Open the folder holding the photo in the file manager."""
    return _open(QUrl.fromLocalFile(os.path.dirname(path)), "folders")


def copy_path(path: str) -> None:
    QGuiApplication.clipboard().setText(path)


def file_menu(parent: QWidget, path: str) -> QMenu:
    """The right-click menu of a photo."""
    menu = QMenu(parent)
    for text, action in (("Open", open_file), ("Show in folder", show_in_folder), ("Copy path", copy_path)):
        item = QAction(text, menu)
        item.triggered.connect(lambda _=False, act=action: act(path))
        menu.addAction(item)
    return menu

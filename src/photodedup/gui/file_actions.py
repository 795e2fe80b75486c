"""What a person does with one photo outside photodedup: open it, show it in its folder, copy its path."""

from __future__ import annotations

import os

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget


def open_file(path: str) -> bool:
    """Open the photo in the desktop's default viewer."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def show_in_folder(path: str) -> bool:
    """Open the folder holding the photo in the file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))


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

"""Search by example: a photo dropped, pasted or chosen, and where it and its look-alikes live."""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QListWidget, QListWidgetItem, QSplitter, QVBoxLayout

from photodedup.core.models import Group, GroupMember
from photodedup.core.review.choices import Review
from photodedup.core.search import QueryResult, SearchResult
from photodedup.gui.compare_view import CompareView
from photodedup.gui.file_actions import file_menu
from photodedup.gui.image_loader import ImageLoader

THUMB = 96


class SearchDialog(QDialog):
    """The results of a search, best first; the one selected is compared with the query."""

    def __init__(self, parent, result: SearchResult, thumbnails: ImageLoader, previews: ImageLoader,
                 full_size: ImageLoader) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find this photo")
        self.resize(1200, 760)
        self.result, self.thumbnails = result, thumbnails
        self.query_box = QComboBox()
        for query in result.queries:
            self.query_box.addItem(os.path.basename(query.query), query)
        self.query_box.setVisible(len(result.queries) > 1)
        self.query_box.currentIndexChanged.connect(lambda _: self._show_query())
        self.verdict = QLabel()
        self.verdict.setObjectName("pageTitle")
        self.note = QLabel(result.stale_note or "")
        self.note.setObjectName("dim")
        self.note.setVisible(bool(result.stale_note))
        self.list = QListWidget()
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setMinimumWidth(440)
        self.list.setWordWrap(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentRowChanged.connect(self._compare)
        self.compare = CompareView(previews, full_size)
        self.compare.role_names = ("YOUR PHOTO", "FOUND")
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.compare)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query_box)
        layout.addWidget(self.verdict)
        layout.addWidget(self.note)
        layout.addWidget(splitter, 1)
        thumbnails.loaded.connect(self._thumbnail_loaded)
        self._show_query()

    def query(self) -> QueryResult:
        return self.query_box.currentData()

    def _show_query(self) -> None:
        query = self.query()
        self.verdict.setText(f"{os.path.basename(query.query)}: {query.verdict}")
        self.list.clear()
        for match in query.matches:
            item = QListWidgetItem(f"{os.path.basename(match.path)}\n{match.label}\n{os.path.dirname(match.path)}")
            item.setToolTip(f"{match.path}\n{match.label} (distance {match.distance:.3f})")
            item.setData(Qt.ItemDataRole.UserRole, match.path)
            item.setIcon(self._icon(match.path))
            self.list.addItem(item)
        if query.matches:
            self.list.setCurrentRow(0)
        else:
            self.compare.show_choice(None, None)

    def _compare(self, row: int) -> None:
        query = self.query()
        if query.info is None or not 0 <= row < len(query.matches):
            self.compare.show_choice(None, None)
            return
        match = query.matches[row]
        members = [GroupMember(query.info, keeper=True, detail="the photo you asked about"),
                   GroupMember(match.info, distance=match.distance, detail=match.label)]
        review = Review([Group(members)], suggest_trash=False)
        self.compare.show_choice(review.choices[0], review)

    def _icon(self, path: str) -> QIcon:
        image = self.thumbnails.request(path, THUMB * 2)
        return QIcon(QPixmap.fromImage(image)) if image is not None and not image.isNull() else QIcon()

    def _thumbnail_loaded(self, path: str, max_side: int, image) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == path and not image.isNull():
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    def _menu(self, position) -> None:
        item = self.list.itemAt(position)
        if item is not None:
            file_menu(self, item.data(Qt.ItemDataRole.UserRole)).exec(self.list.mapToGlobal(position))

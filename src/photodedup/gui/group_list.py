"""The list of groups: keeper thumbnail, how many photos, how much space the marked copies free.
Groups of similar shots (listed after the copies) say so and suggest nothing for the Trash."""

from __future__ import annotations

import os

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QListView

from photodedup.core.review.choices import GroupChoice, Review
from photodedup.core.review.report import human_bytes
from photodedup.gui.image_loader import ImageLoader

THUMB = 72


class GroupListModel(QAbstractListModel):
    """Rows are the review's groups, biggest saving first (the order the review holds)."""

    def __init__(self, thumbnails: ImageLoader) -> None:
        super().__init__()
        self.review: Review | None = None
        self.rows: list[GroupChoice] = []  # the review's groups that pass the filter, in its order
        self.filter_text = ""
        self.thumbnails = thumbnails
        self.thumbnails.loaded.connect(self._thumbnail_loaded)
        self._pixmaps: dict[str, QPixmap] = {}

    def set_review(self, review: Review | None) -> None:
        self.beginResetModel()
        self.review = review
        needle = self.filter_text.casefold()
        self.rows = [c for c in (review.choices if review else [])
                     if not needle or any(needle in m.path.casefold() for m in c.members)]
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        """Show only groups with a file whose path (folder or name) contains ``text``."""
        self.filter_text = text.strip()
        self.set_review(self.review)

    def choice(self, row: int) -> GroupChoice | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, choice: GroupChoice | None) -> int:
        return self.rows.index(choice) if choice in self.rows else -1

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        choice = self.choice(index.row())
        if choice is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole and choice.group.kind == "similar":
            marked = len(choice.marked)
            line = (f"{len(choice.members)} different shots · "
                    + (f"{marked} marked by you" if marked else "nothing marked"))
            return f"Similar shots: {os.path.basename(choice.keeper)}\n{line}"
        if role == Qt.ItemDataRole.ToolTipRole and choice.group.kind == "similar":
            return "\n".join([choice.group.note or "best shot", *(m.path for m in choice.members)])
        if role == Qt.ItemDataRole.DisplayRole:
            marked = len(choice.marked)
            line = f"{len(choice.members)} photos · " + (f"{marked} to trash, {human_bytes(choice.marked_bytes)}"
                                                          if marked else "all kept")
            folder = os.path.basename(os.path.dirname(choice.keeper))
            return f"{os.path.basename(choice.keeper)}  ·  {folder}/\n{line}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(m.path for m in choice.members)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(choice.keeper)
        if role == Qt.ItemDataRole.ForegroundRole and not choice.marked:
            return QColor("#777777")
        return None

    def refresh_all(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1))

    def refresh(self, row: int) -> None:
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def _thumbnail(self, path: str) -> QPixmap:
        if path in self._pixmaps:
            return self._pixmaps[path]
        image = self.thumbnails.request(path, THUMB * 2)
        if image is None:
            blank = QPixmap(THUMB, THUMB)
            blank.fill(QColor("#dddddd"))
            return blank
        pixmap = QPixmap.fromImage(image).scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation)
        self._pixmaps[path] = pixmap
        return pixmap

    def _thumbnail_loaded(self, path: str, max_side: int, image: QImage) -> None:
        if self.review is None:
            return
        for row, choice in enumerate(self.rows):
            if choice.keeper == path:
                self.refresh(row)


class GroupListView(QListView):
    def __init__(self, model: GroupListModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setUniformItemSizes(True)
        self.setSpacing(2)
        self.setMinimumWidth(240)

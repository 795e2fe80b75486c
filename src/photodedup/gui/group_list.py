"""The list of groups: keeper thumbnail, how many photos, how much space the marked copies free.
Groups of similar shots (listed after the copies) say so and suggest nothing for the Trash."""

from __future__ import annotations

import os
from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QListView

from photodedup.core.review.choices import GroupChoice, Review
from photodedup.core.review.report import human_bytes
from photodedup.gui.image_loader import ImageLoader

THUMB = 72
# Thumbnails kept as pixmaps (20 KB each): a few screens' worth, not one per group (20,000
# groups scrolled end to end would otherwise hold 400 MB).
PIXMAPS_KEPT = 500


class GroupListModel(QAbstractListModel):
    """Rows are the review's groups, biggest saving first (the order the review holds).

    Only the rows on screen are asked for (the view's items are all one size), so a list of
    20,000 groups costs nothing until it is scrolled; a thumbnail is loaded for a row on screen,
    and one still waiting when its row has scrolled away is not loaded at all.
    """

    # Rows whose look changed (a thumbnail arrived, a mark changed): the view repaints them. Not
    # dataChanged: a QListView answers that with a layout of every row (20,009 calls of rowCount
    # for one row changed among 10,000, 70-140 ms of the main thread a thumbnail, measured).
    repaint_rows = Signal(list)

    def __init__(self, thumbnails: ImageLoader) -> None:
        super().__init__()
        self.review: Review | None = None
        self.rows: list[GroupChoice] = []  # the review's groups that pass the filter, in its order
        self.filter_text = ""
        self.thumbnails = thumbnails
        self.thumbnails.loaded.connect(self._thumbnail_loaded)
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._rows_of_keeper: dict[str, list[int]] | None = None  # made when a thumbnail first arrives
        self.visible_keepers: frozenset[str] = frozenset()  # read by the loading threads

    def set_review(self, review: Review | None) -> None:
        self.beginResetModel()
        self.review = review
        needle = self.filter_text.casefold()
        self.rows = [c for c in (review.choices if review else [])
                     if not needle or any(needle in m.path.casefold() for m in c.members)]
        self._rows_of_keeper = None
        self.endResetModel()

    def show_rows(self, first: int, last: int) -> None:
        """Rows first..last are on screen: thumbnails still waiting for other rows are dropped."""
        self.visible_keepers = frozenset(c.keeper for c in self.rows[max(0, first):last + 1])

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
        self._rows_of_keeper = None
        if self.rowCount():
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1))

    def refresh(self, row: int) -> None:
        self.repaint_rows.emit([row])
        self._rows_of_keeper = None  # a new keeper may have been chosen

    def _thumbnail(self, path: str) -> QPixmap:
        if path in self._pixmaps:
            self._pixmaps.move_to_end(path)
            return self._pixmaps[path]
        image = self.thumbnails.request(path, THUMB * 2, lambda: path in self.visible_keepers)
        if image is None or image.isNull():  # not loaded yet, or can't be read: a blank tile
            pixmap = QPixmap(THUMB, THUMB)
            pixmap.fill(QColor("#dddddd"))
            if image is None:
                return pixmap
        else:
            pixmap = QPixmap.fromImage(image).scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation)
        self._pixmaps[path] = pixmap
        while len(self._pixmaps) > PIXMAPS_KEPT:
            self._pixmaps.popitem(last=False)
        return pixmap

    def _thumbnail_loaded(self, path: str, max_side: int, image: QImage) -> None:
        """Repaint the rows showing that photo: found in a table, not by walking every row
        (20,000 groups: 3 ms a thumbnail, and a screenful arrives at once)."""
        if self.review is None or max_side != THUMB * 2:
            return
        if self._rows_of_keeper is None:
            self._rows_of_keeper = {}
            for row, choice in enumerate(self.rows):
                self._rows_of_keeper.setdefault(choice.keeper, []).append(row)
        rows = self._rows_of_keeper.get(path)
        if rows:
            self.repaint_rows.emit(rows)


class GroupListView(QListView):
    def __init__(self, model: GroupListModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setUniformItemSizes(True)
        self.setSpacing(2)
        self.setMinimumWidth(240)
        self.verticalScrollBar().valueChanged.connect(self._note_visible)
        model.modelReset.connect(self._note_visible)
        model.repaint_rows.connect(self._repaint)

    def _repaint(self, rows: list[int]) -> None:
        """Paint these rows again (those on screen; the others are painted when scrolled to)."""
        model = self.model()
        for row in rows:
            self.update(model.index(row))

    def _note_visible(self) -> None:
        model = self.model()
        first = self.indexAt(QPoint(4, 4)).row()
        last = self.indexAt(QPoint(4, self.viewport().height() - 4)).row()
        first = max(first, 0)
        last = min(model.rowCount() - 1, first + 100) if last < 0 else last  # not laid out yet
        model.show_rows(first, last + 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._note_visible()

"""A group's photos side by side with synchronised zoom and pan, and their differences in a table."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton, QScrollArea, QSplitter, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from photodedup.core.models import GroupMember, PhotoMetadata
from photodedup.core.review.report import human_bytes
from photodedup.core.review.choices import GroupChoice, Review, group_key
from photodedup.gui.group_describer import GroupDescriber
from photodedup.gui.image_loader import ImageLoader
from photodedup.gui.photo_panel import PhotoPanel
from photodedup.gui.stand_ins import NOT_SUGGESTED, unmarked_without_stand_in
from photodedup.gui.tag_rows import COMPANIONS_ROW, TAG_ROWS, TagReader
from photodedup.gui.zoom_sync import ZoomSync

PREVIEW_SIDE = 1600
MIN_PANEL_WIDTH = 250
MAX_PANELS = 6  # the keeper and up to five others at a time, fewer where the window is narrow
DIFFERENT = QColor("#fff3c4")


ROWS = ("File", "Folder", "Match", "Dimensions", "File size", "Format", "Date taken", "Camera", "Lens",
        "Location (GPS)", "Modified", *TAG_ROWS, COMPANIONS_ROW)
NOT_COMPARED = {"File", "Folder", "Match", "Modified", COMPANIONS_ROW}


def member_facts(member: GroupMember, metadata: PhotoMetadata, is_keeper: bool) -> dict[str, str]:
    info = member.info
    if is_keeper:
        match = member.detail or ("suggested keeper" if member.reason != "exact" else "kept (identical copies)")
    elif member.reason == "exact":
        match = "identical file (same bytes)"
    else:
        match = member.detail or f"similar (distance {member.distance:.3f})"
    return {
        "File": os.path.basename(info.file.path),
        "Folder": os.path.dirname(info.file.path),
        "Dimensions": f"{info.width} × {info.height}",
        "File size": human_bytes(info.file.size),
        "Format": info.format,
        "Date taken": metadata.date_taken or "—",
        "Camera": metadata.camera or "—",
        "Lens": metadata.lens or "—",
        "Location (GPS)": "yes" if metadata.has_gps else "—",
        "Modified": time.strftime("%Y-%m-%d %H:%M", time.localtime(info.file.mtime_ns / 1e9)),
        "Match": match,
    }


class CompareView(ZoomSync, QWidget):
    """The selected group: panels side by side and a table of what differs."""

    keep_requested = Signal(str)
    toggle_requested = Signal(str)
    zoom_changed = Signal(str)  # "Fit" or "250%": the largest photo's pixels on screen

    def __init__(self, previews: ImageLoader, full_size: ImageLoader, describer: GroupDescriber | None = None) -> None:
        super().__init__()
        self.previews, self.full_size = previews, full_size
        self.describer = describer
        self.changes: dict = {}  # path → measured changes, for the group shown
        if describer is not None:
            describer.described.connect(self._described)
        previews.loaded.connect(self._image_loaded)
        full_size.loaded.connect(self._image_loaded)
        self.panels: list[PhotoPanel] = []
        self.role_names = PhotoPanel.role_names
        self.per_page = MAX_PANELS
        self.focus_index = 0
        self.choice: GroupChoice | None = None
        self.review: Review | None = None
        self._syncing = False
        self.tag_reader = TagReader()
        self.gains_label = QLabel()  # what the keeper would gain from the marked files (#21)
        self.gains_label.setWordWrap(True)
        self.gains_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.panel_row = QWidget()
        self.panel_layout = QHBoxLayout(self.panel_row)
        self.panel_layout.setContentsMargins(0, 0, 0, 0)
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setWidget(self.panel_row)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # columns follow the panels
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole text is in the tooltip
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.empty = QLabel("Select a group to compare its photos.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous_button = QPushButton("◀ Previous photos")
        self.previous_button.clicked.connect(lambda: self.page(-1))
        self.next_button = QPushButton("Next photos ▶")
        self.next_button.clicked.connect(lambda: self.page(1))
        self.pager_label = QLabel()
        self.pager = QWidget()
        pager_layout = QHBoxLayout(self.pager)
        pager_layout.setContentsMargins(0, 0, 0, 0)
        pager_layout.addWidget(self.previous_button)
        pager_layout.addStretch()
        pager_layout.addWidget(self.pager_label)
        pager_layout.addStretch()
        pager_layout.addWidget(self.next_button)
        self.pager.setVisible(False)
        photos = QWidget()
        photos_layout = QVBoxLayout(photos)
        photos_layout.setContentsMargins(0, 0, 0, 0)
        photos_layout.addWidget(self.pager)
        photos_layout.addWidget(self.panel_scroll, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(photos)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.gains_label)
        table_layout.addWidget(self.table, 1)
        splitter.addWidget(table_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 260])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        splitter.setVisible(False)

    # -- showing a group ----------------------------------------------------------------
    def show_choice(self, choice: GroupChoice | None, review: Review | None) -> None:
        self.choice, self.review = choice, review
        self.empty.setVisible(choice is None)
        self.splitter.setVisible(choice is not None)
        if choice is None:
            self._drop_panels()
            return
        self.focus_index = 0
        self.first_other = 0
        self.changes = {}
        self.tag_reader.forget()
        if self.describer is not None and review is not None and review.suggest_trash \
                and choice.group.kind == "copies":  # similar shots are other pictures, not edits
            self.changes = self.describer.request(choice.group) or {}
        self._build_panels()

    def _build_panels(self) -> None:
        """The keeper and one page of the other photos (a burst of 99 shows as many as fit at a time)."""
        self.per_page = self._panels_that_fit()
        self._drop_panels()
        members = self.shown_members()
        others = len(self.choice.members) - 1
        self.pager.setVisible(others > self.per_page - 1)
        last = min(self.first_other + self.per_page - 1, others)
        first_shown = self.first_other + 2
        self.pager_label.setText(f"Photo {last + 1} of {others + 1}" if first_shown == last + 1
                                 else f"Photos {first_shown}–{last + 1} of {others + 1}")
        self.previous_button.setEnabled(self.first_other > 0)
        self.next_button.setEnabled(last < others)
        for member in members:
            panel = PhotoPanel(member)
            panel.role_names = self.role_names
            panel.setMinimumWidth(MIN_PANEL_WIDTH)
            panel.keep_clicked.connect(self.keep_requested.emit)
            panel.toggle_clicked.connect(self.toggle_requested.emit)
            panel.view.changed.connect(self._view_changed)
            panel.companions.setText(self.tag_reader.badge(member.path))
            self.panel_layout.addWidget(panel, 1)
            self.panels.append(panel)
            size = (member.info.width, member.info.height)
            image = self.previews.request(member.path, PREVIEW_SIDE)
            panel.view.set_photo(image, size)
            if image is not None and image.isNull():
                self._cannot_show(panel)
        self.focus_index = min(self.focus_index, len(self.panels) - 1)
        self.refresh_roles()
        self._fill_table()
        self.fit()
        QTimer.singleShot(0, self.align_columns)  # once the panels have their widths

    def _drop_panels(self) -> None:
        """Remove the shown panels (hidden first: a child reparented to nothing would become a window)."""
        for panel in self.panels:
            panel.hide()
            self.panel_layout.removeWidget(panel)
            panel.deleteLater()
        self.panels = []

    def page(self, step: int) -> None:
        """Show the next (1) or previous (-1) page of photos of a large group."""
        if self.choice is None:
            return
        others = len(self.choice.members) - 1
        start = self.first_other + step * (self.per_page - 1)
        if 0 <= start < others:
            self.first_other = start
            self._build_panels()

    def shown_members(self) -> list[GroupMember]:
        ordered = self.ordered_members()
        return ordered[:1] + ordered[1 + self.first_other: self.first_other + self.per_page]

    def _panels_that_fit(self) -> int:
        """Photos side by side without scrolling sideways: at least two, at most MAX_PANELS."""
        width = self.width() - self.table.verticalHeader().sizeHint().width() - 8
        return max(2, min(MAX_PANELS, width // (MIN_PANEL_WIDTH + self.panel_layout.spacing())))

    def ordered_members(self) -> list[GroupMember]:
        """The keeper first, then the others, closest first."""
        return sorted(self.choice.members, key=lambda m: (m.path != self.choice.keeper, m.distance, m.path))

    def refresh_roles(self) -> None:
        if self.choice is None or self.review is None:
            return
        no_stand_in = unmarked_without_stand_in(self.choice, self.review)
        for index, panel in enumerate(self.panels):
            panel.show_role(panel.path == self.choice.keeper, panel.path in self.choice.marked,
                            self.choice.kept.get(panel.path, ""), self.review.is_protected(panel.path),
                            index == self.focus_index, not self.review.suggest_trash, no_stand_in.get(panel.path, ""))
        self._fill_match_row()  # it says which file is kept now
        gains = self.tag_reader.gains(self.choice.keeper, [p for p in self.choice.marked if p != self.choice.keeper])
        self.gains_label.setText(gains)
        self.gains_label.setVisible(bool(gains))

    def _fill_table(self) -> None:
        members = self.shown_members()
        facts = [member_facts(member, member.info.metadata, member.path == self.choice.keeper)  # EXIF read once
                 for member in members]
        for fact, match, member in zip(facts, self._match_texts(), members):
            fact["Match"] = match
            fact.update(self.tag_reader.facts(member.path))
        self.table.clear()
        self.table.setRowCount(len(ROWS))
        self.table.setColumnCount(len(members))
        self.table.setVerticalHeaderLabels(list(ROWS))
        self.table.setHorizontalHeaderLabels([f"Photo {n + 1}" for n in range(len(members))])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)  # no scroll bar for the last few pixels
        bold = QFont()
        bold.setBold(True)
        for row, name in enumerate(ROWS):
            values = [f[name] for f in facts]
            differs = name not in NOT_COMPARED and len(set(values)) > 1
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if differs:
                    item.setBackground(DIFFERENT)
                    item.setFont(bold)
                self.table.setItem(row, column, item)

    def align_columns(self) -> None:
        """Each column of the table under its photo: the panels start where the row names end."""
        if not self.panels or self.table.columnCount() != len(self.panels):
            return
        header_width = self.table.verticalHeader().width() + self.table.frameWidth()
        self.panel_layout.setContentsMargins(header_width, 0, 0, 0)
        spacing = self.panel_layout.spacing()
        for column, panel in enumerate(self.panels):
            self.table.setColumnWidth(column, panel.width() + (spacing if column < len(self.panels) - 1 else 0))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.choice is not None and self._panels_that_fit() != self.per_page:
            self.first_other = 0
            self._build_panels()  # more or fewer photos fit now
        QTimer.singleShot(0, self.align_columns)

    def _match_texts(self) -> list[str]:
        keeper = self.choice.keeper
        no_stand_in = unmarked_without_stand_in(self.choice, self.review)  # from the marks as they are now
        texts = []
        for member in self.shown_members():
            text = member_facts(member, member.info.metadata, member.path == keeper)["Match"]
            if member.path in self.changes and member.path != keeper:  # what was measured, then how close
                text = "; ".join(c.text for c in self.changes[member.path]) + f" (distance {member.distance:.3f})"
            if member.path in no_stand_in:  # first: the cell is narrow
                text = NOT_SUGGESTED.format(reason=no_stand_in[member.path]) + " · " + text
            texts.append(text)
        return texts

    def _fill_match_row(self) -> None:
        row = ROWS.index("Match")
        if self.table.columnCount() != len(self.shown_members()):
            return
        for column, text in enumerate(self._match_texts()):
            item = self.table.item(row, column)
            if item is not None:
                item.setText(text)
                item.setToolTip(text)

    def _described(self, key: str, changes: dict) -> None:
        if self.choice is not None and group_key(self.choice.group) == key:
            self.changes = changes
            self._fill_table()

    def differing_rows(self) -> list[str]:
        """Names of the table rows whose values differ between the photos (highlighted)."""
        rows = []
        for row, name in enumerate(ROWS):
            item = self.table.item(row, 0)
            if item is not None and item.font().bold():
                rows.append(name)
        return rows

    # -- keyboard focus among the photos ------------------------------------------------
    def focused_path(self) -> str | None:
        return self.panels[self.focus_index].path if self.panels else None

    def move_focus(self, step: int) -> None:
        if self.panels:
            self.focus_index = (self.focus_index + step) % len(self.panels)
            self.refresh_roles()

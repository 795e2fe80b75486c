"""The first screen: which folders to search, which are protected, what to skip."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QHBoxLayout, QRadioButton, QHeaderView, QLabel, QLineEdit, QPushButton, QStackedLayout, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget,
)

PATH = Qt.ItemDataRole.UserRole


class FolderList(QTreeWidget):
    """Folders, each with a "Protected" checkbox; folders can be dropped onto it."""

    folders_dropped = Signal(list)

    def __init__(self) -> None:
        super().__init__()
        self.setColumnCount(2)
        self.setHeaderLabels(["Folder", "Protected"])
        self.setRootIsDecorated(False)
        self.setAcceptDrops(True)
        self.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed: a checkbox must not move under the mouse when "never trashed" comes and goes.
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.header().resizeSection(1, self.fontMetrics().horizontalAdvance("My originals  never trashed") + 40)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        folders = [p if os.path.isdir(p) else os.path.dirname(p) for p in paths if p]
        if folders:
            self.folders_dropped.emit(folders)
            event.acceptProposedAction()


class FoldersPage(QWidget):
    """Add/remove folders, mark protected ones, set exclusions, start the scan."""

    scan_requested = Signal()
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.folder_list = FolderList()
        self.folder_list.folders_dropped.connect(self.add_folders)
        self.folder_list.itemChanged.connect(self._item_changed)
        self.folder_list.itemSelectionChanged.connect(self._update_buttons)

        title = QLabel("Folders to search")
        title.setObjectName("pageTitle")
        hint = QLabel(self.HINTS[False])
        hint.setWordWrap(True)
        self.hint = hint

        self.add_button = QPushButton("Add folder…")
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()

        self.empty_add_button = QPushButton("Add folder…")
        self.empty_add_button.setObjectName("primary")
        self.empty_add_button.clicked.connect(self.choose_folder)
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch()
        empty_text = QLabel("<h2>No folders yet</h2>Add the folders where your photos are, or drop them here.")
        empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(empty_text)
        empty_layout.addWidget(self.empty_add_button, alignment=Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch()
        empty.setAcceptDrops(False)
        self._empty = empty
        self._stack = QStackedLayout()
        self._stack.addWidget(empty)
        self._stack.addWidget(self.folder_list)
        list_area = QWidget()
        list_area.setLayout(self._stack)
        list_area.setAcceptDrops(True)
        list_area.dragEnterEvent = self.folder_list.dragEnterEvent
        list_area.dragMoveEvent = self.folder_list.dragMoveEvent
        list_area.dropEvent = self.folder_list.dropEvent

        self.excludes_edit = QLineEdit()
        self.excludes_edit.setPlaceholderText("e.g. node_modules, *.thumb.jpg, Screenshots")
        self.excludes_edit.textChanged.connect(lambda _: self.changed.emit())
        excludes = QHBoxLayout()
        excludes.addWidget(QLabel("Skip folders or files named:"))
        excludes.addWidget(self.excludes_edit, 1)

        self.raw_pairs_box = QCheckBox("Treat RAW + JPEG pairs of the same shot as duplicates")
        self.raw_pairs_box.setToolTip("Off: a RAW file and the JPEG the camera wrote beside it are shown together, "
                                      "but neither is suggested for the Trash.")
        self.raw_pairs_box.toggled.connect(lambda _: self.changed.emit())

        self.duplicates_mode = QRadioButton("Find duplicates in these folders")
        self.copies_mode = QRadioButton("Find copies of my originals (the protected folders) in the other folders")
        self.duplicates_mode.setChecked(True)
        self.copies_mode.setToolTip("For photographers: where did my photos end up? Reports, for each original, "
                                    "every copy in the other folders and how it was changed. Originals are never touched.")
        self.copies_mode.toggled.connect(self._mode_changed)

        self.scan_button = QPushButton("Find duplicates")
        self.scan_button.setObjectName("primary")
        self.scan_button.setDefault(True)
        self.scan_button.clicked.connect(self.scan_requested.emit)
        bottom = QHBoxLayout()
        bottom.addWidget(self.raw_pairs_box)
        bottom.addStretch()
        bottom.addWidget(self.scan_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(list_area, 1)
        layout.addLayout(buttons)
        layout.addLayout(excludes)
        layout.addWidget(self.duplicates_mode)
        layout.addWidget(self.copies_mode)
        layout.addLayout(bottom)
        self._update_buttons()

    # -- what the rest of the app reads and sets -------------------------------------
    def folders(self) -> list[str]:
        return [item.data(0, PATH) for item in self._items()]

    def protected_folders(self) -> list[str]:
        return [item.data(0, PATH) for item in self._items() if item.checkState(1) == Qt.CheckState.Checked]

    def excludes(self) -> list[str]:
        return [part.strip() for part in self.excludes_edit.text().split(",") if part.strip()]

    def set_state(self, folders: list[str], protected: list[str], excludes: list[str]) -> None:
        self.folder_list.clear()
        self.add_folders(folders, protected)
        self.excludes_edit.setText(", ".join(excludes))

    def add_folders(self, folders: list[str], protected: list[str] = ()) -> None:
        known = set(self.folders())
        protected = {os.path.abspath(p) for p in protected}
        for folder in folders:
            folder = os.path.abspath(folder)
            if folder in known:
                continue
            known.add(folder)
            item = QTreeWidgetItem(self.folder_list)
            item.setData(0, PATH, folder)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(1, Qt.CheckState.Checked if folder in protected else Qt.CheckState.Unchecked)
            item.setToolTip(1, "Protected: files in this folder are never suggested for the Trash, "
                               "and are preferred as the file to keep.")
            self._label(item)
        self._update_buttons()
        self.changed.emit()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", os.path.expanduser("~"))
        if folder:
            self.add_folders([folder])

    def remove_selected(self) -> None:
        for item in self.folder_list.selectedItems():
            self.folder_list.takeTopLevelItem(self.folder_list.indexOfTopLevelItem(item))
        self._update_buttons()
        self.changed.emit()

    def copy_mode(self) -> bool:
        return self.copies_mode.isChecked()

    HINTS = {False: "photodedup looks for copies of the same photo in these folders. It changes nothing "
                    "until you choose files and move them to the Trash. Tick <b>Protected</b> for folders "
                    "whose files must always stay (your originals).",
             True: "Tick <b>My originals</b> for the folders with your work; the other folders are searched "
                   "for copies of it. Nothing is changed: the copies are listed, with what was done to each."}

    def _mode_changed(self, copies: bool) -> None:
        self.scan_button.setText("Find copies" if copies else "Find duplicates")
        self.hint.setText(self.HINTS[copies])
        self.folder_list.setHeaderLabels(["Folder", "My originals" if copies else "Protected"])
        self.changed.emit()

    def _label(self, item: QTreeWidgetItem) -> None:
        folder = item.data(0, PATH)
        blocked = self.folder_list.blockSignals(True)
        item.setText(0, folder if os.path.isdir(folder) else f"{folder}    (not found)")
        item.setText(1, "never trashed" if item.checkState(1) == Qt.CheckState.Checked else "")
        self.folder_list.blockSignals(blocked)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        self._label(item)
        self.changed.emit()

    def _items(self) -> list[QTreeWidgetItem]:
        return [self.folder_list.topLevelItem(row) for row in range(self.folder_list.topLevelItemCount())]

    def _update_buttons(self) -> None:
        has_folders = self.folder_list.topLevelItemCount() > 0
        self._stack.setCurrentIndex(1 if has_folders else 0)
        self.remove_button.setEnabled(bool(self.folder_list.selectedItems()))
        self.scan_button.setEnabled(has_folders)
        self.remove_button.setVisible(has_folders)
        self.add_button.setVisible(has_folders)

    @property
    def showing_first_steps(self) -> bool:
        """The page shows what to do first (no folder yet), not the folder list."""
        return self._stack.currentWidget() is self._empty

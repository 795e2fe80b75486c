"""The review screen: groups on the left, the selected group compared on the right, actions below."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QSplitter, QVBoxLayout, QWidget

from photodedup.core.group import DEFAULT_THRESHOLD
from photodedup.core.report import human_bytes
from photodedup.core.review import GroupChoice, Review
from photodedup.gui.compare_view import CompareView
from photodedup.gui.group_describer import GroupDescriber
from photodedup.gui.group_list import GroupListModel, GroupListView
from photodedup.gui.image_loader import ImageLoader

# The similarity slider, in steps of 0.01 of angular distance: left is strict, right is loose.
SLIDER_MIN, SLIDER_MAX = 20, 80


class ResultsPage(QWidget):
    threshold_changed = Signal(float)
    trash_requested = Signal()
    rescan_requested = Signal()
    folders_requested = Signal()
    problems_requested = Signal()
    review_changed = Signal()  # marks, keeper or dismissals changed
    dismissed = Signal(str)  # group key to remember

    def __init__(self, thumbnails: ImageLoader, previews: ImageLoader, full_size: ImageLoader,
                 describer: GroupDescriber | None = None) -> None:
        super().__init__()
        self.review: Review | None = None
        self.summary = QLabel()
        self.summary.setObjectName("pageTitle")
        self.problems_button = QPushButton()
        self.problems_button.setFlat(True)
        self.problems_button.clicked.connect(self.problems_requested.emit)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(SLIDER_MIN, SLIDER_MAX)
        self.slider.setFixedWidth(180)
        self.slider.setToolTip("How different two photos may be and still count as copies. "
                               "Changing it regroups at once, without scanning again.")
        self.slider_label = QLabel()
        self._slider_timer = QTimer(self)
        self._slider_timer.setSingleShot(True)
        self._slider_timer.setInterval(250)
        self._slider_timer.timeout.connect(lambda: self.threshold_changed.emit(self.threshold()))
        self.slider.valueChanged.connect(self._slider_moved)
        rescan = QPushButton("Scan again")
        rescan.clicked.connect(self.rescan_requested.emit)
        folders = QPushButton("Folders…")
        folders.clicked.connect(self.folders_requested.emit)
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addWidget(self.problems_button)
        top.addStretch()
        top.addWidget(QLabel("Similarity: strict"))
        top.addWidget(self.slider)
        top.addWidget(QLabel("loose"))
        top.addWidget(self.slider_label)
        top.addSpacing(12)
        top.addWidget(rescan)
        top.addWidget(folders)

        self.model = GroupListModel(thumbnails)
        self.group_view = GroupListView(self.model)
        self.group_view.selectionModel().currentChanged.connect(lambda current, _: self._show_row(current.row()))
        self.compare = CompareView(previews, full_size, describer)
        self.compare.keep_requested.connect(self.keep)
        self.compare.toggle_requested.connect(self.toggle)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        splitter = QSplitter()
        splitter.addWidget(self.group_view)
        splitter.addWidget(self.compare)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        self.splitter = splitter

        self.dismiss_button = QPushButton("Not duplicates")
        self.dismiss_button.setToolTip("Hide this group, now and in later scans (D)")
        self.dismiss_button.clicked.connect(self.dismiss_current)
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show whole photos (F)")
        self.fit_button.clicked.connect(self.compare.fit)
        self.actual_button = QPushButton("100%")
        self.actual_button.setToolTip("Pixel for pixel, the same part of every photo (Z)")
        self.actual_button.clicked.connect(self.compare.actual_size)
        self.trash_button = QPushButton()
        self.trash_button.setObjectName("primary")
        self.trash_button.clicked.connect(self.trash_requested.emit)
        keys = QLabel("J/K or ↓/↑ group · ←/→ photo · Space mark · Enter keep · D not duplicates · Del trash")
        keys.setObjectName("dim")
        bottom = QHBoxLayout()
        bottom.addWidget(self.dismiss_button)
        bottom.addWidget(self.fit_button)
        bottom.addWidget(self.actual_button)
        bottom.addWidget(keys, 1)
        bottom.addWidget(self.trash_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty, 1)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._shortcuts()
        self.set_threshold(DEFAULT_THRESHOLD)

    def _shortcuts(self) -> None:
        bindings = [
            (("J", "N"), lambda: self.step_group(1)), (("K", "P"), lambda: self.step_group(-1)),
            (("Right",), lambda: self.compare.move_focus(1)), (("Left",), lambda: self.compare.move_focus(-1)),
            (("Space",), self.toggle_focused), (("Return", "Enter"), self.keep_focused),
            (("D",), self.dismiss_current), (("Delete",), self.trash_requested.emit),
            (("F",), self.compare.fit), (("Z",), self.compare.actual_size),
            (("PgDown",), lambda: self.compare.page(1)), (("PgUp",), lambda: self.compare.page(-1)),
        ]
        for keys, action in bindings:
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(action)

    # -- the review ---------------------------------------------------------------------
    def set_review(self, review: Review, problems: int) -> None:
        current = self.current_row()
        self.review = review
        self.model.set_review(review)
        self.problems_button.setText(f"{problems} files could not be read…" if problems else "")
        self.problems_button.setVisible(bool(problems))
        self._update_summary()
        self.compare.show_choice(None, None)
        if review.choices:
            # In the next turn of the event loop: the page appears first, then the photos,
            # so neither step holds the main thread long.
            row = min(max(current, 0), len(review.choices) - 1)
            QTimer.singleShot(0, lambda: self.review is review and self.select_row(row))

    def threshold(self) -> float:
        return self.slider.value() / 100

    def set_threshold(self, value: float) -> None:
        blocked = self.slider.blockSignals(True)
        self.slider.setValue(round(value * 100))
        self.slider.blockSignals(blocked)
        self._label_slider()

    def _slider_moved(self) -> None:
        self._label_slider()
        self._slider_timer.start()

    def _label_slider(self) -> None:
        value = self.threshold()
        self.slider_label.setText(f"{value:.2f}" + (" (default)" if abs(value - DEFAULT_THRESHOLD) < 0.005 else ""))

    def _update_summary(self) -> None:
        review = self.review
        if review is None:
            return
        groups = len(review.choices)
        similar = sum(1 for c in review.choices if c.group.kind == "similar")
        copies = sum(len(c.members) - 1 for c in review.choices if c.group.kind == "copies")
        if not review.suggest_trash:  # the copy check
            self.summary.setText(f"{groups} originals with copies · {copies} copies found" if groups else "No copies found")
            self.empty.setText("<h2>No copies found</h2>None of your originals has a copy in the other folders"
                               " at this similarity setting." if not groups else "")
        else:
            self.summary.setText(f"{groups - similar} groups · {copies} copies · "
                                 f"{human_bytes(sum(c.reclaimable_bytes for c in review.choices))} could be freed"
                                 + (f" · {similar} groups of similar shots (nothing marked)" if similar else "")
                                 if groups else "No duplicates")
            self.empty.setText("<h2>No duplicates found</h2>Every photo in these folders is one of a kind"
                               " at this similarity setting." if not groups else "")
        self.empty.setVisible(not groups)
        self.splitter.setVisible(bool(groups))
        marked = review.marked_count
        self.trash_button.setText(f"Move {marked} marked file{'s' if marked != 1 else ''} "
                                  f"({human_bytes(review.marked_bytes)}) to Trash")
        self.trash_button.setEnabled(marked > 0)
        self.dismiss_button.setEnabled(bool(groups))

    def current_row(self) -> int:
        return self.group_view.currentIndex().row()

    def current_choice(self) -> GroupChoice | None:
        return self.model.choice(self.current_row())

    def select_row(self, row: int) -> None:
        index = self.model.index(row)
        self.group_view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.group_view.scrollTo(index)
        self._show_row(row)

    def step_group(self, step: int) -> None:
        if self.review and self.review.choices:
            self.select_row(max(0, min(self.current_row() + step, len(self.review.choices) - 1)))

    def _show_row(self, row: int) -> None:
        choice = self.model.choice(row)
        if choice is not self.compare.choice:
            self.compare.show_choice(choice, self.review)

    def _changed(self, message: str | None = None) -> None:
        self.compare.refresh_roles()
        self.model.refresh(self.current_row())
        self._update_summary()
        self.review_changed.emit()
        if message:
            self.window().statusBar().showMessage(message, 5000)

    # -- decisions ----------------------------------------------------------------------
    def keep(self, path: str) -> None:
        choice = self.current_choice()
        if choice is not None and self.review is not None:
            self.review.set_keeper(choice, path)
            self._changed()

    def toggle(self, path: str) -> None:
        choice = self.current_choice()
        if choice is not None and self.review is not None:
            self._changed(self.review.toggle(choice, path))

    def toggle_focused(self) -> None:
        path = self.compare.focused_path()
        if path:
            self.toggle(path)

    def keep_focused(self) -> None:
        path = self.compare.focused_path()
        if path:
            self.keep(path)

    def dismiss_current(self) -> None:
        choice = self.current_choice()
        if choice is None or self.review is None:
            return
        row = self.current_row()
        key = self.review.dismiss(choice)
        self.dismissed.emit(key)
        self.model.set_review(self.review)
        self._update_summary()
        if self.review.choices:
            self.select_row(min(row, len(self.review.choices) - 1))
        else:
            self.compare.show_choice(None, None)
        self.review_changed.emit()
        self.window().statusBar().showMessage("Group hidden; it stays hidden in later scans.", 5000)

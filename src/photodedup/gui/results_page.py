"""The review screen: groups on the left, the selected group compared on the right, actions below."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSlider, QSplitter, QVBoxLayout, QWidget

from photodedup.core.review.report import human_bytes
from photodedup.core.settings import default_of
from photodedup.core.review.choices import SORT_ORDERS, GroupChoice, Review
from photodedup.gui.compare_view import CompareView
from photodedup.gui.group_describer import GroupDescriber
from photodedup.gui.group_list import GroupListModel, GroupListView
from photodedup.gui.image_loader import ImageLoader
from photodedup.gui.review_decisions import ReviewDecisions

# The similarity slider, in steps of 0.01 of angular distance: left is strict, right is loose.
SLIDER_MIN, SLIDER_MAX = 20, 80


def summary_numbers(review: Review) -> tuple[int, int, int, int, int]:
    """(groups of similar shots, copies that may go, bytes they free, files marked, their bytes) in one
    walk of the groups: the summary is written again after every mark, and four walks through
    properties took 0.45 s for 10,000 groups on the loaded machine (cProfile of MainWindow._grouped)."""
    similar = copies = freeable = marked = marked_bytes = 0
    for choice in review.choices:
        kind, keeper, kept, chosen = choice.group.kind, choice.keeper, choice.kept, choice.marked
        similar += kind == "similar"
        marked += len(chosen)
        if not review.suggest_trash:  # the copy check: every file but the original is a copy
            copies += len(choice.group.members) - 1
        for member in choice.group.members:
            file = member.info.file
            if file.path in chosen:
                marked_bytes += file.size
            if kind == "copies" and file.path != keeper and file.path not in kept:
                copies += review.suggest_trash
                freeable += file.size
    return similar, copies, freeable, marked, marked_bytes


def _row_holding(rows: list[GroupChoice], keeper: str, paths: set[str], default: int) -> int:
    """The row of the group holding ``keeper``, else the first holding one of ``paths``, else ``default``."""
    sharing = None
    for number, choice in enumerate(rows):
        members = {m.info.file.path for m in choice.group.members}
        if keeper in members:
            return number
        if sharing is None and paths & members:
            sharing = number
    return default if sharing is None else sharing


class ResultsPage(ReviewDecisions, QWidget):
    threshold_changed = Signal(float)
    trash_requested = Signal()
    group_trash_requested = Signal(object)  # GroupChoice: trash the marked files of this group only
    rescan_requested = Signal()
    folders_requested = Signal()
    problems_requested = Signal()
    dismissed = Signal(str)  # group key to remember

    def __init__(self, thumbnails: ImageLoader, previews: ImageLoader, full_size: ImageLoader,
                 describer: GroupDescriber | None = None) -> None:
        super().__init__()
        self.review: Review | None = None
        self.default_threshold = default_of("threshold")
        self.summary = QLabel()
        self.summary.setObjectName("pageTitle")
        # The headline may be cut on a small screen (the whole text is its tooltip); the window may not grow.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setMinimumWidth(180)
        self.problems_button = QPushButton()
        self.problems_button.setFlat(True)
        self.problems_button.clicked.connect(self.problems_requested.emit)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(SLIDER_MIN, SLIDER_MAX)
        self.slider.setFixedWidth(150)
        self.slider.setToolTip("How different two photos may be and still count as copies. "
                               "Changing it regroups at once, without scanning again.")
        self.slider_label = QLabel()
        # As wide as its widest text, so the slider never moves under the mouse.
        self.slider_label.setFixedWidth(self.slider_label.fontMetrics().horizontalAdvance("0.55 (default)") + 8)
        self.reset_button = QPushButton("Default")
        self.reset_button.setToolTip(f"Back to the default similarity ({default_of('threshold'):.2f})")
        self.reset_button.clicked.connect(self.reset_threshold)
        self.sort_box = QComboBox()
        for name, (text, _) in SORT_ORDERS.items():
            self.sort_box.addItem(text, name)
        self.sort_box.setToolTip("Order of the groups")
        self.sort_box.currentIndexChanged.connect(self._sort)
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
        top.addWidget(self.summary, 1)
        top.addWidget(self.problems_button)
        top.addStretch()
        top.addWidget(QLabel("Similarity: strict"))
        top.addWidget(self.slider)
        top.addWidget(QLabel("loose"))
        top.addWidget(self.slider_label)
        top.addWidget(self.reset_button)
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
        groups_column = QWidget()
        column = QVBoxLayout(groups_column)
        column.setContentsMargins(0, 0, 0, 0)
        sort_row = QHBoxLayout()
        sort_row.addWidget(QLabel("Sort by"))
        sort_row.addWidget(self.sort_box, 1)
        column.addLayout(sort_row)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by folder or name…")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._filter)
        column.addWidget(self.filter_box)
        column.addWidget(self.group_view, 1)
        splitter = QSplitter()
        splitter.addWidget(groups_column)
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
        self.zoom_label = QLabel("Fit")
        self.zoom_label.setToolTip("How big the largest photo is shown: Fit, or % of its own pixels")
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("6400%") + 6)
        self.compare.zoom_changed.connect(self.zoom_label.setText)
        self.group_trash_button = QPushButton("Trash this group's marked")
        self.group_trash_button.setToolTip("Move only the marked files of the group shown to the Trash")
        self.group_trash_button.clicked.connect(
            lambda: self.current_choice() is not None and self.group_trash_requested.emit(self.current_choice()))
        self.trash_button = QPushButton()
        self.trash_button.setObjectName("primary")
        self.trash_button.clicked.connect(self.trash_requested.emit)
        keys = QLabel("J/K or ↓/↑ group · ←/→ photo · Space mark · Enter keep · D not duplicates · Del trash")
        keys.setObjectName("dim")
        keys.setToolTip(keys.text())
        keys.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # gives way on small screens
        bottom = QHBoxLayout()
        bottom.addWidget(self.dismiss_button)
        bottom.addWidget(self.fit_button)
        bottom.addWidget(self.actual_button)
        bottom.addWidget(self.zoom_label)
        bottom.addWidget(keys, 1)
        bottom.addWidget(self.group_trash_button)
        bottom.addWidget(self.trash_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty, 1)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._shortcuts()
        self.set_threshold(default_of("threshold"))

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
    def set_review(self, review: Review, problems: int, sorted_by: str | None = None) -> None:
        """Show ``review`` (``sorted_by``: the order it is already in, so it isn't sorted again)."""
        current = self.current_row()
        shown = self.current_choice()
        shown_paths = {m.path for m in shown.members} if shown is not None else set()
        if sorted_by != self.sort_box.currentData():
            review.sort(self.sort_box.currentData())
        self.review = review
        self.splitter.setEnabled(True)
        self.model.set_review(review)
        self.problems_button.setText(f"{problems} files could not be read…" if problems else "")
        self.problems_button.setVisible(bool(problems))
        self._update_summary()
        self.compare.show_choice(None, None)
        if self.model.rowCount():
            # In the next turn of the event loop: the page appears first, then the photos,
            # so neither step holds the main thread long.
            # The group that holds the photo shown before (a regroup), else the same row.
            row = min(max(current, 0), self.model.rowCount() - 1)
            if shown is not None:  # (after a scan nothing was shown: no walk through the groups)
                row = _row_holding(self.model.rows, shown.keeper, shown_paths, row)
            # Tied to the page: a window closed meanwhile cancels it (no call into a deleted list).
            QTimer.singleShot(0, self.group_view, lambda: self.review is review and self.select_row(row))

    def reset_threshold(self) -> None:
        if abs(self.threshold() - self.default_threshold) >= 0.005:
            self.slider.setValue(round(self.default_threshold * 100))

    def set_default_threshold(self, value: float) -> None:
        self.default_threshold = value
        self.reset_button.setToolTip(f"Back to the default similarity ({value:.2f}, set in Preferences)")
        self._label_slider()

    def set_regrouping(self, busy: bool) -> None:
        """While a regroup runs, the groups shown are stale: greyed out and not to be acted on."""
        self.splitter.setEnabled(not busy)
        for button in (self.dismiss_button, self.group_trash_button):
            button.setEnabled(not busy)
        self.trash_button.setEnabled(not busy and self.review is not None and self.review.marked_count > 0)
        if busy:
            self.summary.setText("Regrouping…")
        else:
            self._update_summary()

    def _filter(self, text: str) -> None:
        current = self.current_choice()
        self.model.set_filter(text)
        if self.model.rowCount():
            self.select_row(max(self.model.row_of(current), 0))
        else:
            self.compare.show_choice(None, None)
        self._update_summary()

    def _sort(self) -> None:
        if self.review is None:
            return
        current = self.current_choice()
        self.review.sort(self.sort_box.currentData())
        self.model.set_review(self.review)
        if self.model.rowCount():
            self.select_row(max(self.model.row_of(current), 0))

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
        self.slider_label.setText(f"{value:.2f}" + (" (default)" if abs(value - self.default_threshold) < 0.005 else ""))

    def _update_summary(self) -> None:
        review = self.review
        if review is None:
            return
        groups = len(review.choices)
        similar, copies, freeable, marked, marked_bytes = summary_numbers(review)
        if not review.suggest_trash:  # the copy check
            self.summary.setText(f"{groups} originals with copies · {copies} copies found" if groups else "No copies found")
            self.empty.setText("<h2>No copies found</h2>None of your originals has a copy in the other folders"
                               " at this similarity setting." if not groups else "")
        else:
            self.summary.setText(f"{groups - similar} groups · {copies} copies that may go · "
                                 f"{human_bytes(freeable)} could be freed"
                                 + (f" · {similar} groups of similar shots (nothing marked)" if similar else "")
                                 if groups else "No duplicates")
            self.empty.setText("<h2>No duplicates found</h2>Every photo in these folders is one of a kind"
                               " at this similarity setting." if not groups else "")
        if groups and self.model.filter_text:
            self.summary.setText(self.summary.text() + f" · {self.model.rowCount()} shown")
        self.summary.setToolTip(self.summary.text())
        self.empty.setVisible(not groups)
        self.splitter.setVisible(bool(groups))
        self.trash_button.setText(f"Move {marked} marked file{'s' if marked != 1 else ''} "
                                  f"({human_bytes(marked_bytes)}) to Trash")
        self.trash_button.setEnabled(marked > 0)
        self.dismiss_button.setEnabled(bool(groups))
        current = self.current_choice()
        self.group_trash_button.setVisible(review.suggest_trash)
        self.group_trash_button.setEnabled(current is not None and bool(current.marked))

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
        if self.model.rowCount():
            self.select_row(max(0, min(self.current_row() + step, self.model.rowCount() - 1)))

    def _show_row(self, row: int) -> None:
        choice = self.model.choice(row)
        if choice is not None and self.review is not None and self._drop_missing(choice):
            choice = self.model.choice(min(row, self.model.rowCount() - 1))
        if choice is not self.compare.choice:
            self.compare.show_choice(choice, self.review)
        self.group_trash_button.setEnabled(choice is not None and bool(choice.marked))

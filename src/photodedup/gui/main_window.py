"""The main window: folders → scan → review. The work is the session's (core/session.py); the
window hands its operations to the ScanController, each with its own handlers."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget

from photodedup.core.review.choices import Review
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.session import CopiesFound, Grouped, Session
from photodedup.core.settings import Options
from photodedup.gui.folders_page import FoldersPage
from photodedup.gui.group_describer import GroupDescriber
from photodedup.gui.image_loader import ImageLoader
from photodedup.gui.preferences_dialog import PreferencesDialog
from photodedup.gui.prepared_review import PreparedReview, ReviewBasis, preparing
from photodedup.gui.results_page import ResultsPage
from photodedup.gui.scan_controller import ProgressReport, ScanController
from photodedup.gui.scan_page import ScanPage
from photodedup.gui.settings import Settings
from photodedup.gui.trash_dialogs import confirm_trash
from photodedup.gui.window_review import ReviewActions
from photodedup.gui.window_search import SearchActions


class MainWindow(ReviewActions, SearchActions, QMainWindow):
    def __init__(self, settings: Settings | None = None, folders: list[str] = (), cache_dir: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("photodedup")
        self.resize(1280, 820)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and (screen.width() < 1280 or screen.height() < 820):  # a small screen: fill it
            self.resize(min(1280, screen.width()), min(820, screen.height()))
        self.settings = settings or Settings()
        self.session = Session(self.settings.options(), cache_dir)  # the library and its operations
        self.controller = ScanController(self)
        self.setAcceptDrops(True)  # photos dropped anywhere are searched for
        self._regroup_after_trash = False
        self.decisions: dict = {}  # the person's keepers and marks by group, kept across rescans and undo
        self.confirm_quit = self._confirm_quit  # replaceable in tests, like self.confirm
        self.ask = self._ask
        self.review: Review | None = None
        self.problems: list = []
        self.confirm = confirm_trash  # replaceable in tests, which can't click a modal box
        self.last_dialog = None  # the last trash or undo result (tests read it)

        self.thumbnails = ImageLoader(capacity=600, threads=2, parent=self)
        self.previews = ImageLoader(capacity=24, threads=2, parent=self)
        self.full_size = ImageLoader(capacity=6, threads=2, parent=self)
        self.folders_page = FoldersPage()
        self.scan_page = ScanPage()
        self.describer = GroupDescriber(self)
        self.results_page = ResultsPage(self.thumbnails, self.previews, self.full_size, self.describer)
        self.pages = QStackedWidget()
        for page in (self.folders_page, self.scan_page, self.results_page):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self._menus()

        self.folders_page.set_state(self.settings.folders, self.settings.protected, self.settings.excludes)
        self.folders_page.raw_pairs_box.setChecked(self.settings.raw_jpeg_pairs_are_duplicates)
        self.folders_page.add_folders([os.path.abspath(f) for f in folders])
        self.folders_page.changed.connect(self.save_settings)
        self.folders_page.scan_requested.connect(self.start_scan)
        self.scan_page.cancel_requested.connect(self.controller.cancel)
        self.results_page.set_default_threshold(self.settings.default_threshold)
        self.results_page.set_threshold(self.settings.threshold)
        self.results_page.threshold_changed.connect(self.regroup)
        self.results_page.trash_requested.connect(self.trash_marked)
        self.results_page.group_trash_requested.connect(lambda choice: self.trash_marked([choice]))
        self.results_page.rescan_requested.connect(self.start_scan)
        self.results_page.folders_requested.connect(lambda: self.pages.setCurrentWidget(self.folders_page))
        self.results_page.problems_requested.connect(self.show_problems)
        self.results_page.dismissed.connect(self._remember_dismissed)
        self.controller.progressed.connect(self._progress)
        self.controller.refused.connect(lambda message: self.statusBar().showMessage(message, 5000))
        self.statusBar().showMessage("Add folders, then Find duplicates." if not self.folders_page.folders() else "Ready.")

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        add = QAction("&Add folder…", self, shortcut=QKeySequence("Ctrl+O"), triggered=self.folders_page.choose_folder)
        scan = QAction("&Find duplicates", self, shortcut=QKeySequence("Ctrl+R"), triggered=self.start_scan)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        file_menu.addActions([add, scan])
        file_menu.addAction(QAction("&Export results…", self, shortcut=QKeySequence("Ctrl+E"),
                                    triggered=self.export_results))
        file_menu.addAction(QAction("Find this &photo…", self, shortcut=QKeySequence("Ctrl+F"),
                                    triggered=self.choose_photo_to_find))
        paste = QAction("Find the &pasted photo", self, shortcut=QKeySequence.StandardKey.Paste,
                        triggered=self.find_pasted_photo)
        paste.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        file_menu.addAction(paste)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo last trash", self, shortcut=QKeySequence.StandardKey.Undo,
                                   triggered=self.undo_last_trash)
        edit_menu.addAction(self.undo_action)
        self._update_undo()
        edit_menu.addSeparator()
        self.mark_actions = [
            QAction("&Mark all suggested copies", self, triggered=lambda: self.mark_all(True)),
            QAction("&Unmark everything", self, shortcut=QKeySequence("Ctrl+Shift+A"), triggered=lambda: self.mark_all(False)),
            QAction("Mark copies in a &folder…", self, triggered=lambda: self.mark_folder(True)),
            QAction("Unmark files in a f&older…", self, triggered=lambda: self.mark_folder(False)),
        ]
        edit_menu.addActions(self.mark_actions)
        edit_menu.addSeparator()
        edit_menu.addAction(QAction("&Preferences…", self, shortcut=QKeySequence.StandardKey.Preferences,
                                    triggered=self.edit_preferences))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(QAction("&Hidden groups…", self, triggered=self.show_hidden_groups))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("&About photodedup", self, triggered=self._about))

    # -- scanning -----------------------------------------------------------------------
    @property
    def library(self):
        """The last scan's library (the session's), or None."""
        return self.session.library

    @property
    def cache_dir(self):
        """Where the cache lives (None: the user's cache folder)."""
        return self.session.cache_dir

    @cache_dir.setter
    def cache_dir(self, folder) -> None:
        self.session.cache_dir = Path(folder) if folder else None

    def options(self) -> Options:
        """The person's options now: the folders screen's and the results' similarity, the rest as saved."""
        return replace(self.settings.options(), folders=self.folders_page.folders(),
                       protected=self.folders_page.protected_folders(), excludes=self.folders_page.excludes(),
                       threshold=self.results_page.threshold(),
                       raw_jpeg_pairs_are_duplicates=self.folders_page.raw_pairs_box.isChecked())

    def trash_policy(self) -> TrashPolicy:
        """What may be marked and trashed, from the folders screen (core/review/policy.py decides)."""
        return self.options().trash_policy()

    def start_scan(self) -> None:
        if self.controller.refuses():
            return
        self.session.options = self.options()
        roots = self.session.options.folders
        if not roots:
            self.pages.setCurrentWidget(self.folders_page)
            self.statusBar().showMessage("Add a folder first.", 5000)
            return
        missing = [root for root in roots if not os.path.isdir(root)]
        if missing:
            QMessageBox.warning(self, "Folder not found", "These folders don't exist (any more):\n\n"
                                + "\n".join(missing) + "\n\nRemove them from the list or reconnect the drive.")
            return
        if self.folders_page.copy_mode():
            self.start_copy_check()
            return
        self._begin(roots, "Scanning… nothing is changed while scanning.")
        session, options = self.session, self.session.scan_options()
        self.controller.run("scan", preparing(self._review_basis(), lambda progress: session.scan(progress, options)),
                            self._grouped,
                            lambda message: self._failed("scan", message), self._scan_cancelled)

    def _begin(self, roots: list[str], status: str) -> None:
        """Before a scan or a copy check: keep the person's choices, let the last results go, show progress."""
        self.save_settings()
        self._remember_decisions()
        self.review = None
        self.results_page.set_review(Review([]), 0)  # let go of the last scan's groups and photos
        self.session.let_go()
        self.scan_page.begin(list(roots))
        self.pages.setCurrentWidget(self.scan_page)
        self.statusBar().showMessage(status)

    def start_copy_check(self, threshold: float | None = None) -> None:
        """The copy check: originals are the protected folders, the others are looked in."""
        self.session.options = self.options()
        check = self.session.copy_check_options(threshold)
        if check is None:
            QMessageBox.information(self, "Copy check", "Tick \"My originals\" for the folders with your originals, "
                                    "and leave at least one folder unticked to look for copies in.")
            return
        self._begin(self.session.options.folders, "Looking for copies of your originals… nothing is changed.")
        session = self.session
        self.controller.run("copies", lambda progress: session.copy_check(check, progress), self._copies_found,
                            lambda message: self._failed("copy check", message), self._scan_cancelled)

    def regroup(self, threshold: float) -> None:
        self.settings.threshold = threshold
        if self.folders_page.copy_mode() and self.review is not None:
            self.start_copy_check(threshold)
            return
        if self.session.library is None:
            return
        if self.controller.refuses():
            self._regroup_after_trash = True  # waits for the trash, then runs
            return
        session, protected, rules = self.session, self.folders_page.protected_folders(), self.settings.keeper_rules
        self.statusBar().showMessage("Regrouping…")
        self.results_page.set_regrouping(True)
        self.controller.run("regroup", preparing(self._review_basis(), lambda progress: session.regroup(
            threshold, progress, protected, rules)), self._grouped, self._regroup_failed, lambda: self.results_page.set_regrouping(False))

    def _progress(self, report: ProgressReport) -> None:
        if report.job == self.controller.current_job and self.pages.currentWidget() is self.scan_page:
            self.scan_page.show_progress(report)

    def _review_basis(self) -> ReviewBasis:
        """What the review of the next groups is built from, as the window says it now."""
        decisions = dict(self.decisions)
        if self.review is not None and self.review.suggest_trash:
            decisions.update(self.review.decisions())
        return ReviewBasis.of(self.trash_policy(), self.settings.dismissed, decisions,
                              self.results_page.sort_box.currentData())

    def _grouped(self, result: PreparedReview | Grouped) -> None:
        """A scan or a regroup ended: its groups go under review (with the person's decisions),
        built on the worker unless the person changed something meanwhile (gui/prepared_review.py)."""
        prepared = result if isinstance(result, PreparedReview) else None
        grouped = prepared.grouped if prepared is not None else result
        library = grouped.library
        self.problems = library.problems
        self.describer.scratch = library.scratch
        basis = self._review_basis()
        self._remember_decisions()
        self.review = prepared.review if prepared is not None and prepared.basis == basis else basis.build(grouped)
        for action in self.mark_actions:
            action.setEnabled(True)
        self.results_page.set_review(self.review, len(library.problems), sorted_by=basis.order)
        self.pages.setCurrentWidget(self.results_page)
        self.results_page.group_view.setFocus()  # keys (J/K, Space, Del) act at once, also after an undo
        stats = library.stats
        self.statusBar().showMessage(
            f"{stats.files_found:,} photos: {stats.cache_hits:,} from the cache, {stats.files_decoded:,} analysed.")

    def _copies_found(self, found: CopiesFound) -> None:
        """The copy check ended: each original with its copies, nothing marked."""
        result = found.result
        self.problems = result.problems
        self.review = Review(found.groups, self.trash_policy(), self.settings.dismissed, suggest_trash=False)
        self.results_page.set_review(self.review, len(result.problems))
        self.pages.setCurrentWidget(self.results_page)
        for action in self.mark_actions:
            action.setEnabled(False)  # the copy check reports copies; nothing is marked
        self.statusBar().showMessage(
            f"{len(self.review.choices)} of {result.originals_scanned:,} originals have copies: "
            f"{sum(len(c.members) - 1 for c in self.review.choices):,} "
            f"copies among {result.looked_at:,} photos. Originals can't be marked for the Trash.")

    def _failed(self, what: str, message: str) -> None:
        """A scan or a copy check failed: said, and back to the folders."""
        self._show_failure(what, message)
        self.pages.setCurrentWidget(self.folders_page)

    def _show_failure(self, what: str, message: str) -> None:
        QMessageBox.critical(self, "Something went wrong", f"The {what} stopped with an error:\n\n{message}\n\n"
                             "No file was changed by this.")

    def _regroup_failed(self, message: str) -> None:
        self.results_page.set_regrouping(False)
        self._show_failure("regroup", message)

    def _scan_cancelled(self) -> None:
        self.pages.setCurrentWidget(self.folders_page)
        self.statusBar().showMessage("Scan cancelled. Photos analysed so far are cached for the next scan.", 8000)

    def show_problems(self) -> None:
        if not self.problems:
            return
        lines = [f"{p.path}\n    {p.reason}" for p in self.problems[:200]]
        more = len(self.problems) - len(lines)
        box = QMessageBox(QMessageBox.Icon.Information, "Files that could not be read",
                          f"{len(self.problems)} files were skipped; nothing was changed.", parent=self)
        box.setDetailedText("\n".join(lines) + (f"\n… and {more} more" if more > 0 else ""))
        box.open()

    # -- settings and shutdown ----------------------------------------------------------
    def edit_preferences(self) -> None:
        from photodedup.core.analyse.cache import default_cache_dir

        dialog = PreferencesDialog(self, self.settings.keeper_rules, self.settings.default_threshold,
                                   str(self.cache_dir or default_cache_dir()), lambda: not self.controller.busy,
                                   self.settings.carry_over)
        self.preferences_dialog = dialog  # tests reach it here
        dialog.accepted.connect(lambda: self._preferences_accepted(dialog))
        dialog.open()

    def _preferences_accepted(self, dialog: PreferencesDialog) -> None:
        self.settings.default_threshold = dialog.threshold()
        self.settings.carry_over = dialog.carry_over_box.isChecked()
        self.results_page.set_default_threshold(dialog.threshold())
        chosen = sum(1 for _, state in self.decisions.values() if state == "keeper")
        if self.review is not None:
            chosen += sum(1 for _, state in self.review.decisions().values() if state == "keeper")
        self.apply_keeper_rules(dialog.rules())
        if chosen:
            self.statusBar().showMessage(f"The new rules choose the keeper everywhere except where you chose it "
                                         f"yourself ({chosen} groups).", 10000)

    def apply_keeper_rules(self, rules: list[str]) -> None:
        """Keep the new order and, if groups are shown, suggest keepers again (from the cache)."""
        self.settings.keeper_rules = rules
        self.settings.sync()
        if self.session.library is not None and not self.folders_page.copy_mode():
            self.regroup(self.results_page.threshold())

    def save_settings(self) -> None:
        self.settings.folders = self.folders_page.folders()
        self.settings.protected = self.folders_page.protected_folders()
        self.settings.excludes = self.folders_page.excludes()
        self.settings.threshold = self.results_page.threshold()
        self.settings.raw_jpeg_pairs_are_duplicates = self.folders_page.raw_pairs_box.isChecked()
        self.settings.sync()

    def _about(self) -> None:
        from photodedup import __version__

        QMessageBox.about(self, "About photodedup", f"<b>photodedup {__version__}</b><p>Finds duplicate and "
                          "near-duplicate photos. Everything stays on this computer: no photo, fingerprint or "
                          "file name leaves it.</p>")

    def _confirm_quit(self, marked: int) -> bool:
        answer = QMessageBox.question(
            self, "Quit photodedup?", f"{marked} files are marked for the Trash, and nothing has been moved yet. "
            "Quit anyway? (The marks are not kept.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event) -> None:
        """Closing mid-scan cancels and joins the worker before the window goes; with files
        marked (and no trash running) it asks first."""
        marked = self.review.marked_count if self.review is not None and self.review.suggest_trash else 0
        if marked and not self.controller.uninterruptible and not self.confirm_quit(marked):
            event.ignore()
            return
        self.controller.shutdown()  # a trash stops between two files: each one is journalled
        for loader in (self.thumbnails, self.previews, self.full_size, self.describer):
            loader.shutdown()
        self.save_settings()
        event.accept()

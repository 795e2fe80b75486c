"""The main window's review actions: marking, trash and undo, hidden groups, export.

A mixin of MainWindow (gui/main_window.py), kept apart so that each file reads in one sitting;
it uses the window's pages, controller, session, settings and review. The trash and the undo
are the session's operations (core/session.py), run by the controller, never interrupted.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QMessageBox

from photodedup.gui.trash_dialogs import OutcomeDialog


class ReviewActions:
    """Marking, trash, undo, hidden groups and export, for MainWindow."""

    def trash_marked(self, choices=None) -> None:
        """Trash the marked files of every group, or of ``choices`` only, after asking."""
        review = self.review
        if review is None:
            return
        if self.controller.busy:
            self.statusBar().showMessage("Wait for the current task to finish.", 5000)
            return
        plan = review.trash_plan(choices)
        files = [(f.path, f.size) for group in plan for f in group.remove]
        if not files or not self.confirm(self, files, len(plan)):
            return
        self._remember_decisions()
        self.results_page.setEnabled(False)
        self.statusBar().showMessage("Moving files to the Trash…")
        session, policy, carry_over = self.session, review.policy, self.settings.carry_over
        self.controller.run("trash", lambda progress: session.trash(plan, progress, policy, carry_over),
                            self._trash_done, self._trash_failed)

    def _trash_failed(self, message: str) -> None:
        self.results_page.setEnabled(True)
        self._show_failure("trash", message)
        self._regroup_if_asked()

    def _regroup_if_asked(self) -> None:
        """A regroup asked for during the trash runs now."""
        if self._regroup_after_trash:
            self._regroup_after_trash = False
            self.regroup(self.results_page.threshold())

    def _trash_done(self, outcomes) -> None:
        """The trash ended: the files moved are forgotten (the session's library forgot them too)."""
        self.results_page.setEnabled(True)
        trashed = [o.path for o in outcomes if o.status == "trashed" and not o.companion_of]
        for path in trashed:
            for loader in (self.thumbnails, self.previews, self.full_size):
                loader.forget(path)
        if self.review is not None:
            self.review.forget(trashed)
            self.results_page.set_review(self.review, len(self.problems))
        photos = sum(not o.companion_of for o in outcomes)  # companions travel with their photo, not counted apart
        self.statusBar().showMessage(f"{len(trashed)} of {photos} files moved to the Trash.", 8000)
        self.last_dialog = OutcomeDialog(self, "Move to Trash", outcomes)
        self.last_dialog.open()
        self._update_undo()
        self.results_page.group_view.setFocus()
        self._regroup_if_asked()

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question, QMessageBox.StandardButton.Yes |
                                      QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def mark_all(self, marked: bool, folder: str | None = None) -> None:
        if self.review is None or not self.review.suggest_trash:
            return
        if not marked and folder is None and self.review.marked_count and not self.ask(
                "Unmark everything", f"Unmark all {self.review.marked_count} marked files? Your other choices "
                "(the files you keep) stay."):
            return
        changed = self.review.mark_all(marked, folder)
        where = f" in {folder}" if folder else ""
        self.results_page.marks_changed(f"{changed} files {'marked' if marked else 'unmarked'}{where}.")

    def mark_folder(self, marked: bool) -> None:
        """Mark or unmark by folder: "all copies in Downloads"."""
        from PySide6.QtWidgets import QInputDialog

        if self.review is None or not self.review.suggest_trash or not self.review.choices:
            return
        folder, ok = QInputDialog.getItem(self, "Mark copies in a folder" if marked else "Unmark files in a folder",
                                          "Folder:", self.review.folders(), 0, False)
        if ok and folder:
            self.mark_all(marked, folder)

    def _remember_decisions(self) -> None:
        if self.review is not None and self.review.suggest_trash:
            self.decisions.update(self.review.decisions())

    def _update_undo(self) -> None:
        """Undo is offered only while the journal has files photodedup can put back."""
        self.undo_action.setEnabled(self.session.can_undo())

    def undo_last_trash(self) -> None:
        if self.controller.busy:
            self.statusBar().showMessage("Wait for the current task to finish.", 5000)
            return
        session = self.session
        self.controller.run("restore", lambda progress: session.restore(last=True), self._restore_done,
                            lambda message: self._show_failure("undo", message))

    def _restore_done(self, outcomes) -> None:
        for path, content_hash in self.session.restored_hashes(outcomes).items():
            self.decisions[path] = (content_hash, "kept")  # a photo brought back is one the person wants
        if not outcomes:
            self.statusBar().showMessage("Nothing to undo: no files were moved to the Trash.", 6000)
            return
        self.last_dialog = OutcomeDialog(self, "Undo last trash", outcomes)
        self.last_dialog.open()
        self._update_undo()
        if any(o.status == "restored" for o in outcomes) and self.folders_page.folders():
            self.start_scan()  # the restored photos are in the cache: this takes moments

    def _remember_dismissed(self, key: str) -> None:
        self.settings.dismissed = set(self.settings.dismissed) | {key}

    def show_hidden_groups(self) -> None:
        from photodedup.gui.hidden_groups import HiddenGroupsDialog

        if self.review is None:
            self.statusBar().showMessage("Scan first: hidden groups are listed with the scan's results.", 5000)
            return
        self.hidden_dialog = HiddenGroupsDialog(self, self.review)
        self.hidden_dialog.show_again.connect(self._show_group_again)
        self.hidden_dialog.open()

    def _show_group_again(self, choice) -> None:
        forget = self.review.show_again(choice)
        self.settings.dismissed = set(self.settings.dismissed) - set(forget)
        self.results_page.set_review(self.review, len(self.problems))
        self.statusBar().showMessage("The group is shown again.", 5000)

    def export_results(self) -> None:
        """The groups shown, with the person's marks, as JSON (which `photodedup trash` reads) or CSV."""
        from PySide6.QtWidgets import QFileDialog

        from photodedup.core.analyse.cache import default_cache_dir
        from photodedup.core.models import ScanResult
        from photodedup.core.review.report import report_settings, write_csv, write_json

        if self.review is None or not self.review.choices:
            self.statusBar().showMessage("Nothing to export: scan first.", 5000)
            return
        path, chosen = QFileDialog.getSaveFileName(self, "Export results",
                                                   os.path.join(os.path.expanduser("~"), "photodedup-results.json"),
                                                   "JSON report (*.json);;CSV table (*.csv)")
        if not path:
            return
        choices = self.review.choices
        result = ScanResult(groups=[c.group for c in choices], problems=list(self.problems))
        marks = [c.marked for c in choices]
        policy = self.review.policy
        try:
            if path.lower().endswith(".csv") or "CSV" in chosen:
                write_csv(result, path, policy, marks)
            else:
                settings = report_settings(policy, self.results_page.threshold(), self.cache_dir or default_cache_dir(),
                                           self.folders_page.excludes(), self.settings.keeper_rules)
                write_json(result, path, settings, policy, marks)
        except OSError as error:
            QMessageBox.warning(self, "Export results", f"Could not write {path}:\n{error.strerror or error}")
            return
        self.statusBar().showMessage(f"Results written to {path}.", 8000)

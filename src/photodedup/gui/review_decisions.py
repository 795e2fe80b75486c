"""The person's decisions on the review screen: keep this file, mark or unmark that one, hide a
group; files gone since the scan leave the list. A mixin of ResultsPage (gui/results_page.py),
which owns the review, the group list (model, group_view), the comparison and the summary.
"""

from __future__ import annotations

import os

from photodedup.core.review.choices import GroupChoice


class ReviewDecisions:
    """Keep, mark, hide, and the list kept in step with them, for ResultsPage."""

    def _changed(self, message: str | None = None) -> None:
        self.compare.refresh_roles()
        self.model.refresh(self.current_row())
        self._update_summary()
        if message:
            self.window().statusBar().showMessage(message, 5000)

    def _drop_missing(self, choice: GroupChoice) -> bool:
        """Files deleted or moved outside photodedup since the scan leave the review; True if any did."""
        missing = [m.path for m in choice.members if not os.path.lexists(m.path)]
        if not missing:
            return False
        self.review.forget(missing)
        self.model.set_review(self.review)
        self._update_summary()
        self.window().statusBar().showMessage(
            f"{len(missing)} file{'s' if len(missing) != 1 else ''} of this group no longer exist"
            f"{'s' if len(missing) == 1 else ''} (moved or deleted outside photodedup); removed from the list.", 8000)
        return True

    def marks_changed(self, message: str) -> None:
        """Marks may have changed in every group (mark or unmark all, by folder)."""
        self.model.refresh_all()
        self._changed(message)

    # -- the person's decisions -----------------------------------------------------------
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
        if self.model.rowCount():
            self.select_row(min(row, self.model.rowCount() - 1))
        else:
            self.compare.show_choice(None, None)
        self.group_view.setFocus()  # so that the next key (J, Del, D...) acts on the list
        self.window().statusBar().showMessage("Group hidden; it stays hidden in later scans. "
                                              "View › Hidden groups shows it again.", 8000)

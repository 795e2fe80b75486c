"""View › Hidden groups: the groups marked "Not duplicates", and a way to show each again."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from photodedup.core.review.choices import GroupChoice, Review


class HiddenGroupsDialog(QDialog):
    """Lists the review's hidden groups; "Show again" puts the selected one back in the list."""

    show_again = Signal(object)  # GroupChoice

    def __init__(self, parent, review: Review) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hidden groups")
        self.resize(560, 360)
        self.review = review
        self.list = QListWidget()
        self.show_button = QPushButton("Show again")
        self.show_button.clicked.connect(self._show_selected)
        self.list.currentRowChanged.connect(lambda row: self.show_button.setEnabled(row >= 0))
        self.list.itemDoubleClicked.connect(lambda _: self._show_selected())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Groups you marked \"Not duplicates\". They stay hidden in later scans "
                                "unless a new copy joins them."))
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for choice in self.review.hidden:
            item = QListWidgetItem(f"{os.path.basename(choice.keeper)} — {len(choice.members)} photos, "
                                   f"in {os.path.dirname(choice.keeper)}")
            item.setToolTip("\n".join(m.path for m in choice.members))
            self.list.addItem(item)
        if not self.review.hidden:
            self.list.addItem("No hidden groups in this scan.")
            self.list.setEnabled(False)
        self.show_button.setEnabled(False)

    def _show_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.review.hidden):
            choice: GroupChoice = self.review.hidden[row]
            self.show_again.emit(choice)
            self._fill()

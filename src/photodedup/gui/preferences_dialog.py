"""Preferences: the order of the keeper rules (which file of a group is suggested to keep)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from photodedup.core.keeper import DEFAULT_RULES, RULES


class PreferencesDialog(QDialog):
    """Reorder the keeper rules; the first rule that tells two files apart decides."""

    def __init__(self, parent: QWidget, rules: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.resize(520, 420)
        intro = QLabel("<b>Which file to keep</b><br>In each group, the first rule that tells the files apart "
                       "decides which one is suggested to keep. Move the rules that matter most to you up.")
        intro.setWordWrap(True)
        self.rule_list = QListWidget()
        self.set_rules(rules)
        up, down, reset = QPushButton("Move up"), QPushButton("Move down"), QPushButton("Defaults")
        up.clicked.connect(lambda: self.move(-1))
        down.clicked.connect(lambda: self.move(1))
        reset.clicked.connect(lambda: self.set_rules(list(DEFAULT_RULES)))
        side = QVBoxLayout()
        for button in (up, down, reset):
            side.addWidget(button)
        side.addStretch()
        middle = QHBoxLayout()
        middle.addWidget(self.rule_list, 1)
        middle.addLayout(side)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addWidget(buttons)

    def set_rules(self, rules: list[str]) -> None:
        self.rule_list.clear()
        for name in rules:
            item = QListWidgetItem(RULES[name][0][0].upper() + RULES[name][0][1:])
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.rule_list.addItem(item)
        self.rule_list.setCurrentRow(0)

    def rules(self) -> list[str]:
        return [self.rule_list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.rule_list.count())]

    def move(self, step: int) -> None:
        row = self.rule_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.rule_list.count():
            return
        item = self.rule_list.takeItem(row)
        self.rule_list.insertItem(target, item)
        self.rule_list.setCurrentRow(target)

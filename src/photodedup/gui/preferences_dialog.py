"""Preferences: the order of the keeper rules (which file of a group is suggested to keep),
the default similarity, and the cache (where, how big, clear it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox,
    QPushButton, QVBoxLayout, QWidget,
)

from photodedup.core.analyse.cache import cache_files, clear_cache
from photodedup.core.review.keeper import RULES
from photodedup.core.review.report import human_bytes
from photodedup.core.settings import default_of, help_of


class PreferencesDialog(QDialog):
    """Reorder the keeper rules; the first rule that tells two files apart decides."""

    def __init__(self, parent: QWidget, rules: list[str], threshold: float | None = None,
                 cache_dir: str | None = None, can_clear=lambda: True, carry_over: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.resize(640, 560)
        self.cache_dir, self.can_clear = cache_dir, can_clear
        intro = QLabel("<b>Which file to keep</b><br>In each group, the first rule that tells the files apart "
                       "decides which one is suggested to keep. Move the rules that matter most to you up.")
        intro.setWordWrap(True)
        self.rule_list = QListWidget()
        self.set_rules(rules)
        up, down, reset = QPushButton("Move up"), QPushButton("Move down"), QPushButton("Defaults")
        up.clicked.connect(lambda: self.move(-1))
        down.clicked.connect(lambda: self.move(1))
        reset.clicked.connect(lambda: self.set_rules(default_of("keeper_rules")))
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
        self.threshold_box = QDoubleSpinBox()
        self.threshold_box.setRange(0.20, 0.80)
        self.threshold_box.setSingleStep(0.01)
        self.threshold_box.setValue(default_of("default_threshold") if threshold is None else threshold)
        self.threshold_box.setToolTip(f"{help_of('default_threshold').capitalize()} (photodedup's: "
                                      f"{default_of('default_threshold'):.2f}); smaller is stricter.")
        similarity = QHBoxLayout()
        similarity.addWidget(QLabel("<b>Default similarity</b>"))
        similarity.addWidget(self.threshold_box)
        similarity.addStretch()
        self.cache_label = QLabel()
        self.cache_label.setWordWrap(True)
        self.cache_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_button = QPushButton("Clear cache")
        self.clear_button.clicked.connect(self.clear)
        cache_row = QHBoxLayout()
        cache_row.addWidget(self.cache_label, 1)
        cache_row.addWidget(self.clear_button)
        self._show_cache()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addLayout(similarity)
        self.carry_over_box = QCheckBox("Before a copy goes to the Trash, add what the kept photo lacks "
                                        "(keywords, rating, GPS, …) to the kept photo's XMP sidecar")
        self.carry_over_box.setChecked(carry_over)
        self.carry_over_box.setToolTip(help_of("carry_over").capitalize() + ".")
        layout.addWidget(self.carry_over_box)
        layout.addLayout(cache_row)
        layout.addWidget(buttons)

    def threshold(self) -> float:
        return round(self.threshold_box.value(), 2)

    def _show_cache(self) -> None:
        if not self.cache_dir:
            self.cache_label.setText("")
            self.clear_button.setVisible(False)
            return
        size = sum(p.stat().st_size for p in cache_files(self.cache_dir) if p.exists())
        self.cache_label.setText(f"<b>Cache</b>: {human_bytes(size)} in {self.cache_dir}<br>What photodedup "
                                 "learned about each photo, so that a rescan takes seconds. Clearing it loses no photo.")

    def clear(self) -> None:
        """Delete the cache's files after asking (never while a scan uses them)."""
        if not self.can_clear():
            QMessageBox.information(self, "Clear cache", "Wait for the scan to finish first.")
            return
        answer = QMessageBox.question(self, "Clear cache", "Delete the cache? No photo is touched; the next scan "
                                      "analyses every photo again.", QMessageBox.StandardButton.Yes |
                                      QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            freed = clear_cache(self.cache_dir)
            self._show_cache()
            self.cache_label.setText(self.cache_label.text() + f"<br>{human_bytes(freed)} freed.")

    def set_rules(self, rules: list[str]) -> None:
        self.rule_list.clear()
        for name in rules:
            text = RULES[name][0][0].upper() + RULES[name][0][1:]
            item = QListWidgetItem(text)
            item.setToolTip(text)
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

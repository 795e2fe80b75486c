"""The scan in progress: stage, counts, rate, time left, Cancel. (Unreadable files are listed
with the results: the results screen's "files could not be read" button.)"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from photodedup.gui.scan_controller import ProgressReport


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


class ScanPage(QWidget):
    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.stage_label = QLabel("Starting…")
        self.stage_label.setObjectName("pageTitle")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.counts_label = QLabel("")
        self.folders_label = QLabel("")
        self.folders_label.setWordWrap(True)
        self.folders_label.setObjectName("dim")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)

        self.bar.setMinimumHeight(14)
        row = QHBoxLayout()
        row.addWidget(self.counts_label, 1)
        row.addWidget(self.cancel_button)
        card = QWidget()
        card.setObjectName("card")
        card.setFixedWidth(720)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(10)
        inner.addWidget(self.stage_label)
        inner.addWidget(self.folders_label)
        inner.addWidget(self.bar)
        inner.addLayout(row)
        note = QLabel("Nothing is changed while scanning. What is analysed is cached, so the next scan "
                      "of the same folders takes seconds, even after Cancel.")
        note.setWordWrap(True)
        note.setObjectName("dim")
        inner.addSpacing(8)
        inner.addWidget(note)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def begin(self, folders: list[str]) -> None:
        self.stage_label.setText("Finding photos…")
        self.folders_label.setText("In " + ", ".join(folders))
        self.bar.setRange(0, 0)
        self.counts_label.setText("")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")

    def show_progress(self, report: ProgressReport) -> None:
        self.stage_label.setText(report.stage + "…")
        if report.total:
            self.bar.setRange(0, report.total)
            self.bar.setValue(min(report.done, report.total))
            text = f"{report.done:,} of {report.total:,}"
            if report.rate >= 1 and report.done < report.total:
                text += f"  ·  {report.rate:,.0f} per second"
                if report.seconds_left is not None:
                    text += f"  ·  about {duration(report.seconds_left)} left"
            self.counts_label.setText(text)
        else:
            self.bar.setRange(0, 0)
            self.counts_label.setText(f"{report.done:,} so far" if report.done else "")

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.stage_label.setText("Stopping…")
        self.cancel_requested.emit()

"""Confirmation before the trash, and the per-file result after it (and after an undo)."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from photodedup.core.analyse.companions import travelling_companions
from photodedup.core.review.report import human_bytes
from photodedup.core.trash.safe_trash import FileOutcome, RestoreOutcome

STATUS_TEXT = {"trashed": "✔ moved to Trash", "skipped": "– skipped", "failed": "✖ failed", "would trash": "would move",
               "restored": "✔ restored", "refused": "– not restored", "in trash": "in the Trash"}


def confirm_trash(parent: QWidget, files: list[tuple[str, int]], groups: int) -> bool:
    """Ask before a trash, saying what goes from where; Cancel is the default (Enter keeps all)."""
    count, size = len(files), sum(size for _, size in files)
    by_folder: dict[str, list[int]] = {}
    for path, file_size in files:
        by_folder.setdefault(os.path.dirname(path), []).append(file_size)
    lines = [f"{len(sizes)} file{'s' if len(sizes) != 1 else ''}, {human_bytes(sum(sizes))} — {folder}"
             for folder, sizes in sorted(by_folder.items(), key=lambda item: -sum(item[1]))]
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Move to Trash")
    box.setText(f"Move {count} marked file{'s' if count != 1 else ''} ({human_bytes(size)}) "
                f"from {groups} group{'s' if groups != 1 else ''} to the Trash?")
    shown = lines[:8] + ([f"… and {len(lines) - 8} more folders"] if len(lines) > 8 else [])
    companions = _companions(files)
    going_too = (f"\n\nWith them go {len(companions)} companion file{'s' if len(companions) != 1 else ''} "
                 f"({human_bytes(sum(size for _, size in companions))}): their sidecars, Live Photo videos and "
                 "Takeout JSON." if companions else "")
    box.setInformativeText("From:\n" + "\n".join(shown) + going_too + "\n\nEach file is checked first: a file "
                           "that changed since the scan is skipped, and every group keeps at least one photo. You "
                           "can put them back with Edit › Undo last trash.")
    box.setDetailedText("\n".join([path for path, _ in files] + [f"  + {path}" for path, _ in companions]))
    move = box.addButton("Move to Trash", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is move


def _companions(files: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The companions that would go with ``files`` (path, size): what the person confirms, not only the photos."""
    found = []
    for path, _size in files:
        for companion in travelling_companions(path)[0]:
            try:
                found.append((companion.path, os.lstat(companion.path).st_size))
            except OSError:
                continue
    return found


class OutcomeDialog(QDialog):
    """One line per file: what happened and why."""

    def __init__(self, parent: QWidget, title: str, outcomes: list[FileOutcome] | list[RestoreOutcome]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 420)
        done = sum(o.status in ("trashed", "restored") for o in outcomes)
        verb = "moved to the Trash" if "Trash" in title else "put back where they were"
        count = f"{done} of {len(outcomes)} files" if done != len(outcomes) else \
            (f"{done} file" if done == 1 else f"All {done} files")
        summary = QLabel(f"{count} {verb}."
                         + ("" if done == len(outcomes) else " The others were left where they are; see why below."))
        summary.setWordWrap(True)
        unavailable = any(getattr(o, "trash_unavailable", False) for o in outcomes)
        warning = QLabel("Some files are on a drive whose trash can't be used (read-only or a network share). "
                         "They were left in place: photodedup never deletes permanently. Delete them yourself "
                         "if you are sure.")
        warning.setWordWrap(True)
        warning.setVisible(unavailable)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Result", "File", "Why"])
        self.tree.setRootIsDecorated(False)
        done_states = ("trashed", "restored")  # what went wrong first: that is what needs reading
        for outcome in sorted(outcomes, key=lambda o: o.status in done_states):
            QTreeWidgetItem(self.tree, [STATUS_TEXT.get(outcome.status, outcome.status), outcome.path, outcome.reason])
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(warning)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

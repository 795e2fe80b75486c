"""One photo of a group under review: its name and folder, its role (keep, trash, ...), the
picture, and the keep/trash controls."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from photodedup.core.models import GroupMember
from photodedup.gui.file_actions import file_menu, open_file
from photodedup.gui.synced_view import SyncedView

KEEP_COLOUR, TRASH_COLOUR, PROTECTED_COLOUR = "#2e7d32", "#c62828", "#1565c0"
STAND_IN_COLOUR = "#8d5b00"  # an unmarked copy nothing that stays can stand for


class PhotoPanel(QFrame):
    """One photo of the group: its name and role, the picture, and the keep/trash controls."""

    keep_clicked = Signal(str)
    toggle_clicked = Signal(str)
    role_names = ("ORIGINAL", "COPY")  # in a report (the copy check); a search names them otherwise

    def __init__(self, member: GroupMember) -> None:
        super().__init__()
        self.path = member.path
        self.setObjectName("photoPanel")
        self.title = QLabel(os.path.basename(member.path))
        self.title.setToolTip(member.path)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel()
        self.badge.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.folder = QLabel(os.path.basename(os.path.dirname(member.path)) + "/")
        self.folder.setObjectName("dim")
        self.folder.setToolTip(os.path.dirname(member.path))
        header = QHBoxLayout()
        header.addWidget(self.folder)
        header.addWidget(self.title, 1)
        self.companions = QLabel()  # "+XMP +LIVE": files that travel with this photo
        self.companions.setObjectName("dim")
        self.companions.setToolTip("Sidecars, a Live Photo's video or Takeout JSON: they go to the Trash and "
                                   "come back with this photo")
        header.addWidget(self.companions)
        header.addWidget(self.badge)
        self.view = SyncedView()
        self.view.double_clicked.connect(lambda: open_file(self.path))
        self.view.setToolTip("Double-click to open; right-click for more")
        self.keep_button = QPushButton("Keep this one")
        self.keep_button.clicked.connect(lambda: self.keep_clicked.emit(self.path))
        self.trash_box = QCheckBox("Move to Trash")
        self.trash_box.clicked.connect(lambda: self.toggle_clicked.emit(self.path))
        self.note = QLabel()  # why this unmarked copy was not suggested, when nothing staying stands for it
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {STAND_IN_COLOUR};")
        self.note.hide()
        footer = QHBoxLayout()
        footer.addWidget(self.keep_button)
        footer.addStretch()
        footer.addWidget(self.trash_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        layout.addLayout(footer)

    def contextMenuEvent(self, event) -> None:
        file_menu(self, self.path).exec(event.globalPos())

    def show_role(self, keeper: bool, marked: bool, kept_because: str, protected: bool, focused: bool,
                  copy_check: bool = False, no_stand_in: str = "") -> None:
        """Badge, border and controls for the file's role; ``kept_because`` says why the policy
        never lets it go (empty when it may); ``no_stand_in`` why no file that stays can stand for
        this unmarked copy (gui/stand_ins.py; empty when one can)."""
        if marked:
            text, colour = "TRASH", TRASH_COLOUR
        elif keeper:
            text, colour = (self.role_names[0] if copy_check else "KEEP"), KEEP_COLOUR
        elif copy_check:
            text, colour = self.role_names[1], "#666666"
        elif protected:
            text, colour = "PROTECTED", PROTECTED_COLOUR
        elif kept_because:
            text, colour = "ALWAYS KEPT", PROTECTED_COLOUR
        elif no_stand_in:
            text, colour = "NOT SUGGESTED", STAND_IN_COLOUR
        else:
            text, colour = "keep too", "#666666"
        self.badge.setText(f"<b style='color:{colour}'>{text}</b>")
        unsuggested = bool(no_stand_in) and not (marked or keeper or copy_check)
        self.badge.setToolTip(f"Kept: no file that stays can stand for it: {no_stand_in}. You may still mark it."
                              if unsuggested else "")
        self.note.setText(f"Not suggested: no file that stays can stand for it ({no_stand_in})." if unsuggested else "")
        self.note.setVisible(unsuggested)
        width = 4 if focused else 2
        self.setStyleSheet(f"#photoPanel {{ border: {width}px solid {colour if (marked or keeper) else '#999'};"
                           f" border-radius: 4px; {'background: #d6e6ff;' if focused else ''} }}")
        blocked = self.trash_box.blockSignals(True)
        self.trash_box.setChecked(marked)
        self.trash_box.blockSignals(blocked)
        self.trash_box.setEnabled(not kept_because)
        self.trash_box.setToolTip(f"This file is {kept_because}; it is never moved to the Trash." if kept_because
                                  else f"Not suggested: no file that stays can stand for it ({no_stand_in})." if no_stand_in
                                  else "Mark this file to be moved to the Trash.")
        self.keep_button.setEnabled(not keeper)
        self.keep_button.setVisible(not copy_check)  # the copy check reports: nothing to keep or trash
        self.trash_box.setVisible(not copy_check)

"""The main window's search by example: a photo chosen, pasted or dropped is looked for in
the folders on the list (from the scan's cache), and the answer shown in a SearchDialog.

A mixin of MainWindow (gui/main_window.py); the search is the session's (core/session.py).
"""

from __future__ import annotations

import os


class SearchActions:
    """Find this photo, for MainWindow."""

    def choose_photo_to_find(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(self, "Find this photo in your folders", os.path.expanduser("~"),
                                                "Photos (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.heic *.bmp *.gif);;"
                                                "All files (*)")
        if paths:
            self.find_photos(paths)

    def find_pasted_photo(self) -> None:
        """A picture on the clipboard (a screenshot, a copied web image) is searched for."""
        import tempfile

        from PySide6.QtGui import QGuiApplication

        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.statusBar().showMessage("The clipboard holds no picture to search for.", 5000)
            return
        handle, path = tempfile.mkstemp(prefix="photodedup-pasted-", suffix=".png")
        os.close(handle)
        image.save(path, "PNG")
        self.find_photos([path])

    def find_photos(self, paths: list[str]) -> None:
        """Search the folders on the list for these photos (their cache: nothing is rescanned)."""
        roots = self.folders_page.folders()
        if not roots:
            self.statusBar().showMessage("Add the folders of your library first: the photo is searched there.", 8000)
            return
        if self.controller.busy:
            self.statusBar().showMessage("Wait for the current task to finish.", 5000)
            return
        session, threshold = self.session, self.results_page.threshold()
        self.statusBar().showMessage("Looking for the photo in your folders…")
        self.controller.run("search", lambda progress: session.search(paths, roots, progress, 12, threshold),
                            self._search_done, lambda message: self._show_failure("search", message))

    def _search_done(self, result) -> None:
        from photodedup.gui.search_dialog import SearchDialog

        self.statusBar().showMessage(f"Searched {result.library_size:,} photos.", 5000)
        self.search_dialog = SearchDialog(self, result, self.thumbnails, self.previews, self.full_size)
        self.search_dialog.open()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() and os.path.isfile(u.toLocalFile())
                                              for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """A photo dropped on the window is searched for (folders go to the folder list)."""
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        photos = [p for p in paths if os.path.isfile(p)]
        folders = [p for p in paths if os.path.isdir(p)]
        if folders:
            self.folders_page.add_folders(folders)
        if photos:
            self.find_photos(photos)
        event.acceptProposedAction()

"""Zoom and pan, the same for every photo of a group: a mixin of CompareView (gui/compare_view.py).

It uses the view's panels (each a PhotoPanel with a SyncedView), its full-size ImageLoader and
its zoom_changed signal; a photo is loaded at full size only once it is zoomed past its preview.
"""

from __future__ import annotations

from PySide6.QtGui import QImage

from photodedup.gui.photo_panel import PhotoPanel
from photodedup.gui.synced_view import SyncedView


class ZoomSync:
    """Fit, 100% and a zoom or pan on one photo applied to all, for CompareView."""

    def fit(self) -> None:
        for panel in self.panels:
            panel.view.apply(1.0, 0.5, 0.5)
        self._report_zoom()

    def _report_zoom(self) -> None:
        if not self.panels:
            return
        largest = max(self.panels, key=lambda p: p.view.original_size[0] * p.view.original_size[1])
        zoom = largest.view.zoom
        self.zoom_changed.emit("Fit" if abs(zoom - 1.0) < 1e-3 else f"{largest.view.percent():.0f}%")

    def actual_size(self) -> None:
        """100%: the largest photo pixel for pixel; the others show the same part of the picture."""
        if not self.panels:
            return
        largest = max(self.panels, key=lambda p: p.view.original_size[0] * p.view.original_size[1])
        zoom = 1.0 / max(largest.view.fit_scale(), 1e-6)
        _, cx, cy = largest.view.state()
        for panel in self.panels:
            panel.view.apply(zoom, cx, cy)
        self._load_full_size_if_zoomed(zoom)
        self._report_zoom()

    def _view_changed(self, source: SyncedView) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            state = source.state()
            for panel in self.panels:
                if panel.view is not source:
                    panel.view.apply(*state)
        finally:
            self._syncing = False
        self._load_full_size_if_zoomed(state[0])
        self._report_zoom()

    def _load_full_size_if_zoomed(self, zoom: float) -> None:
        for panel in self.panels:
            needed = panel.view.fit_scale() * zoom * max(panel.view.original_size)
            if needed > panel.view.shown_side * 1.1:
                image = self.full_size.request(panel.path, 0)
                if image is not None:
                    self._show_image(panel, image)

    def _image_loaded(self, path: str, max_side: int, image: QImage) -> None:
        for panel in self.panels:
            if panel.path == path and image.isNull() and not panel.view.shown_side:
                self._cannot_show(panel)
            if panel.path == path and (max_side == 0 or panel.view.shown_side < max(image.width(), image.height())):
                self._show_image(panel, image)

    @staticmethod
    def _cannot_show(panel: PhotoPanel) -> None:
        panel.view.placeholder = "This photo can't be shown now\n(moved, changed or unreadable)"
        panel.view.viewport().update()

    def _show_image(self, panel: PhotoPanel, image: QImage) -> None:
        if max(image.width(), image.height()) <= panel.view.shown_side:
            return
        state = panel.view.state() if panel.view.shown_side else (1.0, 0.5, 0.5)
        panel.view.set_photo(image, panel.view.original_size)
        panel.view.apply(*state)

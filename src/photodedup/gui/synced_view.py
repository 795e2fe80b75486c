"""A photo view that reports its zoom and centre, so that several views can move as one."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView


class SyncedView(QGraphicsView):
    """Shows one photo; reports its zoom and centre relative to the photo so others can follow."""

    changed = Signal(object)  # self

    def __init__(self) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor("#2b2b2b")))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.placeholder = "Loading…"  # drawn while there is no picture yet
        self.original_size = (1, 1)
        self.shown_side = 0
        self.zoom = 1.0  # relative to "fit"
        self._applying = False
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def set_photo(self, image: QImage | None, original_size: tuple[int, int]) -> None:
        """Show ``image`` (any reduction of the photo) in the photo's own pixel coordinates."""
        self.original_size = (max(1, original_size[0]), max(1, original_size[1]))
        if image is None or image.isNull():
            self.item.setPixmap(QPixmap())
            self.shown_side = 0
            return
        self.item.setPixmap(QPixmap.fromImage(image))
        self.item.setScale(self.original_size[0] / max(1, image.width()))
        self.shown_side = max(image.width(), image.height())
        self.scene().setSceneRect(0, 0, *self.original_size)

    def drawForeground(self, painter: QPainter, rect) -> None:
        if self.shown_side or not self.placeholder:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QColor("#bbbbbb"))
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.restore()

    def percent(self) -> float:
        """How big the photo is shown, in % of its own pixels."""
        return 100.0 * self.fit_scale() * self.zoom

    def fit_scale(self) -> float:
        viewport = self.viewport().size()
        return min(viewport.width() / self.original_size[0], viewport.height() / self.original_size[1])

    def state(self) -> tuple[float, float, float]:
        """(zoom relative to fit, centre x and y as fractions of the photo)."""
        centre = self.mapToScene(self.viewport().rect().center())
        return self.zoom, centre.x() / self.original_size[0], centre.y() / self.original_size[1]

    def apply(self, zoom: float, cx: float, cy: float) -> None:
        self._applying = True
        try:
            self.zoom = max(0.1, min(zoom, 64.0))
            scale = self.fit_scale() * self.zoom
            self.setTransform(QTransform.fromScale(scale, scale))
            self.centerOn(QPointF(cx * self.original_size[0], cy * self.original_size[1]))
        finally:
            self._applying = False

    double_clicked = Signal()

    def mouseDoubleClickEvent(self, event) -> None:
        self.double_clicked.emit()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if not steps:
            return
        factor = 1.25 ** steps
        self.zoom = max(0.1, min(self.zoom * factor, 64.0))
        self._applying = True
        try:
            scale = self.fit_scale() * self.zoom
            self.setTransform(QTransform.fromScale(scale, scale))
        finally:
            self._applying = False
        self.changed.emit(self)

    def resizeEvent(self, event) -> None:
        state = self.state()
        super().resizeEvent(event)
        self.apply(*state)

    def _scrolled(self) -> None:
        if not self._applying:
            self.changed.emit(self)

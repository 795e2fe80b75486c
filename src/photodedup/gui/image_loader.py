"""Loads photos for display on a thread pool (never on the main thread) and caches the results."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable

from PIL import Image, ImageOps
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from photodedup.core.analyse.raw import embedded_preview, is_raw
from photodedup.core.analyse.safe_open import open_photo

FULL_SIZE_LIMIT = 8192  # longest side shown at "100%"; bigger photos are shown reduced


def load_qimage(path: str, max_side: int | None) -> QImage:
    """The upright photo as a QImage, at most ``max_side`` pixels on its long side; null if unreadable."""
    try:
        source = path
        if is_raw(path):  # what the camera rendered, as in the scan
            with open(path, "rb") as handle:
                source = io.BytesIO(embedded_preview(handle.read()))
        with open_photo(source) as image:  # photo formats only (never Ghostscript), HEIC registered, bounded
            if image.format == "JPEG" and max_side:
                image.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            limit = max_side or FULL_SIZE_LIMIT
            if max(image.size) > limit:
                image.thumbnail((limit, limit), Image.Resampling.LANCZOS if max_side else Image.Resampling.BILINEAR)
            data = image.tobytes()
            qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
            return qimage.copy()  # own the pixels: ``data`` goes away
    except Exception:  # a file that can't be shown gets a blank tile, not a crash
        return QImage()


class _LoadSignals(QObject):
    loaded = Signal(str, int, QImage)
    skipped = Signal(str, int)


class _LoadTask(QRunnable):
    def __init__(self, path: str, max_side: int, signals: _LoadSignals, wanted: Callable[[], bool] | None) -> None:
        super().__init__()
        self.path, self.max_side, self.signals, self.wanted = path, max_side, signals, wanted

    def run(self) -> None:
        try:
            if self.wanted is not None and not self.wanted():  # scrolled past while it waited its turn
                self.signals.skipped.emit(self.path, self.max_side)
                return
            image = load_qimage(self.path, self.max_side or None)
            self.signals.loaded.emit(self.path, self.max_side, image)
        except RuntimeError:  # the loader was deleted while this ran (window closing)
            pass


class ImageLoader(QObject):
    """Asks for photos by (path, max_side); ``loaded`` fires on the main thread when ready.

    ``max_side`` 0 means full size. Results are kept in an LRU cache of ``capacity`` images.
    """

    loaded = Signal(str, int, QImage)

    def __init__(self, capacity: int = 400, threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._signals = _LoadSignals()
        self._signals.loaded.connect(self._on_loaded)
        self._signals.skipped.connect(lambda path, max_side: self._waiting.discard((path, max_side)))
        self._cache: OrderedDict[tuple[str, int], QImage] = OrderedDict()
        self._waiting: set[tuple[str, int]] = set()
        self.capacity = capacity

    def cached(self, path: str, max_side: int) -> QImage | None:
        key = (path, max_side)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        return None

    def request(self, path: str, max_side: int, wanted: Callable[[], bool] | None = None) -> QImage | None:
        """The image if cached; else None, and ``loaded`` will fire once it is.

        ``wanted`` (called on a loading thread when the request's turn comes) lets a list drop
        what has scrolled out of sight meanwhile: then nothing is loaded and nothing fires, and
        a later request loads it.
        """
        image = self.cached(path, max_side)
        if image is not None:
            return image
        key = (path, max_side)
        if key not in self._waiting:
            self._waiting.add(key)
            self._pool.start(_LoadTask(path, max_side, self._signals, wanted))
        return None

    def forget(self, path: str) -> None:
        for key in [k for k in self._cache if k[0] == path]:
            del self._cache[key]

    def _on_loaded(self, path: str, max_side: int, image: QImage) -> None:
        key = (path, max_side)
        self._waiting.discard(key)
        self._cache[key] = image
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        self.loaded.emit(path, max_side, image)

    def shutdown(self) -> None:
        self._pool.clear()
        self._pool.waitForDone(10000)

"""Shared helpers: real photos the project ships, and edited copies made from them."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

# Every test runs with a throwaway home for data, cache and settings: the real trash,
# the journal and QSettings are exercised, but never the developer's own. Set before
# anything imports send2trash, which reads XDG_DATA_HOME once at import.
_TEST_HOME = Path(tempfile.mkdtemp(prefix="photodedup-tests-"))
for _name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
    os.environ[_name] = str(_TEST_HOME / _name.lower())

import numpy as np
import pytest
from PIL import Image

from photodedup.core.analyse.pillow_setup import configure_pillow

configure_pillow()  # as the command line and the app do at start: Pillow and its warnings, once

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"


@pytest.fixture(autouse=True)
def clean_data_home():
    """Each test starts with an empty trash and journal."""
    data_home = Path(os.environ["XDG_DATA_HOME"])
    shutil.rmtree(data_home, ignore_errors=True)
    data_home.mkdir(parents=True)
    yield data_home


@pytest.fixture(scope="session")
def embedder():
    """The real model (TF Lite), loaded once for the whole test run."""
    from photodedup.core.embed.embedder import Embedder

    return Embedder()


def trash_dir() -> Path:
    """The freedesktop home trash the tests' files go to."""
    return Path(os.environ["XDG_DATA_HOME"]) / "Trash"


def sample(name: str) -> Image.Image:
    """One of the shipped sample photos (chelsea, coffee, astronaut) as RGB."""
    with Image.open(SAMPLES / f"{name}.jpg") as image:
        return image.convert("RGB")


def save(image: Image.Image, path: Path, **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.fixture
def library(tmp_path: Path) -> dict[str, Path]:
    """A small photo library: a photo, its resized and recompressed copies, an exact copy
    in another folder, and two unrelated photos."""
    cat = sample("chelsea")
    files = {
        "original": save(cat, tmp_path / "photos" / "cat.jpg", quality=95),
        "resized": save(cat.resize((cat.width // 2, cat.height // 2)), tmp_path / "photos" / "exports" / "cat_small.jpg", quality=90),
        "recompressed": save(cat, tmp_path / "photos" / "uploads" / "cat_q45.jpg", quality=45),
        "coffee": save(sample("coffee"), tmp_path / "photos" / "coffee.jpg", quality=92),
        "astronaut": save(sample("astronaut"), tmp_path / "photos" / "astronaut.png"),
    }
    backup = tmp_path / "photos" / "backup" / "cat copy.jpg"
    backup.parent.mkdir(parents=True)
    backup.write_bytes(files["original"].read_bytes())
    os.utime(backup, ns=(files["original"].stat().st_mtime_ns + 10**9,) * 2)
    files["exact"] = backup
    files["root"] = tmp_path / "photos"
    return files


# -- the desktop app (tests/gui) ---------------------------------------------------------
SCAN_TIMEOUT_MS = 120_000


@pytest.fixture
def settings_file(tmp_path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, tmp_path, settings_file):
    """make_window() → a shown MainWindow; closed (worker joined) after the test."""
    windows = []

    from PySide6.QtCore import QSettings

    from photodedup.gui.main_window import MainWindow
    from photodedup.gui.settings import Settings

    def make(folders=()) -> "MainWindow":
        settings = Settings(QSettings(str(settings_file), QSettings.Format.IniFormat))
        window = MainWindow(settings, folders=list(folders), cache_dir=str(tmp_path / "cache"))
        window.confirm = lambda *args: True  # a modal box can't be clicked in a test
        window.confirm_quit = lambda *args: True
        window.ask = lambda *args: True
        qtbot.addWidget(window)
        window.resize(1600, 900)  # a desktop screen: four photos of a group side by side
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def scan_and_wait(qtbot, window) -> None:
    """Click "Find duplicates" and wait for the results page."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(window.folders_page.scan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.results_page and not window.controller.busy,
                    timeout=SCAN_TIMEOUT_MS)
    compare = window.results_page.compare
    if window.review.choices:  # the first group's photos are laid out, ready to click
        qtbot.waitUntil(lambda: bool(compare.panels) and all(p.isVisible() and p.width() > 100 for p in compare.panels))


@pytest.fixture
def many_photos(tmp_path):
    """many_photos(n) → a folder of n different photos (crops of the samples), for long scans."""

    def make(count: int, folder_name: str = "many") -> Path:
        folder = tmp_path / folder_name
        rng = np.random.default_rng(count)
        sources = [sample(name) for name in ("chelsea", "coffee", "astronaut")]
        for number in range(count):
            source = sources[number % 3]
            x, y = int(rng.integers(0, source.width // 3)), int(rng.integers(0, source.height // 3))
            crop = source.crop((x, y, x + source.width // 2, y + source.height // 2))
            crop = crop.rotate(int(rng.integers(0, 360)), resample=Image.Resampling.BILINEAR)
            save(crop, folder / f"p{number:04d}.jpg", quality=80)
        return folder

    return make


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_TEST_HOME, ignore_errors=True)

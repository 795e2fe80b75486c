"""Screenshots of the real app for the README: run under Xvfb, drive the window, grab the screen.

    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py FOLDER [--out docs]

FOLDER is scanned with an empty cache (so the scan screen can be caught mid-way); use a
folder of a few hundred photos, e.g. bench/corpus from bench/make_corpus.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--group", type=int, default=0, help="which group to show in the compare view")
    parser.add_argument("--scan-folder", type=Path, help="a bigger folder for the scan-in-progress shot (then cancelled)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="photodedup-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")

    from photodedup.gui.app import configure_application
    from photodedup.gui.main_window import MainWindow
    from photodedup.gui.settings import Settings

    app = QApplication([sys.argv[0]])
    configure_application(app)
    settings = Settings(QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, cache_dir=str(home / "cache"))
    window.resize(1360, 860)
    window.move(20, 20)
    window.show()

    def wait(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            app.processEvents()
            time.sleep(0.02)

    def shoot(name: str) -> None:
        wait(0.4)
        path = args.out / name
        app.primaryScreen().grabWindow(0).copy(window.frameGeometry()).save(str(path))
        print("wrote", path)

    wait(0.5)
    shoot("screenshot-empty.png")
    for folder in sorted(p for p in args.folder.iterdir() if p.is_dir()):
        window.folders_page.add_folders([str(folder)], protected=[str(folder)] if folder.name == "Pictures" else [])
    shoot("screenshot-folders.png")
    page = window.scan_page

    def analysing_a_third() -> bool:
        return page.stage_label.text().startswith("Analysing") and page.bar.value() > page.bar.maximum() * 0.3

    if args.scan_folder:
        saved = window.folders_page.folders(), window.folders_page.protected_folders()
        window.folders_page.set_state([str(args.scan_folder)], [], [])
        window.start_scan()
        wait(120, until=analysing_a_third)
        shoot("screenshot-scan.png")
        window.controller.cancel()
        wait(30, until=lambda: not window.controller.busy)
        window.folders_page.set_state(saved[0], saved[1], [])
        window.start_scan()
    else:
        window.start_scan()
        wait(120, until=analysing_a_third)
        shoot("screenshot-scan.png")
    wait(600, until=lambda: window.pages.currentWidget() is window.results_page)
    wait(10, until=lambda: window.results_page.compare.choice is not None)
    window.results_page.select_row(args.group)
    wait(3)
    shoot("screenshot-compare.png")
    # The copy check: "Pictures" holds the originals (ticked), the other folders are searched.
    window.folders_page.copies_mode.setChecked(True)
    window.start_scan()
    wait(600, until=lambda: window.pages.currentWidget() is window.results_page and not window.controller.busy)
    wait(10, until=lambda: window.results_page.compare.choice is not None)
    window.results_page.select_row(args.group)
    wait(3)
    shoot("screenshot-copies.png")
    QTimer.singleShot(0, window.close)
    app.processEvents()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Starts the desktop app: ``photodedup-gui [FOLDER...]`` or ``photodedup gui [FOLDER...]``."""

from __future__ import annotations

import argparse
import signal
import sys

STYLE = """
QLabel#pageTitle { font-size: 17px; font-weight: 600; }
QLabel#dim { color: #666666; }
QPushButton#primary { background: #1e66d0; color: white; border: none; border-radius: 4px;
                      padding: 7px 18px; font-weight: 600; }
QPushButton#primary:disabled { background: #9db7e0; }
QPushButton#primary:hover { background: #1857b3; }
QWidget#card { background: palette(base); border: 1px solid #d0d0d0; border-radius: 8px; }
QProgressBar { border: 1px solid #bbbbbb; border-radius: 4px; background: #f4f4f4; }
QProgressBar::chunk { background: #1e66d0; border-radius: 3px; }
"""


def configure_application(app) -> None:
    """Names (so QSettings and the cache land in the right places), icon and look."""
    from PySide6.QtGui import QIcon

    from photodedup import __version__
    from photodedup.core.resources import resources_dir

    app.setOrganizationName("photodedup")
    app.setOrganizationDomain("photodedup.invalid")
    app.setApplicationName("photodedup")
    app.setApplicationDisplayName("photodedup")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.photodedup.photodedup")
    icon_dir = resources_dir() / "icons"
    icon = QIcon()
    for png in sorted(icon_dir.glob("photodedup-*.png")):
        icon.addFile(str(png))
    if (icon_dir / "photodedup.svg").exists():
        icon.addFile(str(icon_dir / "photodedup.svg"))
    if not icon.isNull():
        app.setWindowIcon(icon)
    app.setStyleSheet(STYLE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="photodedup-gui", description="Find duplicate photos (desktop app).")
    parser.add_argument("folders", nargs="*", metavar="FOLDER", help="folders to add to the list")
    parser.add_argument("--cache-dir", metavar="DIR", help="where the cache lives (default: the user cache folder)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from photodedup.gui.qt_libraries import explain_missing

    problem = explain_missing()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from photodedup.core.analyse.pillow_setup import configure_pillow
    from photodedup.gui.main_window import MainWindow

    configure_pillow()  # Pillow and its warnings, once for the process

    app = QApplication.instance() or QApplication([sys.argv[0]])
    configure_application(app)
    window = MainWindow(folders=args.folders, cache_dir=args.cache_dir)
    window.show()
    # Ctrl+C in a terminal, or a session ending (SIGTERM), closes the window as a click would:
    # a running scan is cancelled and joined first. Python only runs signal handlers between
    # bytecodes, so a timer gives it a moment to do so while Qt's loop runs.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

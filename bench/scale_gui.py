"""The window on a big library (offscreen), for bench/scale.py: prints one JSON line.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/scale_gui.py CACHE_DIR THRESHOLD ROOT... [--screenshot OUT.png]

A 10 ms heartbeat timer runs on the main thread throughout; a "stall" is the longest gap between
two of its ticks. Measured: the scan (from the cache) until its result reaches the main thread;
from then to the first group shown (``first_group_s``) and the longest stall in that time; then
the group list scrolled from top to bottom a page every 20 ms (``scroll_stall_ms``), then the
review stepped through 100 groups, one every 50 ms (``paging_stall_ms``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def wait(app: QApplication, done, timeout: float) -> None:
    limit = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > limit:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.002)


def pause(app: QApplication, seconds: float) -> None:
    until = time.perf_counter() + seconds
    wait(app, lambda: time.perf_counter() > until, seconds + 1)


class Heartbeat:
    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.gaps: list[tuple[float, int]] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.gaps.append((time.perf_counter(), self.clock.restart())))
        self.clock.start()
        self.timer.start()

    def worst(self, since: float, until: float) -> int:
        return max((gap for at, gap in self.gaps if since <= at <= until), default=0)


def run_steps(app: QApplication, step, count: int, interval_ms: int) -> tuple[float, float]:
    """Call ``step(n)`` for n in range(count) from a timer; (start, end) perf_counter times."""
    done = []
    timer = QTimer()
    timer.setInterval(interval_ms)
    number = iter(range(count))

    def tick() -> None:
        n = next(number, None)
        if n is None:
            timer.stop()
            done.append(True)
        else:
            step(n)

    timer.timeout.connect(tick)
    started = time.perf_counter()
    timer.start()
    wait(app, lambda: done, 600)
    return started, time.perf_counter()


def main() -> int:
    arguments = sys.argv[1:]
    shot = None
    if "--screenshot" in arguments:  # PNGs of the window: the first group shown, and after the paging
        at = arguments.index("--screenshot")
        shot = Path(arguments[at + 1])
        del arguments[at:at + 2]
    cache, threshold, roots = arguments[0], float(arguments[1]), arguments[2:]
    app = QApplication([])
    from photodedup.gui.main_window import MainWindow
    from photodedup.gui.settings import Settings

    folder = tempfile.mkdtemp(prefix="photodedup-scale-gui-")
    settings = Settings(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
    settings.threshold = threshold
    window = MainWindow(settings, folders=roots, cache_dir=cache)
    window.confirm = window.confirm_quit = window.ask = lambda *args: True
    window.resize(1600, 900)
    window.show()
    app.processEvents()
    heartbeat = Heartbeat()
    arrived = []
    grouped = window._grouped

    def on_grouped(result) -> None:
        arrived.append(time.perf_counter())
        grouped(result)

    window._grouped = on_grouped
    started = time.perf_counter()
    window.start_scan()
    wait(app, lambda: arrived, 1800)
    page = window.results_page
    wait(app, lambda: page.compare.choice is not None, 60)
    shown = time.perf_counter()
    figures = {"scan_s": round(arrived[0] - started, 2), "first_group_s": round(shown - arrived[0], 3),
               "first_group_stall_ms": heartbeat.worst(arrived[0], shown + 0.02),
               "groups": page.model.rowCount(), "scan_stall_ms": heartbeat.worst(started, arrived[0])}
    if shot is not None:
        pause(app, 1.5)  # the photos and thumbnails on screen arrive
        window.grab().save(str(shot.with_name(shot.stem + "-first" + shot.suffix)))
    view = page.group_view
    bar = view.verticalScrollBar()
    pages = bar.maximum() // max(1, bar.pageStep()) + 2
    since, until = run_steps(app, lambda n: bar.setValue(min(bar.maximum(), n * bar.pageStep())), pages, 20)
    app.processEvents()
    figures.update({"scroll_pages": pages, "scroll_s": round(until - since, 1),
                    "scroll_stall_ms": heartbeat.worst(since, time.perf_counter())})
    page.select_row(0)
    app.processEvents()
    since, until = run_steps(app, lambda n: page.step_group(1), 100, 50)
    wait(app, lambda: True, 1)
    figures.update({"paging_stall_ms": heartbeat.worst(since, time.perf_counter() + 0.1),
                    "paged_to_row": page.current_row()})
    if shot is not None:
        pause(app, 1.5)
        window.grab().save(str(shot.with_name(shot.stem + "-paged" + shot.suffix)))
    worst = sorted(heartbeat.gaps, key=lambda g: -g[1])[:5]
    figures["worst_gaps_ms"] = [gap for _, gap in worst]
    heartbeat.timer.stop()
    window.close()
    print(__import__("json").dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""docs/RELIABILITY.md, Threads and shutdown (cases 15-17), and the scan's responsiveness (issue 6)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import time

from conftest import ROOT, scan_and_wait
from PySide6.QtCore import QElapsedTimer, QTimer, qInstallMessageHandler

CLOSE_MID_SCAN = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    from photodedup.gui.main_window import MainWindow
    from photodedup.gui.settings import Settings

    app = QApplication([])
    window = MainWindow(Settings(QSettings(sys.argv[3], QSettings.Format.IniFormat)), folders=[sys.argv[1]],
                        cache_dir=sys.argv[2])
    window.show()
    window.start_scan()

    def close_when_analysing():
        if window.scan_page.stage_label.text().startswith("Analysing") and window.scan_page.bar.value() > 5:
            print("closing", flush=True)
            window.close()
            app.quit()
        else:
            QTimer.singleShot(20, close_when_analysing)

    QTimer.singleShot(20, close_when_analysing)
    code = app.exec()
    print("worker joined" if window.controller.joined else "worker still running", flush=True)
    sys.exit(code)
""")


def test_case_15_closing_mid_scan_stops_and_joins_the_worker(tmp_path, many_photos):
    folder = many_photos(400)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT / "src")}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", CLOSE_MID_SCAN, str(folder), str(tmp_path / "cache"),
                           str(tmp_path / "settings.ini")], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "closing" in done.stdout and "worker joined" in done.stdout
    assert "QThread" not in done.stderr and "Destroyed" not in done.stderr
    assert time.monotonic() - started < 120


def test_cancel_stops_within_a_second_and_keeps_what_was_cached(qtbot, make_window, many_photos, tmp_path):
    from photodedup.core.analyse.cache import Cache
    from photodedup.core.embed.embedder import default_model_id

    window = make_window([str(many_photos(400))])
    window.start_scan()
    qtbot.waitUntil(lambda: window.scan_page.stage_label.text().startswith("Analysing")
                    and window.scan_page.bar.value() >= 32, timeout=120000)
    clock = QElapsedTimer()
    clock.start()
    with qtbot.waitSignal(window.controller.cancelled, timeout=5000):
        window.scan_page.cancel_button.click()
    assert clock.elapsed() < 1000
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=5000)
    assert window.pages.currentWidget() is window.folders_page
    with Cache(tmp_path / "cache", default_model_id()) as cache:
        assert 32 <= cache.count() < 400


def test_case_16_cancel_then_scan_again_at_once_shows_nothing_of_the_old_scan(qtbot, make_window, many_photos, library):
    big = many_photos(300)
    window = make_window([str(big)])
    shown = []  # (job of the report, job current when it was shown)
    real_show = window.scan_page.show_progress
    window.scan_page.show_progress = lambda report: (shown.append((report.job, window.controller.current_job)),
                                                     real_show(report))
    window.start_scan()
    qtbot.waitUntil(lambda: window.scan_page.stage_label.text().startswith("Analysing"), timeout=120000)
    old_job = window.controller.current_job
    window.controller.cancel()
    window.folders_page.set_state([str(library["root"])], [], [])
    window.start_scan()  # at once: the old worker may still be finishing
    new_job = window.controller.current_job
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.results_page and not window.controller.busy,
                    timeout=120000)
    paths = [m.path for c in window.review.choices for m in c.members]
    assert paths and not any(p.startswith(str(big)) for p in paths)
    assert all(not i.file.path.startswith(str(big)) for i in window.library.infos)
    assert window.library.stats.files_found == 6
    assert new_job > old_job
    assert all(report_job == current for report_job, current in shown), "no progress of the old scan shown"
    assert any(report_job == new_job for report_job, _ in shown)


def test_case_17_no_widget_is_touched_from_a_worker_thread(qtbot, make_window, library):
    main = threading.current_thread()
    seen = []
    messages = []
    previous = qInstallMessageHandler(lambda kind, context, text: messages.append(text))
    try:
        window = make_window([str(library["root"])])
        for signal in (window.controller.progressed, window.controller.finished, window.controller.busy_changed):
            signal.connect(lambda *args: seen.append(threading.current_thread()))
        window.thumbnails.loaded.connect(lambda *args: seen.append(threading.current_thread()))
        scan_and_wait(qtbot, window)
        qtbot.waitUntil(lambda: len(seen) > 5, timeout=10000)
        qtbot.wait(300)  # let the thumbnails arrive
    finally:
        qInstallMessageHandler(previous)
    assert seen and all(thread is main for thread in seen)
    assert not [m for m in messages if "thread" in m.lower()], messages


def measure_heartbeat(qtbot, window) -> tuple[list[int], str]:
    """Scan with a 10 ms timer on the main thread: the gaps between its ticks (ms), and what
    was going on during any stall (GC pauses, each thread's stack), to read if it fails."""
    gaps = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: gaps.append(clock.restart()))
    collections = []
    started = {}

    def on_gc(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        elif "t" in started:
            collections.append((info["generation"], round((time.perf_counter() - started.pop("t")) * 1000)))

    stalls = []
    watching = threading.Event()
    last_beat = [time.perf_counter()]
    heartbeat.timeout.connect(lambda: last_beat.__setitem__(0, time.perf_counter()))

    def watch():  # what every thread was doing when the heartbeat is late
        import sys
        import traceback
        while not watching.wait(0.02):
            if time.perf_counter() - last_beat[0] > 0.08 and len(stalls) < 3:
                frames = sys._current_frames()
                stalls.append({t.name: "".join(traceback.format_stack(frames[t.ident], limit=4)[-2:])
                               for t in threading.enumerate() if t.ident in frames})
                last_beat[0] = time.perf_counter()

    watcher = threading.Thread(target=watch, daemon=True)
    gc.callbacks.append(on_gc)
    watcher.start()
    clock.start()
    heartbeat.start()
    try:
        window.start_scan()
        qtbot.waitUntil(lambda: window.pages.currentWidget() is window.results_page and not window.controller.busy,
                        timeout=180000)
        qtbot.waitUntil(lambda: window.results_page.compare.choice is not None)  # shown one turn after the page
    finally:
        heartbeat.stop()
        gc.callbacks.remove(on_gc)
        watching.set()
        watcher.join()
    late = [g for g in gaps if g > 50]
    story = (f"gaps over 50 ms: {late}; slowest garbage collections (generation, ms): "
             f"{sorted(collections, key=lambda c: -c[1])[:3]}; threads during stalls: {stalls}")
    return gaps, story


def test_the_window_stays_responsive_during_a_scan(qtbot, make_window, many_photos, tmp_path):
    """No gap over 100 ms in a 10 ms heartbeat from Find duplicates to the results shown.

    This machine is shared: another program can take both cores for a moment. So a stall
    is measured again with a fresh cache, up to three scans; blocking that comes from
    photodedup itself shows in every one of them.
    """
    window = make_window([str(many_photos(300))])
    window.resize(2400, 900)  # a wide screen: six photos side by side, the most a page shows
    attempts = []
    for attempt in range(3):
        window.cache_dir = str(tmp_path / f"cache-{attempt}")
        gaps, story = measure_heartbeat(qtbot, window)
        assert window.library.stats.files_decoded == 300 and len(gaps) > 50
        attempts.append((max(gaps), story))
        if max(gaps) < 100:
            break
    worst, story = attempts[-1]
    assert worst < 100, f"main thread blocked for {worst} ms in each of {len(attempts)} scans: {attempts}"

    # The biggest group (overlapping crops of one photo: similar shots) is shown a page at a time.
    page = window.results_page
    largest = max(window.review.choices, key=lambda c: len(c.members))
    page.select_row(page.model.row_of(largest))
    compare = page.compare
    biggest = len(compare.choice.members)
    assert biggest > 12 and len(compare.panels) == 6 and compare.panels[0].path == compare.choice.keeper
    first_page = [p.path for p in compare.panels]
    compare.page(1)
    assert len(compare.panels) == 6 and compare.panels[0].path == compare.choice.keeper
    assert not set(p.path for p in compare.panels[1:]) & set(first_page)

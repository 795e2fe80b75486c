"""The window on a big library (offscreen), for bench/scale.py: prints one JSON line.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/scale_gui.py CACHE_DIR THRESHOLD ROOT... [--screenshot OUT.png] [--stalls]

A 10 ms heartbeat timer runs on the main thread throughout; a "stall" is the longest gap between
two of its ticks. Measured: the scan (from the cache) until its result reaches the main thread;
from then to the first group shown (``first_group_s``) and the longest stall in that time; then
the group list scrolled from top to bottom a page every 20 ms (``scroll_stall_ms``), then the
review stepped through 100 groups, one every 50 ms (``paging_stall_ms``). A gap is charged to the
step it began in; ``*_gaps_over_100`` count the gaps over 100 ms.

``--stalls`` prints, to stderr, what ran over each gap of 90 ms or more: the main thread's stack and
the other threads' as sampled, every thread's time on a CPU and waiting for one (/proc schedstat)
while the sampling thread itself was held up, every garbage collection over 10 ms, and a profile
of the block that shows the scan's result. ``--niceness N`` sets the scan worker's nice value.
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


class StallSampler:
    """Why the main thread stalled: a watchdog thread that, while the heartbeat is late by more
    than ``late_ms``, samples the main thread's stack every 5 ms; and every garbage collection,
    its thread and length (gc.callbacks). ``report()`` gives the commonest stacks seen late."""

    def __init__(self, heartbeat: "Heartbeat", late_ms: int = 40) -> None:
        import gc
        import threading
        import traceback

        self.heartbeat, self.late = heartbeat, late_ms / 1000
        self.samples: list[tuple[float, str, str]] = []
        self.blocked: list = []  # (at s, ms, {thread: (ms on a CPU, ms waiting for a CPU)})
        self.collections: list[tuple[str, int, float]] = []
        self.main = threading.main_thread().ident
        self._traceback, self._threading = traceback, threading
        self._gc_started = 0.0
        self._stop = False
        gc.callbacks.append(self._gc)
        threading.Thread(target=self._watch, daemon=True).start()

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = time.perf_counter() - self._gc_started
            if took > 0.01:
                where = "main" if self._threading.get_ident() == self.main else "worker"
                self.collections.append((where, info["generation"], round(took * 1000),
                                         round(time.perf_counter() - self.heartbeat.started, 1)))

    def _watch(self) -> None:
        import sys

        import os

        def sched() -> dict[int, tuple[int, int]]:  # per thread: ns on a CPU, ns waiting for one
            stats = {}
            for task in os.listdir("/proc/self/task"):
                try:
                    with open(f"/proc/self/task/{task}/schedstat") as handle:
                        run, wait = handle.read().split()[:2]
                    stats[int(task)] = (int(run), int(wait))
                except OSError:
                    pass
            return stats

        before, when = sched(), time.perf_counter()
        while not self._stop:
            time.sleep(0.005)
            now = time.perf_counter()
            stats = sched()
            if now - when > 0.08:  # this thread too waited for the GIL: how every thread spent that time
                names = {t.native_id: t.name for t in self._threading.enumerate()}
                spent = {names.get(tid, str(tid)): (round((run - before.get(tid, (run, 0))[0]) / 1e6),
                                                   round((wait - before.get(tid, (0, wait))[1]) / 1e6))
                         for tid, (run, wait) in stats.items()}
                frames = sys._current_frames()
                where = [self._where(frame, 3) for ident, frame in frames.items()
                         if ident not in (self.main, self._threading.get_ident())]
                self.blocked.append((now - self.heartbeat.started, round((now - when) * 1000),
                                     {name: ms for name, ms in spent.items() if ms != (0, 0)}, where))
            before, when = stats, now
            if now - self.heartbeat.last > self.late:
                frames = sys._current_frames()
                main = frames.pop(self.main, None)
                if main is None:
                    continue
                others = " | ".join(self._where(frame, 3) for ident, frame in frames.items()
                                    if ident != self._threading.get_ident())
                self.samples.append((now, self._where(main, 8), others))

    def _where(self, frame, depth: int) -> str:
        lines = self._traceback.format_stack(frame, limit=depth + 6)[-depth:]
        return " < ".join(line.split("\n")[0].strip().replace('File "', "").replace('", line ', ":")
                          for line in reversed(lines))

    def report(self, over_ms: int = 90) -> str:
        """Each heartbeat gap over ``over_ms``: the stacks sampled in it (main, then the other threads)."""
        import collections

        self._stop = True
        out = [f"gc > 10 ms: {self.collections}"]
        out += [f"watchdog blocked {ms} ms ending at {at:.1f} s: {spent}\n    then: {where}"
                for at, ms, spent, where in self.blocked]
        for at, gap in self.heartbeat.gaps:
            if gap < over_ms:
                continue
            inside = collections.Counter((m, o) for t, m, o in self.samples if at - gap / 1000 <= t <= at)
            out.append(f"=== gap {gap} ms ending at {at - self.heartbeat.started:.1f} s")
            for (main, others), count in inside.most_common(4):
                out.append(f"  {count}x MAIN {main}\n      OTHERS {others}")
        return "\n".join(out)


class Heartbeat:
    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.gaps: list[tuple[float, int]] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = self.started = time.perf_counter()
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.last = time.perf_counter()
        self.gaps.append((self.last, self.clock.restart()))

    def worst(self, since: float, until: float) -> int:
        """The longest gap that began in [since, until): a step is charged with the stalls it
        started (the block that shows the scan's result is the first group's, not the scroll's)."""
        return max((gap for at, gap in self.gaps if since <= at - gap / 1000 < until), default=0)

    def over(self, since: float, until: float, limit: int = 100) -> int:
        """How many gaps over ``limit`` ms began in [since, until) (on a loaded machine the longest
        one is the scheduler's as much as the window's; their number says more)."""
        return sum(1 for at, gap in self.gaps if since <= at - gap / 1000 < until and gap > limit)


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
    stalls = "--stalls" in arguments  # print the main thread's stacks while the heartbeat was late
    if stalls:
        arguments.remove("--stalls")
    if "--niceness" in arguments:  # the scan worker's nice value (gui/scan_controller.py), to compare
        at = arguments.index("--niceness")
        import photodedup.gui.scan_controller as controller

        controller.WORKER_NICENESS = int(arguments[at + 1])
        del arguments[at:at + 2]
    cache, threshold, roots = arguments[0], float(arguments[1]), arguments[2:]
    from photodedup.core.analyse.pillow_setup import configure_pillow

    configure_pillow()  # as gui/app.main does at start (else the first thumbnail imports pillow_heif)
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
    sampler = StallSampler(heartbeat) if stalls else None
    arrived = []
    grouped = window._grouped

    def on_grouped(result) -> None:
        arrived.append(time.perf_counter())
        if sampler is None:
            grouped(result)
            return
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        profile.runcall(grouped, result)
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(18)
        print("the scan's result on the main thread:\n" + text.getvalue(), file=sys.stderr)

    window._grouped = on_grouped
    started = time.perf_counter()
    window.start_scan()
    wait(app, lambda: arrived, 1800)
    page = window.results_page
    wait(app, lambda: page.compare.choice is not None, 60)
    shown = time.perf_counter()
    figures = {"scan_s": round(arrived[0] - started, 2), "first_group_s": round(shown - arrived[0], 3),
               "first_group_stall_ms": heartbeat.worst(arrived[0], shown),
               "groups": page.model.rowCount(), "scan_stall_ms": heartbeat.worst(started, arrived[0]),
               "scan_gaps_over_100": heartbeat.over(started, arrived[0])}
    if shot is not None:
        pause(app, 1.5)  # the photos and thumbnails on screen arrive
        window.grab().save(str(shot.with_name(shot.stem + "-first" + shot.suffix)))
    view = page.group_view
    if sampler is not None:
        print(f"marks: scan result at {arrived[0] - heartbeat.started:.1f} s, scroll from "
              f"{time.perf_counter() - heartbeat.started:.1f} s", file=sys.stderr)
    bar = view.verticalScrollBar()
    pages = bar.maximum() // max(1, bar.pageStep()) + 2
    since, until = run_steps(app, lambda n: bar.setValue(min(bar.maximum(), n * bar.pageStep())), pages, 20)
    app.processEvents()
    figures.update({"scroll_pages": pages, "scroll_s": round(until - since, 1),
                    "scroll_stall_ms": heartbeat.worst(since, time.perf_counter()),
                    "scroll_gaps_over_100": heartbeat.over(since, time.perf_counter())})
    page.select_row(0)
    if sampler is not None:
        print(f"marks: paging from {time.perf_counter() - heartbeat.started:.1f} s", file=sys.stderr)
    app.processEvents()
    since, until = run_steps(app, lambda n: page.step_group(1), 100, 50)
    wait(app, lambda: True, 1)
    figures.update({"paging_stall_ms": heartbeat.worst(since, time.perf_counter() + 0.1),
                    "paging_gaps_over_100": heartbeat.over(since, time.perf_counter() + 0.1),
                    "paged_to_row": page.current_row()})
    if shot is not None:
        pause(app, 1.5)
        window.grab().save(str(shot.with_name(shot.stem + "-paged" + shot.suffix)))
    worst = sorted(heartbeat.gaps, key=lambda g: -g[1])[:5]
    figures["worst_gaps_ms"] = [gap for _, gap in worst]
    heartbeat.timer.stop()
    window.close()
    print(__import__("json").dumps(figures))
    if sampler is not None:
        print(sampler.report(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

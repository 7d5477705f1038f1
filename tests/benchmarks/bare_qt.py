"""The reference of bench_gui.py: a bare Qt window listing 1,000 rows, in a process of its own.

    python tests/benchmarks/bare_qt.py

Prints two numbers on one line: milliseconds from this script's first line to the list painted, and
the process's resident memory (MB) after two seconds idle with the window shown.
"""

from __future__ import annotations

import os
import sys
import time

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication, QListWidget, QMainWindow  # noqa: E402

ROWS = 1_000


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Painted(QObject):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget, self.painted = widget, False

    def eventFilter(self, watched, event):  # noqa: N802
        if watched is self.widget and event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def main() -> None:
    qapp = QApplication(sys.argv[:1])
    window = QMainWindow()
    rows = QListWidget()
    rows.addItems([f"Campaign {n:04d} — {n % 500} of 1,000 claimed, {n % 100} redeemed" for n in range(ROWS)])
    window.setCentralWidget(rows)
    watch = Painted(rows.viewport())
    rows.viewport().installEventFilter(watch)
    window.resize(1280, 800)
    window.show()
    while not watch.painted:
        qapp.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    painted_ms = (time.perf_counter() - STARTED) * 1000
    idle = QElapsedTimer()
    idle.start()
    while idle.elapsed() < 2000:
        qapp.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    print(f"{painted_ms:.0f} {rss_mb():.1f}", flush=True)


if __name__ == "__main__":
    main()

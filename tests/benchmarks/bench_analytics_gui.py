"""The analytics pages drawn in the window (a script, not collected by pytest).

    python tests/benchmarks/bench_analytics_gui.py            # 1,000,000 vouchers (~1 min to build)
    python tests/benchmarks/bench_analytics_gui.py --quick    # 100,000

Builds a batch of 1,000,000 vouchers with 1,000,000 claims and 300,000 redemptions over the last 60
days (bench_analytics.py's bulk SQL and the migration's own count), opens the window, and prints:
  1. a click on the card's name to the batch's page painted, its charts drawn    (goal < 300 ms)
  2. the same for the Channels page (its toolbar action)
each the median of several openings (back to the batches in between), and the first one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

GOAL_MS = 300


class _FakeServer:
    port = 8080
    url = "http://127.0.0.1:8080"

    def stop(self):
        pass


def build(path: Path, n: int, redeemed: int) -> int:
    from bench_analytics import fill_big_batch

    from app.core import batches, store, templates
    from app.core.store import migrations
    from app.core.store.models import utcnow

    store.open_database(path)
    template = templates.create_template("T", "10%")
    created = utcnow() - timedelta(days=60)
    big = batches.create_batch("Summer 2025 - Million", template, 1, "In-store QR")
    started = time.perf_counter()
    with store.database.atomic():
        store.database.execute_sql(f"DELETE FROM voucher WHERE batch_id = {big.id:d}")
        fill_big_batch(big.id, n, redeemed, created)
        store.database.execute_sql(f"UPDATE batch SET created_at = '{created:%Y-%m-%d %H:%M:%S}' WHERE id = {big.id:d}")
    with store.database.atomic():
        migrations.fill_analytics_counts(store.database.obj)
    store.close_database()  # the window opens it as it would any morning
    print(
        f"built: {n:,} vouchers, {n:,} claims, {redeemed:,} redemptions over 60 days in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return big.id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--times", type=int, default=7)
    args = parser.parse_args()
    n, redeemed = (100_000, 30_000) if args.quick else (1_000_000, 300_000)

    import shiboken6
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.core import store
    from app.gui import application, main_window, preferences
    from app.gui.pages.batch import BatchPage
    from app.gui.pages.channels import ChannelsPage

    folder = Path(tempfile.mkdtemp(prefix="bench-analytics-gui-"))
    os.environ["XDG_DATA_HOME"] = str(folder / "data")  # the window's daily backup goes there
    big_id = build(folder / "analytics.db", n, redeemed)
    store.open_database(folder / "analytics.db")

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    application.configure_application(qapp)
    prefs = preferences.Preferences(QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat))
    window = main_window.MainWindow(prefs, start_server=lambda host, port: _FakeServer(), refresh_ms=60_000)
    window.resize(1280, 900)
    window.show()
    window.start()

    def run_until(condition) -> None:
        """Turn the event loop, waiting inside Qt (a loop spinning processEvents would starve the workers)."""
        while not condition():
            qapp.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)

    painted: set[int] = set()

    class Paints(QObject):
        def eventFilter(self, watched, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                painted.add(shiboken6.getCppPointer(watched)[0])  # a Python wrapper may be made anew each time
            return False

    paints = Paints()
    qapp.installEventFilter(paints)

    def charts_painted(page) -> bool:
        return all(shiboken6.getCppPointer(box.view.viewport())[0] in painted for box in page.chart_boxes())

    def measure(open_page, kind, ready) -> list[float]:
        samples = []
        for _ in range(args.times):
            painted.clear()
            started = time.perf_counter()
            open_page()
            run_until(
                lambda: (
                    isinstance(window.pages.page, kind)
                    and ready(window.pages.page)
                    and charts_painted(window.pages.page)
                )
            )
            samples.append((time.perf_counter() - started) * 1000)
            assert window.pages.page.isVisible()
            window.pages.show_dashboard()
            run_until(lambda: window.dashboard.grid.card_for(big_id) is not None)
            QTest.qWait(50)
        return samples

    run_until(lambda: window.dashboard.grid.card_for(big_id) is not None)
    page_ms = measure(
        lambda: QTest.mouseClick(window.dashboard.grid.card_for(big_id).title, Qt.MouseButton.LeftButton),
        BatchPage,
        lambda page: page.stats is not None,
    )
    window.analytics.open_batch(big_id, "")
    run_until(lambda: window.pages.page.stats is not None)
    stats = window.pages.page.stats
    assert (stats.claimed, stats.redeemed) == (n, redeemed), (stats.claimed, stats.redeemed)
    window.pages.show_dashboard()
    channels_ms = measure(window.analytics.channels_action.trigger, ChannelsPage, lambda page: bool(page.rows))

    print(
        f"the batch's page of a {n:,}-voucher batch ({n:,} claims, {redeemed:,} redemptions, {len(stats.series)} days),"
    )
    print(
        f"  click on the card's name to its page and charts painted: median {statistics.median(page_ms):.0f} ms,"
        f" first {page_ms[0]:.0f} ms, best {min(page_ms):.0f} ms   goal < {GOAL_MS} ms:"
        f" {'met' if statistics.median(page_ms) < GOAL_MS else 'MISSED'}"
    )
    print(
        f"the Channels page, toolbar to table and chart painted: median {statistics.median(channels_ms):.0f} ms,"
        f" first {channels_ms[0]:.0f} ms, best {min(channels_ms):.0f} ms"
    )
    qapp.removeEventFilter(paints)
    window.close()
    window.background.shutdown()
    store.close_database()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

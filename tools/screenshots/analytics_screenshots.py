"""Screenshots of the analytics pages for the README:

    python -m tools.screenshots.analytics_screenshots          # light and dark

Writes packaging/screenshots/batch-page.png, batch-page-dark.png, channels.png and channels-dark.png
from a demo database in a temporary folder: a summer campaign across five channels, nine days old,
its claims and redemptions placed day by day at known times (models.set_clock), in New York time."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "packaging" / "screenshots"

NOW = datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc)  # Wednesday 15:00 in New York
# name, channel, quantity, days old, claims on its first day, how claims fall day by day, redeemed share
PLAN = [
    ("Summer 2025 - Email List", "Email", 900, 9, 150, 0.80, 0.24),
    ("Summer 2025 - Store Signage", "In-store QR", 300, 8, 28, 0.97, 0.46),
    ("Summer 2025 - Instagram Post", "Social media", 600, 7, 60, 0.70, 0.012),
    ("Summer 2025 - Spring Fair stand", "Events", 150, 6, 55, 0.35, 0.62),
    ("Summer 2025 - SMS blast", "SMS", 400, 5, 70, 0.55, 0.12),
    ("Website pop-up", "Website", 1000, 9, 30, 1.0, 0.07),
]


def demo_database(folder: Path) -> None:
    """The batches, their claims at shop hours day by day, and redemptions hours to days later."""
    from app.core import batches, claims, members, settings, store, templates
    from app.core.store import models

    store.open_database(folder / "demo.db")
    settings.save(
        settings.Settings(
            store_name="Corner Shop", public_base_url="https://yoursite.com", time_zone="America/New_York"
        )
    )
    chance = random.Random(12)
    events = []  # (when, what, batch index)
    made = []
    for index, (name, channel, quantity, days, first, fall, redeemed_share) in enumerate(PLAN):
        created = NOW - timedelta(days=days, hours=3)
        models.set_clock(created)
        offer = templates.create_template(f"15% off, spend $30 ({index})", "15%", min_purchase="30", valid_days=30)
        made.append(batches.create_batch(name, offer, quantity, channel, "Summer treat"))
        claimed = 0
        for day in range(days + 1):
            wanted = min(int(first * fall**day * chance.uniform(0.8, 1.2)), quantity - claimed)
            for _ in range(wanted):
                at = created + timedelta(days=day, hours=chance.uniform(0.2, 13))
                if at >= NOW:
                    continue
                claimed += 1
                redeem_at = at + timedelta(
                    hours=chance.choice((0.5, 2, 5, 9, 20, 30, 50, 80, 120)) * chance.uniform(0.7, 1.3)
                )
                events.append(
                    (at, "claim", index, redeem_at if chance.random() < redeemed_share and redeem_at < NOW else None)
                )
    events.sort(key=lambda event: event[0])
    redemptions = []
    for n, (at, _kind, index, redeem_at) in enumerate(events):
        while redemptions and redemptions[0][0] <= at:
            when, code = redemptions.pop(0)
            models.set_clock(when)
            claims.redeem(code)
        models.set_clock(at)
        member = members.create_member(f"member{n}@example.com", "x", f"Member {n}")
        code = claims.claim(made[index].token, member.id).voucher.code
        if redeem_at is not None:
            redemptions.append((redeem_at, code))
            redemptions.sort()
    for when, code in redemptions:
        models.set_clock(when)
        claims.redeem(code)
    models.set_clock(NOW)  # the pages are read at this moment


def main() -> int:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.core import batches
    from app.gui import application, main_window, preferences
    from app.gui.kit import style
    from app.gui.pages.batch import BatchPage
    from app.gui.pages.channels import ChannelsPage
    from tests.gui.helpers import dark_palette

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    demo_database(folder)
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(condition=lambda: True, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QTest.qWait(10)
            if condition():
                QTest.qWait(80)
                return
        raise TimeoutError("the window did not get there")

    for scheme, palette in (("light", None), ("dark", dark_palette())):
        qapp.setPalette(palette if palette is not None else qapp.style().standardPalette())
        application.configure_application(qapp)
        style.apply(qapp)
        tag = "" if scheme == "light" else "-dark"
        prefs = preferences.Preferences(QSettings(str(folder / f"{scheme}.ini"), QSettings.Format.IniFormat))

        class Server:
            port, url = 8080, "http://192.168.1.20:8080"

            def stop(self):
                pass

        window = main_window.MainWindow(prefs, start_server=lambda host, port: Server())
        window.resize(1280, 1040)
        window.show()
        window.start()
        email = next(s for s in batches.list_batches() if s.name == "Summer 2025 - Email List")
        settle(lambda window=window, email=email: window.dashboard.grid.card_for(email.id) is not None)
        QTest.mouseClick(window.dashboard.grid.card_for(email.id).title, Qt.MouseButton.LeftButton)
        settle(lambda window=window: isinstance(window.pages.page, BatchPage) and window.pages.page.stats is not None)
        path = OUT / f"batch-page{tag}.png"
        window.grab().save(str(path))
        print(path.relative_to(ROOT))

        window.resize(1280, 820)
        window.analytics.channels_action.trigger()
        settle(lambda window=window: isinstance(window.pages.page, ChannelsPage) and bool(window.pages.page.rows))
        path = OUT / f"channels{tag}.png"
        window.grab().save(str(path))
        print(path.relative_to(ROOT))
        window.close()
        settle()
        window.background.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

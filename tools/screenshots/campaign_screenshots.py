"""Screenshots of campaigns in the window:

    python -m tools.screenshots.campaign_screenshots

Writes packaging/screenshots/card-scheduled.png and card-ended.png (a batch's card before its start,
and after End campaign), dashboard-campaigns.png (the cards among others), and qr-modal-default.png (the
QR modal as a new store first sees it: its link on this PC's address on the store's network, with the
warning that says so, and the code whole under it). The claim pages before the start and after the end
come from tests/web/test_browser.py (SCREENSHOTS_DIR=packaging/screenshots).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "packaging" / "screenshots"


def demo_database(folder: Path) -> dict[str, int]:
    """A new store (no public address yet: links on the LAN address), with a campaign planned for
    Monday, one ended, and one running. Returns the batches' ids by role."""
    from app.core import batches, claims, members, schedule, settings, store, templates
    from app.core.store import models

    store.open_database(folder / "demo.db")
    settings.save(settings.Settings(store_name="Corner Shop", time_zone="Europe/Paris", currency="€"))
    tote = templates.create_template("Free tote bag", "5", min_purchase="30", valid_days=30, terms="While stocks last.")
    ten = templates.create_template("10% off, spend €20", "10%", min_purchase="20", valid_days=30)
    now = models.utcnow()
    monday = (now + timedelta(days=(7 - now.weekday()) % 7 or 7)).date()
    planned = batches.create_batch(
        "Autumn 2026 - Store Signage",
        tote,
        300,
        "In-store QR",
        "Posters up on Friday: claims open on Monday",
        starts_at=schedule.parse_moment(f"{monday} 09:00"),
        ends_at=schedule.parse_moment(f"{monday + timedelta(days=27)}", end=True),
    )
    spring = batches.create_batch("Spring 2026 - Email List", ten, 500, "Email", "Spring thank-you for our list")
    running = batches.create_batch("Winter 2026 - Instagram Post", ten, 400, "Social media", "Swipe-up offer")
    for n in range(60):
        member = members.create_member(f"member{n}@example.com", "x")
        code = claims.claim((spring if n < 45 else running).token, member.id).voucher.code
        if n % 3 == 0:
            claims.redeem(code)
    models.set_clock(now - timedelta(days=2, hours=3))
    try:
        schedule.end_campaign(spring.id)
    finally:
        models.set_clock(None)
    return {"planned": planned.id, "ended": spring.id, "running": running.id}


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.core import batches, doctor
    from app.gui import application, main_window, preferences
    from app.gui.dialogs.qr import QrDialog
    from app.gui.kit import style

    # The demo's LAN address (192.0.2.2) reaches no claim site from here; a new store's own does: the
    # QR modal is drawn as the store sees it then (setup_problem_screenshots.py draws it when not).
    doctor.link_reaches = lambda claim_url, timeout=doctor.TIMEOUT: None

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(folder / "data")  # the window's daily backup goes there
    ids = demo_database(folder)
    OUT.mkdir(parents=True, exist_ok=True)
    qapp.setPalette(qapp.style().standardPalette())
    application.configure_application(qapp)
    style.apply(qapp)
    prefs = preferences.Preferences(QSettings(str(folder / "light.ini"), QSettings.Format.IniFormat))

    class Server:
        port, url = 8080, "http://192.168.1.20:8080"

        def stop(self):
            pass

    window = main_window.MainWindow(prefs, start_server=lambda host, port: Server())
    window.resize(1280, 820)
    window.show()
    window.start()

    def settle(condition, timeout=15.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QTest.qWait(10)
            if condition():
                QTest.qWait(80)
                return
        raise TimeoutError("the window did not get there")

    def save(widget, name: str) -> None:
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        print(path.relative_to(ROOT))

    grid = window.dashboard.grid
    settle(lambda: all(grid.card_for(i) is not None for i in ids.values()))
    settle(lambda: grid.card_for(ids["planned"]).badge.text() == "● Scheduled")
    save(window, "dashboard-campaigns")
    save(grid.card_for(ids["planned"]), "card-scheduled")
    save(grid.card_for(ids["ended"]), "card-ended")

    window.batch_actions.share(batches.get_batch(ids["running"]))

    def qr_shown():
        dialog = next((d for d in window.findChildren(QrDialog) if d.isVisible()), None)
        return (
            dialog is not None
            and not dialog.image.pixmap().isNull()
            and dialog.reach.isVisible()
            and not dialog.site_reach.isVisible()  # its address asked, and reached
        )

    settle(qr_shown)
    share = next(d for d in window.findChildren(QrDialog) if d.isVisible())
    save(share, "qr-modal-default")
    share.close()
    window.close()
    window.background.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Members page's screenshot: python -m tools.screenshots.members_screenshot

Writes packaging/screenshots/members.png from a small demo database in a temporary folder: a member
chosen, their vouchers and a fresh reset link on screen."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.core import batches, claims, members, settings, store, templates
    from app.gui import application, main_window, preferences

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    store.open_database(folder / "demo.db")
    settings.save(
        settings.Settings(
            store_name="Corner Shop", public_base_url="https://yoursite.com", time_zone="America/New_York"
        )
    )
    ten = templates.create_template("10% off, spend $20", "10%", min_purchase="20", valid_days=30)
    summer = batches.create_batch("Summer 2025 - Email List", ten, 50, "Email", "Summer treat", prefix="SUMMER")
    fair = batches.create_batch("Spring Fair stand", ten, 50, "Events", "Flyers", prefix="FAIR")
    ann = members.create_member("ann.lee@example.com", "x", "Ann Lee")
    claims.claim(summer.token, ann.id)
    claims.redeem(claims.claim(fair.token, ann.id).voucher.code)
    for email, name in (
        ("bob.stone@example.com", "Bob Stone"),
        ("<b>x</b>@a.bc", "<i>Not bold</i>"),
        ("carla@example.org", "Carla Diaz"),
    ):
        claims.claim(summer.token, members.create_member(email, "x", name).id)

    application.configure_application(qapp)
    prefs = preferences.Preferences(QSettings(str(folder / "prefs.ini"), QSettings.Format.IniFormat))
    window = main_window.MainWindow(prefs, start_server=lambda host, port: None)
    window.resize(1180, 760)
    window.show()

    def settle(condition, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QTest.qWait(10)
            if condition():
                QTest.qWait(50)
                return
        raise TimeoutError("the page did not get there")

    page = window.members.open()
    settle(lambda: len(page.rows) == 4)
    page.table.selectRow(next(n for n, r in enumerate(page.rows) if r.email == "ann.lee@example.com"))
    settle(lambda: page.vouchers_table.rowCount() == 2)
    page.reset_button.click()
    settle(page.reset_box.isVisible)
    out = ROOT / "packaging" / "screenshots" / "members.png"
    page.grab().save(str(out))
    print(out.relative_to(ROOT))
    window.background.shutdown()
    store.close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())

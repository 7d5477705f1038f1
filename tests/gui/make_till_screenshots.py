"""Screenshots of the till with Undo and of the Activity window (a script, not a test):

    python -m tests.gui.make_till_screenshots

Writes packaging/screenshots/till-undo*.png, undo-reason*.png and activity*.png from the README's
demo database with a shift's redemptions at "Till 2" added."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.gui.make_screenshots import OUT, ROOT, dark_palette, demo_database  # noqa: E402


def a_shift() -> str:
    """Redemptions at two tills by two people, one undone; returns a code redeemed at Till 2."""
    from app.core import activity, batches, claims, vouchers

    anna, ben = activity.Actor("Till 2", "Anna"), activity.Actor("Till 1", "Ben")
    summary = batches.list_batches()[-1]
    held = vouchers.page(summary.id, status="claimed", limit=6)
    for n, voucher in enumerate(held):
        claims.redeem(voucher.code, anna if n % 3 else ben)
    claims.undo_redemption(held[2].code, "scanned by mistake", anna)
    batches.pause_batch(batches.list_batches()[0].id, activity.Actor("Office", "Maria"))
    return held[5].code


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.gui import application, main_window, preferences, style
    from app.gui.activity_page import ActivityDialog
    from app.gui.find_voucher_dialog import FindVoucherDialog
    from app.gui.undo_dialog import UndoDialog

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    demo_database(folder)
    code = a_shift()
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(condition=lambda: True, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QTest.qWait(10)
            if condition():
                QTest.qWait(80)
                return
        raise TimeoutError("the window did not get there")

    def shown(kind):
        return next((d for d in window.findChildren(kind) if d.isVisible()), None)

    def save(widget, name: str) -> None:
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        print(path.relative_to(ROOT))

    for scheme, palette in (("light", None), ("dark", dark_palette())):
        qapp.setPalette(palette if palette is not None else qapp.style().standardPalette())
        application.configure_application(qapp)
        style.apply(qapp)
        tag = "" if scheme == "light" else "-dark"
        prefs = preferences.Preferences(QSettings(str(folder / f"{scheme}.ini"), QSettings.Format.IniFormat))
        prefs.store.setValue("till/name", "Till 2")
        prefs.store.setValue("till/staff", "Anna")

        class Server:
            port, url = 8080, "http://192.168.1.20:8080"

            def stop(self):
                pass

        window = main_window.MainWindow(prefs, start_server=lambda host, port: Server())
        window.resize(1280, 820)
        window.show()
        window.start()
        settle(lambda: window.dashboard.count_label.text() == "5 batches")

        window.till.find(code)
        settle(lambda: shown(FindVoucherDialog) is not None and shown(FindVoucherDialog).detail is not None)
        finder = shown(FindVoucherDialog)
        finder.resize(640, finder.height())
        settle(lambda: finder.undo_button.isVisible())
        settle(lambda: len(finder.findChild(__import__("app.gui.till_panel", fromlist=["TillPanel"]).TillPanel).redemptions) == 4)
        save(finder, f"till-undo{tag}")
        finder.undo_button.click()
        settle(lambda: shown(UndoDialog) is not None)
        undo = shown(UndoDialog)
        undo.reason.setCurrentIndex(1)
        settle()
        save(undo, f"undo-reason{tag}")
        undo.reject()
        finder.close()

        window.activity_action.trigger()
        settle(lambda: shown(ActivityDialog) is not None and shown(ActivityDialog).model.rowCount() > 10)
        log = shown(ActivityDialog)
        log.resize(1100, 560)
        settle()
        save(log, f"activity{tag}")
        log.close()
        window.close()
        window.deleteLater()
        settle()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

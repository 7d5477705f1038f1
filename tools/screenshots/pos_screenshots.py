"""Screenshots of the till with any scanner and money, and of Settings → Scanner and → Point of sale:

    python -m tools.screenshots.pos_screenshots [--out FOLDER]   # light, then dark

From a demo database in a temporary folder (make_screenshots' batches): the till with an order
total below the minimum purchase and a scan read through a German keyboard, the scanner test after
such a scan, the API keys and webhooks with a delivery waiting, and a batch's page and the Channels
page with sales with vouchers."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "packaging" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.core import api_keys, batches, claims, money, scans, vouchers, webhooks
    from app.core.activity import Actor
    from app.gui import application, main_window, preferences
    from app.gui.dialogs.find_voucher import FindVoucherDialog
    from app.gui.dialogs.point_of_sale import PointOfSalePage
    from app.gui.dialogs.scanner_test import ScannerTestPage
    from app.gui.dialogs.settings import SettingsDialog
    from app.gui.kit import style
    from app.gui.pages.batch import BatchPage
    from app.gui.pages.channels import ChannelsPage
    from tests.gui.helpers import dark_palette
    from tools.screenshots.make_screenshots import demo_database

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    demo_database(folder)
    summary = batches.list_batches()[-1]
    held = vouchers.page(summary.id, status="claimed", limit=12)
    till = Actor("Till 1", "Ben")
    for n, voucher in enumerate(held[:8]):
        claims.redeem(voucher.code, till, money.order(f"{24 + 7 * n}.50"))
    api_keys.create("Till 1")
    api_keys.create("Lane 3 (POS)")
    webhooks.add("https://pos.example.com/hooks/vouchers", "claimed,redeemed,undone")

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
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    for tag, palette in (("", None), ("-dark", dark_palette())):
        qapp.setPalette(palette if palette is not None else qapp.style().standardPalette())
        application.configure_application(qapp)
        style.apply(qapp)
        prefs = preferences.Preferences(QSettings(str(folder / f"p{tag}.ini"), QSettings.Format.IniFormat))

        class Server:
            port, url = 8080, "http://192.168.1.20:8080"

            def stop(self):
                pass

        window = main_window.MainWindow(prefs, start_server=lambda host, port: Server())
        window.resize(1280, 820)
        window.show()
        window.start()
        settle(lambda window=window: window.server.is_running())

        # the till: a scan through a German keyboard, an order total below the minimum
        code = held[8 if not tag else 9].code
        window.till.find(code.translate(str.maketrans("YZ-", "ZYß")))
        settle(lambda: shown(FindVoucherDialog) is not None and shown(FindVoucherDialog).detail is not None)
        finder = shown(FindVoucherDialog)
        finder.resize(680, finder.height())
        finder.order_total.setText("14.90")
        finder.redeem_button.click()
        settle(lambda finder=finder: finder.anyway_button.isVisible())
        save(finder, f"till-order-total{tag}")
        finder.anyway_button.click()
        settle(lambda finder=finder: finder.notice.text().startswith("Voucher "))
        save(finder, f"till-redeemed-with-total{tag}")
        finder.close()

        window.settings_action.trigger()
        settle(lambda: shown(SettingsDialog) is not None)
        dialog = shown(SettingsDialog)
        dialog.resize(860, 760)
        dialog.show_page("Scanner")
        page = dialog.findChild(ScannerTestPage)
        page.field.setText(scans.TEST_LABEL.translate(str.maketrans("YZ-", "ZYß")))
        page._check(sends_enter=True)
        settle()
        save(dialog, f"settings-scanner{tag}")
        dialog.show_page("Point of sale")
        pos = dialog.findChild(PointOfSalePage)
        settle(lambda pos=pos: pos.hook_table.rowCount() == 1 and pos.delivery_table.rowCount() > 0)
        save(dialog, f"settings-point-of-sale{tag}")
        dialog.reject()

        window.analytics.open_batch(summary.id, summary.name)
        settle(lambda w=window: isinstance(w.pages.page, BatchPage) and w.pages.page.money.isVisible())
        save(window, f"batch-page-sales{tag}")
        window.analytics.channels_action.trigger()
        settle(lambda w=window: isinstance(w.pages.page, ChannelsPage) and bool(w.pages.page.rows))
        save(window, f"channels-sales{tag}")
        window.close()
        settle()
        window.background.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

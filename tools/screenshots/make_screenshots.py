"""Screenshots of the window for the README:

    python -m tools.screenshots.make_screenshots                  # light and dark, 100 %
    QT_SCALE_FACTOR=2 python -m tools.screenshots.make_screenshots --suffix @2x --only dashboard

Writes packaging/screenshots/*.png (the till's with Undo and the Activity window's too) from a fresh demo
database in a temporary folder."""

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
OUT = ROOT / "packaging" / "screenshots"


def demo_database(folder: Path) -> None:
    from app.core import batches, claims, members, settings, store, templates

    store.open_database(folder / "demo.db")
    settings.save(
        settings.Settings(
            store_name="Corner Shop", public_base_url="https://yoursite.com", time_zone="America/New_York"
        )
    )
    ten = templates.create_template(
        "10% off, spend $20", "10%", min_purchase="20", valid_days=30, terms="One per visit."
    )
    five = templates.create_template("$5 off", "5", valid_days=14)
    plan = [
        ("Q1 2025 Email Campaign", "Email", 500, 127, 45, ten, "", "Quarterly thank-you for newsletter readers"),
        ("Summer 2025 - Instagram Post", "Social media", 400, 52, 4, ten, "SUMMER", "Swipe-up offer for followers"),
        ("Summer 2025 - Store Signage", "In-store QR", 300, 88, 31, five, "STORE", "Poster by the tills"),
        ("Spring Fair stand", "Events", 150, 0, 0, five, "FAIR", "Flyers at the town fair"),
        ("Website pop-up", "Website", 1000, 210, 12, ten, "", "First-visit pop-up"),
    ]
    counter = 0
    made = []
    for name, channel, quantity, claimed, redeemed, template, prefix, description in plan:
        batch = batches.create_batch(name, template, quantity, channel, description, prefix=prefix)
        made.append(batch)
        for n in range(claimed):
            counter += 1
            member = members.create_member(f"member{counter}@example.com", "x", f"Member {counter}")
            result = claims.claim(batch.token, member.id)
            if n * redeemed // max(1, claimed) != (n + 1) * redeemed // max(1, claimed):  # spread over the claims
                claims.redeem(result.voucher.code)
    batches.pause_batch(made[1].id)
    batches.pause_batch(made[3].id)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suffix", default="")
    parser.add_argument("--only", default="")
    parser.add_argument("--dark", action="store_true", help="only the dark palette")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.core import batches, doctor, vouchers
    from app.gui import application, main_window, preferences
    from app.gui.dialogs.delete_batch import DeleteDialog
    from app.gui.dialogs.find_voucher import FindVoucherDialog
    from app.gui.dialogs.new_batch import NewBatchDialog
    from app.gui.dialogs.qr import QrDialog
    from app.gui.dialogs.settings import SettingsDialog
    from app.gui.kit import style
    from tests.gui.helpers import dark_palette
    from tools.screenshots import till_screenshots

    # The demo's links (https://yoursite.com) reach no claim site from here: the pictures show the
    # QR modal as it is when they do; setup_problem_screenshots.py shows the modal when they do not.
    doctor.link_reaches = lambda claim_url, timeout=doctor.TIMEOUT: None

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(folder / "data")  # the window's daily backup goes there, not in the user's folder
    demo_database(folder)
    till_screenshots.a_shift()
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(condition=lambda: True, timeout=10.0):
        """Run the event loop until condition() holds. It waits inside Qt (QTest.qWait) instead of
        spinning processEvents, which would starve the worker threads of the GIL."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QTest.qWait(10)
            if condition():
                QTest.qWait(50)
                return
        raise TimeoutError(f"the window did not get there ({window.message_bar.text() or 'no message'})")

    def shown(kind):
        """The window's open dialog of that class, or None."""
        return next((d for d in window.findChildren(kind) if d.isVisible()), None)

    def save(widget, name: str) -> None:
        if args.only and not name.startswith(args.only):
            return
        path = OUT / f"{name}{args.suffix}.png"
        widget.grab().save(str(path))
        print(path.relative_to(ROOT))

    palettes = [("dark", dark_palette())] if args.dark else [("light", None), ("dark", dark_palette())]
    for scheme, palette in palettes:
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
        window.resize(1280, 820)
        window.show()
        window.start()
        settle(lambda window=window: window.dashboard.count_label.text() == "5 batches" and window.server.is_running())
        save(window, f"dashboard{tag}")

        summary = batches.list_batches()[-1]  # the oldest: Q1 2025 Email Campaign
        window.batch_actions.share(summary)
        settle(lambda: shown(QrDialog) is not None and not shown(QrDialog).image.pixmap().isNull())
        share = shown(QrDialog)
        save(share, f"qr-modal{tag}")
        share.close()

        confirm = DeleteDialog(summary, window)
        confirm.show()
        settle()
        save(confirm, f"delete-confirmation{tag}")
        confirm.close()

        view = window.pages.open_vouchers(summary)
        settle(lambda view=view: view.model.row_at(0) is not None)
        view.table.scrollTo(view.model.index(112, 0), view.table.ScrollHint.PositionAtTop)  # claims end at 127
        settle(lambda view=view: view.model.row_at(112) is not None and not view.model.is_loading())
        view.table.selectRow(116)
        settle()
        save(window, f"vouchers-view{tag}")
        window.pages.show_dashboard()

        claimed = vouchers.page(summary.id, status="claimed", limit=1)[0].code
        window.till.find(claimed.lower().replace("-", " "))
        settle(lambda: shown(FindVoucherDialog) is not None and shown(FindVoucherDialog).detail is not None)
        finder = shown(FindVoucherDialog)
        save(finder, f"find-voucher{tag}")
        finder.redeem_button.click()
        settle(lambda finder=finder: finder.notice.text().startswith("Voucher "))
        save(finder, f"find-voucher-redeemed{tag}")
        finder.close()

        window.new_action.trigger()
        settle(lambda: shown(NewBatchDialog) is not None)
        dialog = shown(NewBatchDialog)
        dialog.name.setText("Autumn 2025 - Email List")
        dialog.description.setPlainText("Back-to-school treat for newsletter readers")
        dialog.quantity.setValue(400)
        dialog.prefix.setText("AUTUMN")
        dialog.new_template_button.click()
        dialog.template_form.title.setText("15% off, spend $30")
        dialog.template_form.discount.setText("15%")
        dialog.template_form.min_purchase.setText("30")
        settle()
        save(dialog, f"new-batch{tag}")
        dialog.reject()

        window.settings_action.trigger()
        settle(lambda: shown(SettingsDialog) is not None)
        save(shown(SettingsDialog), f"settings{tag}")
        shown(SettingsDialog).reject()

        till_screenshots.take(window, shown, settle, save, tag)

        window.dashboard.search.setText("no such batch")
        settle(lambda window=window: window.dashboard.stack.currentWidget() is window.dashboard.empty)
        save(window, f"empty-search{tag}")
        window.dashboard.clear_filters()
        window.close()  # the claim site serves on in the background: quit as File → Quit does
        settle()
        window.background.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

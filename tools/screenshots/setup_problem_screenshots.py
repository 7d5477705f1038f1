"""Screenshots of a problem the window keeps in sight, made by driving the real window with the real
claim site (each change twice in a row, as a manager would):

    python -m tools.screenshots.setup_problem_screenshots            # offscreen
    QT_QPA_PLATFORM=xcb xvfb-run -a python -m tools.screenshots.setup_problem_screenshots

The links start at this PC's address and the site's port, with a batch out: Settings refuses a new
port (it says why). Then the public base URL moves to a domain that does not reach this claim site:
the status bar turns (status-bar-problem.png), the QR modal says so (qr-modal-unreached.png), and
Print… warns before printing; set back, the status bar is green again. Writes packaging/screenshots/;
--out FOLDER writes elsewhere (to look without replacing)."""

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
ELSEWHERE = "https://vouchers.example.com"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import shiboken6
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMessageBox, QStyleFactory

    from app.core import batches, settings, store, templates
    from app.gui import application, main_window, preferences
    from app.gui.dialogs.print_studio import SignagePreview
    from app.gui.dialogs.qr import QrDialog
    from app.gui.dialogs.settings import SettingsDialog
    from app.gui.kit import style
    from app.web.server import start_server
    from tests.helpers.ports import free_port

    qapp = QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    folder = Path(tempfile.mkdtemp())
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    store.open_database(folder / "demo.db")
    port = free_port()
    here = f"http://{settings.lan_address()}:{port}"
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url=here, port=port))
    offer = templates.create_template("10% off, spend $20", "10%", min_purchase="20", valid_days=30)
    batches.create_batch("Summer 2025 - Store Signage", offer, 300, "In-store QR", "Poster by the tills")
    application.configure_application(qapp)
    style.apply(qapp)
    prefs = preferences.Preferences(QSettings(str(folder / "prefs.ini"), QSettings.Format.IniFormat))
    window = main_window.MainWindow(prefs, start_server=start_server)
    window.resize(1180, 760)
    window.show()
    window.start()

    def settle(condition=lambda: True, timeout=20.0, what="the window"):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QTest.qWait(20)
            if condition():
                QTest.qWait(80)
                return
        raise TimeoutError(f"{what} did not get there ({window.server_label.text()!r})")

    def shown(kind, parent=window):
        return next((d for d in parent.findChildren(kind) if d.isVisible()), None)

    def save(widget, name: str) -> None:
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    def answer_next_question(button_text: str) -> QTimer:
        """Click a button of the next question the window asks (a modal box blocks until answered)."""
        timer = QTimer(interval=20)

        def look() -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                for button in box.buttons():
                    if button.text() == button_text:
                        timer.stop()
                        button.click()

        timer.timeout.connect(look)
        timer.start()
        return timer

    def status_bar():
        return window.statusBar()

    def settings_saved(change, question_button: str | None = None) -> SettingsDialog:
        window.settings_action.trigger()
        settle(lambda: shown(SettingsDialog) is not None, what="Settings")
        dialog = shown(SettingsDialog)
        change(dialog)
        kept = answer_next_question(question_button) if question_button else None
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        settle(
            lambda: (
                not shiboken6.isValid(dialog)
                or not dialog.isVisible()
                or (dialog.notice.isVisible() and dialog.buttons.isEnabled())
            )
        )
        if kept is not None:
            kept.stop()
        return dialog

    settle(lambda: window.server.serves_here() and window.setup_checks.latest, what="the claim site and its checks")
    print("start:", window.server_label.text(), "|", window.setup_checks.button.text())

    for _ in range(2):  # a port the links carry: refused, with why
        dialog = settings_saved(lambda d: d.port.setValue(free_port()))
        print("port change:", dialog.notice.text())
        save(dialog, "settings-port-refused") if out != OUT else None
        dialog.reject()
        settle()

    for _ in range(2):  # links that do not reach this claim site: the status bar says so until fixed
        settings_saved(lambda d: d.base_url.setText(ELSEWHERE), "Change it")
        settle(lambda: window.server_label.property("state") == "problem", what="the status bar")
        print("elsewhere:", window.server_label.text(), "|", window.setup_checks.button.text())
        save(status_bar(), "status-bar-problem")
        window.batch_actions.share(batches.list_batches()[0])
        settle(lambda: shown(QrDialog) is not None and shown(QrDialog).site_reach.property("kind") == "error")
        qr = shown(QrDialog)
        print("QR modal:", qr.site_reach.text())
        save(qr, "qr-modal-unreached")
        warned = answer_next_question("Cancel")
        qr.print_button.click()
        settle(lambda warned=warned: not warned.isActive(), what="the print warning")
        assert shown(SignagePreview, qr) is None
        qr.close()
        settings_saved(lambda d: d.base_url.setText(here), "Change it")
        settle(lambda: window.server_label.property("state") == "running", what="the status bar")
        print("back:", window.server_label.text(), "|", window.setup_checks.button.text())
        save(status_bar(), "status-bar-running") if out != OUT else None

    window.close()
    settle()
    window.background.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Helpers for the GUI tests: fakes of the claim server and the prompts service, and the window's
widgets reached as a person reaches them (a card's menu, the till's scanner, Settings, the vouchers view)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from unittest import mock

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app.core.errors import ServerProblem
from app.gui.dialogs.delete_batch import DeleteChoice
from app.gui.dialogs.find_voucher import FindVoucherDialog
from app.gui.dialogs.settings import SettingsDialog
from app.gui.kit.prompts import Prompts


class FakeServer:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.url = f"http://127.0.0.1:{port}"
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class FakeServerFactory:
    """start_server(host, port) as the window calls it; records what it started."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.fail_with = fail_with
        self.started: list[FakeServer] = []

    def __call__(self, host: str, port: int) -> FakeServer:
        if self.fail_with:
            raise ServerProblem(self.fail_with)
        server = FakeServer(host, port)
        self.started.append(server)
        return server


class FakePrompts(Prompts):
    """Answers the window's questions from queues instead of showing modal dialogs."""

    def __init__(self) -> None:
        self.delete_answers: list[DeleteChoice] = []
        self.file_names: list[str | None] = []
        self.asked_file_names: list[str] = []  # what each file dialog suggested
        self.asked_delete: list[tuple[int, str]] = []
        self.browser_opens = True  # what open_url answers: False when this PC has no browser
        self.opened: list[str] = []
        self.print_anyway = True  # what confirm_print_anyway answers
        self.print_warnings: list[str] = []
        self.quit_answers: list[bool] = []
        self.base_change_answers: list[bool] = []
        self.asked_base_change: list[str] = []
        self.asked_quit: list[str] = []  # where the claim site served when Quit asked
        self.hosted_answers: list[bool] = []
        self.asked_hosted: list[tuple[str, str]] = []  # (where this PC served, the hosted URL)
        self.erase_answers: list[bool] = []
        self.asked_erase: list[str] = []  # each question confirm_erase was asked
        self.end_answers: list[bool] = []
        self.asked_end: list[str] = []  # each question confirm_end was asked
        self.template_delete_answers: list[bool] = []
        self.asked_template_delete: list[str] = []

    def confirm_delete(self, parent, summary, exported_to: str = "") -> DeleteChoice:
        self.asked_delete.append((summary.id, exported_to))
        return self.delete_answers.pop(0)

    def save_file_name(self, parent, caption, suggested, file_filter, then, **options):
        self.asked_file_names.append(suggested)
        path = self.file_names.pop(0)
        if path:
            then(path)

    def open_file_name(self, parent, caption, start, file_filter, then):
        self.asked_file_names.append(start)
        path = self.file_names.pop(0)
        if path:
            then(path)

    def confirm_base_change(self, parent, warning: str) -> bool:
        self.asked_base_change.append(warning)
        return self.base_change_answers.pop(0)

    def confirm_hosted(self, parent, where: str, url: str) -> bool:
        self.asked_hosted.append((where, url))
        return self.hosted_answers.pop(0)

    def confirm_quit(self, parent, where: str) -> bool:
        self.asked_quit.append(where)
        return self.quit_answers.pop(0)

    def confirm_erase(self, parent, question: str) -> bool:
        self.asked_erase.append(question)
        return self.erase_answers.pop(0)

    def confirm_end(self, parent, question: str) -> bool:
        self.asked_end.append(question)
        return self.end_answers.pop(0)

    def confirm_template_delete(self, parent, question: str) -> bool:
        self.asked_template_delete.append(question)
        return self.template_delete_answers.pop(0)

    def confirm_print_anyway(self, parent, warning: str) -> bool:
        self.print_warnings.append(warning)
        return self.print_anyway

    def open_url(self, url: str) -> bool:
        self.opened.append(url)
        return self.browser_opens


# Reaching the window's widgets as a person sees them -----------------------------------------


def shown(parent, kind, name: str | None = None) -> list:
    """The visible widgets of that class (and objectName) under parent."""
    found = parent.findChildren(kind, name) if name else parent.findChildren(kind)
    return [widget for widget in found if widget.isVisible()]


def dialog_of(qtbot, window, kind):
    """The one dialog of that class the window shows, once it shows."""
    qtbot.waitUntil(lambda: len(shown(window, kind)) == 1)
    return shown(window, kind)[0]


def flush_deletions() -> None:
    """Deliver the deleteLater() calls queued so far, as the event loop does between two clicks."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def escape(qtbot, dialog) -> None:
    """Close a dialog with Escape and let Qt delete what it deletes on close."""
    from PySide6.QtCore import Qt

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    flush_deletions()


def shown_text(text: str, text_format=None) -> str:
    """What a label (or tooltip) with this text puts on screen: rich text is rendered, plain text is not."""
    from PySide6 import QtGui
    from PySide6.QtCore import Qt

    rich = text_format == Qt.TextFormat.RichText or (
        text_format in (None, Qt.TextFormat.AutoText) and QtGui.Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    document = QtGui.QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def label_shows(label) -> str:
    return shown_text(label.text(), label.textFormat())


def answer_modal(kind, answer):
    """Answer the next modal dialog of that class once it shows: exec() blocks the test's own call,
    so the answer comes from a timer running inside the dialog's event loop. Keep the timer."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    timer = QTimer(interval=10)

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            timer.stop()
            answer(dialog)

    timer.timeout.connect(check)
    timer.start()
    return timer


def settle() -> None:
    """Let every task the window started finish and deliver its result, as a pause in a shift would."""
    from PySide6.QtWidgets import QApplication

    from app.gui.kit import tasks

    assert tasks.wait_for_all(30_000)
    QApplication.processEvents()


def menu_action(card, text):
    """The action of the card's ··· menu with that text, as the manager sees it."""
    card.menu.aboutToShow.emit()
    found = [a for a in card.menu.actions() if a.text() == text and a.isVisible()]
    assert found, f"no visible menu item {text!r}: {[a.text() for a in card.menu.actions() if a.isVisible()]}"
    return found[0]


def card_of(qtbot, window, batch_id):
    qtbot.waitUntil(lambda: window.dashboard.grid.card_for(batch_id) is not None)
    return window.dashboard.grid.card_for(batch_id)


def status_of(card) -> str:
    return card.badge.text().removeprefix("● ")


def scan(qtbot, window, text):
    """A barcode scanner: it types into the focused field and ends with Enter."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # a closed dialog hands activation back
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.till_field.hasFocus()
    qtbot.keyClicks(window.till_field, text)
    qtbot.keyClick(window.till_field, Qt.Key.Key_Return)
    assert window.till_field.text() == ""  # ready for the next scan
    dialog = dialog_of(qtbot, window, FindVoucherDialog)
    qtbot.waitUntil(lambda: dialog.notice.text() not in ("", "Looking up…"))
    return dialog


def open_settings(qtbot, window, by_key: bool = False) -> SettingsDialog:
    if by_key:
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    else:
        window.settings_action.trigger()
    dialog = dialog_of(qtbot, window, SettingsDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def save(dialog: SettingsDialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def open_view(qtbot, window, batch):
    card = card_of(qtbot, window, batch.id)
    qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
    view = window.pages.vouchers_view
    assert view is not None and window.pages.stack.currentWidget() is view
    qtbot.waitExposed(view.table)
    qtbot.waitUntil(lambda: view.model.row_at(0) is not None)
    return view


def filter_by(view, text: str) -> None:
    """Click the filter button with that text (All, Unclaimed, Claimed, Redeemed)."""
    [button] = [b for b in view.findChildren(QPushButton, "FilterButton") if b.text() == text]
    button.click()


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return "database_id" in json.loads(answer.read())
    except OSError:
        return False


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26272b",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Highlight: "#4c8bf5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2d2e31",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.Mid: "#3c4043",
        QPalette.ColorRole.Dark: "#111214",
        QPalette.ColorRole.Light: "#3c4043",
        QPalette.ColorRole.Midlight: "#35363a",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8389"))
    return palette


def poppler(*command: str) -> subprocess.CompletedProcess:
    """pdfinfo, pdftoppm or pdftotext (poppler-utils) on the PDF; said as skipped on Windows."""
    if sys.platform == "win32":
        pytest.skip(
            "reads the PDF with poppler-utils, Linux programs whose output Wine cannot hand back to Windows "
            "CPython (there a poster's embedded font is checked by tests/gui/test_shipped_font.py, and the bundle's "
            "smoke test reads a poster's text with pdftotext)"
        )
    return subprocess.run(command, capture_output=True, text=True, check=True)


@contextmanager
def names_here(*names: str):
    """Within it, these host names resolve to this PC (127.0.0.1), as a store's own domain resolves
    to its claim site: only the name lookup is made up, the connections are real."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real("127.0.0.1" if host in names else host, *args, **kwargs)

    with mock.patch.object(socket, "getaddrinfo", getaddrinfo):
        yield

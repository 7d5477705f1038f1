"""Always on: closing the window (as the window manager closes it, no question asked) leaves the claim
site serving in the background; a tray icon, where the desktop has one, brings the window back or
quits. Quit says that claim links go offline and asks first; only then does the site stop."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

from app.gui.kit import tasks
from app.gui.kit.prompts import Prompts
from app.gui.kit.widgets import MessageBar

from .claim_site import ClaimServer
from .live_numbers import BatchList

log = logging.getLogger(__name__)

KEEPS_SERVING = (
    "Voucher Batches keeps serving claim links while its window is closed. "
    "Start Voucher Batches again to bring the window back; File → Quit (Ctrl+Q) stops the claim site."
)


class Background(QObject):
    stopping = Signal()  # the application is about to end (the window remembers its place)

    def __init__(
        self, window: QWidget, server: ClaimServer, batch_list: BatchList, prompts: Prompts, bar: MessageBar
    ) -> None:
        super().__init__(window)
        self._window, self._server, self._batch_list, self._prompts, self._bar = (
            window,
            server,
            batch_list,
            prompts,
            bar,
        )
        self._told = False
        self._stopped = False
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = self._make_tray()

    def _make_tray(self) -> QSystemTrayIcon:
        tray = QSystemTrayIcon(self._window.windowIcon(), self)
        tray.setToolTip("Voucher Batches")
        menu = QMenu(self._window)
        for text, slot in (("Open Voucher Batches", self.bring_back), ("Quit", self.quit)):
            action = QAction(text, menu)
            action.triggered.connect(slot)
            menu.addAction(action)
        tray.setContextMenu(menu)
        tray.activated.connect(
            lambda reason: self.bring_back() if reason == QSystemTrayIcon.ActivationReason.Trigger else None
        )
        tray.show()
        return tray

    def window_closed(self) -> None:
        """The window was closed: the site serves on, and the first time the person is told so."""
        if not self._server.serves_here():
            self.shutdown()  # nothing to keep: closing is quitting
            QCoreApplication.quit()
            return
        self._batch_list.stop()  # nobody looks at the numbers
        if not self._told:
            self._told = True
            log.info("Window closed; the claim site keeps serving at %s", self._server.where())
            self._bar.show_message(KEEPS_SERVING, "info", stays=True)  # read when the window comes back
            if self.tray is not None:
                self.tray.showMessage("Voucher Batches", KEEPS_SERVING, QSystemTrayIcon.MessageIcon.Information)

    def bring_back(self) -> None:
        """Show the window again (a second start on this database, the tray's Open Voucher Batches)."""
        window = self._window
        window.showNormal()
        window.raise_()
        window.activateWindow()
        self._batch_list.start()

    def quit(self) -> None:
        """File → Quit: when this window serves the claim site, ask first (the links go offline)."""
        if self._server.serves_here() and not self._prompts.confirm_quit(self._window, self._server.where()):
            return
        self.shutdown()
        QCoreApplication.quit()

    def shutdown(self) -> None:
        """Stop the refresh, let the running work finish (a generation rolls back), stop the site."""
        if self._stopped:
            return
        self._stopped = True
        self.stopping.emit()
        self._batch_list.stop()
        tasks.cancel_all()
        tasks.wait_for_all(30_000)
        QApplication.processEvents()  # deliver what finished meanwhile (a server that just started)
        self._server.stop()
        if self.tray is not None:
            self.tray.hide()

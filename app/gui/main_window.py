"""The main window: Campaigns > Batches. Toolbar (New batch, Find voucher, Settings), the dashboard
or a batch's vouchers, the message bar, and the claim server's state in the status bar."""

from __future__ import annotations

import html
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core import batches, claims, db, settings, templates, vouchers
from app.core.batches import BatchSummary

from . import cards, style, tasks
from .batch_actions import BatchActions, sentence
from .dashboard import Dashboard
from .find_voucher_dialog import FindVoucherDialog
from .new_batch_dialog import NewBatchDialog
from .preferences import Preferences
from .prompts import Prompts
from .server import ClaimServer
from .settings_dialog import SettingsDialog
from .tasks import run_task
from .vouchers_view import VouchersView
from .widgets import MessageBar, restyle

REFRESH_MS = 1000  # live numbers: one cheap read of every batch's counters per second


class MainWindow(QMainWindow):
    def __init__(
        self,
        prefs: Preferences,
        start_server: Callable[[str, int], Any] | None = None,
        prompts: Prompts | None = None,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__()
        self.prefs = prefs
        self.prompts = prompts or Prompts()
        self.setWindowTitle("Voucher Batches")
        self.setWindowIcon(style.icon("app", style.colors()["accent"]))
        self.setMinimumSize(QSize(720, 480))
        self.core_settings: settings.Settings | None = None
        self.vouchers_view: VouchersView | None = None
        self.new_batch_dialog: NewBatchDialog | None = None
        self.find_dialog: FindVoucherDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._refreshing = False
        self._refresh_again = False
        self._refresh_error = ""

        self.batch_actions = BatchActions(self, self.prompts)
        self.batch_actions.message.connect(self.show_message)
        self.batch_actions.batch_changed.connect(self._on_batch_changed)
        self.batch_actions.batch_deleted.connect(self._on_batch_deleted)
        self.batch_actions.busy_changed.connect(lambda batch_id, busy: self.dashboard.grid.set_busy(batch_id, busy))

        self._build_actions()
        self._build_toolbar()
        self._build_menus()

        self.breadcrumb = QLabel()
        self.breadcrumb.setObjectName("Breadcrumb")
        self.breadcrumb.linkActivated.connect(lambda _link: self.show_dashboard())
        self.message_bar = MessageBar()
        self.dashboard = Dashboard()
        self.dashboard.filters_changed.connect(self.refresh)
        self.dashboard.requested.connect(self._on_card_requested)
        self.dashboard.new_batch_requested.connect(self.new_batch)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.dashboard)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.breadcrumb)
        self.breadcrumb.setContentsMargins(16, 0, 16, 0)
        bar_holder = QVBoxLayout()
        bar_holder.setContentsMargins(16, 0, 16, 0)
        bar_holder.addWidget(self.message_bar)
        layout.addLayout(bar_holder)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self._set_breadcrumb(None)

        self.server = ClaimServer(start_server, self)
        self.server.state_changed.connect(self._on_server_state)
        self.server_label = QLabel("Claim site stopped")
        self.server_label.setObjectName("ServerState")
        self.server_label.setProperty("state", "stopped")
        self.database_label = QLabel()
        self.database_label.setObjectName("Muted")
        for label in (self.server_label, self.database_label):
            label.setContentsMargins(8, 2, 8, 2)
        self.statusBar().addWidget(self.server_label, 1)
        self.statusBar().addPermanentWidget(self.database_label)

        self._retint_timer = QTimer(self, singleShot=True, interval=0)
        self._retint_timer.timeout.connect(self.retint)
        self.timer = QTimer(self, interval=refresh_ms)
        self.timer.timeout.connect(self.refresh)

        geometry = prefs.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1180, 760)

    # Building -------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.new_action = QAction(style.icon("plus"), "New batch", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setToolTip("Create a batch of vouchers (Ctrl+N)")
        self.new_action.triggered.connect(self.new_batch)
        self.search_action = QAction("Search batches", self)
        self.search_action.setShortcut(QKeySequence.StandardKey.Find)
        self.search_action.triggered.connect(self.focus_search)
        self.find_action = QAction(style.icon("scan"), "Find voucher", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+L"))
        self.find_action.triggered.connect(self.focus_find)
        self.settings_action = QAction(style.icon("settings"), "Settings…", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self._on_refresh_triggered)
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for action in (self.search_action, self.find_action, self.refresh_action, self.quit_action):
            self.addAction(action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("MainToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.new_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.find_field = QLineEdit()
        self.find_field.setPlaceholderText("Find voucher: type or scan a code  (Ctrl+L)")
        self.find_field.setAccessibleName("Find voucher")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.addAction(style.icon("scan"), QLineEdit.ActionPosition.LeadingPosition)
        self.find_field.setMinimumWidth(320)
        self.find_field.returnPressed.connect(self._on_find_entered)
        toolbar.addWidget(self.find_field)
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.find_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.search_action)
        view_menu.addAction(self.refresh_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = help_menu.addAction("About Voucher Batches")
        about.triggered.connect(self._on_about_triggered)

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About Voucher Batches",
            f"<b>Voucher Batches {__version__}</b><p>Create, share, monitor and redeem batches of unique store vouchers.</p>"
            f"<p>Database: {html.escape(db.location())}</p>",
        )

    # Start and quit ---------------------------------------------------------------------------
    def start(self) -> None:
        """Show the batches, start the claim site, and keep the numbers live."""
        self.database_label.setText(f"Database: {db.location()}")
        self.database_label.setToolTip(db.location())
        self.refresh()
        run_task(settings.load, self._on_settings_loaded, lambda exc: self.show_message(sentence(exc, "read the settings"), "error"), context=self)
        self.timer.start()

    def _on_settings_loaded(self, loaded: settings.Settings) -> None:
        self.core_settings = loaded
        self.setWindowTitle(f"Voucher Batches — {loaded.store_name}")
        self.server.start(loaded.host, int(loaded.port), loaded.base_url)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.prefs.set_window_geometry(self.saveGeometry())
        self.timer.stop()
        tasks.cancel_all()
        tasks.wait_for_all(30_000)
        QCoreApplication.processEvents()  # deliver what finished meanwhile (a server that just started)
        self.server.stop()
        super().closeEvent(event)

    # Messages ---------------------------------------------------------------------------------
    def show_message(self, text: str, kind: str = "info") -> None:
        self.message_bar.show_message(text, kind)

    def _on_server_state(self, state: str, text: str, tip: str) -> None:
        self.server_label.setText(f"● {text}" if state == "running" else text)
        self.server_label.setToolTip(tip)
        self.server_label.setProperty("state", state)
        restyle(self.server_label)

    # Live numbers -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read every batch's counters (one query; its cost grows with batches, not vouchers) and
        update the cards whose numbers changed."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        filters = self.dashboard.filters()
        run_task(
            lambda: batches.list_batches(*filters),
            lambda found: self._on_batches(filters, found),
            self._on_refresh_failed,
            context=self,
        )

    def _on_batches(self, filters, found: list[BatchSummary]) -> None:
        self._refreshing = False
        if self._refresh_error:  # the database is readable again: take back what was said
            if self.message_bar.text() == self._refresh_error:
                self.message_bar.hide()
            self._refresh_error = ""
        if filters == self.dashboard.filters():
            self.dashboard.show_batches(found)
        if self._refresh_again or filters != self.dashboard.filters():
            self._refresh_again = False
            self.refresh()

    def _on_refresh_failed(self, exc: Exception) -> None:
        self._refreshing = False
        text = sentence(exc, "read the batches")
        if text != self._refresh_error:  # once, not every second
            self._refresh_error = text
            self.show_message(text, "error")

    def _on_refresh_triggered(self) -> None:
        """F5: the cards, and the vouchers on screen (the table is a snapshot of its filter)."""
        self.refresh()
        if self.vouchers_view is not None:
            self.vouchers_view.model.reload()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._retint_timer.start()  # several arrive for one switch: redraw once

    def retint(self) -> None:
        """Redraw the icons in the palette's colours (the system switched between light and dark)."""
        style.icon.cache_clear()
        for action, name in ((self.new_action, "plus"), (self.find_action, "scan"), (self.settings_action, "settings")):
            action.setIcon(style.icon(name))
        self.dashboard.grid.rebuild()
        self.dashboard.empty.setProperty("filtered", None)  # its picture is drawn again on the next refresh
        self.refresh()

    def _on_batch_changed(self, summary: BatchSummary) -> None:
        card = self.dashboard.card_for(summary.id)
        if card is not None:
            card.set_summary(summary)
        self.refresh()

    def _on_batch_deleted(self, batch_id: int) -> None:
        if self.vouchers_view is not None and self.vouchers_view.summary.id == batch_id:
            self.show_dashboard()
        self.refresh()

    # Cards ------------------------------------------------------------------------------------
    def _on_card_requested(self, action: str, summary: BatchSummary) -> None:
        if action == cards.VOUCHERS:
            self.open_vouchers(summary)
        else:
            self.batch_actions.handle(action, summary)

    def open_vouchers(self, summary: BatchSummary) -> VouchersView:
        self._close_vouchers_view()
        view = VouchersView(summary)
        view.back_requested.connect(self.show_dashboard)
        view.message.connect(self.show_message)
        view.export_requested.connect(lambda s, status, search: self.batch_actions.export(s, status, search))
        self.vouchers_view = view
        self.pages.addWidget(view)
        self.pages.setCurrentWidget(view)
        self._set_breadcrumb(summary.name)
        view.table.setFocus()
        return view

    def show_dashboard(self) -> None:
        self._close_vouchers_view()
        self.pages.setCurrentWidget(self.dashboard)
        self._set_breadcrumb(None)

    def _close_vouchers_view(self) -> None:
        if self.vouchers_view is not None:
            self.pages.removeWidget(self.vouchers_view)
            self.vouchers_view.deleteLater()
            self.vouchers_view = None

    def _set_breadcrumb(self, batch_name: str | None) -> None:
        if batch_name is None:
            self.breadcrumb.setText("Campaigns  ›  Batches")
        else:
            self.breadcrumb.setText(
                f'Campaigns  ›  <a href="batches">Batches</a>  ›  {html.escape(batch_name)}  ›  Vouchers'
            )

    def focus_search(self) -> None:
        target = self.vouchers_view.search if self.vouchers_view is not None else self.dashboard.search
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        target.selectAll()

    # New batch --------------------------------------------------------------------------------
    def new_batch(self) -> None:
        """Read the templates on a worker, then open the dialog."""
        if self.new_batch_dialog is not None and self.new_batch_dialog.isVisible():
            self.new_batch_dialog.raise_()
            return

        def load():
            return templates.list_templates(), settings.load().currency

        run_task(load, self._on_templates_loaded, lambda exc: self.show_message(sentence(exc, "read the templates"), "error"), context=self)

    def _on_templates_loaded(self, loaded) -> None:
        template_list, currency = loaded
        dialog = NewBatchDialog(template_list, currency, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._on_batch_created)
        self.new_batch_dialog = dialog
        dialog.open()

    def _on_batch_created(self, summary: BatchSummary) -> None:
        self.show_message(f"Created “{summary.name}” with {summary.total:,} vouchers.", "success")
        self.show_dashboard()
        self.dashboard.grid.verticalScrollBar().setValue(0)  # newest first: the new card is at the top
        self.refresh()

    # Find voucher -----------------------------------------------------------------------------
    def focus_find(self) -> None:
        self.find_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_field.selectAll()

    def _on_find_entered(self) -> None:
        code = self.find_field.text().strip()
        if code:
            self.find_voucher(code)
            self.find_field.clear()

    def find_voucher(self, code: str) -> FindVoucherDialog:
        """Open (or reuse) the Find voucher dialog and look the code up."""
        dialog = self.find_dialog
        if dialog is None:
            dialog = FindVoucherDialog(code, self)
            dialog.lookup_requested.connect(self._lookup)
            dialog.redeem_requested.connect(self._redeem)
            dialog.finished.connect(self._on_find_dialog_closed)
            self.find_dialog = dialog
        dialog.code.setText(code)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.show_searching()
        self._lookup(code)
        return dialog

    def _on_find_dialog_closed(self) -> None:
        """Back at the till's field, ready for the next scan."""
        self.activateWindow()
        self.focus_find()

    def _lookup(self, code: str) -> None:
        dialog = self.find_dialog

        def work():
            detail = vouchers.lookup(code)
            currency = settings.load().currency
            offer = templates.describe_offer(detail.template, currency) if detail.template is not None else {}
            return detail, offer

        run_task(
            work,
            lambda found: dialog.show_voucher(*found),
            lambda exc: dialog.show_not_found(sentence(exc, "look the code up")),
            context=dialog,
        )

    def _redeem(self, code: str) -> None:
        dialog = self.find_dialog

        def work():
            result = claims.redeem(code)
            offer = None
            if result.voucher is not None and result.voucher.template is not None:
                offer = templates.describe_offer(result.voucher.template, settings.load().currency)
            return result, offer

        def done(found) -> None:
            dialog.show_redeemed(*found)
            self.refresh()

        run_task(work, done, lambda exc: dialog.show_error(sentence(exc, "redeem the voucher")), context=dialog)

    # Settings ---------------------------------------------------------------------------------
    def open_settings(self) -> None:
        run_task(settings.load, self._on_settings_for_dialog, lambda exc: self.show_message(sentence(exc, "read the settings"), "error"), context=self)

    def _on_settings_for_dialog(self, current: settings.Settings) -> None:
        location = self.prefs.database_location() or db.location()
        dialog = SettingsDialog(current, location, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda edited, new_location: self._save_settings(current, edited, location, new_location))
        self.settings_dialog = dialog
        dialog.open()

    def _save_settings(self, before: settings.Settings, edited: settings.Settings, old_location: str, new_location: str) -> None:
        def done(saved: settings.Settings) -> None:
            self.core_settings = saved
            self.setWindowTitle(f"Voucher Batches — {saved.store_name}")
            text = "Settings saved."
            if new_location and new_location != old_location:
                self.prefs.set_database_location(new_location)
                text += f" The database {new_location} is used from the next start."
            if (saved.host, int(saved.port)) != (before.host, int(before.port)) or not self.server.is_running():
                self.server.start(saved.host, int(saved.port), saved.base_url)
            else:
                self.server.announce(saved.base_url)
            self.show_message(text, "success")
            self.refresh()  # claim links follow a new public address

        run_task(lambda: settings.save(edited), done, lambda exc: self.show_message(sentence(exc, "save the settings"), "error"), context=self)

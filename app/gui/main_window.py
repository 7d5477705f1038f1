"""The main window: Campaigns > Batches. It assembles the toolbar (New batch, Find voucher, Settings),
the menus, the batch pages with the message bar, and the status bar, and wires them to the controllers
that do the work: the refresh loop, the card actions, the new-batch flow, the till and the settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow

from app.core import settings, store
from app.gui.controllers.activity import ActivityController
from app.gui.controllers.analytics import AnalyticsController
from app.gui.controllers.background import Background
from app.gui.controllers.batch_actions import BatchActions
from app.gui.controllers.camera import CameraController
from app.gui.controllers.campaign import CampaignActions
from app.gui.controllers.claim_site import STARTING, ClaimServer, ServerStateLabel
from app.gui.controllers.live_numbers import REFRESH_MS, BatchList
from app.gui.controllers.members import MembersController
from app.gui.controllers.new_batch import NewBatchFlow
from app.gui.controllers.settings import SettingsController
from app.gui.controllers.setup_checks import SetupChecks
from app.gui.controllers.templates import TemplatesController
from app.gui.controllers.till import TillController, TillField
from app.gui.controllers.till_identity import TillIdentity
from app.gui.controllers.undo import UndoController
from app.gui.controllers.upkeep import Upkeep
from app.gui.controllers.waiting import WaitingSaid
from app.gui.controllers.welcome import WelcomeFlow
from app.gui.dialogs.about import About
from app.gui.kit.prompts import Prompts
from app.gui.kit.widgets import MessageBar
from app.gui.pages.dashboard import Dashboard
from app.gui.pages.navigation import BatchPages

from . import chrome
from .kit import style
from .preferences import Preferences


class MainWindow(QMainWindow):
    def __init__(
        self,
        prefs: Preferences,
        start_server: Callable[[str, int], Any] | None = None,
        prompts: Prompts | None = None,
        refresh_ms: int = REFRESH_MS,
        log_file: Path | None = None,
        welcome: bool = False,
    ) -> None:
        """welcome: ask the first start's questions (the application does; tests only when they ask)."""
        super().__init__()
        self._welcome = welcome
        self.prefs = prefs
        self.prompts = prompts or Prompts(prefs)
        self.setWindowTitle("Voucher Batches")
        self.setWindowIcon(style.icon("app", style.colors()["accent"]))
        self.setMinimumSize(QSize(720, 480))

        self.message_bar = MessageBar()
        self.dashboard = Dashboard()
        self.pages = BatchPages(self.dashboard)
        self.pages.add_bar(self.message_bar)
        self.pages.setContentsMargins(0, 6, 0, 0)
        self.setCentralWidget(self.pages)
        self.till_field = TillField()
        self.server_label = ServerStateLabel()
        self.database_label = QLabel()
        self.database_label.setObjectName("Muted")
        self.database_label.setContentsMargins(8, 2, 8, 2)
        self.statusBar().addWidget(self.server_label, 1)
        self.statusBar().addPermanentWidget(self.database_label)
        self.setup_checks = SetupChecks(self)
        self._server_state = ("", "")
        self.statusBar().addPermanentWidget(self.setup_checks.button)

        self.batch_list = BatchList(self.dashboard, refresh_ms, self)
        self.till_identity = TillIdentity(prefs)
        self.batch_actions = BatchActions(self, self.prompts, who=self.till_identity.actor)
        self.campaign = CampaignActions(self, self.prompts, who=self.till_identity.actor)
        self.new_batch_flow = NewBatchFlow(self, who=self.till_identity.actor)
        self.undo = UndoController(self, self.till_identity)
        self.till = TillController(self, self.till_identity, self.undo)
        self.camera = CameraController(self)
        self.activity = ActivityController(self, self.prompts)
        self.members = MembersController(self, self.prompts, self.till_identity)
        self.server = ClaimServer(start_server, self)
        self.settings_controller = SettingsController(self, self.server, prefs, self.prompts)
        self.about = About(self, log_file)
        self.waiting = WaitingSaid(self.message_bar, self)
        self.background = Background(self, self.server, self.batch_list, self.prompts, self.message_bar)
        self.background.stopping.connect(lambda: prefs.set_window_geometry(self.saveGeometry()))
        self.upkeep = Upkeep(self)
        self.analytics = AnalyticsController(self.pages, self.prompts, self)  # the batch's page and the channels page
        self.templates = TemplatesController(self, self.prompts, who=self.till_identity.actor)
        self.welcome = WelcomeFlow(self, prefs, who=self.till_identity.actor)

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._connect()
        self._retint_timer = QTimer(self, singleShot=True, interval=0, timeout=self.retint)  # type: ignore[call-arg]  # (PySide: a signal by keyword)
        geometry = prefs.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1180, 760)

    # Building -------------------------------------------------------------------------------
    def _action(self, text: str, shortcut, slot, icon: str = "", tip: str = "") -> QAction:
        action = QAction(style.icon(icon), text, self) if icon else QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action(
            "New batch",
            QKeySequence.StandardKey.New,
            self.new_batch_flow.open,
            "plus",
            "Create a batch of vouchers (Ctrl+N)",
        )
        self.search_action = self._action("Search batches", QKeySequence.StandardKey.Find, self.pages.focus_search)
        self.find_action = self._action("Find voucher", "Ctrl+L", self.focus_find, "scan")
        self.camera_action = self._action("Scan with camera…", "Ctrl+Shift+L", lambda: self.camera.open(), "qr")
        self.settings_action = self._action("Settings…", "Ctrl+,", self.settings_controller.open, "settings")
        self.activity_action = self._action(
            "Activity",
            "Ctrl+Shift+A",
            lambda: self.activity.open(),
            "activity",
            "Who did what: the activity log (Ctrl+Shift+A)",
        )
        self.members_action = self.members.action()
        self.templates_action = self.templates.action()
        self.refresh_action = self._action("Refresh", QKeySequence.StandardKey.Refresh, self.batch_list.refresh)
        self.refresh_action.triggered.connect(self.pages.reload_vouchers)
        self.quit_action = self._action(
            "Quit", "Ctrl+Q", self.background.quit
        )  # Cmd+Q on macOS; not every platform theme binds StandardKey.Quit

    def _build_toolbar(self) -> None:
        self.addToolBar(
            chrome.toolbar(
                leading=[self.new_action],
                field=self.till_field,
                trailing=[
                    self.analytics.channels_action,
                    self.activity_action,
                    self.members_action,
                    self.settings_action,
                ],
            )
        )

    def _build_menus(self) -> None:
        chrome.add_menu(
            self.menuBar(),
            "&File",
            (self.new_action, self.find_action, self.camera_action),
            (self.settings_action,),
            (self.quit_action,),
        )
        chrome.add_menu(
            self.menuBar(),
            "&View",
            (
                self.search_action,
                self.analytics.channels_action,
                self.activity_action,
                self.members_action,
                self.templates_action,
                self.refresh_action,
            ),
        )
        self.about_action = self.menuBar().addMenu("&Help").addAction("About Voucher Batches")
        self.about_action.triggered.connect(self.about.open)

    def _connect(self) -> None:
        bar = self.message_bar
        self.batch_list.failed.connect(lambda text: bar.show_message(text, "error"))
        self.batch_list.recovered.connect(bar.retract)
        self.batch_list.reachable.connect(self._on_database_reachable)
        self.dashboard.requested.connect(self.batch_actions.handle)
        self.dashboard.requested.connect(self.campaign.on_card_requested)
        self.dashboard.requested.connect(self.new_batch_flow.on_card_requested)
        self.analytics.like_requested.connect(self.new_batch_flow.open_like)
        self.dashboard.new_batch_requested.connect(self.new_batch_flow.open)
        self.pages.export_requested.connect(self.batch_actions.export)
        self.pages.undo_requested.connect(self.undo.open)
        self.pages.activity_requested.connect(lambda summary: self.activity.open(summary.id))
        self.undo.message.connect(bar.show_message)
        self.undo.undone.connect(lambda _result: self.pages.reload_vouchers())
        self.batch_actions.busy_changed.connect(self.dashboard.grid.set_busy)
        self.batch_actions.batch_changed.connect(self.dashboard.update_batch)
        self.campaign.batch_changed.connect(self.dashboard.update_batch)
        self.batch_actions.batch_deleted.connect(self.pages.forget_batch)
        self.new_batch_flow.created.connect(self.pages.show_dashboard)
        self.new_batch_flow.created.connect(self.dashboard.show_newest)
        for changed in (
            self.batch_actions.batch_changed,
            self.batch_actions.batch_deleted,
            self.campaign.batch_changed,
            self.new_batch_flow.created,
            self.till.redeemed,
        ):
            changed.connect(self.batch_list.refresh)
        self.till_field.code_entered.connect(self.till.find)
        self.till.dialog_opened.connect(self.camera.offer)
        self.till.camera_requested.connect(self.camera.open)
        self.camera.decoded.connect(self.till.find)
        self.till.closed.connect(self._on_till_closed)
        self.settings_controller.changed.connect(self._on_settings_changed)
        self.welcome.changed.connect(self._on_settings_changed)
        self.dashboard.requested.connect(self.analytics.on_card_requested)
        for changed in (
            self.batch_actions.batch_changed,
            self.batch_actions.batch_deleted,
            self.campaign.batch_changed,
            self.till.redeemed,
            self.undo.undone,
            self.refresh_action.triggered,
        ):
            changed.connect(lambda *_args: self.analytics.refresh())
        for said in (
            self.pages.message,
            self.batch_actions.message,
            self.batch_actions.link_message,
            self.campaign.message,
            self.new_batch_flow.message,
            self.settings_controller.message,
            self.welcome.message,
            self.upkeep.message,
            self.analytics.message,
            self.setup_checks.message,
            self.camera.message,
        ):
            said.connect(bar.show_message)
        self.server.state_changed.connect(self.server_label.show_state)
        # The checks run again soon after anything they look at changes, and the label hears each run.
        self.server.state_changed.connect(self._on_server_state)
        self.settings_controller.changed.connect(lambda _settings: self.setup_checks.check_soon())
        self.setup_checks.checked.connect(self.server_label.show_checks)

    def start(self) -> None:
        """Show the batches, start the claim site, keep the numbers live, look after the database, check the setup."""
        self.database_label.setText(f"Database: {store.location()}")
        self.database_label.setToolTip(store.location())
        self.batch_list.first_read.connect(self.upkeep.start_after_paint)
        # The claim site (its settings read, its server and web framework imported on a worker) once the
        # batches are shown: queued behind their paint, so that it does not compete with the first paint.
        self.batch_list.first_read.connect(lambda: QTimer.singleShot(0, self, self.settings_controller.start))
        self.batch_list.start()
        self.setup_checks.start()
        if self._welcome:
            self.welcome.start()

    def _on_server_state(self, state: str, text: str, _tip: str) -> None:
        """A new state of the claim site (not the hosted site's answer repeated every poll): check again,
        once it has settled (while it starts, its port looks taken by another program)."""
        if (state, text) != self._server_state and state != STARTING:
            self._server_state = (state, text)
            self.setup_checks.check_soon()

    def _on_database_reachable(self, reachable: bool) -> None:
        """The status bar says while the database server cannot be reached, and that it is retried."""
        where = store.location()
        self.database_label.setText(
            f"Database: {where}" if reachable else f"Database: {where} cannot be reached, retrying…"
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """As the window manager closes it: no question; the claim site keeps serving (see Background)."""
        self.prefs.set_window_geometry(self.saveGeometry())
        super().closeEvent(event)
        self.background.window_closed()

    def _on_settings_changed(self, current: settings.Settings) -> None:
        self.setWindowTitle(current.store_name)  # Qt adds " — Voucher Batches", the application's display name

    def focus_find(self) -> None:
        self.till_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.till_field.selectAll()

    def _on_till_closed(self) -> None:
        """Back at the till's field, ready for the next scan."""
        self.activateWindow()
        self.focus_find()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._retint_timer.start()  # several arrive for one switch: redraw once

    def retint(self) -> None:
        """Redraw the icons in the palette's colours (the system switched between light and dark)."""
        style.icon.cache_clear()
        for action, name in (
            (self.new_action, "plus"),
            (self.find_action, "scan"),
            (self.settings_action, "settings"),
            (self.activity_action, "activity"),
        ):
            action.setIcon(style.icon(name))
        self.dashboard.retint()
        self.analytics.retint()
        self.batch_list.refresh()

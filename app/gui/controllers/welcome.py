"""The first start: asks for the store's name, currency and time zone and says what claim links carry,
once on this PC (remembered, whether saved or skipped), and only while the store is still unnamed: a
second PC on a store already set up is not asked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.core import settings, times
from app.core.activity import Actor
from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.tasks import run_task
from app.gui.preferences import Preferences

if TYPE_CHECKING:
    from app.gui.dialogs.welcome import WelcomeDialog


def _read() -> tuple[settings.Settings, list[str], str]:
    current = settings.load()
    return current, times.zone_choices(), current.base_url


class WelcomeFlow(QObject):
    changed = Signal(object)  # the Settings saved
    message = Signal(str, str)

    def __init__(self, window: QWidget, prefs: Preferences, who: Callable[[], Actor] = Actor) -> None:
        super().__init__(window)
        self._window = window
        self._prefs = prefs
        self._who = who
        self._slot = DialogSlot(self)
        self._guide = DialogSlot(self)

    def start(self) -> None:
        """Ask, unless this PC was asked before or the store has its name already."""
        if self._prefs.welcomed():
            return
        run_task(_read, self._on_read, lambda _exc: None, context=self)  # not asked now: asked next start

    def _on_read(self, read: tuple[settings.Settings, list[str], str]) -> None:
        from app.gui.dialogs.guide import GuideDialog
        from app.gui.dialogs.welcome import WelcomeDialog

        current, zones, base = read
        if current.store_name != settings.Settings.store_name:  # set up already (another PC, or Settings)
            self._prefs.set_welcomed()
            return
        dialog = WelcomeDialog(current, zones, base, self._window)
        dialog.skipped.connect(self._prefs.set_welcomed)
        dialog.guide_requested.connect(lambda: self._guide.open(GuideDialog(dialog)))
        dialog.save_requested.connect(lambda edited: self._save(dialog, current, edited))
        self._slot.open(dialog)

    def _save(self, dialog: WelcomeDialog, read: settings.Settings, edited: settings.Settings) -> None:
        actor = self._who()

        def done(saved: settings.Settings) -> None:
            self._prefs.set_welcomed()
            if self._slot.dialog is dialog:
                dialog.accept()
            self.changed.emit(saved)
            self.message.emit(f"Welcome, {saved.store_name}: make your first batch with New batch (Ctrl+N).", "success")

        run_task(
            lambda: settings.save_edits(read, edited, actor),  # the claim base kept meanwhile stays
            done,
            lambda exc: dialog.show_refused(sentence(exc, "save the store's details")),
            context=dialog,
        )

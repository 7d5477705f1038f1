"""Members: opens the members dialog (one at a time) and does on a worker what it asks: find, reset a
password, sign out everywhere, export, erase."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QWidget,
)

from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts, with_suffix
from app.gui.kit.tasks import run_task

from .till_identity import TillIdentity

if TYPE_CHECKING:
    from app.core.members import MemberRow
    from app.gui.dialogs.members import MembersDialog


class MembersController(QObject):
    """Owns the one Members window (beside the main window, so the till stays usable)."""

    def __init__(self, window: QWidget, prompts: Prompts, identity: TillIdentity) -> None:
        super().__init__(window)
        self._window = window
        self._prompts = prompts
        self._identity = identity
        self._slot = DialogSlot(self)

    def action(self) -> QAction:
        """View → Members (Ctrl+Shift+M), for the menu and the toolbar."""
        action = QAction("Members", self._window)
        action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        action.setToolTip("Find a member: their vouchers, a password reset, their data (Ctrl+Shift+M)")
        action.triggered.connect(lambda: self.open())
        self._window.addAction(action)
        return action

    def open(self) -> MembersDialog:
        from app.gui.dialogs.members import MembersDialog

        if self._slot.dialog is not None:
            self._slot.dialog.close()
        dialog = MembersDialog(self._window)
        dialog.reset_requested.connect(lambda row: self._reset(dialog, row))
        dialog.sign_out_requested.connect(lambda row: self._sign_out(dialog, row))
        dialog.export_requested.connect(lambda row: self._export(dialog, row))
        dialog.erase_requested.connect(lambda row: self._erase(dialog, row))
        self._slot.open(dialog, modal=False)
        dialog.reload()
        dialog.search.setFocus()
        return dialog

    def _failed(self, dialog: MembersDialog, doing: str):
        return lambda exc: dialog.show_message(sentence(exc, doing), "error")

    def _reset(self, dialog: MembersDialog, row: MemberRow) -> None:
        from app.core import members, qr
        from app.gui.dialogs.members import RESET_QR_PIXELS

        actor = self._identity.actor()

        def issue():
            code, expires_at = members.issue_reset_code(row.email, actor)
            url = members.reset_url(code)
            return url, expires_at, qr.qr_png_bytes(url, size=RESET_QR_PIXELS)

        run_task(
            issue, lambda made: dialog.show_reset(row, *made), self._failed(dialog, "make a reset link"), context=dialog
        )

    def _sign_out(self, dialog: MembersDialog, row: MemberRow) -> None:
        from app.core import members

        run_task(
            lambda: members.sign_out_everywhere(row.id),
            lambda _none: dialog.show_message(f"{row.email} is signed out everywhere.", "success"),
            self._failed(dialog, "sign the member out"),
            context=dialog,
        )

    def _export(self, dialog: MembersDialog, row: MemberRow) -> None:
        self._prompts.save_file_name(
            dialog,
            "Export the member's data",
            f"member-{row.id}.json",
            "JSON files (*.json)",
            lambda path: self._write(dialog, row, path),
        )

    def _write(self, dialog: MembersDialog, row: MemberRow, path: str) -> None:
        from app.core import members

        if not shiboken6.isValid(dialog):
            return
        path = with_suffix(path, ".json")
        run_task(
            lambda: members.save_export(row.id, path),
            lambda written: dialog.show_message(f"Exported the data of {row.email} to {written}.", "success"),
            self._failed(dialog, "export the member's data"),
            context=dialog,
        )

    def _erase(self, dialog: MembersDialog, row: MemberRow) -> None:
        from app.gui.dialogs.members import _erase_question

        run_task(
            lambda: _erase_question(row.id),
            lambda question: self._confirm_erase(dialog, row, question),
            self._failed(dialog, "erase the member"),
            context=dialog,
        )

    def _confirm_erase(self, dialog: MembersDialog, row: MemberRow, question: str) -> None:
        from app.core import members

        if not self._prompts.confirm_erase(dialog, question) or not shiboken6.isValid(dialog):
            return
        actor = self._identity.actor()

        def done(kept: int) -> None:
            stay = "no vouchers stay" if not kept else f"{kept:,} voucher{' stays' if kept == 1 else 's stay'} counted"
            dialog.show_message(f"The member {row.email} is erased; {stay}.", "success")
            dialog.reload()

        run_task(
            lambda: members.erase_member(row.id, actor), done, self._failed(dialog, "erase the member"), context=dialog
        )

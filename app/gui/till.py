"""The till: the toolbar's Find voucher field and the dialog it opens. A code typed or scanned is
looked up on a worker, in any batch; Redeem uses the voucher once."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from app.core import claims, templates, vouchers
from app.core.claims import RedeemOutcome
from app.core.database import WAITING
from app.core.errors import sentence

from . import style
from .dialogs import DialogSlot
from .find_voucher_dialog import FindVoucherDialog
from .tasks import run_task


class TillField(QLineEdit):
    """Where a scanner types. Enter hands the code over and empties the field for the next one."""

    code_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TillField")
        self.setPlaceholderText("Find voucher: type or scan a code  (Ctrl+L)")
        self.setAccessibleName("Find voucher")
        self.setClearButtonEnabled(True)
        self.addAction(style.icon("scan"), QLineEdit.ActionPosition.LeadingPosition)
        self.setMinimumWidth(320)
        self.returnPressed.connect(self._on_return_pressed)

    def _on_return_pressed(self) -> None:
        code = self.text().strip()
        if code:
            self.clear()
            self.code_entered.emit(code)


def _offer(detail) -> dict:
    return templates.describe_offer(detail.template) if detail is not None and detail.template is not None else {}


def look_up(code: str):
    """On a worker: the voucher, its offer in words, and why the till would refuse it (or None)."""
    detail = vouchers.lookup(code)
    refused = claims.refusal(detail)
    return detail, _offer(detail), refused.message if refused else None


def redeem(code: str):
    """On a worker: the voucher as redeemed (or as it stands), its offer, the till's sentence, and
    whether it was redeemed now."""
    result = claims.redeem(code)
    return result.voucher, _offer(result.voucher), result.message, result.outcome is RedeemOutcome.REDEEMED


class TillController(QObject):
    redeemed = Signal()  # a voucher was used: the numbers changed
    closed = Signal()  # the dialog closed: back to the field for the next scan

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._slot = DialogSlot(self)

    def find(self, code: str) -> None:
        """Look the code up in the open dialog, or in a new one."""
        dialog = self._slot.dialog
        if dialog is None:
            dialog = FindVoucherDialog(code, self._window)
            dialog.lookup_requested.connect(lambda typed: self._look_up(dialog, typed))
            dialog.redeem_requested.connect(lambda typed: self._redeem(dialog, typed))
            dialog.finished.connect(self.closed)
            self._slot.open(dialog, modal=False)
        else:
            dialog.code.setText(code)
            self._slot.bring_forward()
        dialog.show_searching()
        self._look_up(dialog, code)

    def _look_up(self, dialog: FindVoucherDialog, code: str) -> None:
        run_task(
            lambda: look_up(code),
            lambda found: dialog.show_voucher(*found),
            lambda exc: dialog.show_not_found(sentence(exc, "look the code up")),
            context=dialog,
        )

    def _redeem(self, dialog: FindVoucherDialog, code: str) -> None:
        def done(answer) -> None:
            dialog.show_redeemed(*answer)
            self.redeemed.emit()

        run_task(
            lambda: redeem(code), done, lambda exc: dialog.show_error(sentence(exc, "redeem the voucher")),
            on_wait=lambda: dialog.show_waiting(WAITING), context=dialog,
        )  # fmt: skip

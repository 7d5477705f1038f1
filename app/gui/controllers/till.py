"""The till: the toolbar's Find voucher field and the dialog it opens. A code typed or scanned is
looked up on a worker, in any batch; Redeem uses the voucher once."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from app.core import money, templates, vouchers
from app.core.errors import sentence
from app.core.store import WAITING
from app.gui.kit import style
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.tasks import run_task

from .till_identity import TillIdentity
from .undo import UndoController

if TYPE_CHECKING:
    from app.gui.dialogs.find_voucher import FindVoucherDialog


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
    from app.core import claims

    detail = vouchers.lookup(code)
    refused = claims.refusal(detail)
    return detail, _offer(detail), refused.message if refused else None


def redeem(code: str, actor=None, order_total: str = "", override: bool = False):
    """On a worker: the voucher as redeemed (or as it stands), its offer, the till's sentence,
    whether it was redeemed now (by actor: this till and its staff member), and whether it was
    refused for an order total below the minimum purchase (override: redeem all the same)."""
    from app.core import claims
    from app.core.claims import RedeemOutcome

    result = claims.redeem(code, actor, money.order(order_total, override=override))
    return (
        result.voucher,
        _offer(result.voucher),
        result.message,
        result.outcome is RedeemOutcome.REDEEMED,
        result.outcome is RedeemOutcome.BELOW_MINIMUM,
    )


class TillController(QObject):
    redeemed = Signal()  # a voucher was used (or its use undone): the numbers changed
    closed = Signal()  # the dialog closed: back to the field for the next scan
    camera_requested = Signal(object)  # Scan with camera, from this find dialog
    dialog_opened = Signal(object)  # a find dialog was made (the camera says whether it can help)

    def __init__(self, window: QWidget, identity: TillIdentity, undo: UndoController) -> None:
        super().__init__(window)
        self._window = window
        self._identity = identity
        self._undo = undo
        self._slot = DialogSlot(self)
        undo.undone.connect(self._on_undone)

    def find(self, code: str) -> None:
        """Look the code up in the open dialog, or in a new one."""
        from app.gui.dialogs.find_voucher import FindVoucherDialog
        from app.gui.dialogs.till_panel import TillPanel

        dialog = cast("FindVoucherDialog | None", self._slot.dialog)  # the only dialog this slot holds
        if dialog is None:
            dialog = FindVoucherDialog(code, self._window)
            dialog.lookup_requested.connect(lambda typed: self._look_up(dialog, typed))
            dialog.redeem_requested.connect(lambda typed, total, override: self._redeem(dialog, typed, total, override))
            dialog.camera_requested.connect(lambda: self.camera_requested.emit(dialog))
            dialog.undo_requested.connect(lambda typed: self._undo.open(typed, dialog))
            panel = TillPanel(self._identity)
            panel.undo_requested.connect(lambda typed: self._undo.open(typed, dialog))
            dialog.add_section(panel)
            dialog.finished.connect(self.closed)
            self._slot.open(dialog, modal=False)
            self.dialog_opened.emit(dialog)
            panel.refresh()
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

    def _redeem(self, dialog: FindVoucherDialog, code: str, order_total: str = "", override: bool = False) -> None:
        from app.gui.dialogs.till_panel import TillPanel

        def done(answer) -> None:
            dialog.show_redeemed(*answer)
            if not answer[4]:  # (below the minimum: nothing changed yet)
                cast(TillPanel, dialog.findChild(TillPanel)).refresh()  # every find dialog has one
                self.redeemed.emit()

        actor = self._identity.actor()
        run_task(
            lambda: redeem(code, actor, order_total, override),
            done,
            lambda exc: dialog.show_error(sentence(exc, "redeem the voucher")),
            on_wait=lambda: dialog.show_waiting(WAITING),
            context=dialog,
        )

    def _on_undone(self, result) -> None:
        """A redemption was undone (here or in the vouchers view): the open dialog shows it."""
        from app.gui.dialogs.till_panel import TillPanel

        dialog = cast("FindVoucherDialog | None", self._slot.dialog)
        if dialog is not None:
            cast(TillPanel, dialog.findChild(TillPanel)).refresh()  # every find dialog has one
            if dialog.detail is not None and result.voucher is not None and dialog.detail.code == result.voucher.code:
                dialog.show_searching()
                self._look_up(dialog, result.voucher.code)
        self.redeemed.emit()

"""Find voucher, for the till: a code typed sloppily or scanned (a scanner types and presses Enter)
finds its voucher in any batch; Redeem uses it once."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.core import claims
from app.core.claims import RedeemOutcome, RedeemResult
from app.core.vouchers import VoucherDetail

from . import style
from .voucher_model import local_time
from .widgets import restyle

STATUS_TEXT = {"unclaimed": "Not claimed yet", "claimed": "Claimed, not redeemed", "redeemed": "Redeemed"}


def refusal(detail: VoucherDetail) -> str | None:
    """Why the till would refuse this voucher, in the core's own words; None when it can be redeemed."""
    refused = claims.refusal(detail)
    return refused.message if refused else None


class FindVoucherDialog(QDialog):
    """Shows what the window found. The code field stays focused and selected, so the next scan
    replaces it; Enter looks up, it never redeems: only the Redeem button (Alt+R) does."""

    lookup_requested = Signal(str)
    redeem_requested = Signal(str)

    def __init__(self, code: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find voucher")
        self.detail: VoucherDetail | None = None
        self.code = QLineEdit(code)
        self.code.setPlaceholderText("Type or scan a voucher code")
        self.code.setClearButtonEnabled(True)
        self.code.addAction(style.icon("scan"), QLineEdit.ActionPosition.LeadingPosition)
        font = self.code.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.code.setFont(font)
        self.code.returnPressed.connect(self._on_return_pressed)
        find = QPushButton(style.icon("search"), "Find")
        find.setAutoDefault(False)
        find.clicked.connect(self._on_return_pressed)

        self.notice = QLabel()
        self.notice.setObjectName("Notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields: dict[str, QLabel] = {}
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        for key, caption in (("code", "Code"), ("batch", "Batch"), ("status", "Status"), ("member", "Member"),
                             ("offer", "Offer"), ("expiry", "Expires"), ("terms", "Terms")):  # fmt: skip
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = label
            form.addRow(f"{caption}:", label)
        self.details.hide()

        self.redeem_button = QPushButton(style.icon("check"), "&Redeem")
        self.redeem_button.setAutoDefault(False)
        self.redeem_button.clicked.connect(self._on_redeem_clicked)
        self.redeem_button.hide()
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)

        search = QHBoxLayout()
        search.addWidget(self.code, 1)
        search.addWidget(find)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.redeem_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(search)
        layout.addSpacing(8)
        layout.addWidget(self.notice)
        layout.addWidget(self.details)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    def _on_return_pressed(self) -> None:
        text = self.code.text().strip()
        if text:
            self.show_searching()
            self.lookup_requested.emit(text)

    def _on_redeem_clicked(self) -> None:
        if self.detail is not None:
            self.redeem_button.setEnabled(False)
            self.redeem_requested.emit(self.detail.code)

    def _focus_code(self) -> None:
        self.code.setFocus()
        self.code.selectAll()

    def _set_notice(self, text: str, kind: str) -> None:
        self.notice.setText(text)
        self.notice.setProperty("kind", kind)
        restyle(self.notice)

    def show_searching(self) -> None:
        self._set_notice("Looking up…", "info")

    def show_not_found(self, message: str) -> None:
        self.detail = None
        self.details.hide()
        self.redeem_button.hide()
        self._set_notice(message, "error")
        self._focus_code()

    def show_voucher(self, detail: VoucherDetail, offer: dict) -> None:
        """The voucher found, with a Redeem button if it can be redeemed, or the core's reason not."""
        self.detail = detail
        self.fields["code"].setText(detail.code)
        self.fields["batch"].setText(detail.batch_name + ("  (paused)" if detail.batch_status == "paused" else ""))
        status = STATUS_TEXT.get(detail.status, detail.status)
        if detail.status == "redeemed":
            status += f" on {local_time(detail.redeemed_at)}"
        elif detail.status == "claimed":
            status = f"Claimed on {local_time(detail.claimed_at)}, not redeemed"
        self.fields["status"].setText(status)
        self.fields["member"].setText(detail.member or "—")
        self.fields["offer"].setText(f"{offer['discount']} · {offer['min_purchase']}" if offer else "—")
        if detail.expires_at is not None:
            expiry = local_time(detail.expires_at) + ("  (expired)" if detail.expired else "")
        else:
            expiry = offer.get("expiry", "—") if offer else "—"
        self.fields["expiry"].setText(expiry)
        self.fields["terms"].setText((offer or {}).get("terms") or "—")
        self.details.show()
        reason = refusal(detail)
        if reason is None:
            self._set_notice("This voucher can be redeemed.", "success")
            self.redeem_button.show()
            self.redeem_button.setEnabled(True)
        else:
            self._set_notice(reason, "error" if detail.status != "unclaimed" else "warning")
            self.redeem_button.hide()
        self._focus_code()

    def show_redeemed(self, result: RedeemResult, offer: dict | None) -> None:
        """The till's answer: redeemed, or the core's refusal (another till was quicker, ...)."""
        if result.voucher is not None:
            self.show_voucher(result.voucher, offer or {})
        self._set_notice(result.message, "success" if result.outcome is RedeemOutcome.REDEEMED else "error")
        self.redeem_button.hide()
        self._focus_code()

    def show_error(self, message: str) -> None:
        self._set_notice(message, "error")
        self.redeem_button.setEnabled(True)
        self._focus_code()

    def notice_text(self) -> str:
        return self.notice.text()

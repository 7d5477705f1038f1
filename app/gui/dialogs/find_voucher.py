"""Find voucher, for the till: a code typed sloppily or scanned (a scanner types and presses Enter)
finds its voucher in any batch; Redeem uses it once. The dialog shows what its controller found and
reports Find and Redeem."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import scans, times, wording
from app.core.vouchers import VoucherDetail
from app.gui.kit import style
from app.gui.kit.widgets import Notice, plain_label


def scan_hint(mix_up: str) -> str:
    """What the till says of a code read back from a keyboard mix-up ("" for one found as typed)."""
    if not mix_up:
        return ""
    return (
        f"Read as typed by {scans.MIX_UP_NAMED[mix_up].words}. Settings → Scanner tells how to set the scanner "
        "to match this PC."
    )


class FindVoucherDialog(QDialog):
    """The code field stays focused and selected, so the next scan replaces it; Enter looks up, it
    never redeems: only the Redeem button (Alt+R) does. It grows so a wrapped line always shows whole."""

    lookup_requested = Signal(str)
    redeem_requested = Signal(str, str, bool)  # (code, the order total as typed: "" for none, override the minimum)
    undo_requested = Signal(str)  # a redeemed voucher's code: Undo redemption…
    camera_requested = Signal()  # Scan with camera

    def __init__(self, code: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindVoucherDialog")
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
        self.camera_button = QPushButton(style.icon("qr"), "Scan with camera")
        self.camera_button.setAutoDefault(False)
        self.camera_button.clicked.connect(self.camera_requested)
        self.camera_button.hide()  # shown by the till when this PC has a camera and the decoder

        self.notice = Notice()
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields: dict[str, QLabel] = {}
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for key, caption in (
            ("code", "Code"),
            ("batch", "Batch"),
            ("status", "Status"),
            ("member", "Member"),
            ("offer", "Offer"),
            ("expiry", "Expires"),
            ("terms", "Terms"),
        ):
            label = plain_label()  # batch names, emails and terms are what people typed
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = label
            form.addRow(f"{caption}:", label)
        self.details.hide()
        self.scanned = plain_label()  # which keyboard mix-up the scan was read back from
        self.scanned.setObjectName("Hint")
        self.scanned.setWordWrap(True)
        self.scanned.hide()

        self.order_total = QLineEdit()
        self.order_total.setObjectName("OrderTotal")
        self.order_total.setAccessibleName("Order total")
        self.order_total.setPlaceholderText("optional, e.g. 25.50")
        self.order_total.setToolTip(
            "The order's total, if you have it: kept with the redemption for the sales with vouchers and the "
            "discount given, and checked against the offer's minimum purchase"
        )
        self.order_total.setMaximumWidth(160)
        self.order_caption = plain_label("Order total:")
        self.order_caption.setBuddy(self.order_total)
        self.order_total.hide()
        self.order_caption.hide()
        self.anyway_button = QPushButton("Redeem &anyway")
        self.anyway_button.setAutoDefault(False)
        self.anyway_button.setToolTip("Redeem although the order total is below the offer's minimum purchase")
        self.anyway_button.clicked.connect(lambda: self._on_redeem_clicked(override=True))
        self.anyway_button.hide()

        self.redeem_button = QPushButton(style.icon("check"), "&Redeem")
        self.redeem_button.setAutoDefault(False)
        self.redeem_button.clicked.connect(lambda: self._on_redeem_clicked())
        self.redeem_button.hide()
        self.undo_button = QPushButton("&Undo redemption…")
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.undo_button.hide()
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)

        search = QHBoxLayout()
        search.addWidget(self.code, 1)
        search.addWidget(find)
        search.addWidget(self.camera_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.order_caption)
        buttons.addWidget(self.order_total)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.anyway_button)
        buttons.addWidget(self.redeem_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(search)
        layout.addSpacing(8)
        layout.addWidget(self.notice)
        layout.addWidget(self.scanned)
        layout.addWidget(self.details)
        layout.addStretch(1)
        self._sections = QVBoxLayout()
        layout.addLayout(self._sections)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    # What the controller found ----------------------------------------------------------------
    def show_searching(self) -> None:
        self._say("Looking up…", "info")
        self._fit_height()

    def show_not_found(self, message: str) -> None:
        self.detail = None
        self.details.hide()
        self.scanned.hide()
        self._show_redeem(False)
        self.undo_button.hide()
        self._say(message, "error")
        self._focus_code()

    def show_camera(self, available: bool, why_not: str = "") -> None:
        """Scan with camera: shown where it can work; where it cannot, the reason is its tooltip."""
        self.camera_button.setVisible(True)
        self.camera_button.setEnabled(available)
        self.camera_button.setToolTip("Read a QR code with this PC's camera" if available else why_not)

    def show_voucher(self, detail: VoucherDetail, offer: dict, refusal: str | None) -> None:
        """The voucher found, with a Redeem button if it can be redeemed, or the core's reason not."""
        self.detail = detail
        self.fields["code"].setText(detail.code)
        self.fields["batch"].setText(detail.batch_name + ("  (paused)" if detail.batch_status == "paused" else ""))
        self.fields["status"].setText(wording.state_line(detail))
        self.fields["member"].setText(detail.member or "—")
        self.fields["offer"].setText(f"{offer['discount']} · {offer['min_purchase']}" if offer else "—")
        if detail.expires_at is not None:
            expiry = times.local_text(detail.expires_at, zone=True) + (
                "  (expired)" if detail.state == "expired" else ""
            )
        else:
            expiry = offer.get("expiry", "—") if offer else "—"
        self.fields["expiry"].setText(expiry)
        self.fields["terms"].setText((offer or {}).get("terms") or "—")
        if detail.order_cents is not None:
            self.fields["status"].setText(f"{wording.state_line(detail)} · order {wording.money(detail.order_cents)}")
        self.details.show()
        self.scanned.setText(scan_hint(detail.scanned_as))
        self.scanned.setVisible(bool(detail.scanned_as))
        self.undo_button.setVisible(detail.status == "redeemed")
        self.anyway_button.hide()
        if refusal is None:
            self._say("This voucher can be redeemed.", "success")
            self._show_redeem(True)
            self.redeem_button.setEnabled(True)
        else:
            self._say(refusal, "error" if detail.state != "unclaimed" else "warning")
            self._show_redeem(False)
        self._focus_code()

    def show_redeemed(
        self, detail: VoucherDetail | None, offer: dict, message: str, redeemed: bool, below_minimum: bool = False
    ) -> None:
        """The till's answer: redeemed, or the core's refusal (another till was quicker, ...). Below
        the minimum purchase the voucher stays redeemable: Redeem anyway, or correct the total."""
        if below_minimum:
            self._say(message, "warning")
            self.redeem_button.setEnabled(True)
            self.anyway_button.setEnabled(True)
            self.anyway_button.show()
            self.order_total.setFocus()
            self.order_total.selectAll()
            self._fit_height()
            return
        if detail is not None:
            self.show_voucher(detail, offer, None)
        self._say(message, "success" if redeemed else "error")
        self._show_redeem(False)
        self.order_total.clear()
        self._focus_code()

    def show_waiting(self, message: str) -> None:
        """The redeem waits for the database that another program holds: say so; Redeem stays greyed."""
        self._say(message, "warning")

    def show_error(self, message: str) -> None:
        self._say(message, "error")
        self.redeem_button.setEnabled(True)
        self.anyway_button.setEnabled(True)
        self._focus_code()

    def add_section(self, widget: QWidget) -> None:
        """More of the till under the voucher (the last redemptions at this till)."""
        self._sections.addWidget(widget)

    # Inside -----------------------------------------------------------------------------------
    def _on_undo_clicked(self) -> None:
        if self.detail is not None:
            self.undo_requested.emit(self.detail.code)

    def _on_return_pressed(self) -> None:
        text = self.code.text().strip()
        if text:
            self.show_searching()
            self.lookup_requested.emit(text)

    def _on_redeem_clicked(self, override: bool = False) -> None:
        if self.detail is not None:
            self.redeem_button.setEnabled(False)
            self.anyway_button.setEnabled(False)
            self._say("Redeeming…", "info")  # not "can be redeemed" beside a greyed button
            self.redeem_requested.emit(self.detail.code, self.order_total.text().strip(), override)

    def _show_redeem(self, shown: bool) -> None:
        """Redeem, with the order total beside it, only while the voucher can be redeemed."""
        self.redeem_button.setVisible(shown)
        self.order_total.setVisible(shown)
        self.order_caption.setVisible(shown)
        self.anyway_button.setEnabled(True)
        if not shown:
            self.anyway_button.hide()

    def _focus_code(self) -> None:
        """Ready for the next scan; and as the lines shown have changed, tall enough for them."""
        self._fit_height()
        self.code.setFocus()
        self.code.selectAll()

    def _say(self, text: str, kind: str) -> None:
        self.notice.say(text, kind)

    def _fit_height(self) -> None:
        """Wrapped lines need more height at this width than Qt gives a dialog by itself."""
        layout = cast(QLayout, self.layout())  # (set when it was made)
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        if needed < 0:
            needed = layout.totalMinimumSize().height()
        self.setMinimumHeight(min(needed, self.screen().availableGeometry().height()))
        if self.height() < self.minimumHeight():
            self.resize(self.width(), self.minimumHeight())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_height()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_height()  # narrower: more lines

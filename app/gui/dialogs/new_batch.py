"""New batch: name, description, channel, offer (a template, or a new one made here), public title,
quantity, code prefix and claim window; also "New batch like this…", filled in from another batch. The
dialog reports what is asked (a template, a batch, a stop, a name to check); its controller calls the
core and tells it how it went. It stays open on a refusal, so nothing typed is lost. Nothing is made
by a stray Enter: Create batch is pressed, never defaulted to, and the channel is chosen, never assumed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.store.models import MAX_QUANTITY
from app.core.templates import NEVER
from app.gui.kit import style
from app.gui.kit.widgets import Notice

from .campaign import NameField, WindowFields, channel_box, keep_enter, text_box

QUANTITY_HINT = (
    "Expect 200 claims? Generate 300–400.\n"
    "A little more than you expect covers testing and overrun; unused vouchers cost nothing."
)
PREFIX_HINT = "Optional: up to 8 letters or digits in front of every code, e.g. SUMMER-K7QM-3XT9-PA."
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


@dataclass(frozen=True)
class LikeThis:
    """What "New batch like this…" fills the dialog in with: the batch's offer, channel, public title,
    description, code prefix and quantity, under a name of its own (a free one suggested)."""

    batch_id: int
    batch_name: str
    name: str
    template_id: int
    offer: str  # the offer in words, as the offer list names it (listed even when archived)
    channel: str
    title: str
    description: str
    prefix: str
    quantity: int


class TemplateForm(QGroupBox):
    """A new offer, made in place: title, discount, minimum purchase, expiry and terms. Enter in it
    creates the template, never the batch."""

    submitted = Signal()
    # the title field hides QGroupBox.title() (the box's own caption), which nothing here calls
    title: QLineEdit  # type: ignore[assignment]

    def __init__(
        self, parent: QWidget | None = None, caption: str = "New offer template", submit: str = "Create template"
    ) -> None:
        super().__init__(caption, parent)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. 10% off, spend $20")
        self.title.setMaxLength(120)
        self.discount = QLineEdit()
        self.discount.setPlaceholderText("10% or 5.00")
        self.min_purchase = QLineEdit()
        self.min_purchase.setPlaceholderText("0.00 (none)")
        self.expiry_kind = QComboBox()
        self.expiry_kind.addItem("Days after claim", "days")
        self.expiry_kind.addItem("On a fixed last day", "date")
        self.expiry_kind.addItem("Never expires", "never")
        self.days = QSpinBox()
        self.days.setRange(1, 3650)
        self.days.setValue(30)
        self.days.setSuffix(" days")
        self.until = QDateEdit(QDate.currentDate().addMonths(3))
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("yyyy-MM-dd")
        self.until.hide()
        self.expiry_kind.currentIndexChanged.connect(self._on_expiry_kind_changed)
        self.terms = text_box("e.g. One per visit. Not valid with other offers.")
        self.create_button = QPushButton(style.icon("check"), submit)
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.submitted)
        self.hide_button = QPushButton("Cancel")
        self.hide_button.setAutoDefault(False)
        self.offer_locked = False  # editing a template whose vouchers are claimed: its offer stays

        expiry = QHBoxLayout()
        expiry.addWidget(self.expiry_kind)
        expiry.addWidget(self.days)
        expiry.addWidget(self.until)
        expiry.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.hide_button)
        buttons.addWidget(self.create_button)
        form = QFormLayout(self)
        form.addRow("Title", self.title)
        form.addRow("Discount", self.discount)
        form.addRow("Minimum purchase", self.min_purchase)
        form.addRow("Expiry", expiry)
        form.addRow("Terms", self.terms)
        form.addRow(buttons)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter that a field of the form leaves unused (a line edit, a spin box) stops here: it
        would otherwise reach the dialog and press its default button, Create batch."""
        if event.key() in ENTER_KEYS:
            event.accept()
            if self.isEnabled():
                self.submitted.emit()
            return
        super().keyPressEvent(event)

    def _on_expiry_kind_changed(self) -> None:
        kind = self.expiry_kind.currentData()
        self.days.setVisible(kind == "days")
        self.until.setVisible(kind == "date")

    def fill(self, template: Any) -> None:
        """Show a template's words and offer, to be edited."""
        self.title.setText(template.title)
        value = Decimal(template.discount_value)
        shown = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
        self.discount.setText(f"{shown}%" if template.discount_kind == "percent" else f"{value:.2f}")
        minimum = Decimal(template.min_purchase or 0)
        self.min_purchase.setText(f"{minimum:.2f}" if minimum else "")
        if template.valid_days:
            self.expiry_kind.setCurrentIndex(self.expiry_kind.findData("days"))
            self.days.setValue(int(template.valid_days))
        elif template.expires_on:
            self.expiry_kind.setCurrentIndex(self.expiry_kind.findData("date"))
            self.until.setDate(QDate(template.expires_on.year, template.expires_on.month, template.expires_on.day))
        else:
            self.expiry_kind.setCurrentIndex(self.expiry_kind.findData("never"))
        self.terms.setPlainText(template.terms or "")

    def lock_offer(self, locked: bool) -> None:
        """The offer's fields, greyed while it cannot change (a voucher of it is claimed)."""
        self.offer_locked = locked
        for field in (self.discount, self.min_purchase, self.expiry_kind, self.days, self.until):
            field.setEnabled(not locked)

    def edit_values(self) -> dict[str, Any]:
        """Keyword arguments for core.templates.edit_template: the words, and the offer unless locked
        (the core changes only what differs)."""
        values: dict[str, Any] = {"title": self.title.text(), "terms": self.terms.toPlainText()}
        if not self.offer_locked:
            created = self.values()
            values["discount"] = created["discount"]
            values["min_purchase"] = created["min_purchase"]
            values["expiry"] = created.get("valid_days") or created.get("expires_on") or NEVER
        return values

    def values(self) -> dict[str, Any]:
        """Keyword arguments for core.templates.create_template."""
        values: dict[str, Any] = {
            "title": self.title.text(),
            "discount": self.discount.text(),
            "min_purchase": self.min_purchase.text().strip() or "0",
            "terms": self.terms.toPlainText(),
        }
        kind = self.expiry_kind.currentData()
        if kind == "days":
            values["valid_days"] = self.days.value()
        elif kind == "date":
            values["expires_on"] = self.until.date().toPython()
        return values


class NewBatchDialog(QDialog):
    """offers: (template id, the offer in words) for every template, as the controller read them."""

    template_requested = Signal(dict)  # keyword arguments for templates.create_template
    create_requested = Signal(dict)  # what to create: batches.create_batch's words, the window as typed
    stop_requested = Signal()  # Stop while generating
    name_edited = Signal(str)  # a name typed: is it taken?

    def __init__(
        self, offers: list[tuple[int, str]], parent: QWidget | None = None, like: LikeThis | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NewBatchDialog")
        self.setWindowTitle(f"New batch like “{like.batch_name}”" if like else "New batch")
        self._generating = False
        self.like = like

        self.name_field = NameField()
        self.name_field.name_edited.connect(self.name_edited)
        self.name = self.name_field.edit
        self.name.setPlaceholderText("e.g. Summer 2025 - Instagram Post")
        self.description = text_box("Shown on the claim page under the name")
        self.channel = channel_box()
        self.title = QLineEdit()
        self.title.setMaxLength(120)
        self.title.setAccessibleName("Public title")
        self.title.setPlaceholderText("What members read (empty: the offer's name)")
        self.window_fields = WindowFields()
        self.template = QComboBox()
        self.template.setMinimumContentsLength(30)
        self.new_template_button = QPushButton(style.icon("plus"), "New template…")
        self.new_template_button.setAutoDefault(False)
        self.template_form = TemplateForm()
        self.template_form.submitted.connect(self._on_template_submitted)
        self.template_form.hide_button.clicked.connect(lambda: self._show_template_form(False))
        self.new_template_button.clicked.connect(lambda: self._show_template_form(True))
        self.quantity = QSpinBox()
        self.quantity.setRange(1, MAX_QUANTITY)
        self.quantity.setValue(300)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.setMinimumWidth(140)
        self.quantity.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        quantity_hint = QLabel(QUANTITY_HINT)  # not word-wrapped: wrapped labels size badly in forms
        quantity_hint.setObjectName("Hint")
        self.prefix = QLineEdit()
        self.prefix.setMaxLength(8)
        self.prefix.setMaximumWidth(self.fontMetrics().horizontalAdvance("W") * 12)
        self.prefix.setPlaceholderText("optional, e.g. SUMMER")
        self.prefix.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z0-9]{0,8}"), self.prefix))
        self.prefix.textEdited.connect(lambda text: self.prefix.setText(text.upper()))
        prefix_hint = QLabel(PREFIX_HINT)
        prefix_hint.setObjectName("Hint")

        self.progress = QProgressBar()
        self.progress.hide()
        self.notice = Notice()
        self.notice.hide()
        self.create_button = QPushButton("Create batch")
        self.create_button.setAutoDefault(False)  # pressed, never defaulted to: Enter in a field creates nothing
        self.create_button.clicked.connect(self._on_create_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        template_row = QHBoxLayout()
        template_row.addWidget(self.template, 1)
        template_row.addWidget(self.new_template_button)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.addRow("Name", self.name_field)
        self.form.addRow("Description", self.description)
        self.form.addRow("Channel", self.channel)
        self.form.addRow("Offer", template_row)
        self.form.addRow(self.template_form)
        self.form.addRow("Public title", self.title)
        self.form.addRow("Quantity", self.quantity)
        self.form.addRow("", quantity_hint)
        self.form.addRow("Code prefix", self.prefix)
        self.form.addRow("", prefix_hint)
        self.form.addRow("Schedule", self.window_fields)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        self.fields = QWidget()
        self.fields.setLayout(self.form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.fields)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 110)

        for template_id, text in offers:
            self.template.addItem(text, template_id)
        if like is not None:
            self._fill_like(like)
        if not offers and like is None:
            self.template.addItem("No templates yet: create one below", None)
        self._show_template_form(not offers and like is None)
        self.name.setFocus()
        self.name.selectAll()

    def _fill_like(self, like: LikeThis) -> None:
        if self.template.findData(like.template_id) < 0:  # an archived offer: still this batch's
            self.template.addItem(like.offer, like.template_id)
        self.template.setCurrentIndex(self.template.findData(like.template_id))
        self.name.setText(like.name)
        self.channel.setCurrentText(like.channel)
        self.title.setText(like.title)
        self.description.setPlainText(like.description)
        self.prefix.setText(like.prefix)
        self.quantity.setValue(like.quantity)

    def values(self) -> dict:
        """batches.create_batch's words (the channel "" while none is chosen), with the claim window as
        typed (starts, ends: the store's time, or None) and the batch it is like."""
        return {
            "name": self.name.text(),
            "template": self.template.currentData(),
            "quantity": self.quantity.value(),
            "channel": self.channel.currentText() if self.channel.currentIndex() >= 0 else "",
            "description": self.description.toPlainText(),
            "prefix": self.prefix.text(),
            "title": self.title.text(),
            "starts": self.window_fields.starts_text(),
            "ends": self.window_fields.ends_text(),
            "like": self.like.batch_id if self.like is not None else None,
        }

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter in a field is not Create batch (a name typed and Enter once made 300 Email vouchers)."""
        if not keep_enter(self, event):
            super().keyPressEvent(event)

    def _on_create_clicked(self) -> None:
        if self.channel.currentIndex() < 0:
            self.notice.say(
                "Choose the channel this batch is for: the Channels page compares its claims and "
                "redemptions with the others'.",
                "error",
            )
            self.channel.setFocus()
            return
        if self.name_field.taken():
            self.name.setFocus()
            return
        self.create_requested.emit(self.values())

    # Templates --------------------------------------------------------------------------------
    def _show_template_form(self, shown: bool) -> None:
        self.template_form.setVisible(shown)
        self.new_template_button.setEnabled(not shown)
        if shown:
            self.template_form.title.setFocus()
        QTimer.singleShot(
            0, self, self.adjustSize
        )  # once the layout knows the new height (not after the dialog is gone)

    def _on_template_submitted(self) -> None:
        self.template_form.setEnabled(False)
        self.template_requested.emit(self.template_form.values())

    def add_template(self, template_id: int, text: str, title: str) -> None:
        """The template made in the form: listed, chosen, and the form closed."""
        self.template_form.setEnabled(True)
        if self.template.itemData(0) is None:
            self.template.removeItem(0)  # "No templates yet"
        self.template.addItem(text, template_id)
        self.template.setCurrentIndex(self.template.count() - 1)
        self._show_template_form(False)
        self.notice.say(f"Template “{title}” created.", "success")

    def show_template_refused(self, sentence: str) -> None:
        self.template_form.setEnabled(True)
        self.notice.say(sentence, "error")

    # Generation -------------------------------------------------------------------------------
    def show_generating(self) -> None:
        self._set_generating(True)

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"Generating… {done:,} of {total:,}")

    def show_refused(self, sentence: str, kind: str = "error") -> None:
        """No batch was made: the core's sentence (a rule, or a stop: kind warning)."""
        self._set_generating(False)
        self.notice.say(sentence, kind)

    def _set_generating(self, generating: bool) -> None:
        self._generating = generating
        self.fields.setEnabled(not generating)
        self.create_button.setEnabled(not generating)
        self.cancel_button.setText("Stop" if generating else "Cancel")
        self.cancel_button.setEnabled(True)
        self.progress.setVisible(generating)
        self.progress.setValue(0)
        self.progress.setFormat("Generating…")
        if generating:
            self.notice.hide()

    def _on_cancel_clicked(self) -> None:
        if self._generating:
            self.stop_requested.emit()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Stopping…")
        else:
            self.reject()

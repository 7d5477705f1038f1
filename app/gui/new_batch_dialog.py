"""New batch: name, description, channel, offer (a template, or a new one made here), quantity and
code prefix. The vouchers are generated on a worker, with a progress bar and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QDate, QRegularExpression, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import batches, templates
from app.core.errors import GenerationCancelled, VoucherError
from app.core.models import CHANNELS, MAX_QUANTITY, Template

from . import style
from .tasks import Task, run_task

QUANTITY_HINT = (
    "Expect 200 claims? Generate 300–400.\n"
    "A little more than you expect covers testing and overrun; unused vouchers cost nothing."
)
PREFIX_HINT = "Optional: up to 8 letters or digits in front of every code, e.g. SUMMER-K7QM-3XT9-PA."


def offer_text(template: Template, currency: str) -> str:
    offer = templates.describe_offer(template, currency)
    return f"{template.title}  —  {offer['discount']}, {offer['min_purchase'].lower()}, {offer['expiry'].lower()}"


class TemplateForm(QGroupBox):
    """A new offer, made in place: title, discount, minimum purchase, expiry and terms."""

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__("New offer template", parent)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. 10% off, spend $20")
        self.title.setMaxLength(120)
        self.discount = QLineEdit()
        self.discount.setPlaceholderText(f"10% or {currency}5.00")
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
        self.terms = QPlainTextEdit()
        self.terms.setPlaceholderText("e.g. One per visit. Not valid with other offers.")
        self.terms.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.create_button = QPushButton(style.icon("check"), "Create template")
        self.create_button.setAutoDefault(False)
        self.hide_button = QPushButton("Cancel")
        self.hide_button.setAutoDefault(False)

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

    def _on_expiry_kind_changed(self) -> None:
        kind = self.expiry_kind.currentData()
        self.days.setVisible(kind == "days")
        self.until.setVisible(kind == "date")

    def values(self) -> dict:
        """Keyword arguments for core.templates.create_template."""
        values = {
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
    """Reports the new batch through `created`; stays open on a refusal so nothing typed is lost."""

    created = Signal(object)  # BatchSummary
    template_created = Signal(object)  # Template

    def __init__(self, template_list: list[Template], currency: str = "$", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New batch")
        self._currency = currency
        self._task: Task | None = None

        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.name.setPlaceholderText("e.g. Summer 2025 - Instagram Post")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("Shown on the claim page under the name")
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.channel = QComboBox()
        self.channel.addItems(CHANNELS)
        self.template = QComboBox()
        self.template.setMinimumContentsLength(30)
        self.new_template_button = QPushButton(style.icon("plus"), "New template…")
        self.new_template_button.setAutoDefault(False)
        self.template_form = TemplateForm(currency)
        self.template_form.create_button.clicked.connect(self._on_create_template_clicked)
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
        self.notice = QLabel()
        self.notice.setObjectName("Notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.create_button = QPushButton("Create batch")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        template_row = QHBoxLayout()
        template_row.addWidget(self.template, 1)
        template_row.addWidget(self.new_template_button)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.addRow("Name", self.name)
        self.form.addRow("Description", self.description)
        self.form.addRow("Channel", self.channel)
        self.form.addRow("Offer", template_row)
        self.form.addRow(self.template_form)
        self.form.addRow("Quantity", self.quantity)
        self.form.addRow("", quantity_hint)
        self.form.addRow("Code prefix", self.prefix)
        self.form.addRow("", prefix_hint)
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

        self._fill_templates(template_list)
        self._show_template_form(not template_list)
        self.name.setFocus()

    # Templates --------------------------------------------------------------------------------
    def _fill_templates(self, template_list: list[Template], select_id: int | None = None) -> None:
        self.template.clear()
        for template in template_list:
            self.template.addItem(offer_text(template, self._currency), template.id)
        if not template_list:
            self.template.addItem("No templates yet: create one below", None)
        if select_id is not None:
            self.template.setCurrentIndex(self.template.findData(select_id))

    def _show_template_form(self, shown: bool) -> None:
        self.template_form.setVisible(shown)
        self.new_template_button.setEnabled(not shown)
        if shown:
            self.template_form.title.setFocus()
        QTimer.singleShot(0, self.adjustSize)  # once the layout knows the new height

    def _on_create_template_clicked(self) -> None:
        values = self.template_form.values()
        self.template_form.setEnabled(False)
        run_task(lambda: templates.create_template(**values), self._on_template_created, self._on_template_failed, context=self)

    def _on_template_created(self, template: Template) -> None:
        self.template_form.setEnabled(True)
        existing = [self.template.itemData(i) for i in range(self.template.count())]
        listed = [(self.template.itemText(i), data) for i, data in enumerate(existing) if data is not None]
        self.template.clear()
        for text, data in listed:
            self.template.addItem(text, data)
        self.template.addItem(offer_text(template, self._currency), template.id)
        self.template.setCurrentIndex(self.template.count() - 1)
        self._show_template_form(False)
        self._show_notice(f"Template “{template.title}” created.", "success")
        self.template_created.emit(template)

    def _on_template_failed(self, exc: Exception) -> None:
        self.template_form.setEnabled(True)
        self._show_notice(str(exc), "error")

    # Generation -------------------------------------------------------------------------------
    def values(self) -> dict:
        return {
            "name": self.name.text(),
            "template": self.template.currentData(),
            "quantity": self.quantity.value(),
            "channel": self.channel.currentText(),
            "description": self.description.toPlainText(),
            "prefix": self.prefix.text(),
        }

    def is_generating(self) -> bool:
        return self._task is not None

    def _on_create_clicked(self) -> None:
        values = self.values()
        if not values["name"].strip():
            self._show_notice("Give the batch a name.", "error")
            self.name.setFocus()
            return
        if values["template"] is None:
            self._show_notice("Choose the offer, or create a template for it.", "error")
            return
        self._set_generating(True)
        self._task = run_task(
            lambda task: batches.create_batch(**values, progress=task.report, should_stop=task.is_cancelled),
            self._on_generated,
            self._on_generation_failed,
            on_progress=self._on_progress,
            context=self,
        )

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"Generating… {done:,} of {total:,}")

    def _on_generated(self, summary) -> None:
        self._task = None
        self._set_generating(False)
        self.created.emit(summary)
        self.accept()

    def _on_generation_failed(self, exc: Exception) -> None:
        self._task = None
        self._set_generating(False)
        if isinstance(exc, GenerationCancelled):
            self._show_notice(str(exc), "warning")
        elif isinstance(exc, VoucherError):
            self._show_notice(str(exc), "error")
        else:
            self._show_notice(f"The batch could not be created: {exc}", "error")

    def _set_generating(self, generating: bool) -> None:
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
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Stopping…")
        else:
            self.reject()

    def reject(self) -> None:
        """Escape or the close button while generating stops the generation; nothing is written."""
        if self._task is not None:
            self._task.cancel()
        super().reject()

    def _show_notice(self, text: str, kind: str) -> None:
        self.notice.setText(text)
        self.notice.setProperty("kind", kind)
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.show()

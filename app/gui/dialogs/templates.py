"""Templates: every offer with its use (batches, claims), to edit (its name and terms always, its offer
while none of its vouchers is claimed), archive (hidden from New batch), restore, or delete when no batch
uses it. The dialog shows what it is given and reports what is asked; its controller does it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.store.models import Template
from app.core.templates import Use
from app.gui.kit.widgets import Notice, plain_label, plain_tip

from .new_batch import TemplateForm

COLUMNS = ("Template", "Offer", "Batches", "Claimed", "")


@dataclass(frozen=True)
class TemplateRow:
    """A template as the list shows it: the offer in words and what it is used for."""

    template: Template
    offer: str
    use: Use

    @property
    def archived(self) -> bool:
        return self.template.archived_at is not None


class TemplatesDialog(QDialog):
    edit_requested = Signal(int, dict)  # (template id, keyword arguments for templates.edit_template)
    archive_requested = Signal(int, bool)  # (template id, restore)
    delete_requested = Signal(int, str)  # (template id, its title)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TemplatesDialog")
        self.setWindowTitle("Templates")
        self.rows: list[TemplateRow] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.form = TemplateForm(caption="Edit the template", submit="Save")
        self.form.submitted.connect(self._on_save)
        self.form.hide_button.clicked.connect(lambda: self.form.hide())
        self.form.hide()
        self.locked = plain_label()
        self.locked.setObjectName("Hint")
        self.locked.setWordWrap(True)
        self.locked.hide()
        self.edit_button = QPushButton("Edit…")
        self.archive_button = QPushButton("Archive")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("DangerButton")
        for button in (self.edit_button, self.archive_button, self.delete_button):
            button.setAutoDefault(False)
        self.edit_button.clicked.connect(self._on_edit)
        self.archive_button.clicked.connect(self._on_archive)
        self.delete_button.clicked.connect(self._on_delete)
        self.notice = Notice()
        self.notice.hide()
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.archive_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        layout.addWidget(self.form)
        layout.addWidget(self.locked)
        layout.addLayout(buttons)
        self.resize(820, 560)
        self._on_selection()

    def show_rows(self, rows: list[TemplateRow]) -> None:
        chosen = self.selected()
        self.rows = list(rows)
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for position, row in enumerate(rows):
            cells = (
                row.template.title,
                row.offer,
                f"{row.use.batches:,}",
                f"{row.use.claimed:,}",
                "Archived" if row.archived else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tip(text))
                self.table.setItem(position, column, item)
        self.table.blockSignals(False)
        again = [n for n, row in enumerate(rows) if chosen is not None and row.template.id == chosen.template.id]
        if again:
            self.table.selectRow(again[0])
        self._on_selection()

    def selected(self) -> TemplateRow | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.rows[chosen[0].row()] if chosen and chosen[0].row() < len(self.rows) else None

    def _on_selection(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.archive_button, self.delete_button):
            button.setEnabled(row is not None)
        self.archive_button.setText("Restore" if row is not None and row.archived else "Archive")
        self.delete_button.setEnabled(row is not None and not row.use.batches)
        self.delete_button.setToolTip(
            "A template that batches use cannot be deleted: archive it instead" if row and row.use.batches else ""
        )
        if self.form.isVisible() and (row is None or row.template.id != self.form.property("template_id")):
            self.form.hide()
            self.locked.hide()

    def _on_edit(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.form.fill(row.template)
        self.form.setProperty("template_id", row.template.id)
        self.form.lock_offer(row.use.claimed > 0)
        self.locked.setText(
            f"{row.use.claimed:,} of its vouchers {'is' if row.use.claimed == 1 else 'are'} claimed: its offer is "
            "what members hold and stays as it is. Its name and terms can change."
        )
        self.locked.setVisible(row.use.claimed > 0)
        self.form.setEnabled(True)
        self.form.show()
        self.form.title.setFocus()

    def _on_save(self) -> None:
        values = self.form.edit_values()
        self.form.setEnabled(False)
        self.edit_requested.emit(int(self.form.property("template_id")), values)

    def _on_archive(self) -> None:
        row = self.selected()
        if row is not None:
            self.archive_requested.emit(row.template.id, row.archived)

    def _on_delete(self) -> None:
        row = self.selected()
        if row is not None:
            self.delete_requested.emit(row.template.id, row.template.title)

    def show_saved(self, sentence: str) -> None:
        self.form.setEnabled(True)
        self.form.hide()
        self.locked.hide()
        self.notice.say(sentence, "success")

    def show_message(self, sentence: str, kind: str) -> None:
        self.form.setEnabled(True)
        self.notice.say(sentence, kind)

"""The till's own section in Find voucher: this till's name, the staff member at it (both remembered
on this PC), and the last redemptions made here, each with Undo while it still stands."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import activity, times
from app.core.activity import MAX_NAME
from app.core.errors import sentence
from app.gui.controllers.till_identity import TillIdentity
from app.gui.kit.tasks import run_task
from app.gui.kit.widgets import Notice, plain_label

SHOWN = 8  # the last redemptions listed


class TillPanel(QWidget):
    """Reports Undo through undo_requested(code); refresh() reads the list again on a worker."""

    undo_requested = Signal(str)

    def __init__(self, identity: TillIdentity, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TillPanel")
        self._identity = identity
        self.till_name = QLineEdit(identity.till())
        self.till_name.setMaxLength(MAX_NAME)
        self.till_name.setAccessibleName("Till")
        self.till_name.editingFinished.connect(self._on_till_edited)
        self.staff = QComboBox()
        self.staff.setEditable(True)
        self.staff.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        staff_line = cast(QLineEdit, self.staff.lineEdit())  # editable: it has one
        staff_line.setMaxLength(MAX_NAME)
        staff_line.setPlaceholderText("Your name (recorded with each redemption)")
        self.staff.setEditText(identity.staff())
        self.staff.setAccessibleName("Staff")
        staff_line.editingFinished.connect(self._on_staff_edited)
        self.staff.activated.connect(lambda _index: self._on_staff_edited())

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("LastRedemptions")
        self.table.setHorizontalHeaderLabels(["Redeemed", "Code", "Batch", ""])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(self.fontMetrics().height() * 8)
        self.empty = plain_label("No redemptions at this till yet.")
        self.empty.setObjectName("Muted")
        self.notice = Notice()
        self.notice.hide()

        names = QFormLayout()
        names.setContentsMargins(0, 0, 0, 0)
        names.addRow("Till:", self.till_name)
        names.addRow("Staff:", self.staff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(names)
        layout.addWidget(plain_label("Last redemptions at this till:"))
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(self.notice)
        self.redemptions: list[activity.Redemption] = []

    def refresh(self) -> None:
        till = self._identity.till()
        run_task(
            lambda: (activity.last_redemptions(till, SHOWN), activity.staff_names()),
            lambda found: self._show(*found),
            lambda exc: self.notice.say(sentence(exc, "read the last redemptions"), "error"),
            context=self,
        )

    def _show(self, redemptions: list[activity.Redemption], staff_names: list[str]) -> None:
        self.redemptions = redemptions
        typed = self.staff.currentText()
        self.staff.blockSignals(True)
        self.staff.clear()
        self.staff.addItems(staff_names)
        self.staff.setEditText(typed)
        self.staff.blockSignals(False)
        self.table.setRowCount(0)  # (the Undo buttons go with their rows)
        self.table.setRowCount(len(redemptions))
        for row, redemption in enumerate(redemptions):
            entry = redemption.entry
            staff = f" · {entry.staff}" if entry.staff else ""
            for column, text in enumerate((times.local_text(entry.at) + staff, entry.code or "", entry.batch_name)):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if redemption.standing:
                button = QPushButton("Undo…")
                button.setAutoDefault(False)
                button.setAccessibleName(f"Undo redemption of {entry.code}")
                button.clicked.connect(lambda _checked=False, code=entry.code: self.undo_requested.emit(code))
                self.table.setCellWidget(row, 3, button)
            else:
                self.table.setItem(row, 3, QTableWidgetItem("Undone"))
        self.table.setVisible(bool(redemptions))
        self.empty.setVisible(not redemptions)
        self.notice.hide()

    def undo_buttons(self) -> list[QPushButton]:
        found = (self.table.cellWidget(row, 3) for row in range(self.table.rowCount()))
        return [button for button in found if isinstance(button, QPushButton)]

    def _on_till_edited(self) -> None:
        if self.till_name.text().strip() != self._identity.till():
            self._identity.set_till(self.till_name.text())
            self.till_name.setText(self._identity.till())
            self.refresh()

    def _on_staff_edited(self) -> None:
        self._identity.set_staff(self.staff.currentText())

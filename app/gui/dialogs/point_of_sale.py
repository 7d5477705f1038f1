"""Settings → Point of sale: the API's keys (make one, shown once; revoke) and the webhooks (add,
remove) with their deliveries (last status, next try). The page shows what its controller read and
reports what the person asks for; nothing here touches the database."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import api_keys, times, webhooks
from app.core.activity import MAX_NAME
from app.gui.kit import style
from app.gui.kit.widgets import Notice, plain_label

from .scanner_test import EnterField


def _table(headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.setMinimumHeight(table.fontMetrics().height() * 6)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))  # as typed: items show plain text


def status_text(status: int | None, error: str) -> str:
    if status is None:
        return "—"
    if status:
        return f"{status}"
    return f"no answer: {error}" if error else "no answer"


class PointOfSalePage(QWidget):
    create_key_requested = Signal(str)  # a name
    revoke_key_requested = Signal(str)
    add_webhook_requested = Signal(str, list, str)  # (url, events, secret: "" to have one made)
    remove_webhook_requested = Signal(str)
    deliveries_requested = Signal(str)  # a webhook's url
    refresh_requested = Signal()

    def __init__(self, api_address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PointOfSalePage")
        self.keys: list[api_keys.Key] = []
        self.hooks: list[webhooks.Hook] = []
        intro = plain_label(
            f"A point of sale looks vouchers up, redeems and undoes them at {api_address}, with a key. "
            "Webhooks tell another system of each claim, redemption and undo. The guide for whoever connects "
            "the point of sale: docs/pos-api.md."
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # API keys
        self.key_table = _table(["Name", "Key", "Created", "Last used", "State"], 0)
        self.key_table.setObjectName("ApiKeys")
        self.key_name = EnterField()
        self.key_name.setPlaceholderText('The till it is for, e.g. "Till 1"')
        self.key_name.setMaxLength(MAX_NAME)
        self.key_name.setAccessibleName("New key's name")
        self.key_name.entered.connect(self._on_create_key)
        self.create_key = QPushButton(style.icon("plus"), "Make key")
        self.create_key.setAutoDefault(False)
        self.create_key.clicked.connect(self._on_create_key)
        self.revoke_key = QPushButton("Revoke")
        self.revoke_key.setAutoDefault(False)
        self.revoke_key.setEnabled(False)
        self.revoke_key.clicked.connect(self._on_revoke_key)
        self.key_table.itemSelectionChanged.connect(self._on_key_selected)
        self.new_key = QLineEdit()
        self.new_key.setObjectName("NewKey")
        self.new_key.setReadOnly(True)
        self.new_key.setAccessibleName("The new key")
        self.copy_key = QPushButton(style.icon("copy"), "Copy")
        self.copy_key.setAutoDefault(False)
        self.copy_key.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.new_key.text()))
        self.key_notice = Notice()
        self.key_notice.hide()
        shown_once = QHBoxLayout()
        shown_once.addWidget(self.new_key, 1)
        shown_once.addWidget(self.copy_key)
        self._shown_once = QWidget()
        self._shown_once.setLayout(shown_once)
        self._shown_once.hide()
        make = QHBoxLayout()
        make.addWidget(self.key_name, 1)
        make.addWidget(self.create_key)
        make.addWidget(self.revoke_key)
        keys = QGroupBox("API keys")
        keys_layout = QVBoxLayout(keys)
        keys_layout.addWidget(self.key_table)
        keys_layout.addLayout(make)
        keys_layout.addWidget(self.key_notice)
        keys_layout.addWidget(self._shown_once)

        # webhooks
        self.hook_table = _table(["Webhook", "Events", "Delivered", "Waiting", "Failed", "Last status", "Next try"], 0)
        self.hook_table.setObjectName("Webhooks")
        self.hook_table.itemSelectionChanged.connect(self._on_hook_selected)
        self.hook_url = EnterField()
        self.hook_url.setPlaceholderText("https://pos.example.com/hooks/vouchers")
        self.hook_url.setAccessibleName("Webhook address")
        self.hook_url.entered.connect(self._on_add_hook)
        self.events = {event: QCheckBox(event) for event in webhooks.EVENTS}
        for box in self.events.values():
            box.setChecked(True)
        self.add_hook = QPushButton(style.icon("plus"), "Add webhook")
        self.add_hook.setAutoDefault(False)
        self.add_hook.clicked.connect(self._on_add_hook)
        self.remove_hook = QPushButton("Remove")
        self.remove_hook.setAutoDefault(False)
        self.remove_hook.setEnabled(False)
        self.remove_hook.clicked.connect(self._on_remove_hook)
        self.hook_notice = Notice()
        self.hook_notice.hide()
        self.delivery_table = _table(["Event at", "Event", "State", "Tries", "Last status", "Next try"], 4)
        self.delivery_table.setObjectName("Deliveries")
        self.refresh = QPushButton("Refresh")
        self.refresh.setAutoDefault(False)
        self.refresh.clicked.connect(self.refresh_requested)
        add = QHBoxLayout()
        add.addWidget(self.hook_url, 1)
        for box in self.events.values():
            add.addWidget(box)
        add.addWidget(self.add_hook)
        under = QHBoxLayout()
        under.addWidget(plain_label("Deliveries of the selected webhook:"))
        under.addStretch(1)
        under.addWidget(self.remove_hook)
        under.addWidget(self.refresh)
        hooks = QGroupBox("Webhooks")
        hooks_layout = QVBoxLayout(hooks)
        hooks_layout.addWidget(self.hook_table)
        hooks_layout.addLayout(add)
        hooks_layout.addWidget(self.hook_notice)
        hooks_layout.addLayout(under)
        hooks_layout.addWidget(self.delivery_table)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(keys)
        layout.addWidget(hooks, 1)

    # What the controller read ---------------------------------------------------------------------
    def show_keys(self, keys: list[api_keys.Key]) -> None:
        self.keys = keys
        _fill(
            self.key_table,
            [
                [
                    k.name,
                    k.prefix + "…",
                    times.local_text(k.created_at),
                    times.local_text(k.last_used_at) or "never",
                    f"revoked {times.local_text(k.revoked_at)}" if k.revoked_at else "in use",
                ]
                for k in keys
            ],
        )
        self._on_key_selected()

    def show_new_key(self, key: api_keys.Key, secret: str) -> None:
        """The key itself, this once: copy it into the point of sale now."""
        self.key_name.clear()
        self.new_key.setText(secret)
        self._shown_once.show()
        self.key_notice.say(
            f"API key “{key.name}” made. It is shown this once, here: copy it into the point of sale now "
            "(as Authorization: Bearer <key>).",
            "success",
        )

    def show_key_said(self, text: str, kind: str) -> None:
        self._shown_once.hide()
        self.new_key.clear()
        self.key_notice.say(text, kind)

    def show_hooks(self, hooks: list[webhooks.Hook]) -> None:
        selected = self.selected_hook()
        self.hooks = hooks
        _fill(
            self.hook_table,
            [
                [
                    h.url,
                    ", ".join(h.events),
                    f"{h.delivered:,}",
                    f"{h.pending:,}",
                    f"{h.failed:,}",
                    status_text(h.last_status, h.last_error),
                    times.local_text(h.next_try_at) or "—",
                ]
                for h in hooks
            ],
        )
        urls = [h.url for h in hooks]
        if selected in urls:
            self.hook_table.selectRow(urls.index(selected))
        elif hooks:
            self.hook_table.selectRow(0)
        else:
            self.delivery_table.setRowCount(0)

    def show_deliveries(self, url: str, found: list[webhooks.Delivery]) -> None:
        if url != self.selected_hook():
            return
        _fill(
            self.delivery_table,
            [
                [
                    times.local_text(d.created_at),
                    d.event,
                    d.state,
                    f"{d.attempts}",
                    status_text(d.last_status, d.last_error),
                    times.local_text(d.next_try_at) or "—",
                ]
                for d in found
            ],
        )

    def show_hook_added(self, hook: webhooks.Hook) -> None:
        self.hook_url.clear()
        self.hook_notice.say(
            f"Webhook added: {hook.url} gets {', '.join(hook.events)}. Its secret, which the receiver checks "
            f"each delivery's signature with: {hook.secret}",
            "success",
        )
        self.hook_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_hook_said(self, text: str, kind: str) -> None:
        self.hook_notice.say(text, kind)

    def selected_hook(self) -> str:
        rows = self.hook_table.selectionModel().selectedRows() if self.hook_table.selectionModel() else []
        return self.hooks[rows[0].row()].url if rows and rows[0].row() < len(self.hooks) else ""

    def selected_key(self) -> api_keys.Key | None:
        rows = self.key_table.selectionModel().selectedRows() if self.key_table.selectionModel() else []
        return self.keys[rows[0].row()] if rows and rows[0].row() < len(self.keys) else None

    # Inside ------------------------------------------------------------------------------------
    def _on_create_key(self) -> None:
        self.create_key_requested.emit(self.key_name.text())

    def _on_key_selected(self) -> None:
        key = self.selected_key()
        self.revoke_key.setEnabled(key is not None and key.active)

    def _on_revoke_key(self) -> None:
        key = self.selected_key()
        if key is not None and key.active:
            self.revoke_key_requested.emit(key.name)

    def _on_add_hook(self) -> None:
        chosen = [event for event, box in self.events.items() if box.isChecked()]
        self.add_webhook_requested.emit(self.hook_url.text(), chosen, "")

    def _on_remove_hook(self) -> None:
        url = self.selected_hook()
        if url:
            self.remove_webhook_requested.emit(url)

    def _on_hook_selected(self) -> None:
        url = self.selected_hook()
        self.remove_hook.setEnabled(bool(url))
        if url:
            self.deliveries_requested.emit(url)

"""Campaigns › Batches: the breadcrumb over the dashboard, or over one batch's vouchers."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core.batches import BatchSummary

from . import cards
from .dashboard import Dashboard
from .vouchers_view import VouchersView


class BatchPages(QWidget):
    message = Signal(str, str)  # (sentence, kind), from the vouchers view
    export_requested = Signal(object, object, str)  # (BatchSummary, status or None, search)
    undo_requested = Signal(str)  # a redeemed voucher's code, from the vouchers view
    activity_requested = Signal(object)  # a BatchSummary, from the vouchers view

    def __init__(self, dashboard: Dashboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard = dashboard
        self.vouchers_view: VouchersView | None = None
        self.breadcrumb = QLabel()  # rich text on purpose (a link back): the batch name in it is escaped
        self.breadcrumb.setObjectName("Breadcrumb")
        self.breadcrumb.setContentsMargins(16, 0, 16, 0)
        self.breadcrumb.linkActivated.connect(lambda _link: self.show_dashboard())
        dashboard.requested.connect(self._on_card_requested)
        self.stack = QStackedWidget()
        self.stack.addWidget(dashboard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.breadcrumb)
        self._bar_holder = QVBoxLayout()
        self._bar_holder.setContentsMargins(16, 0, 16, 0)
        layout.addLayout(self._bar_holder)
        layout.addWidget(self.stack, 1)
        self._set_breadcrumb(None)

    def add_bar(self, bar: QWidget) -> None:
        """The window's message bar, under the breadcrumb."""
        self._bar_holder.addWidget(bar)

    def _on_card_requested(self, action: str, summary: BatchSummary) -> None:
        if action == cards.VOUCHERS:  # the card's other buttons are the batch actions'
            self.open_vouchers(summary)

    def open_vouchers(self, summary: BatchSummary) -> VouchersView:
        self._close_vouchers_view()
        view = VouchersView(summary)
        view.back_requested.connect(self.show_dashboard)
        view.message.connect(self.message)
        view.export_requested.connect(self.export_requested)
        view.undo_requested.connect(self.undo_requested)
        view.activity_requested.connect(self.activity_requested)
        self.vouchers_view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self._set_breadcrumb(summary.name)
        view.table.setFocus()
        return view

    def show_dashboard(self) -> None:
        self._close_vouchers_view()
        self.stack.setCurrentWidget(self.dashboard)
        self._set_breadcrumb(None)

    def forget_batch(self, batch_id: int) -> None:
        """A batch was deleted: its vouchers are no longer there to show."""
        if self.vouchers_view is not None and self.vouchers_view.summary.id == batch_id:
            self.show_dashboard()

    def reload_vouchers(self) -> None:
        """The table is a snapshot of its filter: F5 reads it again."""
        if self.vouchers_view is not None:
            self.vouchers_view.model.reload()

    def focus_search(self) -> None:
        target = self.vouchers_view.search if self.vouchers_view is not None else self.dashboard.search
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        target.selectAll()

    def _close_vouchers_view(self) -> None:
        if self.vouchers_view is not None:
            self.stack.removeWidget(self.vouchers_view)
            self.vouchers_view.deleteLater()
            self.vouchers_view = None

    def _set_breadcrumb(self, batch_name: str | None) -> None:
        if batch_name is None:
            self.breadcrumb.setText("Campaigns  ›  Batches")
        else:
            step = "&nbsp; ›&nbsp; "  # rich text folds spaces: these keep the plain breadcrumb's two
            self.breadcrumb.setText(
                f'Campaigns{step}<a href="batches">Batches</a>{step}{html.escape(batch_name)}{step}Vouchers'
            )

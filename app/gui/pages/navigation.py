"""Campaigns › Batches: the breadcrumb over the dashboard, or over one page of its own (a batch's
vouchers, a batch's page, the channels)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core.batches import BatchSummary

from . import cards
from .dashboard import Dashboard

if TYPE_CHECKING:
    from .vouchers import VouchersView


class BatchPages(QWidget):
    message = Signal(str, str)  # (sentence, kind), from the vouchers view
    export_requested = Signal(object, object, str)  # (BatchSummary, status or None, search)
    undo_requested = Signal(str)  # a redeemed voucher's code, from the vouchers view
    activity_requested = Signal(object)  # a BatchSummary, from the vouchers view

    def __init__(self, dashboard: Dashboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard = dashboard
        self.vouchers_view: VouchersView | None = None
        self.page: QWidget | None = None  # the page shown instead of the dashboard (the vouchers view too)
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
        self._set_breadcrumb()

    def add_bar(self, bar: QWidget) -> None:
        """The window's message bar, under the breadcrumb."""
        self._bar_holder.addWidget(bar)

    def _on_card_requested(self, action: str, summary: BatchSummary) -> None:
        if action == cards.VOUCHERS:  # the card's other buttons are the batch actions'
            self.open_vouchers(summary)

    def open_vouchers(self, summary: BatchSummary) -> VouchersView:
        from .vouchers import VouchersView  # (here: the page is made when first opened)

        view = VouchersView(summary)
        view.back_requested.connect(self.show_dashboard)
        view.message.connect(self.message)
        view.export_requested.connect(self.export_requested)
        view.undo_requested.connect(self.undo_requested)
        view.activity_requested.connect(self.activity_requested)
        self.show_page(view, summary.name, "Vouchers")
        self.vouchers_view = view
        view.table.setFocus()
        return view

    def show_page(self, page: QWidget, *trail: str) -> None:
        """Show this page instead of the dashboard (the page shown before is closed); trail: the
        breadcrumb's steps after Batches (a batch name among them is shown as typed)."""
        self._close_page()
        self.page = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self._set_breadcrumb(*trail)

    def show_dashboard(self) -> None:
        self._close_page()
        self.stack.setCurrentWidget(self.dashboard)
        self._set_breadcrumb()

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

    def _close_page(self) -> None:
        """Close the page shown instead of the dashboard, whichever it is."""
        if self.page is not None:
            self.stack.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None
        self.vouchers_view = None

    def _set_breadcrumb(self, *trail: str) -> None:
        if not trail:
            self.breadcrumb.setText("Campaigns  ›  Batches")
        else:
            step = "&nbsp; ›&nbsp; "  # rich text folds spaces: these keep the plain breadcrumb's two
            steps = step.join(html.escape(name) for name in trail)
            self.breadcrumb.setText(f'Campaigns{step}<a href="batches">Batches</a>{step}{steps}')

"""The batch card, as the spec draws it, and the grid that lays cards out to the window's width.

The grid builds cards only for the rows on screen and reuses them while scrolling, so a thousand
batches open as fast as ten, and a refresh touches only the cards whose numbers changed."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core import wording
from app.core.batches import BatchSummary
from app.gui.kit import style
from app.gui.kit.widgets import Spinner, plain_label, plain_tip, restyle

# What a card can ask for; the window decides how.
QR, VOUCHERS, PAUSE, RESUME, EXPORT, OPEN_PAGE, DELETE = (
    "qr",
    "vouchers",
    "pause",
    "resume",
    "export",
    "open_page",
    "delete",
)
TITLE = "title"
DETAILS = "details"  # the batch's page: its numbers over time
EDIT, LIKE, SCHEDULE, END = "edit", "like", "schedule", "end"  # edit it; a new batch like it; its window; end it

STATUS_TEXT = wording.STATE_WORDS_BATCH  # Scheduled, Active, Paused, Ended


class ElidedLabel(QLabel):
    """One line of plain text that ends in … when the card is too narrow; the whole text is its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(20)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(plain_tip(text.strip()))

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())
        painter.drawText(self.contentsRect(), int(self.alignment()), shown)


class TitleLabel(ElidedLabel):
    """The card's name: a click on it opens the batch's page."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleDescription("Click for the batch's page: its numbers over time")

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class Metric(QWidget):
    """A caption over a number: "Claimed" / "127"."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(caption)
        self.caption.setObjectName("MetricCaption")
        self.value = QLabel("0")
        self.value.setObjectName("MetricValue")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.45)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)

    def set_value(self, text: str) -> None:
        if self.value.text() != text:
            self.value.setText(text)


class BatchCard(QFrame):
    """One batch: name, QR button, actions menu; Total / Claimed / Redeemed; Redemption Rate and
    Available; channel; status badge; Vouchers button."""

    requested = Signal(str, object)  # (action, BatchSummary)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BatchCard")
        self.summary: BatchSummary | None = None

        self.title = TitleLabel()
        self.title.setObjectName("CardTitle")
        self.title.clicked.connect(lambda: self._request(DETAILS))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.description = ElidedLabel()
        self.description.setObjectName("CardDescription")
        self.window_line = ElidedLabel()  # when it opens or ends, in the store's time
        self.window_line.setObjectName("CardSchedule")

        self.qr_button = self._icon_button("qr", "Share: QR code and claim link")
        self.qr_button.clicked.connect(lambda: self._request(QR))
        self.actions_button = self._icon_button("more", "Actions")
        self.actions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.actions_button)
        self.details_action = self.menu.addAction(style.icon("activity"), "Details", lambda: self._request(DETAILS))
        self.edit_action = self.menu.addAction("Edit…", lambda: self._request(EDIT))
        self.like_action = self.menu.addAction(style.icon("plus"), "New batch like this…", lambda: self._request(LIKE))
        self.menu.addSeparator()
        self.pause_action = self.menu.addAction(style.icon("pause"), "Pause Batch", lambda: self._request(PAUSE))
        self.resume_action = self.menu.addAction(style.icon("play"), "Resume Batch", lambda: self._request(RESUME))
        self.schedule_action = self.menu.addAction("Schedule…", lambda: self._request(SCHEDULE))
        self.end_action = self.menu.addAction("End campaign…", lambda: self._request(END))
        self.menu.addSeparator()
        self.export_action = self.menu.addAction(
            style.icon("export"), "Export vouchers…", lambda: self._request(EXPORT)
        )
        self.open_action = self.menu.addAction(
            style.icon("external"), "Open claim page", lambda: self._request(OPEN_PAGE)
        )
        self.title_action = self.menu.addAction("Public title…", lambda: self._request(TITLE))
        self.menu.addSeparator()
        self.delete_action = self.menu.addAction(
            style.icon("trash", style.colors()["danger"]), "Delete Batch", lambda: self._request(DELETE)
        )
        self.actions_button.setMenu(self.menu)
        self.spinner = Spinner(self.actions_button)

        self.total = Metric("Total")
        self.claimed = Metric("Claimed")
        self.redeemed = Metric("Redeemed")
        self.rate = self._figure("Redemption Rate = Redeemed ÷ Claimed × 100%")
        self.available = self._figure("Available = Total − Claimed: vouchers members can still claim")
        self.channel = plain_label()
        self.channel.setObjectName("Channel")
        self.badge = QLabel()
        self.badge.setObjectName("Badge")
        self.vouchers_button = QPushButton(style.icon("ticket"), "Vouchers")
        self.vouchers_button.setToolTip("See this batch's vouchers")
        self.vouchers_button.clicked.connect(lambda: self._request(VOUCHERS))

        header = QHBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.title, 1)
        header.addWidget(self.qr_button)
        header.addWidget(self.actions_button)

        metrics = QGridLayout()
        metrics.setHorizontalSpacing(12)
        metrics.addWidget(self.total, 0, 0)
        metrics.addWidget(self.claimed, 0, 1)
        metrics.addWidget(self.redeemed, 0, 2)

        rates = QHBoxLayout()
        rates.setSpacing(4)
        rates.addWidget(self._caption("Redemption Rate:", self.rate))
        rates.addWidget(self.rate)
        rates.addStretch(1)
        rates.addWidget(self._caption("Available:", self.available))
        rates.addWidget(self.available)

        footer = QHBoxLayout()
        footer.setSpacing(6)
        footer.addWidget(self.channel)
        footer.addWidget(self.badge)
        footer.addStretch(1)
        footer.addWidget(self.vouchers_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 12, 12)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.description)
        layout.addWidget(self.window_line)
        layout.addSpacing(4)
        layout.addLayout(metrics)
        layout.addLayout(rates)
        layout.addSpacing(2)
        layout.addLayout(footer)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        """A right-click anywhere on the card opens the same actions menu as ···."""
        if self.actions_button.isEnabled():
            self.menu.popup(event.globalPos())

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        """A double-click opens the batch's vouchers, like the Vouchers button."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._request(VOUCHERS)
        else:
            super().mouseDoubleClickEvent(event)

    @staticmethod
    def _figure(tip: str) -> QLabel:
        label = plain_label()
        label.setObjectName("Figure")
        label.setToolTip(tip)
        return label

    @staticmethod
    def _caption(text: str, figure: QLabel) -> QLabel:
        caption = plain_label(text)
        caption.setToolTip(figure.toolTip())
        caption.setBuddy(figure)
        return caption

    def _icon_button(self, icon: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName("CardIconButton")
        button.setIcon(style.icon(icon))
        button.setIconSize(QSize(20, 20))
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    def _request(self, action: str) -> None:
        if self.summary is not None:
            self.requested.emit(action, self.summary)

    def set_summary(self, summary: BatchSummary) -> None:
        """Show this batch; only what changed is redrawn."""
        if summary == self.summary:
            return
        self.summary = summary
        self.title.setText(summary.name)
        self.description.setText(summary.description or " ")
        self.total.set_value(f"{summary.total:,}")
        self.claimed.set_value(f"{summary.claimed:,}")
        self.redeemed.set_value(f"{summary.redeemed:,}")
        self.rate.setText(summary.rate_text)
        self.available.setText(f"{summary.available:,}")
        self.channel.setText(summary.channel)
        self.channel.setToolTip(f"Channel: {summary.channel}")
        status_text = wording.batch_state_word(summary.status)
        if self.badge.property("status") != summary.status or self.badge.text() != f"● {status_text}":
            self.badge.setText(f"● {status_text}")
            self.badge.setProperty("status", summary.status)
            self.badge.setAccessibleName(f"Status: {status_text}")
            restyle(self.badge)
        self.window_line.setText(wording.schedule_line(summary.status, summary.starts_at, summary.ends_at) or " ")
        ended = summary.status == "ended"
        self.pause_action.setVisible(not summary.paused and not ended)
        self.resume_action.setVisible(summary.paused and not ended)
        self.schedule_action.setVisible(not ended)
        self.end_action.setVisible(not ended)
        self.setAccessibleName(f"Batch {summary.name}")

    def set_busy(self, busy: bool) -> None:
        """The spinner in the actions button while a pause or resume runs."""
        if busy:
            self.spinner.start()
        else:
            self.spinner.stop()
        self.actions_button.setEnabled(not busy)


class CardGrid(QAbstractScrollArea):
    """Cards in rows that reflow with the width; only the rows on screen have card widgets."""

    requested = Signal(str, object)
    MIN_CARD_WIDTH = 330
    SPACING = 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._summaries: list[BatchSummary] = []
        self._pool: list[BatchCard] = []
        self._shown: dict[int, BatchCard] = {}
        self._busy: set[int] = set()
        self._card_height = 0

    # Data -------------------------------------------------------------------------------------
    def set_summaries(self, summaries: list[BatchSummary]) -> None:
        """Show these batches in this order. With the same batches in the same order (the usual
        refresh), only cards whose batch changed are touched."""
        same_order = len(summaries) == len(self._summaries) and all(
            a.id == b.id for a, b in zip(summaries, self._summaries, strict=True)
        )
        self._summaries = list(summaries)
        if same_order:
            by_id = {s.id: s for s in summaries}
            for batch_id, card in self._shown.items():
                card.set_summary(by_id[batch_id])
        else:
            self._relayout()

    def card_for(self, batch_id: int) -> BatchCard | None:
        """The card of that batch if it is on screen."""
        return self._shown.get(batch_id)

    def set_busy(self, batch_id: int, busy: bool) -> None:
        (self._busy.add if busy else self._busy.discard)(batch_id)
        card = self._shown.get(batch_id)
        if card is not None:
            card.set_busy(busy)

    # Layout -----------------------------------------------------------------------------------
    def _row_height(self) -> int:
        if not self._card_height:
            probe = self._take_card()
            self._card_height = probe.sizeHint().height()
            self._pool.append(probe)
        return self._card_height + self.SPACING

    def _columns(self) -> tuple[int, int]:
        available = self.viewport().width() - self.SPACING
        columns = max(1, available // (self.MIN_CARD_WIDTH + self.SPACING))
        width = max(self.MIN_CARD_WIDTH, available // columns - self.SPACING)
        return columns, width

    def _take_card(self) -> BatchCard:
        if self._pool:
            return self._pool.pop()
        card = BatchCard(self.viewport())
        card.requested.connect(self.requested)
        return card

    def _relayout(self) -> None:
        # No batch, no card to measure: the window's construction (its font and style changes) and
        # an empty list then make no card at all.
        row_height = self._row_height() if self._summaries else self.SPACING
        columns, width = self._columns()
        rows = -(-len(self._summaries) // columns)
        content = rows * row_height + self.SPACING
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, content - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(max(20, row_height // 4))
        top = bar.value()
        first_row = max(0, (top - self.SPACING) // row_height)
        last_row = min(rows - 1, (top + self.viewport().height()) // row_height)
        wanted = {}
        for row in range(first_row, last_row + 1):
            for column in range(columns):
                position = row * columns + column
                if position >= len(self._summaries):
                    break
                wanted[self._summaries[position].id] = (position, row, column)
        card: BatchCard | None
        for batch_id in [b for b in self._shown if b not in wanted]:
            card = self._shown.pop(batch_id)
            card.set_busy(False)
            card.hide()
            self._pool.append(card)
        for batch_id, (position, row, column) in wanted.items():
            card = self._shown.get(batch_id)
            if card is None:
                card = self._shown[batch_id] = self._take_card()
            card.set_summary(self._summaries[position])
            card.set_busy(batch_id in self._busy)
            x = self.SPACING + column * (width + self.SPACING)
            y = self.SPACING + row * row_height - top
            card.setGeometry(x, y, width, self._card_height)
            card.show()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def scrollContentsBy(self, _dx: int, _dy: int) -> None:  # noqa: N802
        self._relayout()

    def rebuild(self) -> None:
        """Make the cards anew (after a switch between light and dark: their icons are drawn in the
        palette's colours)."""
        for card in [*self._shown.values(), *self._pool]:
            card.deleteLater()
        self._shown.clear()
        self._pool.clear()
        self._card_height = 0
        self._relayout()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._card_height = 0
            self._relayout()

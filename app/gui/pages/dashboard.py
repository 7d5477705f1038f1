"""The Batches dashboard: search and filters over the card grid, or an empty state that invites a
first batch."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import schedule, wording
from app.core.batches import BatchSummary
from app.core.store.models import CHANNELS
from app.gui.kit import style
from app.gui.kit.widgets import SearchField

from .cards import CardGrid

STATUS_FILTERS = (("All statuses", None), *((wording.batch_state_word(state), state) for state in schedule.STATES))


class EmptyState(QWidget):
    """What the dashboard shows with no batch to show."""

    new_batch_requested = Signal()
    clear_filters_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EmptyState")
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel()
        self.title.setObjectName("EmptyTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setObjectName("Muted")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.new_button = QPushButton(style.icon("plus"), "New batch")
        self.new_button.clicked.connect(self.new_batch_requested)
        self.clear_button = QPushButton("Clear search and filters")
        self.clear_button.clicked.connect(self.clear_filters_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.icon)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addStretch(3)

    def show_state(self, filtered: bool) -> None:
        if self.property("filtered") is filtered:
            return  # the refresh repeats every second: redraw only on a change
        self.setProperty("filtered", filtered)
        self.icon.setPixmap(
            style.icon("search" if filtered else "inbox", style.colors()["muted"]).pixmap(QSize(56, 56))
        )
        if filtered:
            self.title.setText("No batches match")
            self.text.setText("No batch has that name, status and channel.")
        else:
            self.title.setText("No batches yet")
            self.text.setText(
                "A batch is a set of unique vouchers that members claim through one link or QR code.\n"
                "Create one for each channel to compare how they do."
            )
        self.new_button.setVisible(not filtered)
        self.clear_button.setVisible(filtered)


class Dashboard(QWidget):
    """Search, filters and the cards. It shows what it is given and reports what the manager asks."""

    filters_changed = Signal()
    requested = Signal(str, object)  # a card's action and its batch
    new_batch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Batches")
        title.setObjectName("PageTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        title.setFont(font)
        self.search = SearchField("Search batches by name  (Ctrl+F)")
        self.search.setMinimumWidth(260)
        self.search.search_changed.connect(lambda _text: self.filters_changed.emit())
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status filter")
        for text, value in STATUS_FILTERS:
            self.status_filter.addItem(text, value)
        self.channel_filter = QComboBox()
        self.channel_filter.setAccessibleName("Channel filter")
        self.channel_filter.addItem("All channels", None)
        for channel in CHANNELS:
            self.channel_filter.addItem(channel, channel)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.filters_changed.emit())
        self.channel_filter.currentIndexChanged.connect(lambda _i: self.filters_changed.emit())
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")

        bar = QHBoxLayout()
        bar.setContentsMargins(16, 8, 16, 0)
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.search)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.channel_filter)

        self.grid = CardGrid()
        self.grid.requested.connect(self.requested)
        self.empty = EmptyState()
        self.empty.new_batch_requested.connect(self.new_batch_requested)
        self.empty.clear_filters_requested.connect(self.clear_filters)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.empty)
        self.loading = QLabel("Loading batches…")
        self.loading.setObjectName("Muted")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.stack.setCurrentWidget(self.loading)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

    def filters(self) -> tuple[str, str | None, str | None]:
        """(name search, status, channel) as core.batches.list_batches takes them."""
        return self.search.text().strip(), self.status_filter.currentData(), self.channel_filter.currentData()

    def is_filtered(self) -> bool:
        search, status, channel = self.filters()
        return bool(search or status or channel)

    def clear_filters(self) -> None:
        for widget in (self.search, self.status_filter, self.channel_filter):
            widget.blockSignals(True)
        self.search.clear()
        self.status_filter.setCurrentIndex(0)
        self.channel_filter.setCurrentIndex(0)
        for widget in (self.search, self.status_filter, self.channel_filter):
            widget.blockSignals(False)
        self.filters_changed.emit()

    def show_batches(self, summaries: list[BatchSummary]) -> None:
        self.grid.set_summaries(summaries)
        noun = "batch" if len(summaries) == 1 else "batches"
        self.count_label.setText(f"{len(summaries):,} {noun}")
        if summaries:
            self.stack.setCurrentWidget(self.grid)
        else:
            self.empty.show_state(self.is_filtered())
            self.stack.setCurrentWidget(self.empty)

    def update_batch(self, summary: BatchSummary) -> None:
        """A batch just changed here (paused, resumed): its card shows it before the next refresh."""
        card = self.grid.card_for(summary.id)
        if card is not None:
            card.set_summary(summary)

    def show_newest(self) -> None:
        """Scroll to the top, where the newest batch is."""
        self.grid.verticalScrollBar().setValue(0)

    def retint(self) -> None:
        """Draw the cards and the empty state again in the palette's colours."""
        self.grid.rebuild()
        self.empty.setProperty("filtered", None)  # its picture is drawn again on the next refresh

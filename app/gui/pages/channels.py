"""Channels: every channel with its batches, Total, Claimed, Redeemed and redemption rate, next to the
guide's band for it and a verdict (below typical / typical / great), and a chart comparing them. A
name pattern ("Summer 2025 - *") narrows both to one campaign across its channels."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import money
from app.core import wording as text
from app.core.analytics import ChannelStats
from app.core.rates import rate_json
from app.gui.kit import style
from app.gui.kit.charts import BAND, CLAIMS, GREAT, Bars, ChartBox, ChartData, bar_chart
from app.gui.kit.widgets import Notice, SearchField, plain_label, plain_tip

from .parts import back_button, header_row, page_title

COLUMNS = (
    "Channel",
    "Batches",
    "Total",
    "Claimed",
    "Redeemed",
    "Redemption rate",
    "Guide's band",
    "Verdict",
    text.EXPIRING_CAPTION,
    text.EXPIRED_CAPTION,
    "Sales with vouchers",
    "Discount given",
)
RATE_COLUMN, BAND_COLUMN, VERDICT_COLUMN, EXPIRING_COLUMN, EXPIRED_COLUMN = 5, 6, 7, 8, 9
SALES_COLUMN, DISCOUNT_COLUMN = 10, 11
NUMBER_COLUMNS = (1, 2, 3, 4, 5, EXPIRING_COLUMN, EXPIRED_COLUMN, SALES_COLUMN, DISCOUNT_COLUMN)
VERDICT_COLORS = {"below_typical": "warn_fg", "typical": "text", "great": "ok_fg"}


def channel_cells(row: ChannelStats) -> tuple[str, ...]:
    return (
        row.channel,
        text.count(row.batches),
        text.count(row.total),
        text.count(row.claimed),
        text.count(row.redeemed),
        text.rate_text(row.claimed, row.redeemed),
        text.band_text(row.band),
        text.standing(row.verdict, row.too_early),
        text.count(row.expiring_7d),
        text.count(row.expired_unredeemed),
        text.money(row.money.sales_cents) if row.money.totalled else text.NONE_YET,
        text.money(row.money.discount_cents) if row.money.totalled else text.NONE_YET,
    )


def channels_data(rows: list[ChannelStats]) -> ChartData:
    """The comparison as CSV rows, for a spreadsheet: the rate as JSON has it (rates.rate_json, one
    decimal), the band as numbers."""
    return ChartData(
        (
            "channel",
            "batches",
            "total",
            "claimed",
            "redeemed",
            "redemption_rate",
            "typical_low",
            "typical_high",
            "great",
            "verdict",
            "expiring_7d",
            "expired_unredeemed",
            "sales_with_vouchers",
            "discount_given",
        ),
        [
            (
                r.channel,
                r.batches,
                r.total,
                r.claimed,
                r.redeemed,
                rate_json(r.claimed, r.redeemed),
                r.band.typical[0] if r.band else None,
                r.band.typical[1] if r.band else None,
                r.band.great if r.band else None,
                r.verdict or ("too_early" if r.too_early else ""),
                r.expiring_7d,
                r.expired_unredeemed,
                money.to_json(r.money.sales_cents),
                money.to_json(r.money.discount_cents),
            )
            for r in rows
        ],
    )


class ChannelsPage(QWidget):
    """The comparison; reports the pattern typed (pattern_changed) and shows what it is given."""

    back_requested = Signal()
    pattern_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChannelsPage")
        self.rows: list[ChannelStats] = []
        self.pattern = ""
        self.back = back = back_button("Back to the batches (Esc)")
        back.clicked.connect(self.back_requested)
        self.title = page_title("Channels")
        self.search = SearchField("Compare batches by name, e.g. Summer 2025 - *")
        self.search.setMinimumWidth(320)
        self.search.setToolTip("Only the batches whose name matches; * stands for any text. Empty: every batch.")
        self.search.search_changed.connect(self._on_search)
        self.loading = plain_label("Loading the channels…")
        self.loading.setObjectName("Muted")
        self.updated = plain_label()
        self.updated.setObjectName("Muted")
        self.scope = plain_label()  # it quotes the pattern
        self.scope.setObjectName("Muted")
        self.notice = Notice()
        self.notice.hide()

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BAND_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        cast(QTableWidgetItem, self.table.horizontalHeaderItem(BAND_COLUMN)).setToolTip(
            "Typical and great redemption rates, from the guide"
        )
        cast(QTableWidgetItem, self.table.horizontalHeaderItem(RATE_COLUMN)).setToolTip("Redeemed ÷ Claimed × 100%")
        cast(QTableWidgetItem, self.table.horizontalHeaderItem(EXPIRING_COLUMN)).setToolTip(text.EXPIRING_TIP)
        cast(QTableWidgetItem, self.table.horizontalHeaderItem(EXPIRED_COLUMN)).setToolTip(text.EXPIRED_TIP)
        for column in (SALES_COLUMN, DISCOUNT_COLUMN):
            cast(QTableWidgetItem, self.table.horizontalHeaderItem(column)).setToolTip(text.SALES_TIP)

        self.chart_box = ChartBox("Redemption rate by channel, against the guide's bands", "channels", height=300)

        top = header_row(back, self.title, [self.scope], [self.loading, self.updated], [self.search])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 16)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.table)
        layout.addWidget(self.chart_box, 1)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
        else:
            super().keyPressEvent(event)

    def chart_boxes(self) -> tuple[ChartBox, ...]:
        return (self.chart_box,)

    def _on_search(self, pattern: str) -> None:
        self.pattern = pattern
        self.loading.show()
        self.pattern_changed.emit(pattern)

    def show_channels(self, pattern: str, rows: list[ChannelStats], now=None) -> None:
        if pattern != self.pattern:
            return  # an answer for a pattern no longer typed
        self.loading.hide()
        self.notice.hide()
        if now is not None:
            self.updated.setText(text.updated(now))
        batches = sum(r.batches for r in rows)
        if pattern:
            self.scope.setText(f"{batches:,} batch{'' if batches == 1 else 'es'} named “{pattern}”")
            self.chart_box.set_title(f"Redemption rate by channel for “{pattern}”, against the guide's bands")
        else:
            self.scope.setText(f"All {batches:,} batch{'' if batches == 1 else 'es'}")
            self.chart_box.set_title("Redemption rate by channel, against the guide's bands")
        if pattern and not batches:
            self.notice.say(f"No batch is named like “{pattern}”. * stands for any text: Summer 2025 - *", "info")
        if rows == self.rows:
            return
        self.rows = list(rows)
        self._fill()
        data = channels_data(self.rows)
        names = [r.channel for r in self.rows]
        rates = [r.redemption_rate or 0.0 for r in self.rows]
        typical = [r.band.typical[1] if r.band else 0.0 for r in self.rows]
        great = [r.band.great if r.band else 0.0 for r in self.rows]
        self.chart_box.show_chart(
            data,
            lambda colors: bar_chart(
                colors,
                names,
                [
                    Bars("Redemption rate", rates, CLAIMS),
                    Bars("Typical up to (guide)", typical, BAND),
                    Bars("Great from (guide)", great, GREAT),
                ],
                value_format="%d%%",
                value_title="redemption rate",
            ),
        )

    def _fill(self) -> None:
        colors = style.colors(self.palette())
        self.table.setRowCount(len(self.rows))
        for position, row in enumerate(self.rows):
            for column, value in enumerate(channel_cells(row)):
                item = QTableWidgetItem(value)
                if column in NUMBER_COLUMNS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column in (0, BAND_COLUMN) and row.band is not None and row.band.note:
                    item.setToolTip(plain_tip(row.band.note))  # Email: which row of the guide it is
                elif column == BAND_COLUMN:
                    item.setToolTip(plain_tip(text.band_tip(row.band)))
                elif column == VERDICT_COLUMN and row.verdict:
                    item.setToolTip(f"{text.rate_text(row.claimed, row.redeemed)} against {text.band_text(row.band)}")
                    item.setForeground(QColor(colors[VERDICT_COLORS[row.verdict]]))
                elif column in (SALES_COLUMN, DISCOUNT_COLUMN) and row.money.totalled:
                    item.setToolTip(text.sales_text(row.money.sales_cents, row.money.totalled))
                elif column == VERDICT_COLUMN and row.too_early:
                    item.setToolTip(plain_tip(text.CHANNEL_TOO_EARLY_TEXT))
                    item.setForeground(QColor(colors["muted"]))
                self.table.setItem(position, column, item)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """As tall as its rows (seven channels): the chart takes the rest."""
        rows = self.table.verticalHeader().defaultSectionSize() * self.table.rowCount()
        self.table.setFixedHeight(
            rows + self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth() + 2
        )

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.rows:
            self._fill()  # the verdicts' colours

    def show_error(self, sentence: str) -> None:
        self.loading.hide()
        self.notice.say(sentence, "error")

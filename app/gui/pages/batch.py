"""A batch's page: its metrics, the funnel Total → Claimed → Redeemed, claims and redemptions over
time, the pace now and when it would sell out, the time from claim to redemption, its rate against
its channel's band, and the guide's hints when they apply. It shows the BatchStats it is given."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import wording as text
from app.core.analytics import BatchStats
from app.gui.kit.charts import (
    CLAIMS,
    REDEMPTIONS,
    TOTAL,
    Bars,
    ChartBox,
    ChartData,
    bar_chart,
    bars_and_lines,
)
from app.gui.kit.prompts import file_stem
from app.gui.kit.widgets import Notice, plain_label, restyle

from . import cards
from .parts import back_button, header_row, page_title

HINT_KINDS = {
    "low_claims": "warning",
    "few_redemptions": "warning",
    "scale_up": "success",
    "almost_sold_out": "warning",
}


def funnel_data(stats: BatchStats) -> ChartData:
    return ChartData(
        ("step", "vouchers", "share_of_total"),
        [
            ("Total", stats.total, 100.0),
            ("Claimed", stats.claimed, round(stats.claimed * 100 / stats.total, 1) if stats.total else None),
            ("Redeemed", stats.redeemed, round(stats.redeemed * 100 / stats.total, 1) if stats.total else None),
        ],
    )


def series_data(stats: BatchStats) -> ChartData:
    """One row per bucket, with the running totals: start (ISO 8601 with offset), claims, redemptions."""
    rows = [(b.start.isoformat(), b.claims, b.redemptions, b.claimed_so_far, b.redeemed_so_far) for b in stats.series]
    return ChartData(("start", "claims", "redemptions", "claims_cumulative", "redemptions_cumulative"), rows)


def delay_data(stats: BatchStats) -> ChartData:
    return ChartData(("time_to_redeem", "redemptions"), [(label, n) for label, n in stats.delay_histogram])


class BatchPage(QWidget):
    """Everything about one batch; it says so when the batch is no longer there."""

    back_requested = Signal()
    vouchers_requested = Signal()
    like_requested = Signal(int)  # "New batch like this…" (the almost-sold-out hint's): this batch's id

    def __init__(self, batch_id: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BatchPage")
        self.batch_id = batch_id
        self.stats: BatchStats | None = None
        self.gone = False

        self.back = back = back_button("Back to the batches (Esc)")
        back.clicked.connect(self.back_requested)
        self.title = page_title(name)
        self.badge = QLabel()
        self.badge.setObjectName("Badge")
        self.channel = plain_label()
        self.channel.setObjectName("Channel")
        self.window_line = plain_label()  # when it opens or ends
        self.window_line.setObjectName("Muted")
        self.updated = plain_label()
        self.updated.setObjectName("Muted")
        self.loading = plain_label("Loading the batch's numbers…")
        self.loading.setObjectName("Muted")
        self.notice = Notice()
        self.notice.hide()
        header = header_row(
            back, self.title, [self.badge, self.channel, self.window_line], [self.loading, self.updated]
        )

        self.total = cards.Metric("Total")
        self.claimed = cards.Metric("Claimed")
        self.redeemed = cards.Metric("Redeemed")
        self.available = cards.Metric("Available")
        self.rate = cards.Metric("Redemption rate")
        self.rate.setToolTip("Redeemed ÷ Claimed × 100%")
        self.last_24h = cards.Metric("Claims, last 24 h")
        self.pace = cards.Metric("Claim rate now")
        self.median = cards.Metric("Median time to redeem")
        self.median.setToolTip("Half of the redeemed vouchers were redeemed within this time of being claimed")
        # what is still out there: vouchers members hold and have not used
        self.expiring = cards.Metric(text.EXPIRING_CAPTION)
        self.expiring.setToolTip(text.EXPIRING_TIP)
        self.expired = cards.Metric(text.EXPIRED_CAPTION)
        self.expired.setToolTip(text.EXPIRED_TIP)
        self.metrics = (
            self.total,
            self.claimed,
            self.redeemed,
            self.available,
            self.rate,
            self.last_24h,
            self.pace,
            self.median,
            self.expiring,
            self.expired,
        )
        tiles = QGridLayout()
        tiles.setHorizontalSpacing(24)
        for position, metric in enumerate(self.metrics):  # two rows: the numbers, then time and what is out there
            tiles.addWidget(metric, position // 5, position % 5)
        tiles.setColumnStretch(5, 1)

        self.sells_out = plain_label()
        self.sells_out.setObjectName("Figure")
        self.band = plain_label()
        self.verdict = QLabel()
        self.verdict.setObjectName("Verdict")
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        band_row = QHBoxLayout()
        band_row.addWidget(self.band)
        band_row.addWidget(self.verdict)
        band_row.addStretch(1)
        band_row.addWidget(self.sells_out)
        self.money = plain_label()  # sales with vouchers and the discount given, once a till gave order totals
        self.money.setObjectName("Figure")
        self.money.setToolTip(text.SALES_TIP)
        self.money.hide()
        self.hints_box = QVBoxLayout()
        self.hints_box.setSpacing(2)
        self.hint_labels: list[QWidget] = []
        self.like_button: QPushButton | None = None  # beside the almost-sold-out hint, while it shows

        stem = file_stem(name)
        self.funnel_box = ChartBox("Funnel: Total → Claimed → Redeemed", f"{stem}-funnel", height=200)
        self.series_box = ChartBox("Claims and redemptions over time", f"{stem}-over-time", height=300)
        self.delay_box = ChartBox("Time from claim to redemption", f"{stem}-time-to-redeem", height=200)
        charts = QGridLayout()
        charts.setSpacing(12)
        charts.addWidget(self.series_box, 0, 0, 1, 2)
        charts.addWidget(self.funnel_box, 1, 0)
        charts.addWidget(self.delay_box, 1, 1)
        charts.setColumnStretch(0, 2)
        charts.setColumnStretch(1, 3)  # the histogram's seven labels need the room

        self.body = QWidget()
        self.body.setObjectName("PageBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(16, 4, 16, 16)
        body.setSpacing(8)
        body.addLayout(tiles)
        body.addLayout(band_row)
        body.addWidget(self.money)
        body.addLayout(self.hints_box)
        body.addLayout(charts, 1)
        self.body.hide()
        scroll = QScrollArea()
        scroll.setObjectName("PageScroll")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QVBoxLayout()
        top.setContentsMargins(16, 8, 16, 0)
        top.addLayout(header)
        top.addWidget(self.notice)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
        else:
            super().keyPressEvent(event)

    def chart_boxes(self) -> tuple[ChartBox, ...]:
        return (self.series_box, self.funnel_box, self.delay_box)

    # Showing ---------------------------------------------------------------------------------
    def show_stats(self, stats: BatchStats) -> None:
        """Show these numbers (nothing is redrawn when they are the ones shown)."""
        self.loading.hide()
        self.notice.hide()
        self.updated.setText(text.updated(stats.now))
        if self.stats is not None and _same_numbers(self.stats, stats):
            return
        self.stats = stats
        self.title.setText(stats.name)
        status = text.batch_state_word(stats.status)
        self.badge.setText(f"● {status}")
        self.badge.setProperty("status", stats.status)
        restyle(self.badge)
        self.channel.setText(stats.channel)
        self.window_line.setText(text.schedule_line(stats.status, stats.starts_at, stats.ends_at))
        for metric, value in zip(
            self.metrics,
            (
                text.count(stats.total),
                text.count(stats.claimed),
                text.count(stats.redeemed),
                text.count(stats.available),
                text.rate_text(stats.claimed, stats.redeemed),
                text.count(stats.claims_last_24h),
                text.rate_now(stats.claims_per_hour_now),
                text.hours(stats.median_hours_to_redeem),
                text.count(stats.expiring_7d),
                text.count(stats.expired_unredeemed),
            ),
            strict=True,
        ):
            metric.set_value(value)
        self.sells_out.setText(text.sells_out(stats.projected_sold_out_at, stats.now))
        self.sells_out.setVisible(bool(self.sells_out.text()))
        self._show_band(stats)
        self._show_money(stats)
        self._show_hints(stats)
        self._draw(stats)
        self.body.show()

    def _show_band(self, stats: BatchStats) -> None:
        band = text.band_text(stats.band)
        self.band.setText(f"{stats.channel}: {band}. This batch: {text.rate_text(stats.claimed, stats.redeemed)}.")
        self.band.setToolTip(text.band_tip(stats.band))
        words, look, tip = text.batch_verdict(stats.verdict, stats.too_early)
        self.verdict.setText(words)
        self.verdict.setToolTip(tip)
        self.verdict.setProperty("verdict", look)
        self.verdict.setVisible(bool(words))
        restyle(self.verdict)

    def _show_money(self, stats: BatchStats) -> None:
        takings = stats.money
        self.money.setText(
            f"Sales with vouchers: {text.sales_text(takings.sales_cents, takings.totalled)} · "
            f"Discount given: {text.money(takings.discount_cents)}"
        )
        self.money.setVisible(bool(takings.totalled))

    def _show_hints(self, stats: BatchStats) -> None:
        for label in self.hint_labels:
            self.hints_box.removeWidget(label)
            label.deleteLater()
        self.hint_labels = []
        self.like_button = None
        for hint in stats.hints:
            label = Notice()  # the core's sentence; plain text
            label.setProperty("code", hint.code)
            label.say(hint.message, HINT_KINDS.get(hint.code, "info"))
            shown: QWidget = label
            if hint.code == "almost_sold_out":  # the advice, one click away
                shown = QWidget()
                row = QHBoxLayout(shown)
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(label, 1)
                self.like_button = QPushButton("New batch like this…")
                self.like_button.setToolTip(
                    "The same offer, channel, title and description, with a claim link of its own"
                )
                self.like_button.clicked.connect(lambda: self.like_requested.emit(self.batch_id))
                row.addWidget(self.like_button, 0, Qt.AlignmentFlag.AlignTop)
            self.hints_box.addWidget(shown)
            self.hint_labels.append(shown)

    def _draw(self, stats: BatchStats) -> None:
        funnel = funnel_data(stats)
        steps = funnel.rows[::-1]  # Total on top
        self.funnel_box.show_chart(
            funnel,
            lambda colors: bar_chart(
                colors,
                [row[0] for row in steps],
                [Bars("Vouchers", [row[1] for row in steps], CLAIMS, labels=True)],
                horizontal=True,
            ),
        )
        series = series_data(stats)
        labels = [text.bucket_label(bucket.start, stats.bucket) for bucket in stats.series]
        noun = text.bucket_noun(stats.bucket)
        self.series_box.set_title(f"Claims and redemptions over time (per {noun}, and in all)")
        self.series_box.show_chart(
            series,
            lambda colors: bars_and_lines(
                colors,
                labels,
                [
                    Bars(f"Claims per {noun}", [r[1] for r in series.rows], CLAIMS),
                    Bars(f"Redemptions per {noun}", [r[2] for r in series.rows], REDEMPTIONS),
                ],
                [
                    Bars("Claims in all", [r[3] for r in series.rows], CLAIMS),
                    Bars("Redemptions in all", [r[4] for r in series.rows], REDEMPTIONS),
                ],
                bar_title=f"per {noun}",
                line_title="in all",
            ),
        )
        delays = delay_data(stats)
        median = text.hours(stats.median_hours_to_redeem)
        self.delay_box.set_title(f"Time from claim to redemption (median {median})")
        self.delay_box.show_chart(
            delays,
            lambda colors: bar_chart(
                colors,
                [row[0] for row in delays.rows],
                [Bars("Redemptions", [row[1] for row in delays.rows], TOTAL, labels=True)],
            ),
        )

    def show_loading(self) -> None:
        self.loading.show()

    def show_gone(self, sentence: str) -> None:
        """The batch was deleted (here or by another program): say so, keep nothing stale on screen."""
        self.gone = True
        self.loading.hide()
        self.updated.clear()
        self.body.hide()
        self.notice.say(sentence, "warning")

    def show_error(self, sentence: str) -> None:
        """A read failed (the database is busy or gone): said; the numbers shown stay."""
        self.loading.hide()
        self.notice.say(sentence, "error")


def _same_numbers(a: BatchStats, b: BatchStats) -> bool:
    """Everything but the clock."""
    return replace(a, now=b.now) == b

"""The analytics pages as a manager uses them: a batch's page from its card (the name, or Details in
the actions menu), the Channels page from the toolbar, each chart saved as PNG and its data as CSV,
in light and dark, and a batch deleted while its page is open."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from app.core import analytics, batches, claims, rates, wording
from app.core.analytics import BatchStats, Bucket, Hint
from app.core.store import models
from app.gui.controllers import analytics as analytics_controller
from app.gui.kit import style
from app.gui.pages.batch import BatchPage
from app.gui.pages.channels import BAND_COLUMN, VERDICT_COLUMN, ChannelsPage

from .helpers import card_of, label_shows, menu_action, settle, shown_text


def claimed_and_redeemed(batch, make_member, claimed: int, redeemed: int) -> None:
    for n in range(claimed):
        code = claims.claim(batch.token, make_member().id).voucher.code
        if n < redeemed:
            claims.redeem(code)


def batch_page(qtbot, window) -> BatchPage:
    qtbot.waitUntil(lambda: isinstance(window.pages.page, BatchPage) and window.pages.page.stats is not None)
    return window.pages.page


def channels_page(qtbot, window) -> ChannelsPage:
    qtbot.waitUntil(lambda: isinstance(window.pages.page, ChannelsPage) and bool(window.pages.page.rows))
    return window.pages.page


def tip_shows(tip: str) -> str:
    return shown_text(tip).replace("\xa0", " ")


def tiles(page: BatchPage) -> dict[str, str]:
    return {metric.caption.text(): metric.value.text() for metric in page.metrics}


def test_a_batch_page_opens_from_the_card_name_and_from_details_twice(qtbot, make_batch, make_member, window):
    batch = make_batch(10, name="Summer 2025 - <b>Email</b> List")
    claimed_and_redeemed(batch, make_member, 4, 1)
    other = make_batch(20, name="Summer 2025 - Store Signage", channel="In-store QR")
    claimed_and_redeemed(other, make_member, 5, 3)
    for target, numbers in ((batch, ("10", "4", "1", "6", "25%")), (other, ("20", "5", "3", "15", "60%"))):
        for opening in ("name", "details", "name", "details"):
            card = card_of(qtbot, window, target.id)
            if opening == "name":
                qtbot.mouseClick(card.title, Qt.MouseButton.LeftButton)
            else:
                menu_action(card, "Details").trigger()
            page = batch_page(qtbot, window)
            assert page.batch_id == target.id
            assert label_shows(page.title) == target.name  # plain text: the <b> is shown as typed
            assert page.title.textFormat() == Qt.TextFormat.PlainText
            shown = tiles(page)
            assert (
                shown["Total"],
                shown["Claimed"],
                shown["Redeemed"],
                shown["Available"],
                shown["Redemption rate"],
            ) == numbers
            assert shown["Claims, last 24 h"] == numbers[1]
            assert page.funnel_box.data.rows[1][1] == int(numbers[1])
            assert sum(row[1] for row in page.series_box.data.rows) == int(numbers[1])  # the buckets add up
            assert page.series_box.data.rows[-1][3:] == (int(numbers[1]), int(numbers[2]))  # cumulative
            assert "Details" in label_shows(window.pages.breadcrumb)
            if opening == "name":
                qtbot.mouseClick(page.back, Qt.MouseButton.LeftButton)
            else:
                qtbot.keyClick(page, Qt.Key.Key_Escape)
            qtbot.waitUntil(lambda: window.pages.stack.currentWidget() is window.dashboard)


def test_the_page_follows_claims_and_says_the_band(qtbot, make_batch, make_member, window):
    batch = make_batch(40, name="Autumn - QR", channel="In-store QR")
    claimed_and_redeemed(batch, make_member, 10, 6)
    menu_action(card_of(qtbot, window, batch.id), "Details").trigger()
    page = batch_page(qtbot, window)
    # 6 of 10 claimed minutes ago is 60 %, but too little to hold against In-store QR's 50 %+ yet
    assert page.verdict.text() == "Too early to judge" and "24 hours old and has 20 claims" in page.verdict.toolTip()
    assert "typical 20–40%, great 50%+" in page.band.text() and "This batch: 60%" in page.band.text()
    claimed_and_redeemed(batch, make_member, 2, 0)  # claims on the claim site meanwhile
    window.refresh_action.trigger()  # F5, or the page's own refresh a few seconds later
    qtbot.waitUntil(lambda: tiles(page)["Claimed"] == "12")
    assert tiles(page)["Available"] == "28"


def test_a_deleted_batch_page_says_so(qtbot, make_batch, make_member, window):
    batch = make_batch(5)
    claimed_and_redeemed(batch, make_member, 2, 1)
    qtbot.mouseClick(card_of(qtbot, window, batch.id).title, Qt.MouseButton.LeftButton)
    page = batch_page(qtbot, window)
    batches.delete_batch(batch.id)  # by another program (the CLI)
    window.analytics.refresh()
    qtbot.waitUntil(lambda: page.notice.isVisible())
    assert page.notice.text() == analytics_controller.GONE
    assert not page.body.isVisible()
    window.analytics.refresh()  # asking again is harmless
    settle()
    assert page.notice.text() == analytics_controller.GONE


def two_days_old(*made) -> None:
    then = models.utcnow() - timedelta(days=2)
    models.Batch.update(created_at=then).where(models.Batch.id.in_([b.id for b in made])).execute()


def test_channels_page_lists_every_channel_with_its_band_and_verdict(qtbot, make_batch, make_member, window):
    email = make_batch(100, name="Summer 2025 - Email List", channel="Email")
    claimed_and_redeemed(email, make_member, 20, 3)  # 15 %: typical
    social = make_batch(100, name="Summer 2025 - Instagram Post", channel="Social media")
    claimed_and_redeemed(social, make_member, 20, 0)  # 0 %: below typical
    store = make_batch(50, name="Spring - Store Signage", channel="In-store QR")
    claimed_and_redeemed(store, make_member, 20, 12)  # 60 %: great
    sms = make_batch(30, name="Summer 2025 - SMS", channel="SMS")
    claimed_and_redeemed(sms, make_member, 4, 1)
    two_days_old(email, social, store, sms)
    events = make_batch(30, name="Spring - Open Day", channel="Events")
    claimed_and_redeemed(events, make_member, 3, 1)  # made just now, 3 claims: too early to judge
    for _ in range(2):
        window.analytics.channels_action.trigger()
        page = channels_page(qtbot, window)
        table = page.table
        rows = {
            table.item(r, 0).text(): [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        }
        assert list(rows) == list(models.CHANNELS)
        assert rows["Email"][1:6] == ["1", "100", "20", "3", "15%"]
        assert rows["Email"][BAND_COLUMN] == "typical 5–15%, great 20%+"
        assert [rows[c][VERDICT_COLUMN] for c in ("Email", "Social media", "In-store QR", "SMS", "Events")] == [
            "Typical",
            "Below typical",
            "Great",
            "",
            "Too early to judge",
        ]
        events_row = list(rows).index("Events")
        assert "once its first batch is 24 hours old and it has 20 claims" in tip_shows(
            table.item(events_row, VERDICT_COLUMN).toolTip()
        )
        assert rows["SMS"][BAND_COLUMN] == "No band in the guide"
        email_row = list(rows).index("Email")
        for column in (0, BAND_COLUMN):  # the guide's first row names no channel: the tooltip says how it is read
            assert "it is read as Email" in tip_shows(table.item(email_row, column).toolTip())
        assert [row[0] for row in page.chart_box.data.rows] == list(models.CHANNELS)
        qtbot.mouseClick(page.back, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.pages.stack.currentWidget() is window.dashboard)

    window.analytics.channels_action.trigger()
    page = channels_page(qtbot, window)
    qtbot.keyClicks(page.search, "summer 2025 - *")
    qtbot.waitUntil(lambda: page.scope.text() == "3 batches named “summer 2025 - *”")
    by_channel = {row[0]: row for row in page.chart_box.data.rows}
    assert by_channel["In-store QR"][1:5] == (0, 0, 0, 0)  # the spring batch is not in this campaign
    assert by_channel["Email"][1:5] == (1, 100, 20, 3) and by_channel["SMS"][1:5] == (1, 30, 4, 1)


def test_every_chart_saves_a_png_and_exports_its_rows(qtbot, make_batch, make_member, window, prompts, tmp_path):
    batch = make_batch(10)
    claimed_and_redeemed(batch, make_member, 3, 2)
    qtbot.mouseClick(card_of(qtbot, window, batch.id).title, Qt.MouseButton.LeftButton)
    page = batch_page(qtbot, window)
    for box in page.chart_boxes():
        png, table = tmp_path / f"{box.file_stem}.png", tmp_path / f"{box.file_stem}"  # the .csv is added
        prompts.file_names += [str(png), str(table)]
        box.save_action.trigger()
        box.export_action.trigger()
        qtbot.waitUntil(
            lambda png=png, table=table: png.exists() and table.with_suffix(".csv").exists()
        )  # each appears only once whole
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with table.with_suffix(".csv").open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == box.data.header
        assert len(rows) == 1 + len(box.data.rows)
    assert prompts.asked_file_names[:2] == [
        "summer-2025-email-list-over-time.png",
        "summer-2025-email-list-over-time.csv",
    ]
    series = page.series_box.data
    assert [int(row[1]) for row in series.rows] == [b.claims for b in analytics.batch_stats(batch.id).series]
    qtbot.waitUntil(lambda: window.message_bar.isVisible())
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no part-files left

    prompts.file_names.append(str(tmp_path / "no such folder" / "chart.png"))
    page.delay_box.save_action.trigger()
    qtbot.waitUntil(lambda: window.message_bar.property("kind") == "error")
    assert "Cannot write" in window.message_bar.text() and "no such folder" in window.message_bar.text()


def test_charts_follow_the_dark_palette(qtbot, make_batch, make_member, window):
    from .helpers import dark_palette

    batch = make_batch(10)
    claimed_and_redeemed(batch, make_member, 3, 1)
    qtbot.mouseClick(card_of(qtbot, window, batch.id).title, Qt.MouseButton.LeftButton)
    page = batch_page(qtbot, window)
    light = page.series_box.view.chart().backgroundBrush().color()
    app = QApplication.instance()
    before = app.palette()
    try:
        app.setPalette(dark_palette())
        style.apply(app)
        dark_card = QColor(style.colors(dark_palette())["card"])
        qtbot.waitUntil(lambda: page.series_box.view.chart().backgroundBrush().color() == dark_card)
        chart = page.series_box.view.chart()
        assert chart.legend().labelColor() == QColor(style.colors(dark_palette())["text"])
        assert dark_card != light
        assert all(axis.labelsBrush().color() == QColor("#e8eaed") for axis in chart.axes())
    finally:
        app.setPalette(before)
        style.apply(app)


def _stats(**changes) -> BatchStats:
    start = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    values = {
        "batch_id": 1,
        "name": "Q1 2025 Email Campaign",
        "channel": "Email",
        "status": "active",
        "created_at": start,
        "now": start + timedelta(hours=30),
        "total": 500,
        "claimed": 127,
        "redeemed": 45,
        "available": 373,
        "redemption_rate": 45 * 100 / 127,
        "bucket": "hour",
        "series": [Bucket(start + timedelta(hours=h), 4, 1, 4 * (h + 1), h + 1) for h in range(31)],
        "claims_last_24h": 96,
        "claims_per_hour_now": 4.0,
        "projected_sold_out_at": start + timedelta(hours=123),
        "median_hours_to_redeem": 5.25,
        "delay_histogram": [("< 1 h", 3), ("1–6 h", 20), ("6–24 h", 22)],
        "band": rates.band_for("Email"),
        "verdict": "great",
        "hints": [],
    }
    values.update(changes)
    return BatchStats(**values)


def test_the_page_shows_the_pace_the_sell_out_and_the_hints(qtbot):
    from app.core import times

    times.set_zone("America/New_York")
    page = BatchPage(1, "Q1 2025 Email Campaign")
    qtbot.addWidget(page)
    page.show()
    page.show_stats(_stats())
    assert tiles(page)["Claim rate now"] == "4.0 per hour"
    assert tiles(page)["Median time to redeem"] == "5.2 hours"
    assert page.sells_out.text() == "Sells out around Sat 07:00"  # 12:00 UTC on Saturday 5 December, in New York
    assert page.sells_out.isVisible()
    assert page.series_box.title.text() == "Claims and redemptions over time (per hour, and in all)"
    assert not page.hint_labels

    hint = Hint("few_redemptions", wording.HINT_MESSAGES["few_redemptions"])
    page.show_stats(_stats(projected_sold_out_at=None, hints=[hint], verdict="below_typical"))
    assert not page.sells_out.isVisible()  # not trending: nothing said
    assert [label.text() for label in page.hint_labels] == [hint.message]
    assert page.hint_labels[0].textFormat() == Qt.TextFormat.PlainText
    assert page.verdict.text() == "Below typical" and not page.verdict.toolTip()
    page.show_stats(_stats())
    assert page.verdict.text() == "Great"


def test_redemptions_in_the_first_hour_after_their_claims_read_under_1_h_not_a_made_up_minute(
    qtbot, make_batch, make_member, window
):
    batch = make_batch(10, name="Quick redeemers")
    claimed_and_redeemed(batch, make_member, 3, 3)  # redeemed seconds after the claim
    qtbot.mouseClick(card_of(qtbot, window, batch.id).title, Qt.MouseButton.LeftButton)
    page = batch_page(qtbot, window)
    assert tiles(page)["Median time to redeem"] == "under 1 hour"


def test_one_rate_reads_the_same_on_the_card_the_batch_page_and_the_channels_page(
    qtbot, make_batch, make_member, window
):
    """5 redeemed of 11 claimed read "45%" on the card but "45.5%" on the pages once: one voice now."""
    batch = make_batch(30, name="Winter - Email", channel="Email")
    claimed_and_redeemed(batch, make_member, 11, 5)
    card = card_of(qtbot, window, batch.id)
    qtbot.waitUntil(lambda: card.rate.text() == "45%")
    for _ in range(2):
        menu_action(card_of(qtbot, window, batch.id), "Details").trigger()
        page = batch_page(qtbot, window)
        assert tiles(page)["Redemption rate"] == "45%" and "This batch: 45%." in page.band.text()
        window.analytics.channels_action.trigger()
        table = channels_page(qtbot, window).table
        email = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Email")
        assert table.item(email, 5).text() == "45%"
        qtbot.keyClick(window.pages.page, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.pages.stack.currentWidget() is window.dashboard)

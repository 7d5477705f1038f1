"""Wires the analytics pages into the window: a card's name or its Details open the batch's page,
View → Channels (and the toolbar) the channels page. The page shown is read again on a worker every
few seconds and at once after a change made here; reads never overlap; a chart's menu saves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from app.core.batches import BatchSummary
from app.core.errors import NotFound, sentence
from app.core.store.models import utcnow
from app.gui.kit import style
from app.gui.kit.prompts import Prompts, with_suffix
from app.gui.kit.tasks import run_task
from app.gui.pages import cards
from app.gui.pages.navigation import BatchPages

if TYPE_CHECKING:
    from app.gui.kit.charts import ChartBox
    from app.gui.pages.batch import BatchPage
    from app.gui.pages.channels import ChannelsPage

REFRESH_MS = 5000  # the claim site's claims show up within this; the cards' counters are live anyway
GONE = "This batch is no longer there: it was deleted. Its numbers went with it."


class AnalyticsController(QObject):
    """Owns the batch's page or the channels page while one is shown in the window's pages."""

    message = Signal(str, str)  # (sentence, kind): a chart saved, or why not
    like_requested = Signal(int)  # a batch's page asks for a new batch like it (its id)

    def __init__(self, pages: BatchPages, prompts: Prompts, window: QWidget, refresh_ms: int = REFRESH_MS) -> None:
        """pages: where the analytics pages are shown; window: the parent of the save dialogs, and the
        window whose shortcut the Channels action (channels_action, for the toolbar and View) is."""
        super().__init__(window)
        self._window = window
        self._pages = pages
        self._prompts = prompts
        self.page: BatchPage | ChannelsPage | None = None
        self._reading: QObject | None = None  # the page whose read is under way
        self._again = False
        self._timer = QTimer(self, interval=refresh_ms, timeout=self.refresh)  # type: ignore[call-arg]  # (PySide: a signal by keyword)
        self.channels_action = QAction(style.icon("chart"), "Channels", window)
        self.channels_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.channels_action.setToolTip("How each channel does against the guide's redemption rates (Ctrl+Shift+H)")
        self.channels_action.triggered.connect(lambda: self.open_channels())
        window.addAction(self.channels_action)

    def retint(self) -> None:
        """The toolbar's icon in the palette's colours (the charts redraw themselves)."""
        self.channels_action.setIcon(style.icon("chart"))

    # Opening -----------------------------------------------------------------------------------
    def on_card_requested(self, action: str, summary: BatchSummary) -> None:
        if action == cards.DETAILS:
            self.open_batch(summary.id, summary.name)

    def open_batch(self, batch_id: int, name: str) -> BatchPage:
        from app.gui.pages.batch import BatchPage

        page = BatchPage(batch_id, name)
        page.like_requested.connect(self.like_requested)
        self._show(page, name, "Details")
        return page

    def open_channels(self) -> ChannelsPage:
        from app.gui.pages.channels import ChannelsPage

        page = ChannelsPage()
        page.pattern_changed.connect(lambda _pattern: self.refresh())
        self._show(page, "Channels")
        page.search.setFocus()
        return page

    def _show(self, page: BatchPage | ChannelsPage, *trail: str) -> None:
        page.back_requested.connect(self._pages.show_dashboard)
        for box in page.chart_boxes():
            box.save_requested.connect(self._save_png)
            box.export_requested.connect(self._export_csv)
        self._pages.show_page(page, *trail)
        self.page = page
        self._again = False
        self.refresh()
        self._timer.start()

    def _current(self) -> BatchPage | ChannelsPage | None:
        """The page, while it is still the one shown."""
        page = self.page
        if page is None or not shiboken6.isValid(page) or self._pages.page is not page:
            return None
        return page

    # Reading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the shown page's numbers now, or right after the read under way."""
        from app.core import analytics

        page = self._current()
        if page is None:
            self.page = None
            self._timer.stop()
            return
        from app.gui.pages.batch import BatchPage  # (here: only once a page is shown, as the pages are)

        if isinstance(page, BatchPage) and page.gone:
            return
        if self._reading is page:
            self._again = True
            return
        self._reading = page  # a read still under way for a page closed meanwhile is dropped when it arrives
        if isinstance(page, BatchPage):
            batch_id = page.batch_id
            work: Callable = lambda: analytics.batch_stats(batch_id)  # noqa: E731
            show: Callable = page.show_stats
        else:
            pattern = page.pattern
            work = lambda: (analytics.channel_stats(pattern), utcnow())  # noqa: E731
            show = lambda found: page.show_channels(pattern, *found)  # noqa: E731
        run_task(
            work, lambda found: self._on_read(page, show, found), lambda exc: self._on_failed(page, exc), context=page
        )

    def _settled(self, page) -> None:
        if self._reading is not page:
            return
        self._reading = None
        if self._again:
            self._again = False
            self.refresh()

    def _on_read(self, page, show: Callable, found) -> None:
        if page is self._current():
            show(found)
        self._settled(page)

    def _on_failed(self, page: BatchPage | ChannelsPage, exc: Exception) -> None:
        from app.gui.pages.batch import BatchPage

        if page is self._current():
            if isinstance(exc, NotFound) and isinstance(page, BatchPage):
                page.show_gone(GONE)
            else:
                page.show_error(sentence(exc, "read the numbers"))
        self._settled(page)

    # Saving a chart ----------------------------------------------------------------------------
    def _save_png(self, box: ChartBox) -> None:
        self._prompts.save_file_name(
            self._window,
            "Save the chart",
            f"{box.file_stem}.png",
            "PNG images (*.png)",
            lambda path: self._write(box, with_suffix(path, ".png"), "png"),
        )

    def _export_csv(self, box: ChartBox) -> None:
        self._prompts.save_file_name(
            self._window,
            "Export the chart's data",
            f"{box.file_stem}.csv",
            "CSV files (*.csv)",
            lambda path: self._write(box, with_suffix(path, ".csv"), "csv"),
        )

    def _write(self, box: ChartBox, path: str, kind: str) -> None:
        from app.gui.kit.charts import write_csv, write_png

        if not shiboken6.isValid(box):
            return
        if kind == "png":
            image = box.image()  # drawn here, on the GUI thread; written on a worker
            work: Callable = lambda: write_png(image, path)  # noqa: E731
            said = f"Saved the chart to {path}."
        else:
            data = box.data
            work = lambda: write_csv(data, path)  # noqa: E731
            said = f"Exported the chart's data to {path}."
        run_task(
            work,
            lambda _done: self.message.emit(said, "success"),
            lambda exc: self.message.emit(sentence(exc, "save the chart"), "error"),
            context=self,
        )

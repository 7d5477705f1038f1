"""Charts with Qt's own QtCharts, in the palette's colours (drawn again when the system switches
between light and dark), each in a box whose menu saves the chart as PNG or its data as CSV."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QBuffer,
    QEvent,
    QIODevice,
    QMargins,
    QPointF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FileProblem
from app.core.files import whole_csv, write_whole

from . import style
from .widgets import plain_label

SAVE_PNG = "Save chart as PNG…"
EXPORT_CSV = "Export data as CSV…"

# Which colour of the palette (style.colors) each kind of series is drawn in.
CLAIMS, REDEMPTIONS, TOTAL, BAND, GREAT = "accent", "ok_fg", "muted", "card_hover", "warn_fg"


@dataclass(frozen=True)
class Bars:
    """One set of bars (or, in a line chart, one line): its name, values and colour key."""

    name: str
    values: Sequence[float]
    color: str
    labels: bool = False  # its values written on the bars


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, as rows of a table: exported as CSV, and drawn by `draw`."""

    header: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)


def _text_font(scale: float = 1.0) -> QFont:
    font = QFont()
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    return font


def themed(chart: QChart, colors: dict[str, str]) -> QChart:
    """The chart in the palette's colours: card background, text-coloured labels, quiet grid."""
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundBrush(QColor(colors["card"]))
    chart.setBackgroundPen(QPen(Qt.PenStyle.NoPen))
    chart.setBackgroundRoundness(0)
    chart.setPlotAreaBackgroundVisible(False)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.layout().setContentsMargins(0, 0, 0, 0)
    text = QColor(colors["text"])
    legend = chart.legend()
    legend.setLabelColor(text)
    legend.setFont(_text_font())
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    for axis in chart.axes():
        axis.setLabelsColor(text)
        axis.setLabelsFont(_text_font(0.9))
        axis.setTitleBrush(QColor(colors["muted"]))
        axis.setGridLineColor(QColor(colors["card_border"]))
        axis.setLinePenColor(QColor(colors["card_border"]))
        axis.setShadesVisible(False)
    return chart


def _bar_set(bars: Bars, colors: dict[str, str], soft: bool = False) -> QBarSet:
    """soft: see-through, for bars under lines of the same colour."""
    bar_set = QBarSet(bars.name)
    bar_set.append([float(v) for v in bars.values])
    color = QColor(colors[bars.color])
    if soft:
        color.setAlpha(150)
    bar_set.setColor(color)
    bar_set.setBorderColor(color)
    bar_set.setLabelColor(QColor(colors["text"]))
    bar_set.setLabelFont(_text_font(0.85))
    return bar_set


def _round_steps(top: float) -> tuple[float, int]:
    """The axis's step and tick count: a round step (1, 2, 5 × 10ⁿ, or 25, 250, …), 3 to 6 steps,
    the one whose range overshoots top the least (Qt's nice numbers put 900 on 0–1,500)."""
    power = 10 ** math.floor(math.log10(top))
    candidates = [
        m * p for p in (power / 100, power / 10, power) for m in (1, 2, 2.5, 5) if m * p >= 1 and (m != 2.5 or p >= 10)
    ]
    fits = [(math.ceil(top / step - 1e-9), step) for step in candidates]
    count, step = min(((n, st) for n, st in fits if 3 <= n <= 6), key=lambda f: (f[0] * f[1], f[0]))
    return step, count


def _value_axis(top: float, label_format: str = "%d", title: str = "") -> QValueAxis:
    axis = QValueAxis()
    if top < 5:  # whole numbers one by one: a nice range of 0–1 would label 0, 0, 0, 0, 1
        axis.setRange(0, 5)
        axis.setTickCount(6)
    else:
        step, ticks = _round_steps(top)
        axis.setRange(0, ticks * step)
        axis.setTickCount(ticks + 1)
    axis.setLabelFormat(label_format)
    axis.setMinorTickCount(0)
    if title:
        axis.setTitleText(title)
    return axis


def bar_chart(
    colors: dict[str, str],
    categories: Sequence[str],
    sets: Sequence[Bars],
    *,
    horizontal: bool = False,
    value_format: str = "%d",
    value_title: str = "",
    top: float | None = None,
) -> QChart:
    """Bars per category (grouped when there are several sets); horizontal for a funnel, whose
    first category is drawn at the bottom (give them in the order they stack up)."""
    chart = QChart()
    series = QHorizontalBarSeries() if horizontal else QBarSeries()
    series.setBarWidth(0.75)
    labelled = any(s.labels for s in sets)
    for bars in sets:
        series.append(_bar_set(bars, colors))
    if labelled:
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        series.setLabelsPrecision(12)
    chart.addSeries(series)
    names = QBarCategoryAxis()
    names.append([html.escape(name) for name in categories])  # axis labels are read as rich text: "< 1 h"
    highest = max([float(v) for s in sets for v in s.values] or [0.0])
    values = _value_axis(top if top is not None else highest * (1.12 if labelled else 1.05), value_format, value_title)
    chart.addAxis(names, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(names)
    series.attachAxis(values)
    chart.legend().setVisible(len(sets) > 1)
    return themed(chart, colors)


def bars_and_lines(
    colors: dict[str, str],
    labels: Sequence[str],
    bars: Sequence[Bars],
    lines: Sequence[Bars],
    *,
    bar_title: str = "",
    line_title: str = "",
    most_labels: int = 12,
) -> QChart:
    """Bars per bucket against the left axis, cumulative lines against the right; the buckets'
    labels thinned out to at most `most_labels` so they never overlap."""
    chart = QChart()
    count = len(labels)
    series = QBarSeries()
    series.setBarWidth(0.85)
    for one in bars:
        series.append(_bar_set(one, colors, soft=True))
    chart.addSeries(series)
    axis_x = QCategoryAxis()
    axis_x.setRange(-0.5, max(0.5, count - 0.5))
    axis_x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    step = max(1, -(-count // most_labels))
    for index in range(0, count, step):
        axis_x.append(html.escape(labels[index]), index)
    axis_x.setGridLineVisible(False)
    left = _value_axis(max([float(v) for b in bars for v in b.values] or [0.0]), "%d", bar_title)
    right = _value_axis(max([float(v) for b in lines for v in b.values] or [0.0]), "%d", line_title)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
    right.setGridLineVisible(False)
    series.attachAxis(axis_x)
    series.attachAxis(left)
    for one in lines:
        line = QLineSeries()
        line.setName(one.name)
        line.append([QPointF(i, float(v)) for i, v in enumerate(one.values)])
        pen = QPen(QColor(colors[one.color]), 2.4)
        line.setPen(pen)
        chart.addSeries(line)
        line.attachAxis(axis_x)
        line.attachAxis(right)
    return themed(chart, colors)


class ChartView(QChartView):
    """A chart drawn by `make(colors)`, made again in the new colours when the palette changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._make: Callable[[dict[str, str]], QChart] | None = None
        self._retheme = QTimer(self, singleShot=True, interval=0, timeout=self.redraw)  # type: ignore[call-arg]  # (PySide: a signal by keyword)

    def draw(self, make: Callable[[dict[str, str]], QChart]) -> None:
        self._make = make
        self.redraw()

    def redraw(self) -> None:
        if self._make is None:
            return
        colors = style.colors(self.palette())
        old = self.chart()
        self.setChart(self._make(colors))
        self.setBackgroundBrush(QColor(colors["card"]))
        if old is not None and shiboken6.isValid(old):
            old.deleteLater()  # the view let go of it

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange):
            self._retheme.start()  # several arrive for one switch: draw once


class ChartBox(QFrame):
    """A titled chart with a menu: save it as PNG, export its data as CSV. It reports the request;
    whoever owns the prompts asks for the file (ChartFiles)."""

    save_requested = Signal(object)  # this box
    export_requested = Signal(object)

    def __init__(self, title: str, file_stem: str, parent: QWidget | None = None, height: int = 260) -> None:
        super().__init__(parent)
        self.setObjectName("ChartBox")
        self.file_stem = file_stem
        self.data = ChartData(())
        self.title = plain_label(title)  # may quote a batch name or a pattern
        self.title.setObjectName("SectionTitle")
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("CardIconButton")
        self.menu_button.setIcon(style.icon("more"))
        self.menu_button.setToolTip(f"{title}: save or export")
        self.menu_button.setAccessibleName(f"{title}: save or export")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.menu_button)
        self.save_action = self.menu.addAction(style.icon("download"), SAVE_PNG, lambda: self.save_requested.emit(self))
        self.export_action = self.menu.addAction(
            style.icon("export"), EXPORT_CSV, lambda: self.export_requested.emit(self)
        )
        self.menu_button.setMenu(self.menu)
        self.view = ChartView()
        self.view.setMinimumHeight(height)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.menu_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)

    def show_chart(self, data: ChartData, make: Callable[[dict[str, str]], QChart]) -> None:
        self.data = data
        self.view.draw(make)

    def set_title(self, title: str) -> None:
        self.title.setText(title)

    def image(self) -> QImage:
        """The chart as it is on screen (at the screen's pixel ratio)."""
        return self.view.grab().toImage()


def write_png(image: QImage, path: str) -> str:
    """On a worker (a QImage is safe off the GUI thread): the PNG appears at path only once whole,
    as the CSV exports do; a failure is a FileProblem naming the file and leaves nothing behind."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # (PySide takes text here, refuses bytes)
        raise FileProblem(f"The chart could not be drawn as PNG for {path}.")
    target = Path(path)
    try:
        write_whole(target, bytes(buffer.data().data()))
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return path


def write_csv(data: ChartData, path: str) -> int:
    """The chart's rows, whole or not at all; how many rows."""
    with whole_csv(path) as writer:
        writer.writerow(data.header)
        writer.writerows(data.rows)
    return len(data.rows)


def axis_of(chart: QChart, kind: type[QAbstractAxis]) -> list[QAbstractAxis]:
    """The chart's axes of that class (for tests and the benchmark)."""
    return [axis for axis in chart.axes() if isinstance(axis, kind)]

"""Draws a signage page (app/core/signage) onto any QPainter: the PDF (QPdfWriter), the printer and its
preview (QPrinter), and PNG renderings (QImage) are one drawing. QtGui only, no widgets: the CLI uses
it with a QGuiApplication on the offscreen platform, and the window on a worker thread."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

from app.core import qr, signage
from app.core.signage import Logo, Page, QrCode, Rule, Text

from .fonts import add_shipped_fonts, point_qt_at_shipped_fonts

FAMILY = "DejaVu Sans"
PDF_DPI = 1200  # the PDF's coordinate grid; the drawing itself is vector
SMALLEST = 3.0  # points: below a text's own minimum, it shrinks to fit rather than be clipped
_PAGE_IDS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter, "a5": QPageSize.PageSizeId.A5}


def ensure_app() -> QGuiApplication:
    """The running application, or a windowless one for the command line (fonts need one)."""
    found = QGuiApplication.instance()
    if found is not None:
        add_shipped_fonts()  # FAMILY, on every platform
        return cast(QGuiApplication, found)  # this program makes only GUI applications (Qt types it as the core one)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    point_qt_at_shipped_fonts()
    made = QGuiApplication(["voucher-batches"])
    add_shipped_fonts()
    return made


def page_size(page: Page) -> QPageSize:
    if page.paper in _PAGE_IDS:
        return QPageSize(_PAGE_IDS[page.paper])
    return QPageSize(
        QSizeF(page.width, page.height), QPageSize.Unit.Point, "QR code", QPageSize.SizeMatchPolicy.ExactMatch
    )


@dataclass(frozen=True)
class Fitted:
    """How a text box is drawn: the size the fit rule chose, and how many lines it takes."""

    size: float
    lines: int
    font: QFont
    flags: int


def _font(size: float, bold: bool, dpi: float) -> QFont:
    # The painter is scaled to points; a font's point size is scaled by the device's dpi as well,
    # so it is asked for at size × 72 / dpi to come out at `size` points.
    font = QFont(FAMILY)
    font.setPointSizeF(size * 72.0 / dpi)
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setKerning(True)
    for feature in ("liga", "clig"):  # "off", not "o" + the ff ligature: the PDF's text reads and searches as typed
        font.setFeature(QFont.Tag(feature), 0)
    return font


def _flags(item: Text) -> int:
    align = Qt.AlignmentFlag.AlignHCenter if item.align == "center" else Qt.AlignmentFlag.AlignLeft
    wrap = Qt.TextFlag.TextWrapAnywhere if item.anywhere else Qt.TextFlag.TextWordWrap
    return int(align | Qt.AlignmentFlag.AlignVCenter) | int(wrap)


def fit(item: Text, device) -> Fitted:
    """The largest size from item.size down to item.min_size at which the text fits its box on at
    most item.max_lines lines; past min_size it keeps shrinking (on more lines) until it fits."""
    flags = _flags(item)
    dpi = device.logicalDpiY()
    width, height = item.box.w * 0.98, item.box.h  # a little slack for rounding between devices
    size = item.size
    words = item.text.split() or [""]
    while True:
        font = _font(size, item.bold, dpi)
        metrics = QFontMetricsF(font, device)  # in points: the font was asked for at 72/dpi
        bound = metrics.boundingRect(QRectF(0, 0, width, 1e7), flags, item.text)
        lines = max(1, round(bound.height() / metrics.lineSpacing()))
        widest = 0.0 if item.anywhere else max(metrics.horizontalAdvance(word) for word in words)
        fits = bound.height() <= height and bound.width() <= width and widest <= width
        if fits and (lines <= item.max_lines or size <= item.min_size):
            return Fitted(size, lines, font, flags)
        if size <= SMALLEST:
            return Fitted(size, lines, font, flags)
        size = max(SMALLEST, size * 0.96 if size > item.min_size else size * 0.92)


def _color(name: str, page: Page) -> QColor:
    return QColor(page.accent if name == signage.ACCENT else name)


def _draw_qr(painter: QPainter, code: QrCode) -> None:
    box, step = code.box, code.module
    painter.fillRect(QRectF(box.x, box.y, box.w, box.h), QColor("#ffffff"))  # the quiet zone stays white
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for row, col, length in qr.dark_runs(code.modules):
        path.addRect(QRectF(box.x + col * step, box.y + row * step, length * step, step))
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillPath(path, QColor("#000000"))
    painter.restore()


def _draw_logo(painter: QPainter, logo: Logo) -> None:
    target = QRectF(logo.box.x, logo.box.y, logo.box.w, logo.box.h)
    if logo.path.lower().endswith(".svg"):
        from PySide6.QtSvg import QSvgRenderer

        renderer = QSvgRenderer(logo.path)
        if renderer.isValid():
            size = renderer.defaultSize()
            renderer.render(painter, _fitted_rect(target, size.width(), size.height()))
        return
    image = QImage(logo.path)
    if not image.isNull():
        painter.drawImage(_fitted_rect(target, image.width(), image.height()), image)


def _fitted_rect(target: QRectF, w: float, h: float) -> QRectF:
    """The largest rectangle of w:h proportions inside target, centred vertically, at its left."""
    if w <= 0 or h <= 0:
        return target
    scale = min(target.width() / w, target.height() / h)
    return QRectF(target.x(), target.y() + (target.height() - h * scale) / 2, w * scale, h * scale)


def _draw_text(painter: QPainter, item: Text, page: Page) -> None:
    fitted = fit(item, painter.device())
    painter.setFont(fitted.font)
    painter.setPen(_color(item.color, page))
    box = item.box
    painter.drawText(QRectF(box.x, box.y, box.w, box.h), fitted.flags, item.text)


def paint_page(painter: QPainter, page: Page) -> None:
    """Draw the page with its top left at the painter's origin, 1 unit = 1 device pixel on entry."""
    painter.save()
    painter.scale(painter.device().logicalDpiX() / 72.0, painter.device().logicalDpiY() / 72.0)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(QRectF(0, 0, page.width, page.height), QColor("#ffffff"))
    for panel in page.panels:
        painter.save()
        if panel.upside_down:
            painter.translate(panel.box.x + panel.box.w, panel.box.y + panel.box.h)
            painter.rotate(180)
        else:
            painter.translate(panel.box.x, panel.box.y)
        for item in panel.items:
            if isinstance(item, Text):
                _draw_text(painter, item, page)
            elif isinstance(item, QrCode):
                _draw_qr(painter, item)
            elif isinstance(item, Rule):
                painter.fillRect(QRectF(item.box.x, item.box.y, item.box.w, item.box.h), _color(item.color, page))
            elif isinstance(item, Logo):
                _draw_logo(painter, item)
        painter.restore()
    for mark in page.marks:
        pen = QPen(QColor(signage.RULE_GREY), 0.5 if mark.kind == "cut" else 0.7)
        if mark.kind == "fold":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(mark.x1, mark.y1), QPointF(mark.x2, mark.y2))
    for item in page.texts:
        _draw_text(painter, item, page)
    painter.restore()


def pdf_bytes(page: Page, title: str = "") -> bytes:
    """The page as a one-page PDF (vector throughout, but for a PNG logo). Safe on a worker thread."""
    ensure_app()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(QPageLayout(page_size(page), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle(title)
    writer.setCreator("Voucher Batches")
    painter = QPainter(writer)
    paint_page(painter, page)
    painter.end()
    buffer.close()
    return bytes(data.data())


def save_pdf(page: Page, target: str | os.PathLike, title: str = "") -> Path:
    """Write the PDF whole or not at all; an OSError says why it could not be written."""
    target = Path(target)
    qr.write_whole(target, pdf_bytes(page, title))
    return target


def render_image(page: Page, dpi: float = 150) -> QImage:
    """The page as an image (screenshots, tests): the same drawing as the PDF."""
    ensure_app()
    scale = dpi / 72.0
    image = QImage(round(page.width * scale), round(page.height * scale), QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    paint_page(painter, page)
    painter.end()
    return image


def png_bytes(page: Page, dpi: float = 150) -> bytes:
    """The page as a PNG file's bytes (the claim site's voucher pictures)."""
    image = render_image(page, dpi)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (PySide6 takes the format as text, its stubs say bytes)
    buffer.close()
    return bytes(data.data())


def print_page(printer, page: Page) -> None:
    """Draw onto a QPrinter (the system's printer or the print preview's), from the paper's corner."""
    printer.setFullPage(True)
    painter = QPainter(printer)
    paint_page(painter, page)
    painter.end()


def save_qr_pdf(url: str, target: str | os.PathLike) -> Path:
    """The QR code alone, 60 mm with its quiet zone, as a vector PDF for print shops."""
    return save_pdf(signage.qr_page(url), target, url)

"""The scanner's test label, drawn onto any QPainter: on screen (Settings → Scanner), on paper (its
print preview) and into images (the tests read it back). A barcode for the scanners that read only
barcodes, a QR code for the others, both holding scans.TEST_LABEL, and that text in letters."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from app.core import barcodes, qr, scans

WIDTH, HEIGHT = 360.0, 300.0  # the label's own units; drawn at any size with these proportions
PRINT_WIDTH_MM = 90.0  # on paper: barcode modules of about 0.3 mm, which every scanner reads
FAMILY = "DejaVu Sans"


def _font(pixels: float, bold: bool = False, mono: bool = False) -> QFont:
    font = QFont("DejaVu Sans Mono" if mono else FAMILY)
    font.setPixelSize(max(1, round(pixels)))  # in label units: the painter's scale sizes it
    font.setBold(bold)
    return font


def paint_label(painter: QPainter, target: QRectF) -> None:
    """The label, as large as fits in target, centred, on white."""
    scale = min(target.width() / WIDTH, target.height() / HEIGHT)
    painter.save()
    painter.translate(
        target.left() + (target.width() - WIDTH * scale) / 2, target.top() + (target.height() - HEIGHT * scale) / 2
    )
    painter.scale(scale, scale)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # bars and modules with sharp edges
    painter.fillRect(QRectF(0, 0, WIDTH, HEIGHT), QColor("white"))
    painter.setPen(QColor("black"))
    painter.setFont(_font(15, bold=True))
    painter.drawText(QRectF(0, 6, WIDTH, 24), Qt.AlignmentFlag.AlignCenter, "Scan me: scanner test")

    widths = barcodes.code128(scans.TEST_LABEL)
    module = WIDTH / barcodes.modules(widths)
    x = barcodes.QUIET * module
    for position, width in enumerate(widths):
        if position % 2 == 0:  # bars; the spaces between are the white already there
            painter.fillRect(QRectF(x, 38, width * module, 72), QColor("black"))
        x += width * module
    painter.setFont(_font(13, mono=True))
    painter.drawText(QRectF(0, 112, WIDTH, 20), Qt.AlignmentFlag.AlignCenter, scans.TEST_LABEL)

    modules = qr.qr_modules(scans.TEST_LABEL)  # quiet zone included
    side = 140.0
    cell = side / len(modules)
    left, top = (WIDTH - side) / 2, 136.0
    for row, start, length in qr.dark_runs(modules):
        painter.fillRect(QRectF(left + start * cell, top + row * cell, length * cell, cell), QColor("black"))
    painter.setFont(_font(10))
    painter.drawText(
        QRectF(0, HEIGHT - 22, WIDTH, 18), Qt.AlignmentFlag.AlignCenter, "Voucher Batches · Settings → Scanner"
    )
    painter.restore()

"""Posters have letters on every PC: the app ships DejaVu Sans and adds it to Qt's fonts itself."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument

from app.core import signage
from app.render import fonts, painting
from tests.helpers.platform import UNDER_WINE


def test_the_shipped_fonts_are_in_qts_font_database(qapp):
    assert fonts.add_shipped_fonts() == ["DejaVu Sans"]
    assert fonts.add_shipped_fonts() == ["DejaVu Sans"]  # twice: added once


def test_a_posters_pdf_carries_its_letters_as_text_in_an_embedded_font(qapp):
    """On Windows CPython, Qt's offscreen platform finds no system font: before the app shipped its
    own, every letter of `batch poster`'s PDF was a box and no font was embedded."""
    content = signage.make_content(
        "Łódź Corner Shop",
        "Summer treat",
        {"discount": "10% off", "min_purchase": "", "expiry": "Valid 30 days", "terms": ""},
        "",
        "http://shop.test/c/abc",
    )
    pdf = painting.pdf_bytes(signage.layout(content, "a4", "a4"), "poster")
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # the font travels inside the PDF
    if UNDER_WINE:  # QtPdf (pdfium) stops Wine with a breakpoint; packaging/windows/smoke.sh reads the text instead
        return
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    text = document.getAllText(0).text()
    for words in ("Łódź Corner Shop", "Summer treat"):
        assert words in text

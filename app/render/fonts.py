"""The fonts shipped with the app (resources/fonts: DejaVu Sans), added to Qt's font database so that
posters have letters wherever Qt finds no system fonts: Qt's offscreen platform on Windows reads
fonts only from its own lib/fonts, which the wheels do not ship (every letter was a box)."""

from __future__ import annotations

import os
import sys

from app.resources import resource_path

FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
_added: dict[str, list[str]] = {}


def point_qt_at_shipped_fonts(platform: str = sys.platform) -> None:
    """Before the QGuiApplication exists: on Windows, Qt's offscreen platform (the command line's, the
    tests') reads fonts from QT_QPA_FONTDIR, by default the wheel's missing lib/fonts ("QFontDatabase:
    Cannot find font directory"); the shipped fonts' folder instead. Windows' own platform, and
    fontconfig elsewhere, do not read it."""
    if platform == "win32":
        os.environ.setdefault("QT_QPA_FONTDIR", str(resource_path("fonts")))


def add_shipped_fonts() -> list[str]:
    """Add the shipped fonts (once per process; a QGuiApplication must exist); their family names."""
    from PySide6.QtGui import QFontDatabase

    for name in FILES:
        if name not in _added:
            font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
            _added[name] = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return sorted({family for families in _added.values() for family in families})

"""The fonts shipped with the app (resources/fonts: DejaVu Sans), added to Qt's font database so that
posters have letters wherever Qt finds no system fonts: Qt's offscreen platform on Windows reads
fonts only from its own lib/fonts, which the wheels do not ship (every letter was a box)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

from app.resources import resource_path

FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
_added: dict[str, list[str]] = {}


def add_shipped_fonts() -> list[str]:
    """Add the shipped fonts (once per process; a QGuiApplication must exist); their family names."""
    for name in FILES:
        if name not in _added:
            font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
            _added[name] = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return sorted({family for families in _added.values() for family in families})

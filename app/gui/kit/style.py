"""The look: SVG icons tinted for the palette, and a restrained style sheet whose colours follow the
system's light or dark palette."""

from __future__ import annotations

from functools import lru_cache
from string import Template

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from app.resources import resource_path

ICON_SIZES = (16, 20, 24, 32, 48, 64, 96)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """a moved `amount` of the way towards b."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def colors(palette: QPalette | None = None) -> dict[str, str]:
    """The few colours the style sheet and the painted widgets use, for this palette."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.WindowText)
    dark = is_dark(palette)
    return {
        "card": (mix(window, QColor("white"), 0.06) if dark else base).name(),
        "card_border": mix(window, text, 0.20 if dark else 0.14).name(),
        "card_hover": mix(window, text, 0.35 if dark else 0.28).name(),
        "muted": mix(text, window, 0.40).name(),
        "subtle": mix(window, text, 0.05).name(),
        "text": text.name(),
        "ok_fg": "#4ac26b" if dark else "#1a7f37",
        "ok_bg": "#173a24" if dark else "#dafbe1",
        "warn_fg": "#e3b341" if dark else "#8a5a00",
        "warn_bg": "#3d2f0b" if dark else "#fff3c4",
        "error_fg": "#ff8080" if dark else "#b42318",
        "error_bg": "#4a1d1d" if dark else "#fde8e8",
        "info_bg": "#1c2f4a" if dark else "#e6f0ff",
        "danger": "#da3633" if dark else "#c9302c",
        "accent": palette.color(QPalette.ColorRole.Highlight).name(),
        "accent_text": palette.color(QPalette.ColorRole.HighlightedText).name(),
    }


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template(resource_path("qss", "app.qss").read_text(encoding="utf-8"))


def style_sheet(palette: QPalette | None = None) -> str:
    return _template().substitute(colors(palette))


def apply(app: QApplication) -> None:
    """Apply the style sheet for the current palette (again when the system switches light/dark)."""
    icon.cache_clear()
    app.setStyleSheet(style_sheet(app.palette()))


@lru_cache(maxsize=256)
def _svg(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def icon(name: str, color: str | None = None) -> QIcon:
    """An icon from resources/icons, drawn in `color` (default: the palette's text colour), sharp at
    every size and device pixel ratio up to 200 %."""
    color = color or QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("currentColor", color).encode()))
    result = QIcon()
    for size in ICON_SIZES:
        for ratio in (1, 2):
            pixmap = QPixmap(size * ratio, size * ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size * ratio, size * ratio))
            painter.end()
            pixmap.setDevicePixelRatio(ratio)
            result.addPixmap(pixmap)
    return result

"""The look: SVG icons tinted for the palette, and a restrained style sheet whose colours follow the
system's light or dark palette."""

from __future__ import annotations

from functools import lru_cache
from string import Template

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleOption

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
    every size and device pixel ratio: drawn at the size and scale it is shown at, when first shown."""
    color = color or QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return QIcon(TintedSvg(_svg(name).replace("currentColor", color).encode()))


class TintedSvg(QIconEngine):
    """An SVG icon drawn at each size and scale only when Qt first asks for it (drawing every size
    up front cost the start about 1.4 ms and 0.4 MB an icon); other modes as the style makes them."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer = QSvgRenderer(QByteArray(svg))
        self._drawn: dict[tuple[int, float, QIcon.Mode], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return TintedSvg(self._svg)

    def availableSizes(self, mode=QIcon.Mode.Normal, state=QIcon.State.Off) -> list[QSize]:  # noqa: N802
        """The sizes it is drawn at best (a window manager picks its window icons among them)."""
        return [QSize(size, size) for size in ICON_SIZES]

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: N802
        side = min(size.width(), size.height())
        return QSize(side, side)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:  # noqa: N802
        side = min(size.width(), size.height())
        key = (side, scale, mode)
        drawn = self._drawn.get(key)
        if drawn is None:
            pixels = max(1, round(side * scale))
            drawn = QPixmap(pixels, pixels)
            drawn.fill(Qt.GlobalColor.transparent)
            painter = QPainter(drawn)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._renderer.render(painter, QRectF(0, 0, pixels, pixels))
            painter.end()
            drawn.setDevicePixelRatio(scale)
            if mode != QIcon.Mode.Normal:  # disabled, selected: as Qt makes them from the normal one
                drawn = QApplication.style().generatedIconPixmap(mode, drawn, QStyleOption())
            self._drawn[key] = drawn
        return drawn

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        scale = device.devicePixelRatioF() if device is not None else 1.0
        drawn = self.scaledPixmap(rect.size(), mode, state, scale)
        side = min(rect.width(), rect.height())
        target = QRect(0, 0, side, side)
        target.moveCenter(rect.center())
        painter.drawPixmap(target, drawn)

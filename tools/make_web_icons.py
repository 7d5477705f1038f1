"""Render the claim site's icons from resources/static/favicon.svg (the site's own mark):

    resources/static/icon-192.png, icon-512.png   the web app manifest's icons ("Add to Home Screen")
    resources/static/icon-maskable-512.png        the same on a full square of the brand colour, the
                                                  mark inside the middle 80 % (Android crops it round)
    resources/static/apple-touch-icon.png         180 × 180, opaque (iOS's home screen)

The Apple Wallet pass's icons are scaled from icon-192.png when a pass is made.
Run it after changing favicon.svg, and commit what it writes:  python -m tools.make_web_icons
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QByteArray, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "resources" / "static"
BRAND = "#0f766e"


def _draw(renderer: QSvgRenderer, size: int, target: Path, *, fill: str = "", inset: float = 0.0) -> Path:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(QColor(fill) if fill else QColor(Qt.GlobalColor.transparent))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * inset
    renderer.render(painter, QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    painter.end()
    if not image.save(str(target), "PNG"):
        raise SystemExit(f"could not write {target}")
    return target


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (QImage painting wants a Gui application)
    renderer = QSvgRenderer(QByteArray((STATIC / "favicon.svg").read_bytes()))
    if not renderer.isValid():
        raise SystemExit("favicon.svg is not an SVG Qt can draw")
    written = [
        _draw(renderer, 192, STATIC / "icon-192.png"),
        _draw(renderer, 512, STATIC / "icon-512.png"),
        _draw(renderer, 512, STATIC / "icon-maskable-512.png", fill=BRAND, inset=0.12),
        _draw(renderer, 180, STATIC / "apple-touch-icon.png", fill=BRAND, inset=0.0),
    ]
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

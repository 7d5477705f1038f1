"""Render the application icon for desktops from resources/icons/app.svg (the window's own icon).

app.svg draws in `currentColor` so that the window can tint it for the palette; a desktop has no
such colour, so the files here are drawn in the brand colour (the claim site's, #0f766e):

    packaging/linux/icons/hicolor/<N>x<N>/apps/<ID>.png   N = 16 24 32 48 64 128 256 512
    packaging/linux/icons/hicolor/scalable/apps/<ID>.svg
    packaging/windows/voucher-batches.ico                 16 to 256, for the Windows executables

Run it after changing app.svg, and commit what it writes:  python packaging/linux/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QByteArray, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

APP_ID = "io.github.voucherbatches.VoucherBatches"
COLOR = "#0f766e"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "resources" / "icons" / "app.svg"
HICOLOR = ROOT / "packaging" / "linux" / "icons" / "hicolor"
ICO = ROOT / "packaging" / "windows" / "voucher-batches.ico"


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (QImage painting wants a Gui application)
    svg = SOURCE.read_text(encoding="utf-8").replace("currentColor", COLOR)
    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_text(svg, encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not an SVG Qt can draw")
    written = [scalable]
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        target = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"could not write {target}")
        written.append(target)
    # Pillow writes a multi-size .ico from the largest picture, scaling down itself; hand it each
    # size Qt drew instead, so that the small ones stay sharp.
    pictures = [Image.open(HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png").convert("RGBA") for size in ICO_SIZES]
    ICO.parent.mkdir(parents=True, exist_ok=True)
    pictures[-1].save(ICO, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=pictures[:-1])
    written.append(ICO)
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

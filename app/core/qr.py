"""Print-ready QR codes with a quiet zone: PNG at 300 dpi, and SVG drawn from the modules (vector, for print shops)."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from . import files

if TYPE_CHECKING:
    from PIL import Image

DEFAULT_SIZE = 1200  # pixels a side: 4 inches at 300 dpi; the spec's floor for print is 500
PRINT_DPI = 300
QUIET_ZONE = 4  # modules, as the QR standard asks


def qr_image(text: str, size: int = DEFAULT_SIZE) -> Image.Image:
    """A black-on-white QR image of text, at least size x size pixels, with its quiet zone."""
    import qrcode  # (here: the window's start needs no QR code)
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    modules = code.modules_count + 2 * QUIET_ZONE
    code.box_size = max(1, -(-size // modules))  # whole pixels per module: sharp edges when printed
    return code.make_image(fill_color="black", back_color="white").get_image().convert("1")


def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of text as rows of dark (True) and light modules, quiet zone included."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())


def dark_runs(modules: Sequence[Sequence[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each run of dark modules: one rectangle each when drawn."""
    runs = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def qr_svg(text: str, module_px: int = 10) -> str:
    """The QR code of text as an SVG: one path of dark runs on a white square, quiet zone included."""
    modules = qr_modules(text)
    n = len(modules)
    path = "".join(f"M{x} {y}h{length}v1h-{length}z" for y, x, length in dark_runs(modules))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{n * module_px}" height="{n * module_px}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">\n'
        f"<title>{escape(text)}</title>\n"
        f'<rect width="{n}" height="{n}" fill="#ffffff"/>\n'
        f'<path fill="#000000" d="{path}"/>\n'
        "</svg>\n"
    )


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(PRINT_DPI, PRINT_DPI), optimize=True)
    return buffer.getvalue()


def qr_png_bytes(text: str, size: int = DEFAULT_SIZE) -> bytes:
    return _png(qr_image(text, size))


@dataclass(frozen=True)
class SavedImage:
    """What was written: whole modules make the image a little larger than the size asked for."""

    path: Path
    width: int
    height: int
    dpi: int

    def describe(self) -> str:
        return f"{self.width}×{self.height} px, {self.dpi} dpi"


def save_qr_png(text: str, target: str | os.PathLike[str], size: int = DEFAULT_SIZE) -> SavedImage:
    """Write the PNG whole or not at all."""
    target = Path(target)
    image = qr_image(text, size)
    write_whole(target, _png(image))
    return SavedImage(target, image.width, image.height, PRINT_DPI)


def save_qr_svg(text: str, target: str | os.PathLike[str]) -> Path:
    target = Path(target)
    write_whole(target, qr_svg(text).encode("utf-8"))
    return target


def write_whole(target: Path, data: bytes) -> None:
    """Write a file whole or not at all (written aside, then renamed), readable by the user alone."""
    files.write_whole(target, data)

"""Print-ready QR codes: PNG at 300 dpi with a quiet zone, large enough for posters."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M

DEFAULT_SIZE = 1200  # pixels a side: 4 inches at 300 dpi; the spec's floor for print is 500
PRINT_DPI = 300
QUIET_ZONE = 4  # modules, as the QR standard asks


def qr_image(text: str, size: int = DEFAULT_SIZE):
    """A black-on-white QR image of text, at least size x size pixels, with its quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    modules = code.modules_count + 2 * QUIET_ZONE
    code.box_size = max(1, -(-size // modules))  # whole pixels per module: sharp edges when printed
    return code.make_image(fill_color="black", back_color="white").get_image().convert("1")


def _png(image) -> bytes:
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


def save_qr_png(text: str, target: str | os.PathLike, size: int = DEFAULT_SIZE) -> SavedImage:
    """Write the PNG whole or not at all (written aside, then renamed)."""
    target = Path(target)
    image = qr_image(text, size)
    part = target.with_name(f".{target.name}.part")
    try:
        part.write_bytes(_png(image))
        os.replace(part, target)
    except OSError:
        part.unlink(missing_ok=True)
        raise
    return SavedImage(target, image.width, image.height, PRINT_DPI)

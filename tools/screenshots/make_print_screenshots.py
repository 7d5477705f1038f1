"""Pictures of the print studio for the README:

    python -m tools.screenshots.make_print_screenshots

Writes packaging/screenshots/print-<layout>.png (each layout's page, drawn by the same renderer as the
PDF, at 100 dpi), print-a4-logo.png (with a logo, an accent colour and a long title) and
print-preview.png (the Print… preview with the 8-up cards chosen), from a demo database in a
temporary folder."""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "packaging" / "screenshots"
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="100">'
    '<rect width="160" height="100" rx="18" fill="#c0392b"/>'
    '<circle cx="50" cy="50" r="28" fill="#fff"/><rect x="90" y="25" width="50" height="50" fill="#fff"/></svg>'
)


def main() -> int:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from app.core import batches, settings, signage, store, templates
    from app.gui.dialogs.print_studio import SignagePreview
    from app.render import painting

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        store.open_database(Path(folder) / "demo.db")
        settings.save(settings.Settings(store_name="Corner Shop", public_base_url="https://yoursite.com"))
        ten = templates.create_template(
            "10% off, spend $20", "10%", min_purchase="20", valid_days=30, terms="One per visit. Not with other offers."
        )
        batch = batches.create_batch(
            "Summer 2025 - Store Signage",
            ten,
            300,
            "In-store QR",
            "A summer thank-you to our regulars.",
            title="10% off your next visit",
        )
        content = signage.content_for(batch.id)
        OUT.mkdir(parents=True, exist_ok=True)
        for layout in signage.LAYOUTS:
            target = OUT / f"print-{layout}.png"
            painting.render_image(signage.layout(content, layout), 100).save(str(target))
            print(target)
        # A store logo (SVG), an accent colour and a long title, which shrinks and wraps rather than be cut.
        logo = Path(folder) / "logo.svg"
        logo.write_text(LOGO)
        settings.save(dataclasses.replace(settings.load(), logo_path=str(logo), accent_color="#c0392b"))
        batches.set_title(batch.id, "Summer celebration: ten percent off everything in the store on your next visit")
        target = OUT / "print-a4-logo.png"
        painting.render_image(signage.layout(signage.content_for(batch.id), "a4"), 100).save(str(target))
        print(target)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        preview = SignagePreview(content, printer)
        preview.resize(1000, 800)
        preview.show()
        preview.choice.choose("8-up", "a4")
        for _ in range(20):
            app.processEvents()
        target = OUT / "print-preview.png"
        preview.grab().save(str(target))
        print(target)
        preview.close()
        store.close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())

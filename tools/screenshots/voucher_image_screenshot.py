"""The voucher image a member saves from My Cards: python -m tools.screenshots.voucher_image_screenshot

Writes packaging/screenshots/voucher-image.png from a small demo database in a temporary folder, drawn
as the claim site draws it (app.core.voucher_card's page, painted on the render thread)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from app.core import batches, claims, members, settings, store, templates, voucher_card
    from app.render import pictures

    folder = Path(tempfile.mkdtemp())
    store.open_database(folder / "demo.db")
    settings.save(
        settings.Settings(
            store_name="Corner Shop", public_base_url="https://yoursite.com", time_zone="America/New_York"
        )
    )
    offer = templates.create_template(
        "10% off, spend $20", "10%", min_purchase="20", valid_days=30, terms="One per visit. Not with other offers."
    )
    batch = batches.create_batch(
        "Summer 2025 - Store Signage", offer, 50, "In-store QR", "Summer treat", title="10% off your summer basket",
        prefix="SUMMER",
    )  # fmt: skip
    member = members.create_member("maya@example.com", "x", "Maya")
    voucher = claims.claim(batch.token, member.id).voucher
    target = ROOT / "packaging" / "screenshots" / "voucher-image.png"
    target.write_bytes(pictures.png(voucher_card.page_for(voucher, settings.load()), voucher_card.DPI))
    store.close_database()
    print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

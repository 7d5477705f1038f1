"""Headless Chromium for the claim site's browser tests: how it is launched, the phone it plays, where
screenshots go, reading QR codes off the screen, and axe-core's accessibility check.

Screenshots go to a temporary folder, or, to refresh the README's pictures, to $SCREENSHOTS_DIR:

    SCREENSHOTS_DIR=packaging/screenshots python -m pytest tests/web/test_browser.py tests/web/test_pocket.py
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 568}
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or tempfile.mkdtemp(prefix="claim-screenshots-"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def snap(page, state: str) -> None:
    """Save the whole page once its images have loaded, after checking that it fits the screen's
    width (no sideways scrolling)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_function("Array.from(document.images).every(image => image.complete && image.naturalWidth > 0)")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{state}: the page is {width}px wide"
    page.screenshot(path=str(SHOTS / f"claim-{state}.png"), full_page=True)


def qr_codes_on(png: bytes) -> list[str]:
    """What every QR code in a screenshot says, as a till's scanner would read them."""
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def axe_source() -> str:
    assert AXE.is_file(), f"axe-core is not installed: npm ci --prefix tests/web (wanted {AXE})"
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[str]:
    """axe-core's violations of WCAG 2.2 A and AA (and its best practices) on the page as it is now,
    one line each. axe is given to the page by the test's browser (context.add_init_script), so the
    page's own Content-Security-Policy, which allows no such script, stays as it is."""
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " ")),
            }));
        }""",
        AXE_TAGS,
    )
    return [f"{v['id']} ({v['impact']}): {json.dumps(v['nodes'])}" for v in found]


SMALLEST_TARGET = 44  # CSS pixels: the phone guidance for anything a thumb presses


def small_targets(page) -> list[str]:
    """The links, buttons and disclosure summaries shown on the page that are less than
    SMALLEST_TARGET pixels tall (the skip link, shown only on focus, aside)."""
    return page.evaluate(
        """(smallest) => Array.from(document.querySelectorAll("a, button, summary"))
            .filter(e => !e.classList.contains("skip") && e.getClientRects().length > 0)
            .filter(e => e.getBoundingClientRect().height < smallest)
            .map(e => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}": `
                      + `${e.getBoundingClientRect().height.toFixed(1)}px tall`)""",
        SMALLEST_TARGET,
    )

"""Print studio: every layout's PDF as a printer gets it. Rendered back by poppler at 150 dpi, every QR
code on the page reads as the claim URL, the text is there to find, the page is exactly its paper,
and the QR code is vector (the PDF holds no raster image but a chosen PNG logo)."""

from __future__ import annotations

import math
import re

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtGui import QImage

from app.core import batches, qr, settings, signage
from app.core.errors import InvalidInput
from app.render import painting

from .helpers import poppler

DPI = 150
PAGE_POINTS = {"a4": (595, 842), "letter": (612, 792), "a5": (420, 595)}
CODES = {"a4": 1, "letter": 1, "a5": 1, "a6-tent": 2, "4-up": 4, "8-up": 8}
PUBLIC = "https://shop.example.com"


@pytest.fixture
def batch(make_batch, qapp):
    config = settings.load()
    config.public_base_url = PUBLIC
    settings.save(config)
    return make_batch(
        name="Summer 2025 - Store Signage",
        title="Your next visit, for less",
        description="A summer treat for our members",
    )


def poster(batch, tmp_path, layout="a4", paper="a4"):
    target = tmp_path / f"{layout}-{paper}.pdf"
    page = signage.layout(signage.content_for(batch.id), layout, paper)
    painting.save_pdf(page, target, batch.title)
    return target, page


def page_points(pdf) -> tuple[float, float]:
    info = poppler("pdfinfo", str(pdf)).stdout
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return float(width), float(height)


def raster(pdf, tmp_path) -> Image.Image:
    stem = tmp_path / pdf.stem
    poppler("pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf), str(stem))
    return Image.open(f"{stem}.png").convert("RGB")


def pdf_text(pdf) -> str:
    return poppler("pdftotext", str(pdf), "-").stdout


def images_in(pdf) -> list[str]:
    listing = poppler("pdfimages", "-list", str(pdf)).stdout
    return listing.splitlines()[2:]  # after the two header lines


def code_width_mm(barcode) -> float:
    p = barcode.position
    return math.dist((p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y)) / DPI * 25.4


@pytest.mark.parametrize(
    "layout, paper",
    [(name, "a4") for name in signage.LAYOUTS] + [("4-up", "letter"), ("8-up", "letter"), ("a6-tent", "letter")],
)
def test_every_layout_prints_its_codes_text_and_paper(batch, tmp_path, layout, paper):
    pdf, page = poster(batch, tmp_path, layout, paper)
    expected_paper = layout if layout in signage.POSTERS else paper
    assert page_points(pdf) == PAGE_POINTS[expected_paper]

    found = zxingcpp.read_barcodes(raster(pdf, tmp_path))
    assert [code.text for code in found] == [batch.claim_url] * CODES[layout]
    least = 30 if layout in signage.POSTERS else 20
    assert min(code_width_mm(code) for code in found) >= least - 0.5  # measured on the raster, to a pixel or two
    assert all(panel.qr().code_width >= least * signage.MM for panel in page.panels)  # and in the layout itself
    assert all(panel.qr().quiet == qr.QUIET_ZONE for panel in page.panels)

    text = pdf_text(pdf)
    squeezed = re.sub(r"\s+", "", text)
    for wanted in (
        "Your next visit, for less",
        "10% off",
        "Minimum purchase $20.00",
        "Scan to claim your voucher",
        "Valid for 30 days after you claim it",
        "One per visit",
        "A summer treat for our members",
        "Corner Shop",
    ):
        assert re.sub(r"\s+", "", wanted) in squeezed, wanted
    # the link as text too (the codes above carry it exactly): where it wraps after a "-" of its token,
    # pdftotext joins the lines as a hyphenated word and drops that "-", so hyphens are not compared
    assert batch.claim_url.replace("-", "") in squeezed.replace("-", "")
    assert "Summer 2025 - Store Signage" not in text  # the internal name is the manager's, not the shopper's
    assert images_in(pdf) == []  # the QR code is vector: no raster image at all


def test_the_tent_has_one_copy_upright_and_one_upside_down_about_the_fold(batch, tmp_path):
    pdf, page = poster(batch, tmp_path, "a6-tent")
    back, front = page.panels
    assert back.upside_down and not front.upside_down
    (fold,) = page.marks
    assert fold.kind == "fold" and fold.y1 == fold.y2 == page.height / 2
    assert back.box.bottom <= fold.y1 <= front.box.y
    found = sorted(zxingcpp.read_barcodes(raster(pdf, tmp_path)), key=lambda code: code.position.top_left.y)
    assert [abs(code.orientation) for code in found] == [180, 0]
    assert "fold here" in pdf_text(pdf)


def test_cards_have_cut_marks_outside_the_cards_and_at_their_corners(batch, tmp_path):
    _, page = poster(batch, tmp_path, "8-up")
    assert {mark.kind for mark in page.marks} == {"cut"}
    xs = sorted({panel.box.x for panel in page.panels} | {panel.box.x + panel.box.w for panel in page.panels})
    ys = sorted({panel.box.y for panel in page.panels} | {panel.box.bottom for panel in page.panels})
    assert len(xs) == 3 and len(ys) == 5
    vertical = {round(mark.x1, 3) for mark in page.marks if mark.x1 == mark.x2}
    assert {round(x, 3) for x in xs} <= vertical
    assert all(
        0 < mark.x1 < page.width and 0 < mark.y1 < page.height for mark in page.marks
    )  # printable, inside the sheet


def test_a_long_title_shrinks_then_wraps_and_is_never_clipped(batch, tmp_path):
    long_title = (
        "Summer celebration: ten percent off everything in the store on your next visit, members only, this month"
    )
    batches.set_title(batch.id, long_title)
    for layout in ("a4", "8-up"):
        pdf, page = poster(batch, tmp_path, layout)
        item = next(item for item in page.panels[0].items if isinstance(item, signage.Text) and item.role == "title")
        device = QImage(10, 10, QImage.Format.Format_RGB32)
        device.setDotsPerMeterX(round(300 / 0.0254))
        device.setDotsPerMeterY(round(300 / 0.0254))
        fitted = painting.fit(item, device)
        assert fitted.size < item.size and fitted.lines >= 2
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QFontMetricsF

        bound = QFontMetricsF(fitted.font, device).boundingRect(QRectF(0, 0, item.box.w, 1e6), fitted.flags, item.text)
        assert bound.width() <= item.box.w and bound.height() <= item.box.h
        assert re.sub(r"\s+", "", long_title) in re.sub(r"\s+", "", pdf_text(pdf))


@pytest.mark.parametrize("layout", signage.LAYOUTS)
def test_a_title_that_says_the_discount_is_not_followed_by_it_again(batch, layout):
    batches.set_title(batch.id, "10% off your next visit")
    page = signage.layout(signage.content_for(batch.id), layout)
    said = [item.text for item in page.panels[0].items if isinstance(item, signage.Text)]
    assert "10% off your next visit" in said and "10% off" not in said  # never "10% off" under "10% off …"
    assert not [item for item in page.panels[0].items if isinstance(item, signage.Text) and item.role == "offer"]


@pytest.mark.parametrize("layout", signage.LAYOUTS)
def test_a_short_offer_keeps_its_large_size(batch, layout):
    page = signage.layout(signage.content_for(batch.id), layout)
    offer = next(item for item in page.panels[0].items if isinstance(item, signage.Text) and item.role == "offer")
    assert painting.fit(offer, painting.render_image(page, 72)).size == offer.size


def test_a_png_logo_is_the_only_image_and_an_svg_logo_stays_vector(batch, tmp_path):
    png = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), "#c0392b").save(png)
    svg = tmp_path / "logo.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" '
        'fill="#c0392b"/></svg>'
    )
    config = settings.load()
    config.logo_path, config.accent_color = str(png), "#C0392B"
    settings.save(config)
    pdf, page = poster(batch, tmp_path, "a4")
    assert page.accent == "#c0392b"
    assert [line.split()[2] for line in images_in(pdf)] == ["image"]  # the logo, and nothing else
    assert len(zxingcpp.read_barcodes(raster(pdf, tmp_path))) == 1
    config.logo_path = str(svg)
    settings.save(config)
    pdf, _ = poster(batch, tmp_path, "4-up")
    assert images_in(pdf) == []
    picture = raster(pdf, tmp_path)
    assert (192, 57, 43) in {picture.getpixel((x, y)) for x in range(0, picture.width, 3) for y in range(0, 200, 3)}


def test_logo_and_accent_are_checked_when_chosen(db_path, tmp_path):
    config = settings.load()
    for wrong in ("red", "#12345", "#gggggg"):
        config.accent_color = wrong
        with pytest.raises(InvalidInput, match="#0b6e4f"):
            settings.save(config)
    config.accent_color = ""
    config.logo_path = str(tmp_path / "missing.png")
    with pytest.raises(InvalidInput, match="PNG or SVG"):
        settings.save(config)
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    config.logo_path = str(tmp_path / "logo.gif")
    with pytest.raises(InvalidInput, match="PNG or SVG"):
        settings.save(config)


def test_the_qr_code_alone_as_svg_and_as_pdf_reads_as_the_link(batch, tmp_path):
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg = qr.save_qr_svg(batch.claim_url, tmp_path / "code.svg")
    text = svg.read_text()
    assert text.startswith("<?xml") and "<image" not in text
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid()
    image = QImage(renderer.defaultSize(), QImage.Format.Format_RGB32)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    image.save(str(tmp_path / "svg.png"))
    assert [code.text for code in zxingcpp.read_barcodes(Image.open(tmp_path / "svg.png"))] == [batch.claim_url]

    pdf = painting.save_qr_pdf(batch.claim_url, tmp_path / "code.pdf")
    assert page_points(pdf) == pytest.approx((60 * signage.MM, 60 * signage.MM), abs=0.5)
    assert images_in(pdf) == []
    assert [code.text for code in zxingcpp.read_barcodes(raster(pdf, tmp_path))] == [batch.claim_url]


def test_the_printed_link_is_the_stable_one_chosen_once(make_batch, qapp, monkeypatch):
    config = settings.load()
    config.public_base_url = ""
    settings.save(config)
    monkeypatch.setattr(settings, "lan_address", lambda: "192.168.1.20")
    batch = make_batch()  # creating it chose the base
    monkeypatch.setattr(settings, "lan_address", lambda: "10.0.0.99")  # the PC's address changes later
    assert signage.content_for(batch.id).url == f"http://192.168.1.20:8080/en-us/claim/{batch.token}"

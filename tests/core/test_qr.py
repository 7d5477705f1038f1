"""The QR poster: a print-ready PNG of the claim link that a phone reads."""

import io

import PIL.Image
import PIL.ImageOps
import pytest
import zxingcpp

from app.core import qr


@pytest.fixture
def poster(make_batch, tmp_path):
    batch = make_batch()
    saved = qr.save_qr_png(batch.claim_url, tmp_path / "poster.png")
    return batch, saved.path


def test_what_is_said_of_the_saved_file_is_the_file(make_batch, tmp_path):
    """Whole pixels per module make the image larger than asked (1215, not 1200): say what was written."""
    saved = qr.save_qr_png(make_batch().claim_url, tmp_path / "poster.png")
    with PIL.Image.open(saved.path) as image:
        assert (saved.width, saved.height) == image.size
        assert saved.describe() == f"{image.width}×{image.height} px, 300 dpi"


def test_the_poster_is_a_png_of_at_least_1000_pixels_at_300_dpi(poster):
    _, path = poster
    with PIL.Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == image.height >= 1000
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_the_poster_reads_as_the_claim_url(poster):
    batch, path = poster
    with PIL.Image.open(path) as image:
        assert [code.text for code in zxingcpp.read_barcodes(image)] == [batch.claim_url]


def test_the_poster_still_reads_printed_small(poster):
    batch, path = poster
    with PIL.Image.open(path) as image:
        small = image.convert("L").resize((300, 300), PIL.Image.Resampling.BILINEAR)
    assert [code.text for code in zxingcpp.read_barcodes(small)] == [batch.claim_url]


def test_the_poster_has_a_white_quiet_zone_of_four_modules(poster):
    _, path = poster
    with PIL.Image.open(path) as image:
        gray = image.convert("L")
    left, top, right, bottom = PIL.ImageOps.invert(gray).getbbox()  # the box around every dark pixel
    # the finder pattern's top edge is one run of 7 dark modules
    row = [gray.getpixel((x, top)) for x in range(left, right)]
    module = next(i for i, value in enumerate(row) if value > 127) / 7
    assert module >= 1
    for margin in (left, top, gray.width - right, gray.height - bottom):
        assert margin >= 4 * module - 1


@pytest.mark.parametrize("size", [500, 1000, 2000])
def test_a_requested_size_is_a_floor(size):
    with PIL.Image.open(io.BytesIO(qr.qr_png_bytes("https://yoursite.com/en-us/claim/TOKEN123", size))) as image:
        assert size <= image.width == image.height < size * 1.2


def test_a_poster_is_written_whole_or_not_at_all(tmp_path):
    with pytest.raises(OSError):
        qr.save_qr_png("https://yoursite.com/en-us/claim/TOKEN123", tmp_path / "no-such-folder" / "poster.png")
    assert list(tmp_path.iterdir()) == []

"""The QR modal's Print… and Save as PDF…, Download QR as SVG and PDF, and the card's Public title…:
each driven through the window, twice in a row."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt

from app.core import batches, settings
from app.gui.dialogs.print_studio import SavePdfDialog, SignagePreview, TitleDialog
from app.gui.dialogs.qr import QrDialog

from .helpers import card_of, dialog_of, escape, flush_deletions, menu_action, poppler, shown


def open_qr(qtbot, window, batch) -> QrDialog:
    qtbot.mouseClick(card_of(qtbot, window, batch.id).qr_button, Qt.MouseButton.LeftButton)
    return dialog_of(qtbot, window, QrDialog)


def page_size(pdf) -> str:
    info = poppler("pdfinfo", str(pdf)).stdout
    return next(line for line in info.splitlines() if line.startswith("Page size:")).split(":", 1)[1].strip()


def test_print_opens_a_preview_that_redraws_as_the_layout_changes(qtbot, reachable_links, window, make_batch, prompts):
    batch = make_batch(title="10% off your next visit")
    dialog = open_qr(qtbot, window, batch)
    for layout, cards in (("8-up", 8), ("a6-tent", 2)):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        preview = dialog_of(qtbot, dialog, SignagePreview)
        assert preview.current_page().panels[0].items  # the batch's sign, read on a worker
        assert preview.content.title == "10% off your next visit" and preview.content.url == batch.claim_url
        with qtbot.waitSignal(preview.paintRequested, timeout=10_000):
            preview.choice.choose(layout, "letter")
        page = preview.current_page()
        assert len(page.panels) == cards and (page.width, page.height) == (612, 792)
        preview.choice.choose("a5")
        assert not preview.choice.paper_box.isEnabled()  # a poster's paper is its layout
        escape(qtbot, preview)
    assert prompts.print_warnings == []  # a link that reaches this store's claim site from anywhere: nothing to warn of


def test_a_link_only_this_network_opens_is_warned_about_before_printing(qtbot, window, make_batch, prompts):
    config = settings.load()
    config.public_base_url = "http://192.168.1.20:8080"
    settings.save(config)
    dialog = open_qr(qtbot, window, make_batch())
    prompts.print_anyway = False
    for count, button in enumerate((dialog.print_button, dialog.pdf_button), 1):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda count=count: len(prompts.print_warnings) == count, timeout=10_000)
    assert "only be opened on this store's network" in prompts.print_warnings[0]
    assert not shown(dialog, SignagePreview) and not shown(dialog, SavePdfDialog)
    prompts.print_anyway = True
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    escape(qtbot, dialog_of(qtbot, dialog, SignagePreview))


def test_save_as_pdf_writes_the_chosen_layout_on_a_worker(qtbot, window, make_batch, prompts, tmp_path):
    batch = make_batch(title="Summer treat")
    dialog = open_qr(qtbot, window, batch)
    for layout, paper, size in (("4-up", "letter", "612 x 792 pts (letter)"), ("a5", "a4", "420 x 595 pts (A5)")):
        target = tmp_path / f"{layout}"
        prompts.file_names.append(str(target))
        qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
        options = dialog_of(qtbot, dialog, SavePdfDialog)
        options.choice.choose(layout, paper)
        qtbot.mouseClick(options.save_button, Qt.MouseButton.LeftButton)
        written = target.with_suffix(".pdf")
        qtbot.waitUntil(
            lambda written=written: dialog.status.text().endswith(f"print-ready PDF to {written}."), timeout=15_000
        )
        assert page_size(written) == size
        flush_deletions()


def test_save_as_pdf_into_a_missing_folder_says_why(qtbot, window, make_batch, prompts, tmp_path):
    dialog = open_qr(qtbot, window, make_batch())
    prompts.file_names.append(str(tmp_path / "no" / "such" / "poster.pdf"))
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog_of(qtbot, dialog, SavePdfDialog).save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.property("kind") == "error", timeout=15_000)
    assert dialog.status.text() == "Could not save the PDF: No such file or directory."


@pytest.mark.parametrize("name, said", [("code.svg", "SVG, vector"), ("code.pdf", "PDF, vector")])
def test_download_qr_also_writes_svg_and_pdf(qtbot, window, make_batch, prompts, tmp_path, name, said):
    batch = make_batch()
    dialog = open_qr(qtbot, window, batch)
    target = tmp_path / name
    prompts.file_names.append(str(target))
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.status.text() == f"Saved a print-ready QR code ({said}) to {target}.", timeout=15_000
    )
    if name.endswith(".pdf"):
        poppler("pdftoppm", "-r", "150", "-png", "-singlefile", str(target), str(tmp_path / "code"))
        with Image.open(tmp_path / "code.png") as image:
            assert [code.text for code in zxingcpp.read_barcodes(image)] == [batch.claim_url]
    else:
        assert "<image" not in target.read_text() and "<path" in target.read_text()


def test_the_public_title_is_edited_from_the_card_menu(qtbot, window, make_batch):
    batch = make_batch(name="Summer 2025 - Store Signage")
    for typed, expected in (("10% off your next visit", "10% off your next visit"), ("", "10% off")):
        menu_action(card_of(qtbot, window, batch.id), "Public title…").trigger()
        dialog = dialog_of(qtbot, window, TitleDialog)
        dialog.field.setText(typed)
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda expected=expected: (
                window.message_bar.text() == f"Members now read “{expected}” for “Summer 2025 - Store Signage”."
            )
        )
        assert batches.get_batch(batch.id).title == expected
        flush_deletions()


def test_the_signage_logo_and_accent_are_set_in_settings(qtbot, window, tmp_path):
    from app.gui.dialogs.settings import SettingsDialog

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 30), "#aa3300").save(logo)
    window.settings_action.trigger()
    dialog = dialog_of(qtbot, window, SettingsDialog)
    dialog.logo.setText(str(tmp_path / "missing.svg"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "PNG or SVG" in dialog.notice.text())  # refused, the dialog stays with what was typed
    dialog.logo.setText(str(logo))
    dialog.accent.setText("#AA3300")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "Settings saved." in window.message_bar.text())
    saved = settings.load()
    assert (saved.logo_path, saved.accent_color) == (str(logo), "#aa3300")

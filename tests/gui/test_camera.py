"""Scan with camera, where there is one. No camera exists here, so the tests feed the camera's own
path (a QVideoSink's frames, read off the GUI thread by zxing-cpp) with frames from images and from a
video file; through the window, Scan with camera plays such a video where the camera would show."""

from __future__ import annotations

import threading

import pytest
import qrcode
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage

from app.core import batches
from app.gui.controllers import camera
from app.gui.dialogs.camera_scan import CameraScanDialog
from app.gui.dialogs.find_voucher import FindVoucherDialog
from app.gui.kit import frames

from .helpers import dialog_of, escape, scan, shown


def qr_picture(text: str, size=(640, 480), tilt: float = 0.0) -> Image.Image:
    """A camera's view of a phone showing a QR code: grey around, the code somewhat off centre."""
    picture = Image.new("L", size, 170)
    code = qrcode.make(text).get_image().convert("L").resize((260, 260))
    if tilt:
        code = code.rotate(tilt, expand=True, fillcolor=255)
    picture.paste(code, (size[0] // 2 - code.width // 2 + 40, size[1] // 2 - code.height // 2))
    return picture


def as_qimage(picture: Image.Image) -> QImage:
    rgb = picture.convert("RGB")
    return QImage(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


def video_of(path, pictures, ms: int = 120) -> QUrl:
    """A short video (an animated GIF: Qt Multimedia's FFmpeg plays it as any video) of the pictures."""
    first, *rest = [p.convert("P") for p in pictures]
    first.save(path, save_all=True, append_images=rest, duration=ms, loop=0)
    return QUrl.fromLocalFile(str(path))


def test_frames_are_read_off_the_gui_thread_one_at_a_time(qtbot):
    threads = []

    def read(image):
        threads.append(threading.current_thread())
        return frames.read_codes(image)

    reader = frames.FrameReader(read=read)
    with qtbot.waitSignal(reader.decoded, timeout=10_000) as said:
        reader.feed(as_qimage(qr_picture("SPRING-K7QM-3XT9-PA", tilt=8)))
        reader.feed(as_qimage(qr_picture("ANOTHER")))  # arrives while the first is read: dropped
    assert said.args == ["SPRING-K7QM-3XT9-PA"]
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert reader.frames_seen == 2 and reader.frames_read == 1


def test_a_picture_without_a_code_reads_nothing_and_the_same_code_is_said_once(qtbot):
    reader = frames.FrameReader()
    seen = []
    reader.decoded.connect(seen.append)
    for picture in (Image.new("L", (320, 240), 200), qr_picture("K7QM-3XT9-PA"), qr_picture("K7QM-3XT9-PA")):
        reader.feed(as_qimage(picture))
        qtbot.waitUntil(lambda: not reader._busy)
    assert seen == ["K7QM-3XT9-PA"] and reader.frames_read == 3


def test_the_dialog_reads_what_its_video_shows_and_closes(qtbot, tmp_path):
    dialog = CameraScanDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    blank = Image.new("L", (640, 480), 170)
    with qtbot.waitSignal(dialog.decoded, timeout=20_000) as said:
        dialog.watch_video(video_of(tmp_path / "scan.gif", [blank, blank, qr_picture("K7QM-3XT9-PA")] * 3))
    assert said.args == ["K7QM-3XT9-PA"]
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.reader.frames_seen >= 1


def test_find_voucher_explains_why_there_is_no_camera_here(qtbot, window, claimed, monkeypatch):
    _batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    assert dialog.camera_button.isVisible() and not dialog.camera_button.isEnabled()
    assert dialog.camera_button.toolTip() == camera.NO_CAMERA
    dialog.close()
    monkeypatch.setattr(camera, "decoder_missing", lambda: "needs its decoder: pip install voucher-batches[camera]")
    dialog = scan(qtbot, window, voucher.code)
    assert "voucher-batches[camera]" in dialog.camera_button.toolTip()
    window.camera_action.trigger()  # from the menu: said in the message bar
    qtbot.waitUntil(lambda: "voucher-batches[camera]" in window.message_bar.text())


@pytest.fixture
def a_camera(monkeypatch, tmp_path):
    """A camera that shows a recorded video: what it shows is set by the test."""
    shown = {}
    monkeypatch.setattr(camera, "camera_missing", lambda: "")
    monkeypatch.setattr(
        CameraScanDialog,
        "watch_camera",
        lambda self, device: self.watch_video(video_of(tmp_path / "cam.gif", shown["pictures"])),
    )
    return shown


def test_scan_with_camera_finds_the_voucher_on_a_members_phone(qtbot, window, claimed, a_camera):
    batch, voucher = claimed
    a_camera["pictures"] = [Image.new("L", (640, 480), 150), qr_picture(voucher.code, tilt=5)] * 3
    for _ in range(2):  # through the window's own action, twice
        window.camera_action.trigger()
        found = dialog_of(qtbot, window, FindVoucherDialog)
        qtbot.waitUntil(lambda: found.fields["code"].text() == voucher.code, timeout=20_000)  # noqa: B023
        assert found.notice.text() == "This voucher can be redeemed."
        assert not shown(window, CameraScanDialog)
        escape(qtbot, found)
    assert batches.get_batch(batch.id).redeemed == 0  # reading a code never redeems


def test_scan_with_camera_from_the_find_dialog(qtbot, window, claimed, make_batch, make_member, a_camera):
    from app.core import claims

    _batch, voucher = claimed
    other = claims.claim(make_batch(quantity=3, name="Autumn").token, make_member().id).voucher
    dialog = scan(qtbot, window, voucher.code)
    a_camera["pictures"] = [qr_picture(other.code)] * 4
    assert dialog.camera_button.isEnabled()
    dialog.camera_button.click()
    qtbot.waitUntil(lambda: dialog.fields["code"].text() == other.code, timeout=20_000)
    assert dialog.fields["batch"].text() == "Autumn"

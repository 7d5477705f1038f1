"""The till's camera, where there is one: whether "Scan with camera" can work on this PC (a camera
and the decoder, an optional extra), and its dialog, whose first code read goes to the till as if a
scanner had typed it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.frames import decoder_missing, quiet_multimedia

NO_CAMERA = "No camera was found on this PC: plug one in, then open Find voucher again."


def camera_missing() -> str:
    """Why Scan with camera cannot work here ("" when it can): no decoder, no Qt Multimedia, no camera."""
    missing = decoder_missing()
    if missing:
        return missing
    quiet_multimedia()
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return "This installation has no Qt Multimedia, which the camera needs."
    return "" if QMediaDevices.videoInputs() else NO_CAMERA


class CameraController(QObject):
    decoded = Signal(str)  # a code read by the camera: the till looks it up
    message = Signal(str, str)  # (sentence, kind): why the camera cannot be used here

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._slot = DialogSlot(self)

    def offer(self, dialog) -> None:
        """Show a find dialog's Scan with camera, enabled where it can work, explained where not."""
        why_not = camera_missing()
        dialog.show_camera(not why_not, why_not)

    def open(self, parent: QWidget | None = None) -> None:
        """The camera's dialog over parent (the find dialog, or the window)."""
        if self._slot.bring_forward():
            return
        why_not = camera_missing()
        if why_not:
            self.message.emit(why_not, "warning")
            return
        from PySide6.QtMultimedia import QMediaDevices

        from app.gui.dialogs.camera_scan import CameraScanDialog

        dialog = CameraScanDialog(parent or self._window)
        dialog.decoded.connect(self.decoded)
        self._slot.open(dialog, modal=False)
        dialog.watch_camera(QMediaDevices.defaultVideoInput())

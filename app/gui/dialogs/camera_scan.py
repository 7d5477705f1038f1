"""Scan with camera: the camera's picture, and the first QR code read in it (a member's My Cards
code, or whatever else is held up) reported by `decoded`, as a scanner would type it. The frames go
through app.gui.kit.frames off the GUI thread; the source is a camera, or (tests) a video or images."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtMultimedia import QCamera, QCameraDevice, QMediaCaptureSession, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from app.gui.kit.frames import FrameReader, quiet_multimedia
from app.gui.kit.widgets import Notice, button_row, plain_label


class CameraScanDialog(QDialog):
    decoded = Signal(str)  # the text of the first code read; the dialog closes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        quiet_multimedia()
        self.setObjectName("CameraScanDialog")
        self.setWindowTitle("Scan with camera")
        self.video = QVideoWidget()
        self.video.setMinimumSize(480, 360)
        self.video.setAccessibleName("Camera picture")
        self.notice = Notice()
        self.notice.hide()
        self.reader = FrameReader(self)
        self.video.videoSink().videoFrameChanged.connect(self.reader.feed)
        self.reader.decoded.connect(self._on_decoded)
        self.reader.failed.connect(lambda text: self.notice.say(text, "error"))
        hint = plain_label("Hold the member's My Cards code (or a printed voucher) in front of the camera.")
        hint.setWordWrap(True)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.video, 1)
        layout.addWidget(hint)
        layout.addWidget(self.notice)
        layout.addLayout(button_row(close))
        self._session: QMediaCaptureSession | None = None
        self._camera: QCamera | None = None
        self._player: QMediaPlayer | None = None

    # Sources -----------------------------------------------------------------------------------
    def watch_camera(self, device: QCameraDevice) -> None:
        """The camera's picture, shown here and read."""
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(lambda _error, text: self.notice.say(f"The camera failed: {text}", "error"))
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._session.setVideoOutput(self.video)
        self._camera.start()

    def watch_video(self, url: QUrl) -> None:
        """A recorded video instead of a camera (the same frames' path: for tests and demonstrations)."""
        self._player = QMediaPlayer(self)
        self._player.setVideoOutput(self.video)
        self._player.setSource(url)
        self._player.play()

    def show_frame(self, frame: Any) -> None:
        """One picture (a QImage or QVideoFrame), as if the camera had shown it."""
        self.video.videoSink().setVideoFrame(frame if isinstance(frame, QVideoFrame) else QVideoFrame(frame))

    # Inside ------------------------------------------------------------------------------------
    def _on_decoded(self, text: str) -> None:
        self._stop()
        self.decoded.emit(text)
        self.accept()

    def _stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()
        if self._player is not None:
            self._player.stop()

    def done(self, result: int) -> None:  # (accept, reject and Esc all come here)
        self._stop()
        super().done(result)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
        else:
            super().keyPressEvent(event)

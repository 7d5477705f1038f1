"""Reading QR codes from video frames, off the GUI thread: a camera's frames (or a video's, or a
single image's: the tests feed those, as no camera exists there) arrive on a QVideoSink; each is
handed to zxing-cpp on the thread pool, one at a time (frames that arrive meanwhile are dropped, so
the window never waits), and each text read is reported once."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QLoggingCategory, QObject, Signal
from PySide6.QtGui import QImage

from .tasks import run_task

REPEAT_AFTER = 3.0  # seconds before the same text read again is reported again
# Qt Multimedia says, as warnings, each optional system library it looks for and does not find
# (PipeWire, VA-API hardware decoding), and which FFmpeg it loaded: nothing a person can act on.
QUIET = "qt.multimedia.symbolsresolver.warning=false\nqt.multimedia.ffmpeg.info=false"


def quiet_multimedia() -> None:
    """Before Qt Multimedia first loads: leave its search for optional libraries unsaid."""
    QLoggingCategory.setFilterRules(QUIET)


def decoder_missing() -> str:
    """Why frames cannot be read on this PC ("" when they can): the decoder is an optional extra."""
    try:
        import zxingcpp  # noqa: F401
    except ImportError:
        return 'Reading codes with the camera needs its decoder: pip install "voucher-batches[camera]".'
    return ""


def read_codes(image: QImage) -> list[str]:
    """On a worker: the texts of the QR codes (and barcodes) in the image, none when there are none."""
    import zxingcpp
    from PIL import Image

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height = gray.width(), gray.height()
    if not width or not height:
        return []
    pixels = Image.frombuffer("L", (width, height), bytes(gray.constBits()), "raw", "L", gray.bytesPerLine(), 1)
    return [found.text for found in zxingcpp.read_barcodes(pixels) if found.valid and found.text]


class FrameReader(QObject):
    """feed(frame) from a QVideoSink's videoFrameChanged; decoded(text) for each code read."""

    decoded = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, read: Any = read_codes) -> None:
        super().__init__(parent)
        self._read = read
        self._busy = False
        self._last: tuple[str, float] = ("", 0.0)
        self.frames_seen = 0
        self.frames_read = 0

    def feed(self, frame: Any) -> None:
        """A video frame (QVideoFrame) or an image (QImage); dropped while the last one is being read."""
        self.frames_seen += 1
        if self._busy:
            return
        image = frame if isinstance(frame, QImage) else frame.toImage() if frame.isValid() else QImage()
        if image.isNull():
            return
        self._busy = True
        run_task(lambda: self._read(image), self._on_read, self._on_failed, context=self)

    def _on_read(self, texts: list[str]) -> None:
        self._busy = False
        self.frames_read += 1
        for text in texts:
            last, at = self._last
            if text == last and time.monotonic() - at < REPEAT_AFTER:
                continue
            self._last = (text, time.monotonic())
            self.decoded.emit(text)

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self.failed.emit(f"Could not read the camera's picture: {exc}")

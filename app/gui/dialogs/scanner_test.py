"""Settings → Scanner, "Test your scanner": a test label on screen (and printed, from its preview),
a field the scanner types into, and what the scan tells: whether the scanner sends Enter after a
code, and which keyboard layout it types in (app.core.scans says it; this page only shows it)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.core import scans
from app.gui.kit import style
from app.gui.kit.widgets import Notice, plain_label
from app.render.scanner_label import HEIGHT, PRINT_WIDTH_MM, WIDTH, paint_label

QUIET_MS = 1000  # this long without a key after a scan's last one, and no Enter came: it sends none


class EnterField(QLineEdit):
    """A line that keeps Enter to itself (entered), so a scanner's Enter never presses the dialog's Save."""

    entered = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.entered.emit()
            return
        super().keyPressEvent(event)


class LabelView(QWidget):
    """The test label, as large as the page leaves room for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TestLabel")
        self.setAccessibleName(f"Scanner test label: {scans.TEST_LABEL}")
        self.setMinimumSize(QSize(int(WIDTH), int(HEIGHT)))

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(int(WIDTH * 1.4), int(HEIGHT * 1.4))

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        paint_label(painter, QRectF(self.rect()))
        painter.end()


class LabelPreview(QPrintPreviewDialog):
    """The label on paper, PRINT_WIDTH_MM wide at the top left of the page; printed from here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        super().__init__(printer, parent)
        self._printer = printer  # the preview prints on it: kept as long as the dialog
        self.setObjectName("LabelPreview")
        self.setWindowTitle("Print the scanner test label")
        self.paintRequested.connect(self._paint)

    def _paint(self, printer: QPrinter) -> None:
        painter = QPainter(printer)
        page = printer.pageLayout().paintRectPixels(printer.resolution())
        width = PRINT_WIDTH_MM / 25.4 * printer.resolution()
        paint_label(painter, QRectF(page.left(), page.top(), width, width * HEIGHT / WIDTH))
        painter.end()


class ScannerTestPage(QWidget):
    """Scan the label into the field; the verdict shows under it (ready for the next scan)."""

    checked = Signal(object)  # the scans.ScannerCheck shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScannerTestPage")
        intro = plain_label(
            "Scan this label with the till's scanner, from the screen or printed. The page tells whether the "
            "scanner sends Enter after a code, and which keyboard layout it types in."
        )
        intro.setWordWrap(True)
        self.label = LabelView()
        self.print_button = QPushButton(style.icon("download"), "Print…")
        self.print_button.setAutoDefault(False)
        self.print_button.setToolTip("The label on paper (about 9 cm wide): for scanners that read no screen")
        self.print_button.clicked.connect(self.print_label)
        self.field = EnterField()
        self.field.setObjectName("ScanField")
        self.field.setAccessibleName("Scan the test label here")
        self.field.setPlaceholderText("Click here, then scan the label")
        self.field.entered.connect(lambda: self._check(sends_enter=True))
        self.field.textEdited.connect(self._on_typed)
        self.enter = Notice()
        self.enter.hide()
        self.layout_said = Notice()
        self.layout_said.hide()
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(lambda: self._check(sends_enter=False))
        self.preview: LabelPreview | None = None

        top = QHBoxLayout()
        top.addWidget(self.label, 1)
        side = QVBoxLayout()
        side.addWidget(self.print_button)
        side.addStretch(1)
        top.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top, 1)
        layout.addWidget(self.field)
        layout.addWidget(self.enter)
        layout.addWidget(self.layout_said)

    def _on_typed(self, text: str) -> None:
        if text.strip():
            self._quiet.start()  # a scanner types fast; a pause after it without Enter: it sends none

    def _check(self, sends_enter: bool) -> None:
        self._quiet.stop()
        typed = self.field.text()
        if not typed.strip():
            return
        check = scans.check_scanner(typed, sends_enter)
        self.enter.say(check.enter_sentence, "success" if check.sends_enter else "warning")
        kind = "success" if check.mix_up is not None and check.mix_up.name == "as_typed" else "warning"
        self.layout_said.say(check.layout_sentence, kind if check.mix_up is not None else "error")
        self.field.selectAll()  # the next scan replaces it
        self.checked.emit(check)

    def print_label(self) -> None:
        """The label's print preview (print from there), beside the settings."""
        if self.preview is not None and self.preview.isVisible():
            self.preview.raise_()
            return
        self.preview = LabelPreview(self)
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.destroyed.connect(lambda _object=None: setattr(self, "preview", None))
        self.preview.open()

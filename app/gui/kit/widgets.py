"""Small widgets shared by the window and its dialogs: a message bar, a spinner icon, a debounced
search field, and labels that show what people typed as plain text."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QWidget,
)

from . import style

FADE_MS = 6000  # information and success fade after this; an error stays until closed
FADE_WITH_LINK_MS = 15000  # long enough to press Copy link


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label for data (a batch name, an email, terms): shown as typed, never read as markup."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """A dialog's buttons, at the right in the order given."""
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def plain_tip(text: str) -> str:
    """A tooltip that shows text as typed (Qt reads a tooltip that looks like markup as markup)."""
    return QtGui.Qt.convertFromPlainText(text) if text else ""


def size_columns(table: QTableView, samples: tuple[str, ...], padding: int = 12) -> None:
    """A table whose header reads from the left and whose columns are as wide as a sample of what
    they hold (the last one stretches): wide enough at once, before any row is read."""
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    width = table.fontMetrics().horizontalAdvance
    for column, sample in enumerate(samples):
        table.setColumnWidth(column, width(sample) + padding)


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property the sheet selects on has changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.updateGeometry()  # padding and borders may differ between the states: let the layout resize it
    widget.update()


class Notice(QLabel):
    """A sentence in a dialog (what happened, or why not), coloured by its kind: info, success,
    warning or error. Plain text: it often quotes what someone typed."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("Notice")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)

    def say(self, text: str, kind: str) -> None:
        self.setText(text)
        self.setProperty("kind", kind)
        restyle(self)
        self.show()


class MessageBar(QFrame):
    """A sentence shown above the content (an error, a confirmation), never a blocking box.

    Errors stay until closed; information and success fade after a few seconds. A message about a
    link can offer to copy it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self._icon = QLabel()
        self._label = plain_label()  # messages quote batch names
        self._label.setObjectName("MessageText")
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setIcon(style.icon("close"))
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        self._link = ""
        self._copy = QPushButton(style.icon("copy"), "Copy link")
        self._copy.setObjectName("CopyLinkButton")
        self._copy.clicked.connect(self._on_copy_clicked)
        self._copy.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._icon)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._copy, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self, singleShot=True, interval=FADE_MS)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "info", link: str = "", *, stays: bool = False) -> None:
        """Say text; with a link, a Copy link button beside it puts the link on the clipboard. stays:
        it does not fade (it is taken back by retract)."""
        self._link = link
        self._copy.setText("Copy link")
        self._copy.setVisible(bool(link))
        self.setProperty("kind", kind)
        icon_name = {"error": "alert", "success": "check"}.get(kind, "info")
        size = self.fontMetrics().height()
        self._icon.setPixmap(style.icon(icon_name).pixmap(QSize(size, size)))
        self._label.setText(text)
        self.setAccessibleDescription(text)
        restyle(self)
        self.show()
        if kind == "error" or stays:
            self._timer.stop()
        else:
            self._timer.start(FADE_WITH_LINK_MS if link else FADE_MS)

    def retract(self, text: str) -> None:
        """Take back a message that is no longer true (the database is readable again)."""
        if self.text() == text:
            self.hide()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._link)
        self._copy.setText("Copied!")

    def text(self) -> str:
        return self._label.text() if self.isVisible() else ""


class Spinner:
    """Turns a button's icon into a turning arc while work runs, then gives the icon back."""

    def __init__(self, button: QAbstractButton) -> None:
        self._button = button
        self._angle = 0
        self._saved: QIcon | None = None
        self._timer = QTimer(button, interval=50)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        if self._timer.isActive():
            return
        self._saved = self._button.icon()
        self._on_tick()
        self._timer.start()

    def stop(self) -> None:
        if not self._timer.isActive():
            return
        self._timer.stop()
        self._button.setIcon(self._saved or QIcon())

    def _on_tick(self) -> None:
        self._angle = (self._angle + 30) % 360
        size = self._button.iconSize()
        ratio = self._button.devicePixelRatioF()
        pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(style.colors()["accent"]), max(1.5, size.width() / 9))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        inset = pen.widthF()
        rect = QRectF(inset, inset, size.width() - 2 * inset, size.height() - 2 * inset)
        painter.drawArc(rect, -self._angle * 16, 270 * 16)
        painter.end()
        self._button.setIcon(QIcon(pixmap))


class SearchField(QLineEdit):
    """A search box that reports its text once typing pauses, not at every key."""

    search_changed = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None, delay_ms: int = 250) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.addAction(style.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(lambda: self.search_changed.emit(self.text().strip()))
        self.textChanged.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self._on_return)

    def _on_return(self) -> None:
        self._timer.stop()
        self.search_changed.emit(self.text().strip())

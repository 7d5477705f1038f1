"""A batch after it is made: Edit… (its name, channel, description and public title) and Schedule… (when
claims open and end, in the store's time). Each dialog shows what it is given and reports what the
manager asks; its controller calls the core and answers with show_refused or closes it. The name field
says "already taken" while the name is typed (its controller asks the core)."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import times
from app.core.batches import BatchSummary
from app.core.store.models import CHANNELS
from app.gui.kit.widgets import Notice, plain_label

DATE_TIME = "yyyy-MM-dd HH:mm"  # what schedule.parse_moment reads, in the store's time


class NameField(QWidget):
    """A batch's name, and under it why it cannot be this one ("already taken"), said while it is
    typed: name_edited reports the name once typing pauses; show_check says the answer."""

    name_edited = Signal(str)

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(text)
        self.edit.setMaxLength(120)
        self.edit.setAccessibleName("Name")
        self.check = Notice()
        self.check.setObjectName("NameCheck")
        self.check.hide()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(lambda: self.name_edited.emit(self.edit.text()))
        self.edit.textChanged.connect(lambda _text: self._timer.start())  # typed, pasted or filled in
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.check)

    def text(self) -> str:
        return self.edit.text()

    def show_check(self, typed: str, sentence: str | None) -> None:
        """The answer for `typed` (ignored when the field says something else by now)."""
        if typed != self.edit.text():
            return
        if sentence:
            self.check.say(sentence, "error")
        else:
            self.check.hide()

    def taken(self) -> bool:
        return self.check.isVisible()


def channel_box(current: str | None = None) -> QComboBox:
    """The channels, none chosen unless one is given: a batch's channel is chosen, never assumed."""
    box = QComboBox()
    box.setAccessibleName("Channel")
    box.addItems(CHANNELS)
    box.setPlaceholderText("Choose a channel…")
    box.setCurrentIndex(CHANNELS.index(current) if current in CHANNELS else -1)
    return box


def text_box(placeholder: str, lines: int = 3) -> QPlainTextEdit:
    """A few lines of text in a form; Tab moves on to the next field, as in every other field."""
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 12)
    return box


class EditBatchDialog(QDialog):
    """Edit…: what was typed can be fixed; the Total stays as generated."""

    name_edited = Signal(str)
    save_requested = Signal(dict)  # keyword arguments for batches.edit_batch (only what changed)

    def __init__(self, summary: BatchSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EditBatchDialog")
        self.setWindowTitle(f"Edit “{summary.name}”")
        self.summary = summary
        self.name = NameField(summary.name)
        self.name.name_edited.connect(self.name_edited)
        self.channel = channel_box(summary.channel)
        self.description = text_box("Shown on the claim page under the name")
        self.description.setPlainText(summary.description)
        self.title = QLineEdit(summary.custom_title)
        self.title.setMaxLength(120)
        self.title.setAccessibleName("Public title")
        self.title.setPlaceholderText(f"{summary.title} (the offer's name)" if not summary.custom_title else "")
        total = QLabel(f"{summary.total:,} vouchers: the Total is fixed once they are generated.")
        total.setObjectName("Hint")
        self.notice = Notice()
        self.notice.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Channel", self.channel)
        form.addRow("Description", self.description)
        form.addRow("Public title", self.title)
        form.addRow("", total)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def changes(self) -> dict[str, str]:
        """What differs from the batch as it was read: only that is sent."""
        now = {
            "name": self.name.text(),
            "channel": self.channel.currentText(),
            "description": self.description.toPlainText(),
            "title": self.title.text(),
        }
        was = {
            "name": self.summary.name,
            "channel": self.summary.channel,
            "description": self.summary.description,
            "title": self.summary.custom_title,
        }
        return {key: value for key, value in now.items() if value != was[key]}

    def _on_save(self) -> None:
        if self.name.taken():
            self.name.edit.setFocus()
            return
        changes = self.changes()
        if not changes:
            self.accept()
            return
        self.buttons.setEnabled(False)
        self.notice.hide()
        self.save_requested.emit(changes)

    def show_refused(self, sentence: str) -> None:
        self.buttons.setEnabled(True)
        self.notice.say(sentence, "error")


class WindowFields(QWidget):
    """When claims open and when they end, each optional: "At once" / "No end" until ticked. Times are
    the store's: the core reads what is shown (DATE_TIME) in the store's zone."""

    def __init__(self, starts_at=None, ends_at=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.starts_on = QCheckBox("Claims open")
        self.starts = self._picker(starts_at, QDateTime.currentDateTime().addDays(1), "09:00")
        self.ends_on = QCheckBox("Claims end")
        self.ends = self._picker(ends_at, QDateTime.currentDateTime().addDays(15), "00:00")
        self.starts_on.setChecked(starts_at is not None)
        self.ends_on.setChecked(ends_at is not None)
        self.starts_on.toggled.connect(self._on_toggled)
        self.ends_on.toggled.connect(self._on_toggled)
        self.starts.setAccessibleName("Claims open at")
        self.ends.setAccessibleName("Claims end at")
        zone = QLabel(f"In the store's time: {times.zone_label()}. Without a start, claims open at once.")
        zone.setObjectName("Hint")
        zone.setWordWrap(True)
        grid = QFormLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addRow(self.starts_on, self.starts)
        grid.addRow(self.ends_on, self.ends)
        grid.addRow(zone)
        self._on_toggled()

    @staticmethod
    def _picker(value, fallback: QDateTime, at: str) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setDisplayFormat(DATE_TIME)
        edit.setCalendarPopup(True)
        if value is not None:
            edit.setDateTime(QDateTime.fromString(times.local_text(value), DATE_TIME))
        else:
            edit.setDateTime(QDateTime.fromString(f"{fallback.toString('yyyy-MM-dd')} {at}", DATE_TIME))
        return edit

    def _on_toggled(self, _checked: bool = False) -> None:
        self.starts.setEnabled(self.starts_on.isChecked())
        self.ends.setEnabled(self.ends_on.isChecked())

    def starts_text(self) -> str | None:
        """The start as typed ("2026-06-01 09:00"), or None for at once."""
        return self.starts.dateTime().toString(DATE_TIME) if self.starts_on.isChecked() else None

    def ends_text(self) -> str | None:
        return self.ends.dateTime().toString(DATE_TIME) if self.ends_on.isChecked() else None


class ScheduleDialog(QDialog):
    """Schedule…: reports (start text or None, end text or None); the controller reads them in the
    store's zone and sets them, or says why not."""

    schedule_requested = Signal(object, object)

    def __init__(self, summary: BatchSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScheduleDialog")
        self.setWindowTitle(f"Schedule “{summary.name}”")
        self.summary = summary
        self.fields = WindowFields(summary.starts_at, summary.ends_at)
        about = plain_label(
            "Before it opens, its card says Scheduled and its claim page when claims open; posters can be printed "
            "already. At its end it is Ended for good: vouchers members hold stay valid until they expire."
        )
        about.setObjectName("Hint")
        about.setWordWrap(True)
        self.notice = Notice()
        self.notice.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addWidget(about)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _on_save(self) -> None:
        self.buttons.setEnabled(False)
        self.notice.hide()
        self.schedule_requested.emit(self.fields.starts_text(), self.fields.ends_text())

    def show_refused(self, sentence: str) -> None:
        self.buttons.setEnabled(True)
        self.notice.say(sentence, "error")


def keep_enter(dialog: QDialog, event) -> bool:
    """True when Enter was pressed in a text field: it is swallowed there (a stray Enter in a form
    never submits it); on a button it presses that button as usual."""
    from PySide6.QtWidgets import QAbstractButton

    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(dialog.focusWidget(), QAbstractButton):
        event.accept()
        return True
    return False

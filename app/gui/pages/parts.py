"""What the analytics pages share: the back button, the page's title, and the header row that holds
them with what the page says about itself, its "Loading…" and its "Updated 14:03:12"."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.gui.kit import style
from app.gui.kit.widgets import plain_label


def back_button(tip: str) -> QToolButton:
    back = QToolButton()
    back.setIcon(style.icon("back"))
    back.setText("Batches")
    back.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    back.setAutoRaise(True)
    back.setToolTip(tip)
    return back


def page_title(value: str = "") -> QLabel:
    title = plain_label(value)  # a batch name, as typed
    title.setObjectName("PageTitle")
    font = QFont(title.font())
    font.setPointSizeF(font.pointSizeF() * 1.4)
    title.setFont(font)
    return title


def header_row(
    back: QWidget, title: QWidget, about: Sequence[QWidget], status: Sequence[QWidget], after: Sequence[QWidget] = ()
) -> QHBoxLayout:
    """back, title, what the page is about; then, at the right, its status (loading, updated) and after."""
    row = QHBoxLayout()
    row.addWidget(back)
    row.addSpacing(8)
    row.addWidget(title)
    row.addSpacing(8)
    for widget in about:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in status:
        row.addWidget(widget)
    if after:
        row.addSpacing(8)
    for widget in after:
        row.addWidget(widget)
    return row

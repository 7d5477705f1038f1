"""The window's toolbar and menus, built from its actions (the window decides which go where)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar, QSizePolicy, QToolBar, QWidget


def toolbar(leading: Iterable[QAction], field: QWidget, trailing: Iterable[QAction]) -> QToolBar:
    """Actions on the left, the till's field pushed to the right, then the trailing actions."""
    bar = QToolBar("Main")
    bar.setObjectName("MainToolbar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setIconSize(QSize(20, 20))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.addActions(list(leading))
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    bar.addWidget(field)
    bar.addSeparator()
    bar.addActions(list(trailing))
    return bar


def add_menu(menu_bar: QMenuBar, title: str, *groups: Sequence[QAction]) -> None:
    """A menu of groups of actions, with a separator between groups."""
    menu = menu_bar.addMenu(title)
    for n, group in enumerate(groups):
        if n:
            menu.addSeparator()
        menu.addActions(list(group))

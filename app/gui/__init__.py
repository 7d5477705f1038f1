"""The desktop window (PySide6). It calls app.core and shows the results; it never imports app.web."""

from .application import main

__all__ = ["main"]

"""The desktop window (PySide6). It calls app.core and shows the results; it never imports app.web."""


def main(*args, **kwargs):
    """Open the window (imported on call: the command line's poster renderer needs no widgets)."""
    from .application import main as open_window

    return open_window(*args, **kwargs)


__all__ = ["main"]

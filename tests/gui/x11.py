"""A tiny X11 client for the process tests (libX11 through ctypes, which Xvfb's libraries bring): the
top-level windows with their titles and whether they show, and closing one the way a window manager
does (a WM_DELETE_WINDOW message: the application decides what closing means)."""

from __future__ import annotations

import ctypes
import ctypes.util
from contextlib import contextmanager

_x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
_x.XOpenDisplay.restype = ctypes.c_void_p
_x.XOpenDisplay.argtypes = [ctypes.c_char_p]
_x.XDefaultRootWindow.restype = ctypes.c_ulong
_x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
_x.XInternAtom.restype = ctypes.c_ulong
_x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_x.XQueryTree.argtypes = (
    [ctypes.c_void_p, ctypes.c_ulong]
    + [ctypes.POINTER(ctypes.c_ulong)] * 2
    + [ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)), ctypes.POINTER(ctypes.c_uint)]
)
_x.XGetWindowProperty.argtypes = [
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_long,
    ctypes.c_long,
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.POINTER(ctypes.c_ulong),
    ctypes.POINTER(ctypes.c_int),
    ctypes.POINTER(ctypes.c_ulong),
    ctypes.POINTER(ctypes.c_ulong),
    ctypes.POINTER(ctypes.c_void_p),
]
_x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
_x.XFree.argtypes = [ctypes.c_void_p]
_x.XFlush.argtypes = [ctypes.c_void_p]
_x.XCloseDisplay.argtypes = [ctypes.c_void_p]


class _Attributes(ctypes.Structure):  # XWindowAttributes
    _fields_ = [(n, ctypes.c_int) for n in ("x", "y", "width", "height", "border_width", "depth")] + [
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class _ClientMessage(ctypes.Structure):  # XClientMessageEvent, padded to the size of an XEvent
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
        ("pad", ctypes.c_long * 12),
    ]


_x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_Attributes)]
IS_VIEWABLE, CLIENT_MESSAGE = 2, 33

_ErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_x.XSetErrorHandler.argtypes = [_ErrorHandler]
_x.XSetErrorHandler.restype = ctypes.c_void_p


@_ErrorHandler
def _ignore_x_error(display, event) -> int:
    """A window gone between listing the windows and asking about one (BadWindow) is only not shown.
    Xlib's default handler would print the error and exit(1) the whole test process, silently (pytest
    holds stderr), which is how a full run sometimes ended at this test with no summary."""
    return 0


_x.XSetErrorHandler(_ignore_x_error)  # (kept: the module holds the callback for the process's life)


@contextmanager
def _display(name: str):
    display = _x.XOpenDisplay(name.encode())
    if not display:
        raise OSError(f"cannot open the X display {name}")
    try:
        yield display
    finally:
        _x.XCloseDisplay(display)


def _title(display, window: int) -> str:
    kind, fmt, count, after, data = (
        ctypes.c_ulong(),
        ctypes.c_int(),
        ctypes.c_ulong(),
        ctypes.c_ulong(),
        ctypes.c_void_p(),
    )
    name = _x.XInternAtom(display, b"_NET_WM_NAME", 0)
    if (
        _x.XGetWindowProperty(
            display,
            window,
            name,
            0,
            1024,
            0,
            0,
            ctypes.byref(kind),
            ctypes.byref(fmt),
            ctypes.byref(count),
            ctypes.byref(after),
            ctypes.byref(data),
        )
        != 0
        or not data.value
    ):
        return ""
    try:
        return ctypes.string_at(data.value, count.value).decode("utf-8", "replace")
    finally:
        _x.XFree(data)


def windows(display_name: str) -> dict[int, tuple[str, bool]]:
    """The top-level windows: id -> (title, shown)."""
    with _display(display_name) as display:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        _x.XQueryTree(
            display,
            _x.XDefaultRootWindow(display),
            ctypes.byref(root),
            ctypes.byref(parent),
            ctypes.byref(children),
            ctypes.byref(count),
        )
        found = {}
        try:
            for i in range(count.value):
                window = children[i]
                attributes = _Attributes()
                _x.XGetWindowAttributes(display, window, ctypes.byref(attributes))
                found[window] = (_title(display, window), attributes.map_state == IS_VIEWABLE)
        finally:
            if children:
                _x.XFree(children)
        return found


def close_as_window_manager(display_name: str, window: int) -> None:
    """What a window manager sends when the close button is pressed (ICCCM WM_DELETE_WINDOW)."""
    with _display(display_name) as display:
        event = _ClientMessage(type=CLIENT_MESSAGE, window=window, format=32)
        event.message_type = _x.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.data[0] = _x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        _x.XSendEvent(display, window, 0, 0, ctypes.byref(event))
        _x.XFlush(display)

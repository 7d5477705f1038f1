"""The entry point of `voucher-batches` (and of `python -m app`, `python -m app.cli` and the bundle):
without a command it opens the window, with one it runs the command line. The one module that knows
all three front ends: it hands the window the claim site's server, and `serve` the claim site."""

from __future__ import annotations

import sys
from typing import Any

from app.cli import FrontEnds
from app.cli import main as command_line


def open_window(location: str | None, have_backup: bool = False) -> int:
    from app.gui import main as gui_main

    return gui_main(sys.argv[:1], start_server=start_claim_site, db_location=location, have_backup=have_backup)


def start_claim_site(host: str, port: int, **options: Any) -> Any:
    """The window's claim site with its webhook sender. The web framework and the server are imported
    here, on the worker the window starts the site on, after the window's first paint: not before it."""
    from app.web.sending import start_with_sender

    return start_with_sender(host, port, **options)


def serve(host: str, port: int, workers: int = 1) -> None:
    from app.web.supervisor import serve as serve_site

    serve_site(host, port, workers=workers)


def main(argv: list[str] | None = None) -> int:
    return command_line(argv, FrontEnds(open_window=open_window, serve=serve))

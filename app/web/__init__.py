"""The claim site: the pages a member's phone opens from a batch's QR code or link.

create_app() builds the Flask application; app.web.server serves it with waitress."""

from .site import create_app

__all__ = ["create_app"]

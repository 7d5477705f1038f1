"""The claim site as a WSGI application, for any WSGI server (gunicorn, uWSGI, mod_wsgi):

    pip install "voucher-batches[postgres]" gunicorn
    VOUCHER_BATCHES_DB=postgresql://vouchers@127.0.0.1/vouchers \\
        gunicorn --workers 4 --threads 8 --bind 127.0.0.1:8080 app.web.wsgi:application

The database is $VOUCHER_BATCHES_DB (else the file in the user's data folder). Each process opens
it on its first request, not at import, so a server that imports this module once and then forks
its workers (gunicorn --preload) gives every worker connections of its own. While it cannot be
opened, the site answers 503 with Retry-After and tries again on the next request.

`voucher-batches serve --workers N` does the same with waitress and also makes the daily backup of
a SQLite database; behind another server, schedule `voucher-batches backup` yourself (PostgreSQL:
pg_dump)."""

from __future__ import annotations

import logging
import os
import threading

from app.core import settings, store
from app.core.errors import VoucherError

from .site import RETRY_AFTER, create_app

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "The store's system cannot reach its database just now. Nothing was changed. Please try again in a moment.\n"
)


class LazySite:
    """A WSGI application that opens the database and builds the claim site on its first call in
    each process."""

    def __init__(self):
        self._site = None
        self._pid = 0
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._site is None or self._pid != os.getpid():
                store.open_database(store.resolve_location(None))
                settings.load()  # the store's time zone, for every time a page shows
                self._site, self._pid = create_app(), os.getpid()
            return self._site

    def __call__(self, environ, start_response):
        site = self._site if self._pid == os.getpid() else None
        if site is None:
            try:
                site = self._load()
            except VoucherError as exc:
                log.error("The claim site cannot open its database: %s", exc)
                body = UNAVAILABLE.encode()
                start_response(
                    "503 Service Unavailable",
                    [
                        ("Content-Type", "text/plain; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                        ("Retry-After", str(RETRY_AFTER)),
                        ("Cache-Control", "no-store"),
                    ],
                )
                return [body]
        return site(environ, start_response)


application = LazySite()

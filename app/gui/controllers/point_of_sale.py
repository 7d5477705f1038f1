"""Settings → Point of sale at work: reads the API keys and the webhooks with their deliveries, makes
and revokes keys, adds and removes webhooks, each on a worker through app.core (every change in the
activity log, made by this till)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from app.core import api_keys, webhooks
from app.core.activity import Actor
from app.core.errors import sentence
from app.gui.kit.tasks import run_task

if TYPE_CHECKING:
    from app.gui.dialogs.point_of_sale import PointOfSalePage

REFRESH_MS = 5000  # the deliveries' standing, read again while the page shows


class PointOfSaleController(QObject):
    def __init__(self, page: PointOfSalePage, who: Callable[[], Actor]) -> None:
        super().__init__(page)
        self._page = page
        self._who = who
        page.create_key_requested.connect(self._create_key)
        page.revoke_key_requested.connect(self._revoke_key)
        page.add_webhook_requested.connect(self._add_hook)
        page.remove_webhook_requested.connect(self._remove_hook)
        page.deliveries_requested.connect(self._read_deliveries)
        page.refresh_requested.connect(self.refresh)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_if_shown)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        page = self._page

        def show(found) -> None:
            page.show_keys(found[0])
            page.show_hooks(found[1])

        run_task(
            lambda: (api_keys.every_key(), webhooks.hooks()),
            show,
            lambda exc: page.show_key_said(sentence(exc, "read the API keys"), "error"),
            context=page,
        )

    def _refresh_if_shown(self) -> None:
        if self._page.isVisible():
            self.refresh()

    def _create_key(self, name: str) -> None:
        page, actor = self._page, self._who()

        def made(answer) -> None:
            page.show_new_key(*answer)
            self.refresh()

        run_task(
            lambda: api_keys.create(name, actor),
            made,
            lambda exc: page.show_key_said(sentence(exc, "make the API key"), "error"),
            context=page,
        )

    def _revoke_key(self, name: str) -> None:
        page, actor = self._page, self._who()

        def revoked(key) -> None:
            page.show_key_said(f"API key “{key.name}” revoked: it no longer works.", "success")
            self.refresh()

        run_task(
            lambda: api_keys.revoke(name, actor),
            revoked,
            lambda exc: page.show_key_said(sentence(exc, "revoke the API key"), "error"),
            context=page,
        )

    def _add_hook(self, url: str, events: list, secret: str) -> None:
        page, actor = self._page, self._who()

        def added(hook) -> None:
            page.show_hook_added(hook)
            self.refresh()

        run_task(
            lambda: webhooks.add(url, events, secret, actor),
            added,
            lambda exc: page.show_hook_said(sentence(exc, "add the webhook"), "error"),
            context=page,
        )

    def _remove_hook(self, url: str) -> None:
        page, actor = self._page, self._who()

        def removed(gone: str) -> None:
            page.show_hook_said(f"Webhook removed: nothing more is sent to {gone}.", "success")
            self.refresh()

        run_task(
            lambda: webhooks.remove(url, actor),
            removed,
            lambda exc: page.show_hook_said(sentence(exc, "remove the webhook"), "error"),
            context=page,
        )

    def _read_deliveries(self, url: str) -> None:
        page = self._page
        run_task(
            lambda: webhooks.deliveries(url, 20),
            lambda found: page.show_deliveries(url, found),
            lambda exc: page.show_hook_said(sentence(exc, "read the deliveries"), "error"),
            context=page,
        )

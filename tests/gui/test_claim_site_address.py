"""Changing the claim site's port or address never takes the site down: the new listener starts first,
only then the old one stops; when the new one cannot start, the old one keeps serving and Settings says
so (no "Settings saved." while the site is down). With the real server."""

from __future__ import annotations

import socket

import pytest

from app.core import settings
from app.gui.dialogs.settings import SettingsDialog
from app.web.server import start_server
from tests.helpers.ports import free_port

from .helpers import answers, open_settings, save, shown


class RecordingStarts:
    """The real start_server, recording when each server listens and when it stops."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int):
        server = start_server(host, port)
        self.events.append(("listening", server.port))
        stop = server.stop

        def recorded_stop(*args, **kwargs):
            self.events.append(("stopping", server.port))
            stop(*args, **kwargs)

        server.stop = recorded_stop
        return server


@pytest.fixture
def first_port(db_path):
    port = free_port()
    settings.save(
        settings.Settings(
            store_name="Corner Shop", public_base_url="http://shop.test:8080", host="127.0.0.1", port=port
        )
    )
    return port


@pytest.fixture
def servers(first_port):
    return RecordingStarts()


def test_a_new_port_listens_before_the_old_one_stops(qtbot, first_port, window, servers):
    qtbot.waitUntil(lambda: answers(first_port), timeout=10_000)
    ports = [first_port]
    for _ in range(2):
        ports.append(free_port())
        dialog = open_settings(qtbot, window)
        dialog.port.setValue(ports[-1])
        save(dialog)
        qtbot.waitUntil(lambda: not shown(window, SettingsDialog), timeout=10_000)  # closed once saved
        assert window.message_bar.text() == "Settings saved."
        assert answers(ports[-1])
        qtbot.waitUntil(lambda: not answers(ports[-2]), timeout=10_000)
        assert settings.load().port == ports[-1]
    assert servers.events == [
        ("listening", ports[0]),
        ("listening", ports[1]),
        ("stopping", ports[0]),
        ("listening", ports[2]),
        ("stopping", ports[1]),
    ]


def test_a_busy_port_keeps_the_old_site_serving_and_nothing_is_saved(qtbot, first_port, window, servers):
    qtbot.waitUntil(lambda: answers(first_port), timeout=10_000)
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        busy = other_program.getsockname()[1]
        dialog = open_settings(qtbot, window)
        for _ in range(2):
            dialog.port.setValue(busy)
            save(dialog)
            qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.buttons.isEnabled(), timeout=10_000)
            assert dialog.notice.text() == (
                f"Port {busy} is already in use by another program (perhaps the claim site is running already). "
                "Stop that program or choose another port. The claim site keeps serving at http://shop.test:8080. "
                "Nothing was saved."
            )
            assert answers(first_port) and dialog.isVisible()
            assert settings.load().port == first_port
            assert "Settings saved." not in window.message_bar.text()
            assert window.server_label.text() == "● Claim site running at http://shop.test:8080"
    assert servers.events == [("listening", first_port)]
    dialog.reject()
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog))

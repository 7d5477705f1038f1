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
    """The claim site's port, at this PC's 127.0.0.1; the links at shop.test (its own name, resolved
    to this PC), on a port of their own as a proxy's would be, so that the site may move."""
    port = free_port()
    settings.save(
        settings.Settings(
            store_name="Corner Shop", public_base_url=f"http://shop.test:{LINKS_PORT}", host="127.0.0.1", port=port
        )
    )
    return port


LINKS_PORT = 8443


@pytest.fixture
def servers(db_path):
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
                "Stop that program or choose another port. "
                f"The claim site keeps serving at http://shop.test:{LINKS_PORT}. Nothing was saved."
            )
            assert answers(first_port) and dialog.isVisible()
            assert settings.load().port == first_port
            assert "Settings saved." not in window.message_bar.text()
            assert f"Claim site running at http://shop.test:{LINKS_PORT}" in window.server_label.text()
    assert servers.events == [("listening", first_port)]
    dialog.reject()
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog))


@pytest.fixture
def lan_links(db_path):
    """Claim links as the first batch fixes them: this PC's address on the network, and its port."""
    port = free_port()
    base = f"http://{settings.lan_address()}:{port}"
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url=base, port=port))
    return base, port


def test_a_port_that_links_already_out_carry_is_kept_and_the_refusal_says_why(
    qtbot, lan_links, make_batch, window, servers
):
    """Issue 21: with posters out at http://<this PC>:8080, a new port said "Settings saved." and
    moved the site; every poster then led to a port nobody listened on."""
    base, port = lan_links
    make_batch()
    qtbot.waitUntil(lambda: answers(port), timeout=10_000)
    for new_port, new_host in ((free_port(), "0.0.0.0"), (port, "127.0.0.1")):  # a new port; a host the links miss
        for _ in range(2):
            dialog = open_settings(qtbot, window)
            dialog.port.setValue(new_port)
            dialog.host.setText(new_host)
            save(dialog)
            qtbot.waitUntil(lambda d=dialog: d.notice.isVisible() and d.buttons.isEnabled(), timeout=10_000)
            said = dialog.notice.text()
            assert said.startswith(f"1 batch has claim links starting {base}: posters and messages already out reach")
            assert said.endswith(
                (
                    f"Keep port {port}. Nothing was saved.",
                    "Keep listening on every network (0.0.0.0). Nothing was saved.",
                )
            )
            assert "Settings saved." not in window.message_bar.text()
            dialog.reject()
            qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
    assert (settings.load().port, settings.load().host) == (port, "0.0.0.0")
    assert answers(port) and servers.events == [("listening", port)]  # never moved, never stopped


def test_before_any_link_is_out_the_links_move_with_the_port(qtbot, lan_links, window, servers):
    base, port = lan_links
    qtbot.waitUntil(lambda: answers(port), timeout=10_000)
    for _ in range(2):
        new_port = free_port()
        dialog = open_settings(qtbot, window)
        dialog.port.setValue(new_port)
        save(dialog)
        qtbot.waitUntil(lambda: not shown(window, SettingsDialog), timeout=10_000)
        assert window.message_bar.text() == "Settings saved."
        assert settings.load().public_base_url == f"http://{settings.lan_address()}:{new_port}"
        assert answers(new_port)

"""Always on: closing the window leaves the claim site serving; Quit asks first and then stops it; one
instance per database; a claim site already serving this database is used instead of a second one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, Qt
from PySide6.QtWidgets import QApplication

from app.core import settings
from app.gui import instance
from app.gui.controllers.background import KEEPS_SERVING
from app.gui.kit.prompts import quit_question
from app.web.server import start_server
from tests.helpers import ROOT
from tests.helpers.ports import free_port

from .helpers import names_here


def test_closing_the_window_keeps_the_claim_site_serving_and_says_so_once(qtbot, window, servers):
    qtbot.waitUntil(window.server.is_running)
    for said in (KEEPS_SERVING, ""):
        window.close()  # as the window manager closes it: no question
        assert not window.isVisible()
        assert window.server.serves_here() and not servers.started[0].stopped
        window.background.bring_back()  # what a second start, or the tray's Open Voucher Batches, does
        qtbot.waitUntil(window.isVisible)
        assert window.message_bar.text() == said
        window.message_bar.hide()  # dismissed
    assert len(servers.started) == 1


def test_quit_asks_first_and_stops_the_claim_site_only_when_told(qtbot, window, servers, prompts):
    qtbot.waitUntil(window.server.is_running)
    prompts.quit_answers += [False, False, True]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for _ in range(2):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        assert window.isVisible() and not servers.started[0].stopped
    window.quit_action.trigger()
    assert prompts.asked_quit == ["http://shop.test:8080"] * 3
    assert servers.started[0].stopped and not window.server.is_running()
    assert "Claim links (http://shop.test:8080) go offline" in quit_question("http://shop.test:8080")


@pytest.fixture
def serving_elsewhere(db_path):
    """`voucher-batches serve` on this database, on this PC (in this process, on its own port)."""
    port = free_port()
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url=f"http://shop.test:{port}", port=port))
    with names_here("shop.test"):  # (a link only this PC opens would be a problem the status bar says)
        site = start_server("127.0.0.1", port)
        yield site
        site.stop()


def test_a_claim_site_already_serving_this_database_is_used(qtbot, serving_elsewhere, window, servers, prompts):
    qtbot.waitUntil(window.server.is_running)
    assert window.server_label.text() == (
        f"● Claim site running at http://shop.test:{serving_elsewhere.port} (served by another Voucher Batches program)"
    )
    assert servers.started == [] and not window.server.serves_here()
    window.quit_action.trigger()  # nothing goes offline: no question
    assert prompts.asked_quit == [] and serving_elsewhere.running


def ask_from_another_process(qtbot, name: str) -> bool:
    """instance.ask_running(name) as a second start runs it: in a process of its own (it blocks)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    probe = f"from app.gui import instance; print(instance.ask_running({name!r}))"
    asking = subprocess.Popen([sys.executable, "-c", probe], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    qtbot.waitUntil(lambda: asking.poll() is not None, timeout=30_000)
    answer = asking.communicate()[0].strip()
    assert asking.returncode == 0 and answer in ("True", "False")
    return answer == "True"


@pytest.mark.posix_only(
    "a Unix socket left behind by a crashed instance; on Windows QLocalServer is a named pipe, which ends with its "
    "process (the lock file taken first is tested in test_application.py)"
)
def test_a_second_start_reaches_the_running_instance_and_a_stale_name_is_taken_over(qapp, qtbot, tmp_path):
    name = instance.socket_name(str(tmp_path / "vouchers.db"))
    assert (
        name == instance.socket_name(str(tmp_path / "vouchers.db")) != instance.socket_name(str(tmp_path / "other.db"))
    )
    # an instance that crashed left its socket behind: nobody answers on it
    stale = Path(QDir.tempPath()) / name
    with socket.socket(socket.AF_UNIX) as crashed:
        crashed.bind(str(stale))
    assert stale.exists() and not ask_from_another_process(qtbot, name)
    heard: list[str] = []
    running = instance.InstanceServer(name, heard.append)
    try:
        assert running.is_listening()
        for _ in range(2):
            assert ask_from_another_process(qtbot, name)
        qtbot.waitUntil(lambda: len(heard) == 2)
        assert heard == ["show", "show"]
    finally:
        running.close()
    assert not ask_from_another_process(qtbot, name)

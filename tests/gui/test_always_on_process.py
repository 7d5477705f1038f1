"""A claim made through the claim site still works after the window is closed, and the second launch
shows the running instance. Real processes: `python -m app.cli --db PATH` on an X server (Xvfb), its
window closed the way a window manager closes it, a member claiming over HTTP, then a second launch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import settings, store
from tests.helpers import ROOT
from tests.helpers.ports import free_port
from tests.web.helpers import Browser, claim_path, visible

from .helpers import answers

if sys.platform != "win32":
    from . import x11

pytestmark = pytest.mark.posix_only(
    "closes the window as an X11 window manager does (Xlib, Xvfb, wmctrl): Linux's desktop; the lock and the "
    "pipe of the one instance are tested in test_application.py"
)

TITLE = "Corner Shop — Voucher Batches"  # the store's name; Qt adds the application's


def until(condition, what: str, seconds: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Poll (these are other processes) until condition() holds, or fail saying what did not happen."""
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the window's process ended ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.1)


@pytest.fixture
def x_server(tmp_path):
    """An X server of the test's own (no window manager: the test plays its part)."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is not installed: apt-get install xvfb (the README's prerequisites)"
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as displayfd:
        number = displayfd.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


def launch(db_path: Path, display: str, tmp_path: Path, log: str, **kwargs) -> subprocess.Popen:
    """`voucher-batches --db PATH` as a person starts it, with this test's own folders."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="xcb")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        env[name] = str(tmp_path / name.lower())
        Path(env[name]).mkdir(mode=0o700, exist_ok=True)
    with open(tmp_path / f"{log}.out", "w") as out, open(tmp_path / f"{log}.err", "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "--db", str(db_path)], env=env, cwd=ROOT, stdout=out, stderr=err, **kwargs
        )


def shown_windows(display: str) -> list[int]:
    """The windows of that title on screen (a closed one is gone or unmapped)."""
    return [window for window, (title, viewable) in x11.windows(display).items() if title == TITLE and viewable]


def test_a_claim_works_after_the_window_is_closed_and_a_second_launch_shows_the_window(
    db_path, make_batch, x_server, tmp_path
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url=base, host="127.0.0.1", port=port))
    batch = make_batch(quantity=5, name="Spring Fair")
    first = launch(db_path, x_server, tmp_path, "first")
    try:
        until(lambda: answers(port), "the window's claim site answers", process=first)
        until(lambda: len(shown_windows(x_server)) == 1, f"a window titled {TITLE!r} shows", process=first)
        x11.close_as_window_manager(x_server, shown_windows(x_server)[0])
        until(lambda: not shown_windows(x_server), "the window closes", process=first)
        assert first.poll() is None and answers(port)  # still running, still serving

        member = Browser(base)
        member.get(f"/en-us/register?next={claim_path(batch)}")
        page = member.post(
            "/en-us/register", {"email": "ann@example.com", "password": "sunflower-7", "next": claim_path(batch)}
        )
        assert page.status == 200 and page.path == claim_path(batch)
        page = member.post(claim_path(batch))
        assert page.status == 200 and "Voucher claimed!" in visible(page.text)

        for _ in range(2):
            started = time.monotonic()
            second = launch(db_path, x_server, tmp_path, "second")
            assert second.wait(60) == 0
            assert time.monotonic() - started < 30
            said = (tmp_path / "second.out").read_text()
            assert (
                said == f"Voucher Batches is already running for {store.describe(str(db_path))}; showing its window.\n"
            )
            until(lambda: len(shown_windows(x_server)) == 1, "the running instance's window shows again", process=first)
            x11.close_as_window_manager(x_server, shown_windows(x_server)[0])
            until(lambda: not shown_windows(x_server), "the window closes again", process=first)
        assert first.poll() is None and answers(port)
    finally:
        first.terminate()
        first.wait(30)
    assert "Traceback" not in (tmp_path / "first.err").read_text()

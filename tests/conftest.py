"""Shared fixtures: every test gets its own database file in a temporary folder."""

import io
import os
import sys
import tempfile

# Before any QApplication exists: CI has no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from app.render.fonts import point_qt_at_shipped_fonts  # noqa: E402

point_qt_at_shipped_fonts()  # the offscreen platform on Windows: the app's own fonts, as the app does

# The user's own folders (data and its backups, logs, settings) are never touched by a test, nor by
# the programs the tests start: platformdirs and Qt follow these on Linux.
_HOME = tempfile.mkdtemp(prefix="voucher-batches-tests-")
for _name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = os.path.join(_HOME, _name.lower())
# On Windows platformdirs asks the shell for the known folders (%LOCALAPPDATA%, %APPDATA%): its
# WIN_PD_OVERRIDE_* variables win over that, and the plain variables are what the programs the
# tests start (and the autostart entry) read.
for _name, _folder in (("LOCAL_APPDATA", "LOCALAPPDATA"), ("APPDATA", "APPDATA"), ("COMMON_APPDATA", "PROGRAMDATA")):
    os.environ[f"WIN_PD_OVERRIDE_{_name}"] = os.environ[_folder] = os.path.join(_HOME, _folder.lower())

# What the suite leaves out on Windows, in one place for `python -m pytest` in cmd.exe and for the
# Windows pass under Wine (tools/windows/test.sh): the checks of the Linux deployment recipe (systemd
# units, Debian's Caddy in front of the site), and the browser tests, which drive Debian's chromium.
if sys.platform == "win32":
    import re
    from pathlib import Path

    _HERE = Path(__file__).parent
    collect_ignore = ["test_deploy.py", "web/test_caddy.py"] + [
        module.relative_to(_HERE).as_posix()
        for module in _HERE.glob("**/test_*.py")
        if re.search(r"^(from|import) playwright", module.read_text(encoding="utf-8"), re.MULTILINE)
    ]

import pytest  # noqa: E402

from app import cli  # noqa: E402
from app.core import batches, members, settings, store, templates, times  # noqa: E402
from app.core.store import models  # noqa: E402
from tests.helpers.database import ON_POSTGRES, TEST_DB, empty_postgres  # noqa: E402
from tests.helpers.pg_cluster import private_cluster  # noqa: E402


@pytest.fixture(autouse=True)
def _a_run_key_of_the_tests(monkeypatch):
    """On Windows "Start when I log in" writes the user's Run key: the tests write a key of their own."""
    if sys.platform != "win32":
        yield
        return
    import winreg

    from app.core import autostart

    monkeypatch.setattr(autostart, "RUN_KEY", r"Software\VoucherBatchesTests\Run")
    yield
    for key in (r"Software\VoucherBatchesTests\Run", r"Software\VoucherBatchesTests"):
        try:
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key)
        except OSError:
            pass


@pytest.fixture(autouse=True)
def _the_pcs_time_zone():
    """A test that sets the store's time zone leaves the next one on the PC's own."""
    yield
    times.set_zone("")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + TEST_DB.rpartition('@')[2] if ON_POSTGRES else 'SQLite files'}"


def pytest_collection_modifyitems(config, items):
    left_out = "postgres_only" if not ON_POSTGRES else "sqlite_only"  # CI runs the suite on both
    kept = [item for item in items if item.get_closest_marker(left_out) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    if sys.platform == "win32":  # said in the summary (-ra) with the marker's reason, never left out silently
        for item in items:
            marker = item.get_closest_marker("posix_only")
            if marker is not None:
                item.add_marker(pytest.mark.skip(reason=f"POSIX only: {marker.args[0]}"))


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """A fresh database, opened: a file in a temporary folder (or, on PostgreSQL, the emptied test
    database's URL); the environment variable cannot leak in from outside."""
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    path = empty_postgres() if ON_POSTGRES else tmp_path / "vouchers.db"
    store.open_database(path)
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url="http://shop.test:8080"))
    yield path
    store.close_database()


@pytest.fixture
def template(db_path):
    return templates.create_template("10% off", "10%", min_purchase="20", valid_days=30, terms="One per visit")


@pytest.fixture
def make_batch(template):
    def make(quantity=10, name="Summer 2025 - Email List", channel="Email", **kwargs):
        return batches.create_batch(
            name, template, quantity, channel, kwargs.pop("description", "Summer treat"), **kwargs
        )

    return make


@pytest.fixture
def make_member(db_path):
    counter = iter(range(1, 10**9))

    def make(email=None, name=""):
        return members.create_member(email or f"member{next(counter)}@example.com", "not-a-real-hash", name)

    return make


@pytest.fixture
def cluster(monkeypatch):
    """A private cluster of its own, running, for a test that stops or restarts it; gone afterwards."""
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    running = private_cluster()
    yield running
    store.close_database()
    running.stop_for_good()


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """The command line, run in this process on a fresh database: run("batch", "list", stdin="")
    returns (exit code, stdout, stderr)."""
    monkeypatch.setenv(store.ENV_VAR, str(tmp_path / "cli.db"))

    def run(*args, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    models.set_clock(None)
    store.close_database()

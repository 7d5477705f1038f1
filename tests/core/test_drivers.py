"""The database server's driver is imported only when a server database is used (app.core.store.drivers),
and peewee then has it as if it had found it at its own import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytest.importorskip("psycopg2")

# What peewee's import takes from psycopg2: its module names and its adapter's transaction states,
# and the UUID adapter it registers; written as text to compare two processes.
SNAPSHOT = """
import json, uuid, peewee, psycopg2.extensions as ext
names = ("psycopg2", "pg_extensions", "pg_register_uuid", "Json_pg2")
adapter = peewee.Psycopg2Adapter
def said(value):
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return repr(value)
print(json.dumps({
    "module": {name: said(getattr(peewee, name, None)) for name in names},
    "adapter": {name: repr(getattr(adapter, name, None)) for name in ("txn_idle", "txn_inerror", "txn_unknown")},
    "uuid adapted": (uuid.UUID, ext.ISQLQuote) in ext.adapters,
}))
"""


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout


def test_opening_the_app_on_a_file_does_not_import_the_server_driver():
    found = run(
        "import sys, tempfile, pathlib; from app.core import store, batches;"
        "store.open_database(pathlib.Path(tempfile.mkdtemp()) / 'v.db'); batches.list_batches();"
        "print('psycopg2' in sys.modules, 'peewee' in sys.modules)"
    )
    assert found.split() == ["False", "True"]


def test_the_driver_loaded_later_is_peewees_as_its_own_import_makes_it():
    natural = json.loads(run("import psycopg2, peewee\n" + SNAPSHOT))
    loaded = json.loads(run("from app.core.store import drivers\ndrivers.load_postgres()\n" + SNAPSHOT))
    assert natural["module"]["psycopg2"].startswith("<module 'psycopg2'")
    assert natural["module"]["Json_pg2"] == "psycopg2._json.Json"
    assert loaded == natural


def test_a_postgresql_url_loads_the_driver():
    """The handle on a server URL is made with the driver in place (no server needed: not connected)."""
    found = run(
        "import sys; from app.core import store;"
        "db = store.server_handle('postgresql://someone@127.0.0.1:1/nothing');"
        "import peewee; print(type(db).__name__, peewee.psycopg2 is sys.modules['psycopg2'])"
    )
    assert found.split()[1] == "True"

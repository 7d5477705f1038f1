"""A PostgreSQL server's own failures, as the driver reports them, become one sentence naming the
database; a deadlock is retried, never called a lock by another program; and a server database is
backed up (pg_dump) before its schema is updated, or the update is refused until someone has."""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import peewee
import pytest

from app import cli
from app.core import batches, store
from app.core.errors import DatabaseProblem
from app.core.store import explain, guarded, migrations
from tests.helpers.database import TEST_DB, make_version_4, schema_version_now

pytestmark = pytest.mark.postgres_only

NAME = urlsplit(TEST_DB).path.lstrip("/")  # the test database's name


def on_the_test_server(database: str = NAME, login: str = "postgres") -> str:
    """A URL on the test server (by TCP or by its socket, as TEST_DB says) for another database or login."""
    parts = urlsplit(TEST_DB)
    return parts._replace(netloc=f"{login}@{parts.netloc.rpartition('@')[2]}", path=f"/{database}").geturl()


def refusal(url: str) -> str:
    with pytest.raises(DatabaseProblem) as refused:
        store.open_database(url)
    return str(refused.value)


def test_a_server_that_does_not_answer_is_one_sentence_naming_the_database(db_path):
    said = refusal("postgresql://postgres:secret@127.0.0.1:1/vouchers")
    assert said == (
        "The database server of postgresql://127.0.0.1:1/vouchers does not answer: check that it runs, "
        "and that its firewall lets this PC in."
    )


def test_a_database_that_does_not_exist_is_named(db_path):
    url = on_the_test_server("no_such_vouchers")
    assert (
        refusal(url)
        == f"The database server of {store.describe(url)} answers, but has no such database: check its name."
    )


def test_a_login_the_server_refuses_is_one_sentence_without_the_password(db_path):
    url = on_the_test_server(login="nobody_here:secret")
    said = refusal(url)
    assert said == f"The database server of {store.describe(url)} answers, but has no such user: check the user name."
    assert "secret" not in said and "\n" not in said


def a_real_deadlock() -> Exception:
    """Two sessions that each hold a row the other wants: the server aborts one (40P01)."""
    import psycopg2

    caught = []
    with closing(psycopg2.connect(TEST_DB)) as setup:
        setup.autocommit = True
        setup.cursor().execute("CREATE TABLE two_rows (id int PRIMARY KEY); INSERT INTO two_rows VALUES (1), (2)")
    sessions = [psycopg2.connect(TEST_DB) for _ in range(2)]
    start = threading.Barrier(2)

    def lock(i):
        cursor = sessions[i].cursor()
        cursor.execute("UPDATE two_rows SET id = id WHERE id = %s", (i + 1,))
        start.wait()
        try:
            cursor.execute("UPDATE two_rows SET id = id WHERE id = %s", (2 - i,))
        except psycopg2.Error as exc:
            caught.append(exc)
        sessions[i].rollback()

    threads = [threading.Thread(target=lock, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for session in sessions:
        session.close()
    (deadlock,) = caught
    return deadlock


def test_a_deadlock_is_retried_once_and_never_said_to_be_another_programs_lock(db_path):
    deadlock = a_real_deadlock()
    assert deadlock.pgcode == "40P01" and "blocked" in str(deadlock)  # the word that used to read as "locked"
    said = explain(_wrapped(deadlock))
    assert "locked by another program" not in said and "deadlock" in said and "\n" not in said
    tries = []

    @guarded
    def change():
        tries.append(1)
        if len(tries) == 1:
            raise _wrapped(deadlock)
        return "done"

    assert change() == "done" and len(tries) == 2

    @guarded
    def always():
        raise _wrapped(deadlock)

    with pytest.raises(DatabaseProblem, match="deadlock"):
        always()


def _wrapped(driver_error: Exception) -> peewee.OperationalError:
    """The driver's error as Peewee raises it (the driver's one as its context)."""
    try:
        try:
            raise driver_error
        except Exception as exc:
            raise peewee.OperationalError(*exc.args) from exc
    except peewee.OperationalError as wrapped:
        return wrapped


# -- a migration of a server database: a pg_dump first, or a refusal --------------------------------


def stored_version() -> int:
    return store.database.execute_sql("SELECT version FROM schema_version").fetchone()[0]


def test_a_server_database_is_dumped_before_its_schema_is_updated(db_path, make_batch):
    batch = make_batch(quantity=3, name="Before the update")
    make_version_4(db_path)
    store.open_database(db_path)
    assert stored_version() == migrations.CURRENT_VERSION
    assert batches.get_batch(batch.id).title == "10% off"  # the step ran
    notice = store.migration_notice()
    dump = Path(notice.rpartition(" is ")[2].rstrip("."))
    assert (
        notice
        == f"The database {store.location()} was updated to schema {migrations.CURRENT_VERSION}; its backup from "
        f"before is {dump}."
    )
    assert dump.parent == Path(os.environ["XDG_DATA_HOME"]) / "voucher-batches" / "backups" / NAME
    assert dump.name.startswith(f"{NAME}-v4-") and dump.suffix == ".dump"
    # the dump holds the database as it was: version 4, and the batch
    listed = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "Before the update" in listed
    copy = listed.partition("COPY public.schema_version")[2]
    assert copy.splitlines()[1].split("\t")[-1] == "4"


def test_without_pg_dump_the_update_is_refused_until_someone_has_a_backup(
    db_path, make_batch, monkeypatch, tmp_path, capsys
):
    make_batch(quantity=3)
    make_version_4(db_path)
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    assert cli.main(["batch", "list", "--db", db_path]) == 1
    said = capsys.readouterr().err
    needs, _, how = said.partition("; nothing was changed. ")
    assert needs == (
        f"voucher-batches: The database {store.describe(db_path)} needs updating from schema 4 to "
        f"{migrations.CURRENT_VERSION}, and pg_dump was not found to back it up first"
    )
    command, _, then = how.removeprefix("Make a backup (").partition("), ")
    assert then == "then run the same command again with --i-have-a-backup.\n"
    assert "\n" not in said[:-1]
    # the command it gives makes the backup, where pg_dump exists
    subprocess.run(shlex.split(command), cwd=tmp_path, env={**os.environ, "PATH": path}, check=True)
    assert (tmp_path / f"{NAME}-v4.dump").stat().st_size > 0
    assert schema_version_now() == 4
    assert cli.main(["batch", "list", "--db", db_path, "--i-have-a-backup"]) == 0
    assert "Summer 2025 - Email List" in capsys.readouterr().out
    assert schema_version_now() == migrations.CURRENT_VERSION
    assert store.migration_notice() is None  # nothing was dumped, and nothing is said to be

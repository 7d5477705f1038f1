"""Another program holding the test database's write locks, on either database: what a backup, the
command line or a long delete in another process does to the program under test."""

from __future__ import annotations

import sqlite3

from app.core import store


class OtherProgram:
    """A connection of its own to the test database that holds what writers need when told to: on
    SQLite its write lock (BEGIN IMMEDIATE); on PostgreSQL the batch and voucher tables in EXCLUSIVE
    mode (reads go on, every change waits)."""

    def __init__(self, path) -> None:
        self._postgres = store.is_url(str(path))
        if self._postgres:
            import psycopg2

            self._connection = psycopg2.connect(str(path))
        else:
            self._connection = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
        self.holding = False

    def hold(self) -> None:
        if self._postgres:
            with self._connection.cursor() as cursor:
                cursor.execute("LOCK TABLE batch, voucher IN EXCLUSIVE MODE")  # (psycopg2 began a transaction)
        else:
            self._connection.execute("BEGIN IMMEDIATE")
        self.holding = True

    def release(self) -> None:
        self._connection.commit() if self._postgres else self._connection.execute("COMMIT")
        self.holding = False

    def close(self) -> None:
        if self.holding:
            self.release()
        self._connection.close()

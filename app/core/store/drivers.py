"""The database server's driver, imported only when a server database is used. peewee imports
psycopg2 (with libpq and OpenSSL: about 18 MB and 20 ms) at its own import whenever it is installed,
even for a SQLite file; this module imports peewee with psycopg2 held back, and gives peewee the
driver as its import would have (load_postgres) when a PostgreSQL URL is opened."""

from __future__ import annotations

import sys


def _import_peewee_without_postgres() -> None:
    """Import peewee as if psycopg2 were not installed (None in sys.modules makes its import fail),
    unless peewee or psycopg2 is already imported (then there is nothing to save)."""
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    sys.modules["psycopg2"] = None  # type: ignore[assignment]
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


_import_peewee_without_postgres()


def load_postgres() -> None:
    """Import psycopg2 and hand it to peewee, as peewee's own import does when it finds it (its
    module's names, the UUID adapter, the transaction states of its adapter). Without psycopg2
    installed nothing changes: peewee then says its driver is missing, as before."""
    import peewee

    names = vars(peewee)  # (its module's own names, as its import sets them)
    if names["psycopg2"] is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions, extras
    except ImportError:
        return
    extras.register_uuid()
    names.update(pg_extensions=extensions, pg_register_uuid=extras.register_uuid, Json_pg2=extras.Json)
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
    names["psycopg2"] = psycopg2  # last: the sign that the rest is done

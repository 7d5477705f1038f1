"""The domain: data, rules and services, free of Qt and of any web framework."""

# First of all: peewee imported without the database server's driver, which a SQLite file does
# without (app.core.store.drivers); any module of the core may be the first to import peewee.
from .store import drivers as _drivers  # noqa: F401

"""Changing a SQLite table the one way SQLite allows: made anew as its model declares it, with its
rows copied over. SQLite's ALTER TABLE cannot change a primary key (AUTOINCREMENT), a column's type
or default, or a CHECK; a migration step that needs one of those rebuilds the table here."""

from __future__ import annotations

from typing import Any

import peewee


def columns_of(db: peewee.Database, table: str) -> dict[str, tuple[str, Any]]:
    """The table's columns as the file has them: name -> (declared type, default as written)."""
    return {row[1]: (row[2], row[4]) for row in db.execute_sql(f'PRAGMA table_info("{table}")')}


def table_sql(db: peewee.Database, table: str) -> str:
    """The CREATE TABLE statement the file keeps for the table ("" when there is no such table)."""
    row = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return row[0] if row else ""


def _index_columns(index: Any) -> set[str]:  # (a peewee.Index: its stubs lack _expressions)
    return {part.column_name for part in index._expressions if isinstance(part, peewee.Field)}


def rebuild_as_declared(db: peewee.SqliteDatabase, model: Any) -> None:  # (a model class: Peewee's stubs lack _schema)
    """Make the model's table anew as the model declares it (its key, types, defaults, CHECKs,
    foreign keys and indexes), keeping every row, every other index and its triggers. Only the
    columns the table has now are declared: a column that a later migration step adds is added by
    that step. Inside the migration's transaction, with foreign keys off (init_db): dropping the old
    table must not cascade to the rows that refer to it; init_db checks every key before committing.
    This is SQLite's documented way (https://sqlite.org/lang_altertable.html#otheralter)."""
    table = model._meta.table_name
    present = columns_of(db, table)
    fields = [field for field in model._meta.sorted_fields if field.column_name in present]
    kept = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    declared = [index for index in model._meta.fields_to_index() if _index_columns(index) <= set(present)]
    declared_names = {index._name for index in declared}

    rebuilt = f"{table}__rebuilt"
    ctx = model._schema._create_context()  # (the scope in which a column is named bare, as DDL has it)
    ctx.literal("CREATE TABLE ").sql(peewee.Entity(rebuilt)).literal(" ")
    parts = [field.ddl(ctx) for field in fields]
    if model._meta.composite_key:
        key = [model._meta.fields[name].column for name in model._meta.primary_key.field_names]
        parts.append(peewee.NodeList((peewee.SQL("PRIMARY KEY"), peewee.EnclosedNodeList(key))))
    parts += [field.foreign_key_constraint() for field in fields if isinstance(field, peewee.ForeignKeyField)]
    parts += list(model._meta.constraints or ())
    ctx.sql(peewee.EnclosedNodeList(parts))
    db.execute_sql(*ctx.query())

    names = ", ".join(f'"{field.column_name}"' for field in fields)
    db.execute_sql(f'INSERT INTO "{rebuilt}" ({names}) SELECT {names} FROM "{table}"')
    db.execute_sql(f'DROP TABLE "{table}"')  # (its indexes and triggers with it)
    db.execute_sql(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for index in declared:
        db.execute_sql(*model._schema._create_index(index, safe=False).query())
    for name, sql in kept:  # an index the model does not declare (made by hand), and the triggers
        if name not in declared_names:
            db.execute_sql(sql)

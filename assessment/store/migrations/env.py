"""Alembic environment: migrates the database named by the config's `sqlalchemy.url`.

`assessment.store.migrate.upgrade_database(url)` sets that URL (or hands over an open
connection in `config.attributes["connection"]`); there is no alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assessment.store.db import create_database_engine
from assessment.store.models import Base


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode drops and re-creates a table; with foreign keys on, SQLite refuses to
        # drop a table other rows point at. The copy keeps every row, so the keys are
        # switched off for the migration (outside any transaction) and checked after it.
        _sqlite_foreign_keys(connection, on=False)
    try:
        _migrate(connection, sqlite)
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    if on:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows without their parent: {broken[:5]}")
    raw.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def _migrate(connection: Connection, sqlite: bool) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migration environment")
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
_run_online()

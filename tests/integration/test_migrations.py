"""Migrations: from an empty database to the newest schema, safely repeatable."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from assessment.store.db import Database
from assessment.store.migrate import (
    current_revision,
    head_revision,
    is_up_to_date,
    upgrade_database,
)
from assessment.store.models import Base


def test_upgrade_from_empty_creates_every_table(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        assert current_revision(database.engine) is None
        assert upgrade_database(empty_database_url) == head_revision()
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert is_up_to_date(database.engine)
    finally:
        database.dispose()


def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    database = Database(database_url)
    try:
        before = sorted(inspect(database.engine).get_table_names())
        upgrade_database(database_url)
        assert sorted(inspect(database.engine).get_table_names()) == before
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()


def test_the_models_need_no_migration_beyond_head(database_url: str) -> None:
    """A model change without its migration shows up here as a difference."""
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()

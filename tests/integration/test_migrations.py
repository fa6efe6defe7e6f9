"""Migrations: from an empty database to the newest schema, safely repeatable."""

from __future__ import annotations

import json

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from assessment.domain.rules.schedule import RoundState
from assessment.store.db import Database
from assessment.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_up_to_date,
    upgrade_database,
)
from assessment.store.models import Agency, Base, Round


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


def test_rounds_keep_their_open_or_closed_state_through_the_schedule_migration(
    empty_database_url: str,
) -> None:
    """Before 0005 a flag said open or closed; afterwards each round is still in that state."""
    command.upgrade(alembic_config(empty_database_url), "0003")
    database = Database(empty_database_url)
    try:
        with database.engine.begin() as connection:
            for name, is_open, ends_on in (
                ("2025", False, "2025-04-30"),
                ("2026", True, "2026-04-30"),  # still open past its end date, as flagged
                ("2027", True, None),
            ):
                connection.execute(
                    text(
                        "INSERT INTO assessment_round (name, ends_on, instrument_id,"
                        " instrument_version, is_open, created_at) VALUES (:name, :ends_on,"
                        " 'sm-policing-maturity', '1.0.0', :is_open, CURRENT_TIMESTAMP)"
                    ),
                    {"name": name, "ends_on": ends_on, "is_open": is_open},
                )
            # An assessment pointing at a round: SQLite's table copy must keep it.
            connection.execute(
                text(
                    "INSERT INTO agency (name, country, agency_type, size_band, profile,"
                    " synthetic, created_at) VALUES ('North Police', 'NL', 'regional',"
                    " '100-999', '{}', FALSE, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO assessment (agency_id, round_id, instrument_id,"
                    " instrument_version, status, revision, created_at, updated_at)"
                    " SELECT agency.id, assessment_round.id, 'sm-policing-maturity', '1.0.0',"
                    " 'draft', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM agency,"
                    " assessment_round WHERE assessment_round.name = '2025'"
                )
            )
        upgrade_database(empty_database_url)
        with database.session() as session:
            found = {r.name: r for r in session.scalars(select(Round))}
            assert {name: r.state for name, r in found.items()} == {
                "2025": RoundState.CLOSED,
                "2026": RoundState.OPEN,
                "2027": RoundState.OPEN,
            }
            assert found["2025"].decided_state == RoundState.CLOSED
            assert found["2026"].deadline is None  # open until an administrator closes it
            assert [a.round.name for a in found["2025"].assessments] == ["2025"]
        command.downgrade(alembic_config(empty_database_url), "0003")
        with database.engine.connect() as connection:
            flags = connection.execute(
                text("SELECT name, is_open FROM assessment_round ORDER BY name")
            ).all()
        assert [(name, bool(flag)) for name, flag in flags] == [
            ("2025", False),
            ("2026", True),
            ("2027", True),
        ]
    finally:
        database.dispose()


def test_agency_codes_move_to_the_european_profile_and_back(empty_database_url: str) -> None:
    """0010 maps sworn-officer bands to total-staff bands, keeps the old codes, and undoes it."""
    command.upgrade(alembic_config(empty_database_url), "0008")
    database = Database(empty_database_url)
    old = {"North Police": ("regional", "100-999"), "Capital Police": ("national", "10000-plus")}
    try:
        with database.engine.begin() as connection:
            for name, (agency_type, size_band) in old.items():
                connection.execute(
                    text(
                        "INSERT INTO agency (name, country, agency_type, size_band, profile,"
                        " synthetic, created_at) VALUES (:name, 'NL', :type, :size, :profile,"
                        " FALSE, CURRENT_TIMESTAMP)"
                    ),
                    {
                        "name": name,
                        "type": agency_type,
                        "size": size_band,
                        "profile": json.dumps({"size_band": size_band}),
                    },
                )
        upgrade_database(empty_database_url)
        with database.session() as session:
            found = {a.name: a for a in session.scalars(select(Agency))}
            assert {n: (a.agency_type, a.size_band) for n, a in found.items()} == {
                "North Police": ("regional", "250-999"),
                "Capital Police": ("national", "5000-19999"),
            }
            assert found["North Police"].profile == {
                "size_band": "250-999",
                "migrated_from": {"agency_type": "regional", "size_band": "100-999"},
            }
            assert found["North Police"].policing_model == ""
        command.downgrade(alembic_config(empty_database_url), "0008")
        with database.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT name, agency_type, size_band, profile FROM agency ORDER BY name")
            ).all()
        assert {name: (kind, size) for name, kind, size, _ in rows} == old
        assert all("migrated_from" not in str(profile) for *_, profile in rows)
    finally:
        database.dispose()

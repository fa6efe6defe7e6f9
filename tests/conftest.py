"""Fixtures shared by every test folder.

Databases
    `database_url`: a migrated, empty database, once on SQLite (a real file, copied from
    a template migrated once per run) and once on PostgreSQL when TEST_DATABASE_URL is set
    (a schema of its own per test module, emptied before each test; the URL carries the
    schema in its search_path, so `create_app({"DATABASE_URL": url})` works too).
    `database`: a `Database` on that URL. `session`: a session on it.
    `empty_database_url`: a database that was never migrated (for migration tests).

Factories (callables, each commits through the services)
    `create_agency(country="NL", ...)`, `create_user(role="lead", agency=None, ...)`,
    `create_round(name=None, questionnaire="sm-policing-maturity@1.0.0", is_open=True,
    starts_on=None, ends_on=None)`.

Mail
    `smtp_server`: a real SMTP server on loopback (tests.smtp_server) keeping what it gets.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assessment.services import accounts, assessments, rounds
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import Agency, Assessment, Base, Role, Round, User
from tests.smtp_server import SmtpServer

POSTGRES_ENV = "TEST_DATABASE_URL"
BUNDLED_QUESTIONNAIRE = "sm-policing-maturity@1.0.0"
TEST_PASSWORD = "correct horse battery staple"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def answer_sworn_officer_band(session: Session, assessment_id: int) -> None:
    """Complete a 1.0.0 draft's profile: its sworn-officer band is the one profile question
    an agency's record (a total-staff band of the European profile) does not settle."""
    draft = session.get(Assessment, assessment_id)
    assert draft is not None
    assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"size_band": "100-999"},
        revision=draft.revision,
        actor=None,
    )


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def postgresql_base_url() -> str:
    """TEST_DATABASE_URL, or skip the calling test when it is not set."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


def with_search_path(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to `schema` (libpq options)."""
    with_options = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return with_options.render_as_string(hide_password=False)


@contextmanager
def postgresql_schema(base_url: str) -> Iterator[str]:
    """A fresh schema with a random name, dropped afterwards; yields a URL that uses it."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(base_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield with_search_path(base_url, schema)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@contextmanager
def migrated_database(backend: str, folder: Path) -> Iterator[Database]:
    """An empty migrated database on `backend` ("sqlite": a file in `folder`, else a
    throw-away PostgreSQL schema), its engine disposed afterwards."""
    with ExitStack() as stack:
        if backend == "sqlite":
            url = sqlite_url(folder / "assessment.db")
        else:
            url = stack.enter_context(postgresql_schema(postgresql_base_url()))
        upgrade_database(url)
        database = Database(url)
        stack.callback(database.dispose)
        yield database


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test run; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "assessment.db"
    upgrade_database(sqlite_url(path))
    return path


@pytest.fixture(scope="module")
def postgresql_module_database() -> Iterator[Database]:
    """A migrated schema shared by the tests of one module (emptied before each test)."""
    with postgresql_schema(postgresql_base_url()) as url:
        upgrade_database(url)
        database = Database(url)
        try:
            yield database
        finally:
            database.dispose()


def _empty_tables(database: Database) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a migrated, empty database (SQLite file; PostgreSQL schema when set up)."""
    if request.param == "sqlite":
        target = tmp_path / "assessment.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), target)
        return sqlite_url(target)
    postgresql_base_url()
    shared: Database = request.getfixturevalue("postgresql_module_database")
    _empty_tables(shared)
    return shared.url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database without any table (never migrated)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    with postgresql_schema(postgresql_base_url()) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A `Database` on the test's migrated, empty database."""
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session on the test database, closed afterwards."""
    with database.session() as session:
        yield session


@pytest.fixture
def create_agency(session: Session) -> Callable[..., Agency]:
    """Make agencies through the accounts service: `create_agency(country="BE")`."""
    numbers = itertools.count(1)

    def make(**overrides: Any) -> Agency:
        number = next(numbers)
        values: dict[str, Any] = {
            "name": f"Test Police {number:02d}",
            "country": "NL",
            "agency_type": "regional",
            "size_band": "250-999",
        }
        return accounts.create_agency(session, **(values | overrides))

    return make


@pytest.fixture
def create_user(session: Session, create_agency: Callable[..., Agency]) -> Callable[..., User]:
    """Make users: `create_user(role="lead", agency=None, password=None)`.

    A lead without an agency gets a new one. Without a password no hash is computed (fast);
    pass `password=TEST_PASSWORD` for users who must sign in.
    """
    numbers = itertools.count(1)

    def make(
        role: Role | str = Role.LEAD,
        agency: Agency | None = None,
        email: str | None = None,
        password: str | None = None,
    ) -> User:
        checked = Role(role)
        if checked == Role.LEAD and agency is None:
            agency = create_agency()
        return accounts.create_user(
            session,
            email=email or f"{checked.value}{next(numbers)}@example.org",
            password=password,
            role=checked,
            agency_id=agency.id if agency is not None else None,
        )

    return make


@pytest.fixture
def create_round(session: Session) -> Callable[..., Round]:
    """Make rounds on a bundled instrument: `create_round("2025", is_open=False)`."""
    numbers = itertools.count(2024)

    def make(
        name: str | None = None,
        questionnaire: str = BUNDLED_QUESTIONNAIRE,
        is_open: bool = True,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> Round:
        instrument_id, _, version = questionnaire.partition("@")
        round_ = rounds.create_round(
            session,
            name=name or str(next(numbers)),
            instrument_id=instrument_id,
            instrument_version=version,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        if not is_open:
            rounds.set_round_open(session, round_id=round_.id, is_open=False, actor=None)
        return round_

    return make


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a loopback port, keeping the messages it receives."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

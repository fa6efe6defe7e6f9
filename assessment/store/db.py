"""Engines and sessions: one `Database` per process and URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

DATABASE_FILE = "assessment.db"
SQLITE_BUSY_TIMEOUT_SECONDS = 15.0


def default_database_url(instance_path: Path | str) -> str:
    """The SQLite file inside the instance folder: `sqlite:///<instance>/assessment.db`."""
    return f"sqlite:///{Path(instance_path) / DATABASE_FILE}"


def is_sqlite(url: str) -> bool:
    """True when the URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def create_database_engine(url: str, **options: Any) -> Engine:
    """An engine for `url`; SQLite connections get foreign keys, WAL and a busy timeout."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **options)
    # Writers wait for each other instead of failing at once with "database is locked".
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, **options.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL lets readers go on while one writer commits; memory databases ignore it.
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


class Database:
    """An engine and its session factory for one database URL."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = create_database_engine(url, **engine_options)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """A new session; the caller closes it (services commit, nothing else does)."""
        return self._sessions()

    def dispose(self) -> None:
        """Close every pooled connection (end of a test, a CLI command or a worker)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"


def database_answers(session: Session) -> bool:
    """True when the database answers a trivial statement (for health checks)."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True

"""The request's database session, opened on first use and closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from assessment.store.db import Database

_EXTENSION = "assessment.database"


def init_database(app: Flask) -> Database:
    """Create the app's database handle from DATABASE_URL and close sessions at teardown."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions[_EXTENSION] = database
    app.teardown_appcontext(_close_session)
    return database


def app_database() -> Database:
    """The current app's database handle."""
    database: Database = current_app.extensions[_EXTENSION]
    return database


def close_database(app: Flask) -> None:
    """Close the pooled connections of `app`'s database (end of a test or a process)."""
    database: Database | None = app.extensions.get(_EXTENSION)
    if database is not None:
        database.dispose()


def db_session() -> Session:
    """The SQLAlchemy session of the current request (one per request, closed at teardown)."""
    if "db_session" not in g:
        g.db_session = app_database().session()
    session: Session = g.db_session
    return session


def _close_session(_error: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()

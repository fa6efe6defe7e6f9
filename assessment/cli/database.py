"""What every database command shares: `--database-url`, a session on a migrated database,
and refusals as messages.

Every command that reads or writes the database takes `--database-url` (or DATABASE_URL);
the default is a SQLite file in the instance folder (`./instance`, created when missing).
Bad input ends with a message and exit status 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from assessment import config
from assessment.services.errors import InvalidInput, ServiceError
from assessment.store.db import Database, is_sqlite
from assessment.store.migrate import current_revision, head_revision

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A refused command: message on stderr, exit status 2."""

    exit_code = 2


def database_url_option(command: F) -> F:
    """Add `--database-url` (env DATABASE_URL; default: SQLite in the instance folder)."""
    return click.option(
        "--database-url",
        envvar="DATABASE_URL",
        default=None,
        metavar="URL",
        help="SQLAlchemy database URL [env DATABASE_URL; default: instance/assessment.db].",
    )(command)


def resolve_database_url(given: str | None) -> str:
    """The URL to use; for a SQLite file the folder is created when missing."""
    url = (given or "").strip() or config.database_url()
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except ArgumentError:
        # NoSuchModuleError is an ArgumentError too: an unknown kind of database.
        raise CommandError(f"not a database URL: {url!r}") from None
    if is_sqlite(url) and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"cannot create the folder {folder}: {error.strerror}") from None
    return url


def shown(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def opened_session(database_url: str | None) -> Iterator[Session]:
    """A session on a migrated database; service refusals and database errors exit 2."""
    url = resolve_database_url(database_url)
    database = Database(url)
    try:
        require_current_schema(database, url)
        with database.session() as session:
            yield session
    except ServiceError as error:
        raise CommandError(service_message(error)) from None
    except SQLAlchemyError as error:
        raise CommandError(f"database error on {shown(url)}: {first_line(error)}") from None
    finally:
        database.dispose()


def require_current_schema(database: Database, url: str) -> None:
    """Refuse a database that is not set up or not at the newest schema."""
    revision = current_revision(database.engine)
    if revision is None:
        raise CommandError(f"the database {shown(url)} is not set up; run `assessment init` first")
    if revision != head_revision():
        raise CommandError(f"the database {shown(url)} needs an upgrade; run `assessment init`")


def service_message(error: ServiceError) -> str:
    """A service refusal as one line (invalid fields named as command-line options)."""
    if isinstance(error, InvalidInput):
        return "; ".join(
            f"{field.replace('_', '-')}: {text}" for field, text in error.errors.items()
        )
    return error.message


def first_line(error: BaseException) -> str:
    """The first line of an error's text (or its type's name), for messages."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__

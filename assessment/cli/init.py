"""`assessment init`: create the database or upgrade it to the newest schema."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from assessment.cli.database import (
    CommandError,
    database_url_option,
    first_line,
    resolve_database_url,
    shown,
)
from assessment.store.migrate import upgrade_database


@click.command("init")
@database_url_option
def init(database_url: str | None) -> None:
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    url = resolve_database_url(database_url)
    try:
        revision = upgrade_database(url)
    except SQLAlchemyError as error:
        raise CommandError(f"cannot set up {shown(url)}: {first_line(error)}") from None
    click.echo(f"Database ready at {shown(url)} (schema {revision}).")

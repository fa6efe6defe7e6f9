"""Database commands: `init`, `demo-data`, `export`, `user create`, `round ...`.

Every command takes `--database-url` (or DATABASE_URL); the default is a SQLite file in
the instance folder (`./instance`, created when missing). Bad input ends with a message
and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from assessment import config
from assessment.domain.demo.synthetic import DEFAULT_SEED
from assessment.queries.agencies import agency_by_reference
from assessment.services import accounts, assessments, demo_data, export, rounds
from assessment.services.errors import InvalidInput, NotFound, ServiceError
from assessment.store.db import Database, is_sqlite
from assessment.store.migrate import current_revision, head_revision, upgrade_database
from assessment.store.models import Role

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
        _require_current_schema(database, url)
        with database.session() as session:
            yield session
    except ServiceError as error:
        raise CommandError(_service_message(error)) from None
    except SQLAlchemyError as error:
        raise CommandError(f"database error on {shown(url)}: {_first_line(error)}") from None
    finally:
        database.dispose()


def _require_current_schema(database: Database, url: str) -> None:
    revision = current_revision(database.engine)
    if revision is None:
        raise CommandError(f"the database {shown(url)} is not set up; run `assessment init` first")
    if revision != head_revision():
        raise CommandError(f"the database {shown(url)} needs an upgrade; run `assessment init`")


def _service_message(error: ServiceError) -> str:
    if isinstance(error, InvalidInput):
        return "; ".join(
            f"{field.replace('_', '-')}: {text}" for field, text in error.errors.items()
        )
    return error.message


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


@click.command("init")
@database_url_option
def init(database_url: str | None) -> None:
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    url = resolve_database_url(database_url)
    try:
        revision = upgrade_database(url)
    except SQLAlchemyError as error:
        raise CommandError(f"cannot set up {shown(url)}: {_first_line(error)}") from None
    click.echo(f"Database ready at {shown(url)} (schema {revision}).")


@click.command("demo-data")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "--agencies",
    type=click.IntRange(min=1),
    default=demo_data.DEFAULT_AGENCIES,
    show_default=True,
    help="How many synthetic agencies.",
)
@click.option(
    "--password",
    default=demo_data.DEFAULT_PASSWORD,
    show_default=True,
    help="Password of the three demo logins.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database has data.")
@database_url_option
def demo_data_command(
    seed: int, agencies: int, password: str, if_empty: bool, database_url: str | None
) -> None:
    """Load a synthetic population: agencies, rounds 2024-2026, answers and demo logins."""
    with opened_session(database_url) as session:
        if if_empty and not demo_data.database_is_empty(session):
            click.echo("The database already holds data; demo data not loaded.")
            return
        started = time.perf_counter()
        summary = demo_data.load_demo_data(session, seed=seed, agencies=agencies, password=password)
        elapsed = time.perf_counter() - started
    click.echo(
        f"Loaded synthetic demo data (seed {seed}) in {elapsed:.1f} s: {summary.agencies} "
        f"agencies, rounds {', '.join(summary.rounds)}, {summary.submitted} submitted "
        f"assessments and {summary.drafts} drafts."
    )
    click.echo(f"Run `assessment serve` and sign in with the password {password!r} as:")
    for role, email in summary.logins:
        note = f"  (lead of {summary.lead_agency})" if role == Role.LEAD.value else ""
        click.echo(f"  {role:<11} {email}{note}")


@click.command("export")
@click.option("--round", "round_ref", required=True, metavar="ROUND", help="Round name or id.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@database_url_option
def export_command(
    round_ref: str, output_format: str, output: Path | None, database_url: str | None
) -> None:
    """Export a round's results: one row per agency (CSV or JSON) to a file or stdout."""
    with opened_session(database_url) as session:
        round_ = rounds.find_round(session, round_ref)
        table = export.round_export(session, round_.id)
    if output is None:
        _write_export(table, output_format, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as stream:
            _write_export(table, output_format, stream)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from None
    click.echo(f"Wrote {len(table.rows)} rows of round {table.round_name} to {output}.", err=True)


def _write_export(table: export.RoundExport, output_format: str, stream: Any) -> None:
    if output_format == "json":
        stream.write(export.to_json(table))
    else:
        export.write_csv(table, stream)


@click.group("user")
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="What the user may do.",
)
@click.option("--agency", "agency_ref", metavar="AGENCY", help="Agency name or id (leads only).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters; asked for when not given.",
)
@database_url_option
def create_user(
    email: str, role: str, agency_ref: str | None, password: str, database_url: str | None
) -> None:
    """Create an admin, consultant or agency-lead account."""
    with opened_session(database_url) as session:
        agency_id = _agency_id(session, agency_ref) if agency_ref else None
        created = accounts.create_user(
            session, email=email, password=password, role=role, agency_id=agency_id
        )
        click.echo(f"Created {created.role.value} {created.email} (id {created.id}).")


def _agency_id(session: Session, ref: str) -> int:
    try:
        return agency_by_reference(session, ref).id
    except NotFound as error:
        raise InvalidInput({"agency": str(error)}) from None


@click.group("round")
def round_group() -> None:
    """Manage assessment rounds."""


@round_group.command("create")
@click.argument("name")
@click.option(
    "--questionnaire", required=True, metavar="ID@VERSION", help="e.g. sm-policing-maturity@1.0.0"
)
@click.option("--starts-on", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--ends-on", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD).")
@database_url_option
def create_round(
    name: str,
    questionnaire: str,
    starts_on: Any,
    ends_on: Any,
    database_url: str | None,
) -> None:
    """Create an open round NAME on a questionnaire version."""
    instrument_id, _, version = questionnaire.partition("@")
    if not instrument_id or not version:
        raise CommandError(f"--questionnaire must be ID@VERSION, not {questionnaire!r}")
    with opened_session(database_url) as session:
        created = rounds.create_round(
            session,
            name=name,
            instrument_id=instrument_id,
            instrument_version=version,
            starts_on=_day(starts_on),
            ends_on=_day(ends_on),
        )
        click.echo(f"Created round {created.name} on {questionnaire} (open).")


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


@round_group.command("open")
@click.argument("round_ref", metavar="ROUND")
@database_url_option
def open_round(round_ref: str, database_url: str | None) -> None:
    """Open ROUND (name or id) for answers."""
    _set_open(round_ref, True, database_url)


@round_group.command("close")
@click.argument("round_ref", metavar="ROUND")
@database_url_option
def close_round(round_ref: str, database_url: str | None) -> None:
    """Close ROUND (name or id): no more answers or submissions."""
    _set_open(round_ref, False, database_url)


def _set_open(round_ref: str, is_open: bool, database_url: str | None) -> None:
    with opened_session(database_url) as session:
        found = rounds.find_round(session, round_ref)
        rounds.set_round_open(session, round_id=found.id, is_open=is_open, actor=None)
        click.echo(f"Round {found.name} is {'open' if is_open else 'closed'}.")


@round_group.command("rescore")
@click.argument("round_ref", metavar="ROUND")
@database_url_option
def rescore_round(round_ref: str, database_url: str | None) -> None:
    """Recompute the stored results of ROUND's submitted assessments from their answers."""
    with opened_session(database_url) as session:
        found = rounds.find_round(session, round_ref)
        count = assessments.rescore_round(session, round_id=found.id, actor=None)
        click.echo(f"Rescored {count} submitted assessments of round {found.name}.")


COMMANDS: tuple[click.Command, ...] = (
    init,
    demo_data_command,
    export_command,
    user,
    round_group,
)
"""Registered on the `assessment` group."""

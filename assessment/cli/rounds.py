"""`assessment round create|open|close|rescore`: assessment rounds."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from assessment.cli.database import CommandError, database_url_option, opened_session
from assessment.queries.results import stale_rounds
from assessment.services import assessments, rounds


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
    """Create round NAME on a questionnaire version; it opens on --starts-on (else at once)."""
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
        click.echo(f"Created round {created.name} on {questionnaire} ({created.state.value}).")


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


@round_group.command("open")
@click.argument("round_ref", metavar="ROUND")
@database_url_option
def open_round(round_ref: str, database_url: str | None) -> None:
    """Open ROUND (name or id) for answers now, ahead of its dates."""
    _set_open(round_ref, True, database_url)


@round_group.command("close")
@click.argument("round_ref", metavar="ROUND")
@database_url_option
def close_round(round_ref: str, database_url: str | None) -> None:
    """Close ROUND (name or id) now: no more answers or submissions."""
    _set_open(round_ref, False, database_url)


def _set_open(round_ref: str, is_open: bool, database_url: str | None) -> None:
    with opened_session(database_url) as session:
        found = rounds.find_round(session, round_ref)
        rounds.set_round_open(session, round_id=found.id, is_open=is_open, actor=None)
        click.echo(f"Round {found.name} is {'open' if is_open else 'closed'}.")


@round_group.command("rescore")
@click.argument("round_ref", metavar="ROUND", required=False)
@click.option(
    "--stale",
    is_flag=True,
    help="Rescore every round with results computed under an older scoring (no ROUND).",
)
@database_url_option
def rescore_round(round_ref: str | None, stale: bool, database_url: str | None) -> None:
    """Recompute the stored results of ROUND's submitted assessments from their answers."""
    if (round_ref is None) == (not stale):
        raise CommandError("give either a ROUND or --stale")
    with opened_session(database_url) as session:
        if round_ref is not None:
            found = rounds.find_round(session, round_ref)
            count = assessments.rescore_round(session, round_id=found.id, actor=None)
            click.echo(f"Rescored {count} submitted assessments of round {found.name}.")
            return
        targets = stale_rounds(session)
        if not targets:
            click.echo("No stored results were computed under an older scoring.")
        for round_, stale_count in targets:
            count = assessments.rescore_round(session, round_id=round_.id, actor=None)
            click.echo(
                f"Rescored {count} submitted assessments of round {round_.name} "
                f"({stale_count} computed under an older scoring)."
            )

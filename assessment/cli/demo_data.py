"""`assessment demo-data`: load a synthetic population with demo logins."""

from __future__ import annotations

import time

import click

from assessment.cli.database import database_url_option, opened_session
from assessment.domain.demo.synthetic import DEFAULT_SEED
from assessment.services import demo_data
from assessment.store.models import Role


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

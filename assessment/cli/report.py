"""`assessment report ...`: agency and cohort PDFs, and a whole round in parallel.

WeasyPrint is imported only by the commands that render, so `assessment --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from assessment import config
from assessment.cli.database import (
    CommandError,
    database_url_option,
    opened_session,
    resolve_database_url,
)
from assessment.domain.rules.benchmark import DEFAULT_ANONYMITY_K, PeerGroup
from assessment.queries.agencies import agency_by_reference
from assessment.reporting.batch import (
    BatchJob,
    BatchOutcome,
    batch_jobs,
    run_batch,
    write_atomically,
)
from assessment.services import rounds

K_HELP = "Anonymity threshold: smallest group shown (default ANONYMITY_K or 5; at least 3)."
OUTPUT_HELP = "PDF file to write (written atomically)."


@click.group()
def report() -> None:
    """Render PDF reports."""


@report.command("agency")
@click.argument("agency_ref", metavar="NAME|ID")
@click.option("--round", "round_ref", required=True, metavar="R", help="Round name or id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--k", "k", type=int, default=None, help=K_HELP)
@database_url_option
def agency_command(
    agency_ref: str, round_ref: str, output: Path, k: int | None, database_url: str | None
) -> None:
    """The report of one agency in one round."""
    from assessment.reporting.agency import build_agency_report
    from assessment.reporting.render import render_agency_pdf

    threshold = _threshold(k)
    _check_output_folder(output.parent)
    with opened_session(database_url) as session:
        agency = agency_by_reference(session, agency_ref)
        round_ = rounds.find_round(session, round_ref)
        built = build_agency_report(session, agency.id, round_.id, threshold)
    write_atomically(output, render_agency_pdf(built))
    click.echo(f"wrote {output}")


@report.command("cohort")
@click.option("--round", "round_ref", required=True, metavar="R", help="Round name or id.")
@click.option("--country", default=None, help="Only agencies of this country (ISO code).")
@click.option("--type", "agency_type", default=None, help="Only agencies of this type.")
@click.option(
    "--size",
    "size_band",
    default=None,
    help="Only agencies of this workforce band (total staff), e.g. 250-999.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--k", "k", type=int, default=None, help=K_HELP)
@database_url_option
def cohort_command(
    round_ref: str,
    country: str | None,
    agency_type: str | None,
    size_band: str | None,
    output: Path,
    k: int | None,
    database_url: str | None,
) -> None:
    """The anonymised report of a peer group in one round (no agency is named)."""
    from assessment.reporting.cohort import build_cohort_report
    from assessment.reporting.render import render_cohort_pdf

    threshold = _threshold(k)
    _check_output_folder(output.parent)
    group = PeerGroup(country=country, agency_type=agency_type, size_band=size_band)
    with opened_session(database_url) as session:
        round_ = rounds.find_round(session, round_ref)
        built = build_cohort_report(session, round_.id, group, threshold)
    write_atomically(output, render_cohort_pdf(built))
    click.echo(f"wrote {output}")


@report.command("batch")
@click.option("--round", "round_ref", required=True, metavar="R", help="Round name or id.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the PDFs (created when missing).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the number of CPUs).",
)
@click.option("--k", "k", type=int, default=None, help=K_HELP)
@database_url_option
def batch_command(
    round_ref: str, output: Path, jobs: int | None, k: int | None, database_url: str | None
) -> None:
    """The report of every agency that submitted in the round, rendered in parallel."""
    threshold = _threshold(k)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"--output: cannot create {output}: {error.strerror}") from None
    with opened_session(database_url) as session:
        round_ = rounds.find_round(session, round_ref)
        work = batch_jobs(session, round_, output)
    if not work:
        raise CommandError(f"no agency has submitted its assessment in round {round_.name}")
    workers = jobs or os.cpu_count() or 1
    outcomes = _run_with_progress(resolve_database_url(database_url), work, threshold, workers)
    failures = [outcome for outcome in outcomes if not outcome.ok]
    written = len(work) - len(failures)
    click.echo(f"wrote {written} of {len(work)} reports to {output}")
    for outcome in outcomes:
        if outcome.ok and outcome.attempts > 1:
            job = outcome.job
            click.echo(
                f"retried: {job.agency_name} (id {job.agency_id}): its worker died", err=True
            )
    for outcome in failures:
        job = outcome.job
        click.echo(f"failed: {job.agency_name} (id {job.agency_id}): {outcome.error}", err=True)
    if failures:
        sys.exit(1)


def _run_with_progress(url: str, work: list[BatchJob], k: int, workers: int) -> list[BatchOutcome]:
    with click.progressbar(length=len(work), label="Rendering", file=sys.stderr) as bar:
        return run_batch(url, work, k=k, workers=workers, on_outcome=lambda _: bar.update(1))


def _threshold(k: int | None) -> int:
    try:
        return config.anonymity_k(
            os.environ.get("ANONYMITY_K", DEFAULT_ANONYMITY_K) if k is None else k
        )
    except config.ConfigError as error:
        raise CommandError(f"--k: {error}") from None


def _check_output_folder(folder: Path) -> None:
    if not folder.resolve().is_dir():
        raise CommandError(f"--output: the folder {folder} does not exist")

"""`assessment report ...`: agency and cohort PDFs, and a whole round in parallel.

WeasyPrint is imported only by the commands that render, so `assessment --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assessment import config
from assessment.cli.database import (
    CommandError,
    database_url_option,
    opened_session,
    resolve_database_url,
)
from assessment.domain.rules.benchmark import DEFAULT_ANONYMITY_K, PeerGroup
from assessment.queries import report_jobs as job_queries
from assessment.queries.agencies import agency_by_reference
from assessment.reporting.batch import report_filename, write_atomically
from assessment.services import report_jobs, rounds
from assessment.store.db import Database
from assessment.store.models import ReportJob, Round

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from assessment.reporting.queue import ReportQueue

K_HELP = "Anonymity threshold: smallest group shown (default ANONYMITY_K or 5; at least 3)."
OUTPUT_HELP = "PDF file to write (written atomically)."
POLL_SECONDS = 0.5


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
@click.option("--country", default=None, help="Only agencies of this country (ISO code).")
@click.option("--type", "agency_type", default=None, help="Only agencies of this type.")
@click.option("--size", "size_band", default=None, help="Only agencies of this size band.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the PDFs (created when missing).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes to start on this machine for the batch (default: the number of "
    "CPUs; with REDIS_URL set, 0: the running `assessment worker` processes render it).",
)
@click.option("--k", "k", type=int, default=None, help=K_HELP)
@database_url_option
def batch_command(
    round_ref: str,
    country: str | None,
    agency_type: str | None,
    size_band: str | None,
    output: Path,
    jobs: int | None,
    k: int | None,
    database_url: str | None,
) -> None:
    """Every submitted report of the round (or of a peer group), through the report queue.

    The same job as "Prepare all reports" on the web: started again with the same content,
    nothing is rendered twice.
    """
    from assessment.reporting.pdf_cache import templates_digest
    from assessment.reporting.queue import ReportQueue, queue_settings

    threshold = _threshold(k)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"--output: cannot create {output}: {error.strerror}") from None
    url = resolve_database_url(database_url)
    settings = {**config.web_settings(), "DATABASE_URL": url}
    group = PeerGroup(country=country, agency_type=agency_type, size_band=size_band)
    queue = ReportQueue(queue_settings(settings))
    with opened_session(url) as session:
        round_ = rounds.find_round(session, round_ref)
        started = report_jobs.start_round_batch(
            session,
            round_id=round_.id,
            group=group,
            k=threshold,
            templates=templates_digest(),
            actor=None,
        )
        if not started.job.items:
            among = f" of {group.describe()}" if group.filters else ""
            raise CommandError(
                f"no agency{among} has submitted its assessment in round {round_.name}"
            )
        queue.enqueue(started.to_enqueue)
        local = (0 if settings["REDIS_URL"] else os.cpu_count() or 1) if jobs is None else jobs
        _wait_for(session, queue, started.job, local, url)
        written = _write_pdfs(session, started.job, round_, output)
        items = job_queries.job_items(session, started.job)
        failures = [(item.agency.name, item.agency_id, item.error) for item in items if item.error]
    click.echo(f"wrote {written} of {len(items)} reports to {output}")
    for name, agency_id, reason in failures:
        click.echo(f"failed: {name} (id {agency_id}): {reason}", err=True)
    if failures:
        sys.exit(1)


def _wait_for(
    session: Session, queue: ReportQueue, job: ReportJob, local_workers: int, url: str
) -> None:
    """Start the local workers, show progress until every report is finished, stop them."""
    from assessment.cli.worker import start_worker_process, stop_worker_process
    from assessment.reporting.queue import recover

    workers = [start_worker_process(database_url=url, quiet=True) for _ in range(local_workers)]
    if not local_workers:
        click.echo("waiting for the running workers (assessment worker)...", err=True)
    database = Database(url)
    try:
        total = job_queries.job_progress(session, job).total
        with click.progressbar(length=total, label="Rendering", file=sys.stderr) as bar:
            while not (progress := job_queries.job_progress(session, job)).finished:
                bar.update(progress.done + progress.failed - bar.pos)
                time.sleep(POLL_SECONDS)
                recover(database, queue)
                session.expire_all()
            bar.update(progress.done + progress.failed - bar.pos)
    finally:
        database.dispose()
        for worker in workers:
            stop_worker_process(worker)


def _write_pdfs(session: Session, job: ReportJob, round_: Round, output: Path) -> int:
    """Write each rendered PDF of the job into `output` (atomically); how many."""
    pdfs = job_queries.finished_pdfs(session, job)
    for agency, pdf in pdfs:
        write_atomically(output / report_filename(agency, round_), pdf)
    return len(pdfs)


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

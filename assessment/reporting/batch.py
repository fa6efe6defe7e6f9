"""Render many agency reports in parallel worker processes, each file written atomically.

Each worker imports WeasyPrint once (0.6 s) and opens its own database engine in the pool
initializer, then renders report after report. A report that fails is reported with its
error and the others go on. Files appear only complete: they are written to a temporary
file in the target folder and moved into place with `os.replace`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import resource
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from assessment.queries.agencies import submitted_agencies
from assessment.store.db import Database
from assessment.store.models import Agency, Round


@dataclass(frozen=True)
class BatchJob:
    """One agency report to render into `path`."""

    agency_id: int
    agency_name: str
    round_id: int
    path: Path


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one job: the file, or the error; with the worker's figures."""

    job: BatchJob
    error: str | None
    seconds: float
    worker_pid: int
    worker_peak_rss_mb: float

    @property
    def ok(self) -> bool:
        """True when the PDF was written."""
        return self.error is None


def report_filename(agency: Agency, round_: Round) -> str:
    """A safe, readable file name such as `north-police-12-2025.pdf`."""
    return f"{_slug(agency.name)}-{agency.id}-{_slug(round_.name)}.pdf"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "report"


def batch_jobs(session: Session, round_: Round, folder: Path) -> list[BatchJob]:
    """A job for every submitted assessment of the round, in agency name order."""
    agencies = submitted_agencies(session, round_.id)
    return [
        BatchJob(agency.id, agency.name, round_.id, folder / report_filename(agency, round_))
        for agency in agencies
    ]


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either no file or the complete one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_batch(
    database_url: str,
    jobs: list[BatchJob],
    *,
    k: int,
    workers: int,
    generated_on: date | None = None,
    on_outcome: Callable[[BatchOutcome], None] | None = None,
) -> list[BatchOutcome]:
    """Render the jobs in `workers` processes; every job gets an outcome, failed or not."""
    outcomes = []
    for outcome in _outcomes(database_url, jobs, k, workers, generated_on or date.today()):
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _outcomes(
    database_url: str, jobs: list[BatchJob], k: int, workers: int, generated_on: date
) -> Iterator[BatchOutcome]:
    if not jobs:
        return
    # Fresh interpreters: no database connection or library thread pool crosses a fork.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))),
        mp_context=context,
        initializer=_start_worker,
        initargs=(database_url, k, generated_on),
    ) as pool:
        futures: dict[Future[BatchOutcome], BatchJob] = {
            pool.submit(_render_job, job): job for job in jobs
        }
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool as broken:
                yield BatchOutcome(futures[future], f"worker process died: {broken}", 0.0, 0, 0.0)


@dataclass
class _WorkerState:
    database: Database
    k: int
    generated_on: date


_worker: _WorkerState | None = None


def _start_worker(database_url: str, k: int, generated_on: date) -> None:
    """Pool initializer: import WeasyPrint once and open this process's own engine."""
    global _worker
    import weasyprint  # noqa: F401  # paid once per worker, not once per report

    _worker = _WorkerState(Database(database_url), k, generated_on)
    settle_long_lived_objects()


def settle_long_lived_objects() -> None:
    """Keep what is loaded by now (libraries, caches) out of the garbage collector's scans.

    Each report leaves a large cyclic box tree behind; without this, every collection it
    triggers also walks the millions of long-lived objects of WeasyPrint, pandas and
    SQLAlchemy, which cost about 15% of each report's time.
    """
    gc.collect()
    gc.freeze()


def _render_job(job: BatchJob) -> BatchOutcome:
    """Render one agency report in a worker; any error becomes the outcome's message."""
    from assessment.reporting.agency import build_agency_report
    from assessment.reporting.render import render_agency_pdf

    if _worker is None:
        raise RuntimeError("batch worker used without its initializer")
    started = time.perf_counter()
    error = None
    try:
        with _worker.database.session() as session:
            report = build_agency_report(
                session,
                job.agency_id,
                job.round_id,
                _worker.k,
                generated_on=_worker.generated_on,
            )
        write_atomically(job.path, render_agency_pdf(report))
    except Exception as failure:  # one bad agency must not stop the batch
        error = _describe(failure)
    return BatchOutcome(job, error, time.perf_counter() - started, os.getpid(), peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _describe(failure: Exception) -> str:
    message = str(failure).strip() or type(failure).__name__
    where = traceback.extract_tb(failure.__traceback__)[-1:] if failure.__traceback__ else []
    origin = f" ({Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    return f"{type(failure).__name__}: {message}{origin}"

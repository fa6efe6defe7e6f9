"""Render many agency reports in parallel worker processes, each file written atomically.

Each worker imports WeasyPrint once (0.6 s) and opens its own database engine when it
starts, then renders report after report, one at a time as the batch hands them out. A
report that fails is reported with its error and the others go on. A worker that dies
(killed, out of memory) costs only the report it held: that report is tried once more in
a fresh worker. Workers end with the batch's process, even when it is killed. Files
appear only complete: they are written to a temporary file in the target folder and
moved into place with `os.replace`.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import multiprocessing
import os
import pickle
import re
import resource
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlalchemy.orm import Session

from assessment.queries.agencies import submitted_agencies
from assessment.store.db import Database
from assessment.store.models import Agency, Round

ATTEMPTS = 2  # a report whose worker died is tried once more, in a fresh worker
_WORKING = object()  # what a worker's result is while it renders
_DIED = object()
PARENT_CHECK_SECONDS = 0.5
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
DISMISS_SECONDS = 5.0


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
    attempts: int = 1  # 2 when its first worker died

    @property
    def ok(self) -> bool:
        """True when the PDF was written."""
        return self.error is None


def report_filename(agency: Agency, round_: Round, *, final: bool = False) -> str:
    """A safe, readable file name such as `north-police-12-2025.pdf` (`-final` once final)."""
    return f"{slug(agency.name)}-{agency.id}-{slug(round_.name)}{'-final' if final else ''}.pdf"


def cohort_filename(group_title: str, round_: Round) -> str:
    """A cohort report's file name such as `cohort-regional-agencies-2025.pdf`."""
    return f"cohort-{slug(group_title)}-{slug(round_.name)}.pdf"


def slug(text: str) -> str:
    """Lower-case letters and digits joined by hyphens, at most 60 characters."""
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
    """Hand out one job at a time to each worker; a worker that dies is replaced."""
    # Fresh interpreters: no database connection or library thread pool crosses a fork.
    context = multiprocessing.get_context("spawn")
    todo: deque[tuple[BatchJob, int]] = deque((job, 1) for job in jobs)
    started: list[_Worker] = []

    def hire() -> _Worker:
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(child_end, database_url, k, generated_on, os.getpid()),
            name="report-batch-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        started.append(_Worker(process, parent_end))
        return started[-1]

    try:
        busy = [
            worker
            for worker in (hire() for _ in range(min(workers, len(jobs))))
            if worker.take(todo)
        ]
        while busy:
            wait(
                [worker.connection for worker in busy]
                + [worker.process.sentinel for worker in busy]
            )
            for worker in list(busy):
                result = worker.result()
                if result is _WORKING:
                    continue
                busy.remove(worker)
                job, attempt = worker.release()
                outcome: BatchOutcome | None
                if isinstance(result, BatchOutcome):
                    outcome = dataclasses.replace(result, attempts=attempt)
                    if worker.take(todo):
                        busy.append(worker)
                else:
                    outcome = _lost(job, attempt, worker.process, todo)
                    if todo and (fresh := hire()).take(todo):
                        busy.append(fresh)
                if outcome is not None:
                    yield outcome
    finally:
        _dismiss(started)


@dataclass
class _Worker:
    """A worker process seen from the batch: its pipe and the job it holds, if any."""

    process: BaseProcess
    connection: Connection
    job: BatchJob | None = None
    attempt: int = 0

    def take(self, todo: deque[tuple[BatchJob, int]]) -> bool:
        """Send the next job to this worker, or tell it to stop when there is none."""
        try:
            if not todo:
                self.connection.send(None)
                return False
            self.job, self.attempt = todo.popleft()
            self.connection.send(self.job)
        except OSError:  # died before it could take the job; found dead by the caller
            return self.job is not None
        return True

    def release(self) -> tuple[BatchJob, int]:
        """The job this worker held and its attempt number; the worker holds none after."""
        job, self.job = self.job, None
        if job is None:
            raise RuntimeError("a batch worker without a job was waited for")
        return job, self.attempt

    def result(self) -> object:
        """The outcome sent by this worker, _WORKING while it renders, or _DIED."""
        try:
            if self.connection.poll():
                outcome: object = self.connection.recv()
                return outcome
        except (EOFError, OSError, pickle.UnpicklingError):
            return _DIED
        return _WORKING if self.process.is_alive() else _DIED


def _lost(
    job: BatchJob, attempt: int, process: BaseProcess, todo: deque[tuple[BatchJob, int]]
) -> BatchOutcome | None:
    """The job of a worker that died goes back to the front of the queue once, then fails."""
    if attempt < ATTEMPTS:
        todo.appendleft((job, attempt + 1))
        return None
    error = f"worker process died (exit code {process.exitcode}), {attempt} times"
    return BatchOutcome(job, error, 0.0, process.pid or 0, 0.0, attempt)


def _dismiss(workers: list[_Worker]) -> None:
    """End every worker: idle ones were told to stop; busy ones (an aborted batch) are ended."""
    for worker in workers:
        if worker.job is not None and worker.process.is_alive():
            worker.process.terminate()
    deadline = time.monotonic() + DISMISS_SECONDS
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()


@dataclass
class _WorkerState:
    database: Database
    k: int
    generated_on: date


_worker: _WorkerState | None = None


def _serve(
    connection: Connection, database_url: str, k: int, generated_on: date, parent_pid: int
) -> None:
    """A worker's life: start, then render each job received until told to stop."""
    _end_with_parent(parent_pid)
    failure = None
    try:
        _start_worker(database_url, k, generated_on)
    except Exception as error:  # every job then reports why the worker could not start
        failure = f"worker could not start: {_describe(error)}"
    try:
        while (job := connection.recv()) is not None:
            if failure is None:
                connection.send(_render_job(job))
            else:
                connection.send(BatchOutcome(job, failure, 0.0, os.getpid(), peak_rss_mb()))
    except EOFError:  # the batch is gone
        pass
    finally:
        if _worker is not None:
            _worker.database.dispose()


def _end_with_parent(parent_pid: int) -> None:
    """Make this worker end when the batch's process ends, however it ends.

    Linux sends SIGTERM at the parent's death (prctl); elsewhere, and as a fallback, a
    thread watches the parent's id. The worker then exits at once: a SystemExit could be
    swallowed inside a library, and an orderly interpreter shutdown takes seconds. Ctrl-C
    is left to the parent, which ends its workers.
    """
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        raise SystemExit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True
    ).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _exit_on_signal(signum: int, frame: object) -> None:
    os._exit(128 + signum)


def _start_worker(database_url: str, k: int, generated_on: date) -> None:
    """Import WeasyPrint once and open this process's own engine."""
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

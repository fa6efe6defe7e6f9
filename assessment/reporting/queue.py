"""Reports off the request path: a Huey task queue and the worker's side of a report job.

Huey keeps the queue in a SQLite file in the instance folder by default (no server to run;
`assessment serve` starts one worker process beside the web app), or in Redis when
`REDIS_URL` is set, so that `assessment worker` processes on any number of machines share
the work. The queue only carries item ids: what to render, its state, the worker's lease
and the PDF live in the database (`report_job_item`), which every machine shares.

A worker holds an item under a lease that a heartbeat thread renews while it renders. A
worker that dies stops renewing it; `recover` (run by every worker after each item, once
a minute by each worker's scheduler, and whenever someone looks at a job's progress)
queues such items again, so another worker or a retry completes them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from assessment import config
from assessment.queries import report_jobs as job_queries
from assessment.services import report_jobs
from assessment.store.db import Database

QUEUE_NAME = "assessment-reports"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueSettings:
    """Where the queue lives and how long a worker's lease on a report lasts."""

    redis_url: str | None
    sqlite_file: Path
    lease: timedelta

    @property
    def description(self) -> str:
        """Where the queue is, for messages (no password shown)."""
        return "Redis" if self.redis_url else f"SQLite file {self.sqlite_file}"


def queue_settings(settings: Mapping[str, Any]) -> QueueSettings:
    """The queue named by `REDIS_URL`, `REPORT_QUEUE_FILE` and `REPORT_LEASE_SECONDS` of
    `config.web_settings()` or an app's config."""
    return QueueSettings(
        redis_url=settings.get("REDIS_URL") or None,
        sqlite_file=Path(settings["REPORT_QUEUE_FILE"]),
        lease=timedelta(seconds=float(settings["REPORT_LEASE_SECONDS"])),
    )


class ReportQueue:
    """The Huey queue of report items, with its two tasks registered."""

    def __init__(self, settings: QueueSettings) -> None:
        self.settings = settings
        self.huey: Huey
        if settings.redis_url:
            self.huey = RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
        else:
            settings.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            self.huey = SqliteHuey(QUEUE_NAME, filename=str(settings.sqlite_file), results=False)
        self._render: TaskWrapper = self.huey.task(name="render_report_item")(render_report_item)
        self.huey.periodic_task(crontab(minute="*"), name="recover_report_items")(
            recover_report_items
        )

    def enqueue(self, item_ids: Iterable[int]) -> None:
        """Hand these stored items to the workers."""
        for item_id in item_ids:
            self._render(item_id)

    def pending(self) -> int:
        """Messages waiting in the queue."""
        return int(self.huey.pending_count())

    def run_pending(self) -> int:
        """Run every waiting message in this process (tests, the benchmark); how many ran."""
        ran = 0
        run_task = self.huey.execute  # Huey's call (runs a task), not a database query
        while (task := self.huey.dequeue()) is not None:
            run_task(task)
            ran += 1
        return ran


@dataclass
class WorkerContext:
    """What a worker process renders with: the database, the PDF cache and the queue."""

    database: Database
    pdf_cache_dir: Path
    queue: ReportQueue
    pid: int


_context: WorkerContext | None = None
_context_lock = threading.Lock()


def use_worker_context(context: WorkerContext | None) -> None:
    """Set (or clear) what this process's tasks render with."""
    global _context
    _context = context


def worker_context() -> WorkerContext:
    """This process's context, made from the environment on first use (after a fork too)."""
    global _context
    with _context_lock:
        if _context is None or _context.pid != os.getpid():
            settings = config.web_settings()
            _context = WorkerContext(
                database=Database(settings["DATABASE_URL"]),
                pdf_cache_dir=Path(settings["PDF_CACHE_DIR"]),
                queue=ReportQueue(queue_settings(settings)),
                pid=os.getpid(),
            )
        return _context


def render_report_item(item_id: int) -> None:
    """The task: render one report job item, unless another worker holds or finished it."""
    context = worker_context()
    render_item(context, item_id)
    recover(context.database, context.queue)


def recover_report_items() -> None:
    """The periodic task: queue again the items of workers that stopped."""
    context = worker_context()
    recover(context.database, context.queue)


def recover(database: Database, queue: ReportQueue) -> list[int]:
    """Queue again the items whose lease ran out; their ids."""
    with database.session() as session:
        item_ids = report_jobs.reclaim_stalled(session)
    queue.enqueue(item_ids)
    return item_ids


def worker_name() -> str:
    """Who holds a lease: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def render_item(context: WorkerContext, item_id: int) -> bool:
    """Claim, render and store one item; False when it was not free to claim."""
    from assessment.reporting.agency import build_agency_report
    from assessment.reporting.pdf_cache import PdfCache, content_key
    from assessment.reporting.render import render_html

    worker = worker_name()
    lease = context.queue.settings.lease
    with context.database.session() as session:
        claimed = report_jobs.claim_item(session, item_id, worker, lease)
        if claimed is None:
            return False
        with _Heartbeat(context.database, item_id, worker, lease):
            try:
                html = claimed.html or render_html(
                    "agency",
                    build_agency_report(
                        session,
                        claimed.agency_id,
                        claimed.round_id,
                        claimed.k,
                        with_commentary=claimed.with_commentary,
                    ),
                )
                key = content_key("agency", html)
                cache = PdfCache(context.pdf_cache_dir)
                pdf = job_queries.finished_pdf(session, key) or cache.pdf("agency", html)[0]
            except Exception as failure:  # one bad report must not stop the others
                session.rollback()
                logger.warning("report item %s failed: %s", item_id, failure)
                report_jobs.fail_item(session, item_id, worker, describe(failure))
                return True
        report_jobs.finish_item(session, item_id, worker, content_key=key, pdf=pdf)
    return True


class _Heartbeat:
    """Renews a lease every third of its length while the block runs, in its own session."""

    def __init__(self, database: Database, item_id: int, worker: str, lease: timedelta) -> None:
        self._args = (item_id, worker, lease)
        self._database = database
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        interval = self._args[2].total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                with self._database.session() as session:
                    report_jobs.renew_lease(session, *self._args)
            except Exception:  # a missed beat is retried; the lease covers two more
                logger.exception("could not renew the lease of report item %s", self._args[0])


def describe(failure: Exception) -> str:
    """An error as the people who asked for the report read it: type, message, where."""
    message = str(failure).strip().splitlines()[0] if str(failure).strip() else ""
    where = traceback.extract_tb(failure.__traceback__)[-1:] if failure.__traceback__ else []
    origin = f" ({Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    return f"{type(failure).__name__}: {message or 'no message'}{origin}"

"""The report queue: 1 against 2 `assessment worker` processes, the first byte of a cached
PDF, and the peak memory of each worker.

A temporary instance (SQLite database and SQLite queue file, as `make demo` has) gets the
synthetic population of 40 agencies. Then, in one run:

- a round's batch (every submitted report of the latest round) is rendered by 1 and then
  by 2 worker processes, started before the batch and left running as in production;
  throughput counts from the first report taken to the last finished (database
  timestamps), and, as a user waits for it, from the start of the batch. The jobs and the
  PDF caches are emptied between the two runs, so both render everything;
- each worker's peak resident memory (VmHWM from /proc) after its run;
- under `gunicorn -w 2`, the time to the first byte of an agency PDF that is cached,
  against `/healthz` in the same run (median and p95 of sequential requests).

PERF_QUEUE_BATCHES=0 measures the first byte only (a few minutes instead of many).

Targets on a quiet 2-core machine: speed-up >= 1.7x, cached PDF first byte <= 50 ms,
<= 250 MB per worker. On a shared machine the speed-up is what the other load leaves.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import delete, func, select

from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries import report_jobs as job_queries
from assessment.reporting.pdf_cache import templates_digest
from assessment.reporting.queue import (
    ReportQueue,
    WorkerContext,
    queue_settings,
    use_worker_context,
)
from assessment.services import report_jobs
from assessment.store.db import Database
from assessment.store.models import ReportJob, ReportJobItem, Role, Round, User
from tests import live_http
from tests.live_http import BIN, Browser, gunicorn

AGENCIES = 40
PASSWORD = "perf-queue password 2024"
TTFB_REQUESTS = 40
TARGET_SPEEDUP = 1.7
TARGET_TTFB_MS = 50.0
TARGET_WORKER_MB = 250.0


def _environment(folder: str) -> dict[str, str]:
    return {
        **os.environ,
        "ASSESSMENT_INSTANCE": folder,
        "DATABASE_URL": f"sqlite:///{Path(folder) / 'assessment.db'}",
        "SECRET_KEY": "perf-only-secret",
        "SESSION_COOKIE_SECURE": "false",
        "REDIS_URL": "",
    }


def _seed(env: dict[str, str]) -> None:
    assessment = str(BIN / "assessment")
    subprocess.run([assessment, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [assessment, "demo-data", "--password", PASSWORD, "--agencies", str(AGENCIES)],
        env=env,
        check=True,
        capture_output=True,
    )


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _batch(
    env: dict[str, str], database: Database, queue: ReportQueue, workers: int
) -> dict[str, float]:
    """Render the latest round's batch with `workers` processes; its figures."""
    with database.session() as session:
        session.execute(delete(ReportJobItem))
        session.execute(delete(ReportJob))
        session.commit()
    shutil.rmtree(Path(env["ASSESSMENT_INSTANCE"]) / "pdf-cache", ignore_errors=True)
    command = [sys.executable, "-m", "assessment.cli", "worker", "--quiet"]
    processes = [subprocess.Popen(command, env=env) for _ in range(workers)]
    try:
        time.sleep(3.0)  # the workers start (imports) before the batch, as in production
        with database.session() as session:
            round_ = session.scalars(select(Round).order_by(Round.name.desc())).first()
            assert round_ is not None
            started_at = time.perf_counter()
            started = report_jobs.start_round_batch(
                session,
                round_id=round_.id,
                group=PeerGroup(),
                k=5,
                templates=templates_digest(),
                actor=None,
            )
            queue.enqueue(started.to_enqueue)
            while not job_queries.job_progress(session, started.job).finished:
                time.sleep(0.2)
            waited = time.perf_counter() - started_at
            first, last = session.execute(
                select(func.min(ReportJobItem.started_at), func.max(ReportJobItem.finished_at))
            ).one()
            failed = job_queries.job_progress(session, started.job).failed
            reports = len(started.job.items)
        peaks = [_peak_mb(process.pid) for process in processes]
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    running = (last - first).total_seconds()
    return {
        "reports": reports,
        "failed": failed,
        "running_rate": reports / running,
        "waited_rate": reports / waited,
        "peak_mb": max(peaks),
    }


def _first_byte_ms(browser: Browser, path: str) -> float:
    started = time.perf_counter()
    with browser.opener.open(urllib.request.Request(browser.base + path), timeout=30) as response:
        response.read(1)
        elapsed = time.perf_counter() - started
        response.read()
    return elapsed * 1000


def _ttfb(env: dict[str, str], database: Database, queue: ReportQueue) -> None:
    with database.session() as session:
        consultant = session.scalars(select(User).where(User.role == Role.CONSULTANT)).one()
        round_ = session.scalars(select(Round).order_by(Round.name.desc())).first()
        assert round_ is not None
        [agency, *_] = job_queries.round_batch_agencies(session, round_.id, PeerGroup())
        path = f"/reports/agency/{agency.id}/{round_.id}.pdf"
        email = consultant.email
    live_http.STARTUP_SECONDS = 180.0  # gunicorn starts slowly on a loaded shared machine
    with gunicorn("assessment.web:create_app()", env, "/healthz") as base:
        browser = Browser(base)
        browser.sign_in(email, PASSWORD)
        status, _ = browser.request(path)
        if status == 202:  # not rendered yet (or not with this content): render it now
            cache = Path(env["ASSESSMENT_INSTANCE"]) / "pdf-cache"
            use_worker_context(WorkerContext(database, cache, queue, os.getpid()))
            queue.run_pending()
        assert browser.request(path)[0] == 200
        pdf, health = [], []
        for _ in range(TTFB_REQUESTS):
            pdf.append(_first_byte_ms(browser, path))
            health.append(_first_byte_ms(browser, "/healthz"))
    for name, values in (("/healthz", health), ("cached agency PDF", pdf)):
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        middle = statistics.median(values)
        print(f"   first byte, {name:18} median {middle:6.1f} ms, p95 {p95:6.1f} ms")
    median = statistics.median(pdf)
    verdict = "ok" if median <= TARGET_TTFB_MS else "OVER"
    ratio = median / statistics.median(health)
    print(
        f"   cached PDF: {median:.1f} ms median ({ratio:.1f}x /healthz), "
        f"target <= {TARGET_TTFB_MS:.0f} ms: {verdict}"
    )


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory(prefix="perf-queue-") as folder:
        env = _environment(folder)
        _seed(env)
        settings = queue_settings(
            {
                "REDIS_URL": None,
                "REPORT_QUEUE_FILE": str(Path(folder) / "report-queue.db"),
                "REPORT_LEASE_SECONDS": 60,
            }
        )
        queue = ReportQueue(settings)
        database = Database(env["DATABASE_URL"])
        try:
            print(f"   load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            if os.environ.get("PERF_QUEUE_BATCHES") == "0":  # the first-byte figures only
                _ttfb(env, database, queue)
                return
            runs = {workers: _batch(env, database, queue, workers) for workers in (1, 2)}
            for workers, figures in runs.items():
                print(
                    f"   {workers} worker(s): {figures['reports']:.0f} reports "
                    f"({figures['failed']:.0f} failed), "
                    f"{figures['running_rate']:.2f} reports/s running, "
                    f"{figures['waited_rate']:.2f} reports/s as waited for, "
                    f"peak {figures['peak_mb']:.0f} MB per worker"
                )
            speedup = runs[2]["running_rate"] / runs[1]["running_rate"]
            waited = runs[2]["waited_rate"] / runs[1]["waited_rate"]
            peak = max(figures["peak_mb"] for figures in runs.values())
            print(
                f"   speed-up 2 vs 1 workers: {speedup:.2f}x running, {waited:.2f}x as waited for "
                f"(target >= {TARGET_SPEEDUP}x on a quiet machine: "
                f"{'ok' if speedup >= TARGET_SPEEDUP else 'UNDER'})"
            )
            print(
                f"   peak memory per worker: {peak:.0f} MB (target <= {TARGET_WORKER_MB:.0f} MB: "
                f"{'ok' if peak <= TARGET_WORKER_MB else 'OVER'})"
            )
            _ttfb(env, database, queue)
            print(f"   load average now: {os.getloadavg()[0]:.1f}")
        finally:
            database.dispose()

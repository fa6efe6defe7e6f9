"""Agency report PDFs: time per report, our overhead over bare WeasyPrint, batch throughput.

Seeds a temporary SQLite file with the synthetic demo population (40 agencies, three
rounds), then measures in one run:

- the median time of one agency report end to end (stored data -> view-model -> HTML ->
  tagged PDF), and its page count;
- the same final HTML laid out by bare WeasyPrint (`HTML(string).write_pdf()`, default
  options): our overhead as a ratio, plus the cost of PDF tagging on its own;
- `assessment report batch` throughput with 1 and 2 worker processes (pool start-up
  included, as a user waits for it) and the speed-up;
- the peak resident memory of each worker (ru_maxrss reported by the workers).

Targets on a 2-core machine: median <= 0.5 s, overhead <= 15%, speed-up >= 1.7x,
<= 250 MB per worker.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdf
from sqlalchemy import select

from assessment.reporting.agency import build_agency_report
from assessment.reporting.batch import BatchOutcome, batch_jobs, run_batch
from assessment.reporting.render import html_to_pdf, render_html, report_folder
from assessment.services.demo_data import load_demo_data
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import Round

AGENCIES = 40
REPEATS = 7
BATCH_REPORTS = 16
K = 5
TARGET_SECONDS = 0.5
TARGET_OVERHEAD = 1.15
TARGET_SPEEDUP = 1.7
TARGET_WORKER_MB = 250.0
REPORT_DATE = date(2026, 6, 1)


def median_seconds(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """The median wall time of `action` over `repeats` runs (after one warm-up run)."""
    action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def seed(url: str) -> tuple[int, int]:
    """The demo population; returns the latest round's id and one of its agencies' ids."""
    upgrade_database(url)
    database = Database(url)
    try:
        with database.session() as session:
            load_demo_data(session, agencies=AGENCIES)
            latest = session.scalars(select(Round).order_by(Round.name.desc())).first()
            assert latest is not None
            jobs = batch_jobs(session, latest, Path("."))
            return latest.id, jobs[0].agency_id
    finally:
        database.dispose()


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        round_id, agency_id = seed(url)
        database = Database(url)
        try:
            single_report(database, round_id, agency_id)
        finally:
            database.dispose()
        batches(url, round_id, Path(folder))


def single_report(database: Database, round_id: int, agency_id: int) -> None:
    """One report end to end, against bare WeasyPrint on the same HTML."""
    from weasyprint import HTML  # the import (0.6 s) is not part of any figure

    agency_folder = report_folder("agency")

    def ours(tagged: bool = True) -> bytes:
        with database.session() as session:
            report = build_agency_report(session, agency_id, round_id, K, generated_on=REPORT_DATE)
        return html_to_pdf(render_html("agency", report), agency_folder, tagged=tagged)

    with database.session() as session:
        html = render_html(
            "agency", build_agency_report(session, agency_id, round_id, K, generated_on=REPORT_DATE)
        )
    base_url = f"{agency_folder.as_uri()}/"

    def bare() -> bytes:
        return bytes(HTML(string=html, base_url=base_url).write_pdf())

    pages = len(pypdf.PdfReader(io.BytesIO(ours())).pages)
    tagged = median_seconds(ours)
    untagged = median_seconds(lambda: ours(tagged=False))
    baseline = median_seconds(bare)
    with database.session() as session:
        building = median_seconds(
            lambda: build_agency_report(session, agency_id, round_id, K, generated_on=REPORT_DATE)
        )
    overhead = tagged / baseline
    print(f"   agency report: {pages} pages")
    print(f"   ours, tagged PDF      {tagged:6.3f} s median  (target <= {TARGET_SECONDS} s)")
    print(f"   ours, untagged PDF    {untagged:6.3f} s median")
    print(f"   bare WeasyPrint       {baseline:6.3f} s median  (same HTML, default options)")
    print(f"   of ours: view-model from the database {building:6.3f} s")
    print(
        f"   overhead {overhead:5.2f}x tagged, {untagged / baseline:5.2f}x untagged "
        f"(target <= {TARGET_OVERHEAD:.2f}x); tagging costs {tagged / untagged:5.2f}x"
    )


def batches(url: str, round_id: int, folder: Path) -> None:
    """Batch throughput with one and two workers, and the workers' peak memory."""
    database = Database(url)
    try:
        with database.session() as session:
            round_ = session.get(Round, round_id)
            assert round_ is not None
            all_jobs = batch_jobs(session, round_, folder)
    finally:
        database.dispose()
    rates = {}
    for workers in (1, 2):
        out = folder / f"batch-{workers}"
        out.mkdir()
        jobs = [
            type(job)(job.agency_id, job.agency_name, job.round_id, out / job.path.name)
            for job in all_jobs[:BATCH_REPORTS]
        ]
        started = time.perf_counter()
        outcomes = run_batch(url, jobs, k=K, workers=workers, generated_on=REPORT_DATE)
        seconds = time.perf_counter() - started
        failed = [outcome for outcome in outcomes if not outcome.ok]
        rates[workers] = len(jobs) / seconds
        print(
            f"   batch, {workers} worker{'s' if workers > 1 else ''}: {len(jobs)} reports in "
            f"{seconds:5.1f} s = {rates[workers]:4.2f} reports/s"
            + (f"; {len(failed)} FAILED: {failed[0].error}" if failed else "")
        )
        print(f"      peak memory per worker: {_peaks(outcomes)}")
    print(f"   speed-up with 2 workers {rates[2] / rates[1]:4.2f}x (target >= {TARGET_SPEEDUP}x)")


def _peaks(outcomes: list[BatchOutcome]) -> str:
    peaks: dict[int, float] = {}
    for outcome in outcomes:
        pid = outcome.worker_pid
        peaks[pid] = max(peaks.get(pid, 0.0), outcome.worker_peak_rss_mb)
    shown = ", ".join(f"{peak:.0f} MB" for peak in sorted(peaks.values()))
    return f"{shown} (target <= {TARGET_WORKER_MB:.0f} MB)"


if __name__ == "__main__":
    main()

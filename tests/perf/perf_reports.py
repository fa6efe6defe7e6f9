"""Agency report PDFs: time per report, our overhead over bare WeasyPrint, batch throughput.

Seeds a temporary SQLite file with the synthetic demo population (40 agencies, three
rounds), then measures in one run:

- the median time of one agency report end to end (stored data -> view data -> HTML ->
  tagged PDF), and its page count;
- where bare WeasyPrint spends that time: parsing the HTML, styling and laying out the
  pages, drawing them into a tagged PDF; and the cost per 1,000 words of report text,
  which is what the time grows with;
- the same final HTML laid out by bare WeasyPrint (`HTML(string).write_pdf()`, tagged and
  with default options): our overhead as a ratio, plus the cost of PDF tagging on its own;
  wall and CPU time, since other processes on a shared machine inflate the wall time;
- `assessment report batch` throughput with 1 and 2 worker processes, with the pool's
  start-up (as a user waits for it) and once the workers run, and the speed-up;
- the peak resident memory of each worker (ru_maxrss reported by the workers).

Targets on a 2-core machine: median <= 0.5 s, overhead <= 15%, speed-up >= 1.7x,
<= 250 MB per worker.
"""

from __future__ import annotations

import gc
import io
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdf
from sqlalchemy import select

from assessment.reporting.agency import build_agency_report
from assessment.reporting.batch import (
    BatchJob,
    BatchOutcome,
    batch_jobs,
    run_batch,
    settle_long_lived_objects,
)
from assessment.reporting.render import html_to_pdf, render_html, report_folder
from assessment.services.demo_data import load_demo_data
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import Round

AGENCIES = 40
REPEATS = 7
BATCH_REPORTS = 24
K = 5
TARGET_SECONDS = 0.5
TARGET_OVERHEAD = 1.15
TARGET_SPEEDUP = 1.7
TARGET_WORKER_MB = 250.0
REPORT_DATE = date(2026, 6, 1)


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU seconds of repeated runs."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:6.3f} s wall, {self.cpu:6.3f} s CPU"


def median_times(
    actions: dict[str, Callable[[], object]], repeats: int = REPEATS
) -> dict[str, Timing]:
    """Median wall and CPU time of each action, run in turn `repeats` times after a warm-up.

    Taking turns spreads any load from other processes evenly over the actions, so their
    ratios hold even on a busy machine. The process is prepared like a batch worker, and
    each run includes collecting its own garbage. CPU time is what a report costs on an
    otherwise idle machine; wall time also counts waiting for a core that others hold.
    """
    walls: dict[str, list[float]] = {name: [] for name in actions}
    cpus: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        action()
    settle_long_lived_objects()  # as batch workers do
    for _ in range(repeats):
        for name, action in actions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            gc.collect()  # each run pays for its own garbage, not for the run before
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {
        name: Timing(statistics.median(walls[name]), statistics.median(cpus[name]))
        for name in actions
    }


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
        url = f"sqlite:///{Path(folder) / 'perf.db'}"
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

    def bare(tagged: bool = False) -> bytes:
        return bytes(HTML(string=html, base_url=base_url).write_pdf(pdf_tags=tagged))

    pages = len(pypdf.PdfReader(io.BytesIO(ours())).pages)
    with database.session() as session:
        times = median_times(
            {
                "tagged": ours,
                "untagged": lambda: ours(tagged=False),
                "bare tagged": lambda: bare(tagged=True),
                "bare default": bare,
                "building": lambda: build_agency_report(
                    session, agency_id, round_id, K, generated_on=REPORT_DATE
                ),
            }
        )
    phases(html, base_url, report_words(html))
    tagged, untagged = times["tagged"], times["untagged"]
    bare_tagged, bare_default, building = (
        times["bare tagged"],
        times["bare default"],
        times["building"],
    )
    print(f"   agency report: {pages} pages (target <= {TARGET_SECONDS} s median)")
    print(f"   ours, tagged PDF            {tagged}")
    print(f"   ours, untagged PDF          {untagged}")
    print(f"   bare WeasyPrint, tagged     {bare_tagged}  (same HTML)")
    print(f"   bare WeasyPrint, default    {bare_default}  (same HTML, untagged)")
    print(f"   of ours: view data from the database {building}")
    print(
        f"   our overhead over bare WeasyPrint with the same options: "
        f"{tagged.wall / bare_tagged.wall:4.2f}x tagged, "
        f"{untagged.wall / bare_default.wall:4.2f}x untagged (target <= {TARGET_OVERHEAD:.2f}x)"
    )
    print(
        f"   tagging costs {tagged.wall / untagged.wall:4.2f}x; ours tagged against bare default "
        f"{tagged.wall / bare_default.wall:4.2f}x"
    )


def report_words(html: str) -> int:
    """The number of words of text in the report (markup and `data:` URLs left out)."""
    text = re.sub(r"<[^>]*>", " ", re.sub(r"<head>.*?</head>", "", html, flags=re.DOTALL))
    return len(text.split())


def phases(html: str, base_url: str, words: int) -> None:
    """Median CPU time of each step of bare WeasyPrint on the report's HTML (tagged PDF)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    steps: dict[str, list[float]] = {"parse": [], "layout": [], "draw": []}
    for run in range(REPEATS + 1):
        started = time.process_time()
        document = HTML(string=html, base_url=base_url)
        parsed = time.process_time()
        rendered = document.render(font_config=fonts)
        laid_out = time.process_time()
        rendered.write_pdf(pdf_tags=True)
        drawn = time.process_time()
        gc.collect()
        if run:  # the first run warms the caches
            steps["parse"].append(parsed - started)
            steps["layout"].append(laid_out - parsed)
            steps["draw"].append(drawn - laid_out)
    median = {step: statistics.median(seconds) for step, seconds in steps.items()}
    total = sum(median.values())
    print(
        f"   bare WeasyPrint by step (CPU): parse HTML {median['parse']:5.3f} s, "
        f"style and lay out {median['layout']:5.3f} s, draw tagged PDF {median['draw']:5.3f} s"
    )
    within_target = int(TARGET_SECONDS / total * words)
    print(
        f"   report text: {words} words, {1_000_000 * total / words:4.0f} ms CPU per 1,000 words "
        f"(at that rate {TARGET_SECONDS} s lays out about {within_target} words)"
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
    totals, steady = {}, {}
    for workers in (1, 2):
        out = folder / f"batch-{workers}"
        out.mkdir()
        jobs = [
            BatchJob(job.agency_id, job.agency_name, job.round_id, out / job.path.name)
            for job in all_jobs[:BATCH_REPORTS]
        ]
        finished: list[float] = []
        started = time.perf_counter()
        outcomes = run_batch(
            url,
            jobs,
            k=K,
            workers=workers,
            generated_on=REPORT_DATE,
            on_outcome=lambda _outcome, done=finished: done.append(time.perf_counter()),
        )
        seconds = time.perf_counter() - started
        failed = [outcome for outcome in outcomes if not outcome.ok]
        totals[workers] = len(jobs) / seconds
        # Once every worker is up and has rendered its first report.
        warm = finished[workers - 1]
        steady[workers] = (len(jobs) - workers) / (finished[-1] - warm)
        print(
            f"   batch, {workers} worker{'s' if workers > 1 else ''}: {len(jobs)} reports in "
            f"{seconds:5.1f} s = {totals[workers]:4.2f} reports/s with start-up, "
            f"{steady[workers]:4.2f} reports/s once running"
            + (f"; {len(failed)} FAILED: {failed[0].error}" if failed else "")
        )
        print(f"      peak memory per worker: {_peaks(outcomes)}")
    print(
        f"   speed-up with 2 workers {steady[2] / steady[1]:4.2f}x once running, "
        f"{totals[2] / totals[1]:4.2f}x with start-up (target >= {TARGET_SPEEDUP}x)"
    )


def _peaks(outcomes: list[BatchOutcome]) -> str:
    peaks: dict[int, float] = {}
    for outcome in outcomes:
        pid = outcome.worker_pid
        peaks[pid] = max(peaks.get(pid, 0.0), outcome.worker_peak_rss_mb)
    shown = ", ".join(f"{peak:.0f} MB" for peak in sorted(peaks.values()))
    return f"{shown} (target <= {TARGET_WORKER_MB:.0f} MB)"


if __name__ == "__main__":
    main()

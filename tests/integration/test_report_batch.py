"""`assessment report ...` on a real database: agency, cohort and a parallel batch."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pypdf
import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.reporting.batch import BatchJob, BatchOutcome, batch_jobs, run_batch
from assessment.store.db import Database
from assessment.store.models import Agency, Assessment, ReportJob, Round
from assessment.store.models import Answer as AnswerRow
from tests.peer_data import instrument_of_round, submit
from tests.report_data import varied_answers


@pytest.fixture
def batch_round(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> Round:
    """Round 2025 with three submitted agencies; one has a stored answer no instrument knows."""
    round_ = create_round("2025")
    instrument = instrument_of_round(round_)
    for number, name in enumerate(("Alpha Police", "Broken Police", "Gamma Police")):
        agency = create_agency(name=name)
        assessment = submit(session, agency, round_, varied_answers(instrument, number))
        if name == "Broken Police":
            corrupt(session, assessment)
    return round_


def corrupt(session: Session, assessment: Assessment) -> None:
    """Store an option outside the answer set, as a faulty import could."""
    session.execute(
        update(AnswerRow)
        .where(AnswerRow.assessment_id == assessment.id, AnswerRow.practice_id == "policy.strategy")
        .values(option_id="bogus")
    )
    session.commit()


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    """Run the command line on the test database: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def pdf_pages(path: Path) -> int:
    """The number of pages of a PDF file (fails on a broken file)."""
    return len(pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_batch_renders_each_agency_through_the_queue_and_reports_the_failing_one(
    database_url: str, batch_round: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("ASSESSMENT_INSTANCE", str(tmp_path / "instance"))  # the queue's file

    code, stdout, stderr = run(
        database_url, "report", "batch", "--round", "2025", "-o", str(out), "--jobs", "2"
    )
    first_starts = started_at_by_agency(database_url)
    again, stdout_again, _ = run(
        database_url, "report", "batch", "--round", "2025", "-o", str(out), "--jobs", "1"
    )

    assert code == 1
    assert "wrote 2 of 3 reports" in stdout
    assert "failed: Broken Police" in stderr
    assert "option 'bogus'" in stderr
    written = sorted(path.name for path in out.iterdir())
    assert len(written) == 2
    assert written[0].startswith("alpha-police-") and written[1].startswith("gamma-police-")
    assert all(name.endswith("-2025.pdf") for name in written)
    assert all(pdf_pages(out / name) >= 10 for name in written)
    # Started again: the same job; only the failed report is rendered again.
    assert (again, stdout_again) == (1, stdout)
    second_starts = started_at_by_agency(database_url)
    changed = {name for name in first_starts if first_starts[name] != second_starts[name]}
    assert changed == {"Broken Police"}


def started_at_by_agency(database_url: str) -> dict[str, object]:
    """When each report of the (only) batch job was last taken by a worker, by agency."""
    database = Database(database_url)
    try:
        with database.session() as session:
            [job] = session.scalars(select(ReportJob)).all()
            return {item.agency.name: item.started_at for item in job.items}
    finally:
        database.dispose()


def test_agency_command_writes_a_pdf(database_url: str, batch_round: Round, tmp_path: Path) -> None:
    target = tmp_path / "alpha.pdf"

    code, stdout, _ = run(
        database_url, "report", "agency", "Alpha Police", "--round", "2025", "-o", str(target)
    )

    assert code == 0, stdout
    assert stdout.strip() == f"wrote {target}"
    assert pdf_pages(target) >= 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agency", "Nobody", "--round", "2025"], "there is no agency named 'Nobody'"),
        (["agency", "Alpha Police", "--round", "1999"], "there is no round '1999'"),
        (["cohort", "--round", "2025"], "fewer than 5 agencies"),
        (["cohort", "--round", "2025", "--k", "2"], "--k: ANONYMITY_K must be at least 3"),
    ],
)
def test_refusals_name_the_problem(
    database_url: str, batch_round: Round, tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, stderr = run(database_url, "report", *args, "-o", str(tmp_path / "x.pdf"))

    assert code == 2
    assert message in stderr
    assert not (tmp_path / "x.pdf").exists()


def round_jobs(session: Session, round_: Round, folder: Path) -> list[BatchJob]:
    """The batch jobs of the round, writing into `folder`."""
    folder.mkdir(exist_ok=True)
    return batch_jobs(session, round_, folder)


def test_a_killed_worker_costs_only_its_own_report_which_is_retried(
    database_url: str, session: Session, batch_round: Round, tmp_path: Path
) -> None:
    jobs = round_jobs(session, batch_round, tmp_path / "out")
    killed: list[int] = []

    def kill_first_worker(outcome: BatchOutcome) -> None:
        # The worker already holds its next report when its first outcome arrives.
        if not killed:
            killed.append(outcome.worker_pid)
            os.kill(outcome.worker_pid, signal.SIGKILL)

    outcomes = run_batch(database_url, jobs, k=5, workers=2, on_outcome=kill_first_worker)

    by_name = {outcome.job.agency_name: outcome for outcome in outcomes}
    assert len(outcomes) == 3 and set(by_name) == {job.agency_name for job in jobs}
    assert by_name["Alpha Police"].ok and by_name["Gamma Police"].ok, outcomes
    assert by_name["Broken Police"].error is not None
    assert "option 'bogus'" in by_name["Broken Police"].error
    retried = [outcome for outcome in outcomes if outcome.attempts == 2]
    assert len(retried) == 1 and retried[0].worker_pid not in killed
    assert all(pdf_pages(outcome.job.path) >= 10 for outcome in outcomes if outcome.ok)


def test_a_report_whose_worker_dies_twice_fails_and_the_batch_ends(
    database_url: str, session: Session, batch_round: Round, tmp_path: Path
) -> None:
    job = round_jobs(session, batch_round, tmp_path / "out")[0]
    killer = WorkerKiller(times=2)
    killer.start()

    outcomes = run_batch(database_url, [job], k=5, workers=1)

    killer.join()
    assert len(killer.killed) == 2
    [outcome] = outcomes
    assert not outcome.ok and outcome.attempts == 2
    assert outcome.error is not None and "worker process died" in outcome.error
    assert not job.path.exists()


class WorkerKiller(threading.Thread):
    """Kills this process's batch workers with SIGKILL, one after the other, `times` times."""

    def __init__(self, times: int) -> None:
        super().__init__(daemon=True)
        self.times = times
        self.killed: list[int] = []

    def run(self) -> None:
        deadline = time.monotonic() + 60
        while len(self.killed) < self.times and time.monotonic() < deadline:
            for worker in batch_workers(psutil.Process()):
                if worker.pid not in self.killed:
                    time.sleep(0.3)  # busy with its report by now
                    worker.kill()
                    self.killed.append(worker.pid)
            time.sleep(0.05)


def batch_workers(parent: psutil.Process) -> list[psutil.Process]:
    """The parent's live batch worker processes (spawned, so running `spawn_main`)."""
    workers = []
    for child in parent.children():
        try:
            if "spawn_main" in " ".join(child.cmdline()) and child.status() != "zombie":
                workers.append(child)
        except psutil.NoSuchProcess:
            pass
    return workers


PARENT = """
import sys
from pathlib import Path
from assessment.reporting.batch import BatchJob, run_batch

url, folder, agency_id, round_id = sys.argv[1:]
jobs = [BatchJob(int(agency_id), "x", int(round_id), Path(folder, f"{n}.pdf")) for n in range(200)]
run_batch(url, jobs, k=5, workers=2)
"""


def test_workers_end_with_their_parent(
    database_url: str, session: Session, batch_round: Round, tmp_path: Path
) -> None:
    job = round_jobs(session, batch_round, tmp_path / "out")[0]
    arguments = [database_url, str(tmp_path / "out"), str(job.agency_id), str(job.round_id)]
    parent = subprocess.Popen([sys.executable, "-c", PARENT, *arguments])
    try:
        workers = mid_batch_workers(psutil.Process(parent.pid), tmp_path / "out", count=2)
    finally:
        parent.kill()
        parent.wait()

    deadline = time.monotonic() + 5
    while not all(map(ended, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)

    alive = [worker for worker in workers if not ended(worker)]
    for orphan in alive:  # a failed test leaves no process behind
        orphan.kill()
    assert alive == []


def ended(process: psutil.Process) -> bool:
    """True once the process has exited (an orphan may wait a while to be reaped)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def mid_batch_workers(
    parent: psutil.Process, folder: Path, count: int, timeout: float = 60
) -> list[psutil.Process]:
    """The parent's `count` workers, once they run and a first report has been written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = batch_workers(parent)
        if len(workers) >= count and any(folder.glob("*.pdf")):
            return workers
        time.sleep(0.1)
    raise AssertionError(f"no report from {count} workers after {timeout} s")

"""Scale-out: two `assessment worker` processes (two "machines": separate PDF caches) share
a round's batch through Redis and PostgreSQL; one is killed mid-batch and no report is lost.

Runs when TEST_REDIS_URL and TEST_DATABASE_URL are set, e.g.
TEST_REDIS_URL=redis://127.0.0.1:6379/4 (the test empties that Redis database).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries import report_jobs as job_queries
from assessment.reporting.agency import build_agency_report
from assessment.reporting.pdf_cache import templates_digest
from assessment.reporting.queue import QueueSettings, ReportQueue, recover
from assessment.reporting.render import render_agency_pdf
from assessment.services import report_jobs
from assessment.store.db import Database
from assessment.store.models import Agency, JobState, ReportJobItem, Round
from tests.peer_data import instrument_of_round, submit
from tests.report_data import varied_answers

AGENCIES = 4
LEASE_SECONDS = 6
DEADLINE_SECONDS = 600  # generous: the machine is shared


@pytest.fixture
def redis_url() -> str:
    """TEST_REDIS_URL, emptied; or skip."""
    url = os.environ.get("TEST_REDIS_URL", "").strip()
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """The PostgreSQL run of the test only (workers on several machines need a server)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share a PostgreSQL database, not a SQLite file")
    return database_url


@pytest.fixture
def round_2025(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> Round:
    round_ = create_round("2025")
    instrument = instrument_of_round(round_)
    for number in range(AGENCIES):
        agency = create_agency(name=f"Scale Police {number}")
        submit(session, agency, round_, varied_answers(instrument, number))
    return round_


@pytest.fixture
def workers(
    postgresql_url: str, redis_url: str, tmp_path: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two worker processes, each with a PDF cache of its own (as on two machines)."""
    started = []
    for name in ("a", "b"):
        environment = dict(
            os.environ,
            DATABASE_URL=postgresql_url,
            REDIS_URL=redis_url,
            REPORT_LEASE_SECONDS=str(LEASE_SECONDS),
            ASSESSMENT_INSTANCE=str(tmp_path / f"machine-{name}"),
        )
        command = [sys.executable, "-m", "assessment.cli", "worker", "--quiet"]
        started.append(subprocess.Popen(command, env=environment))
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(30)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.postgres
def test_two_workers_share_a_batch_and_a_killed_one_loses_no_report(
    session: Session,
    postgresql_url: str,
    redis_url: str,
    round_2025: Round,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    queue = ReportQueue(QueueSettings(redis_url, Path("unused"), timedelta(seconds=LEASE_SECONDS)))
    started = report_jobs.start_round_batch(
        session,
        round_id=round_2025.id,
        group=PeerGroup(),
        k=5,
        templates=templates_digest(),
        actor=None,
    )
    queue.enqueue(started.to_enqueue)
    victim, survivor = workers

    held = wait_for_item_held_by(session, victim.pid)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    database = Database(postgresql_url)
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while not job_queries.job_progress(session, started.job).finished:
            assert time.monotonic() < deadline, "the batch did not finish"
            assert survivor.poll() is None, "the surviving worker stopped"
            recover(database, queue)  # as the progress page and `report batch` do
            time.sleep(0.5)
    finally:
        database.dispose()

    items = job_queries.job_items(session, started.job)
    assert [item.state for item in items] == [JobState.DONE] * AGENCIES
    assert len({item.agency_id for item in items}) == AGENCIES  # every report exactly once
    taken_over = session.get(ReportJobItem, held, populate_existing=True)
    assert taken_over is not None and taken_over.attempts == 2
    assert f":{survivor.pid}:" in (taken_over.worker or "")
    pdfs = dict((agency.id, pdf) for agency, pdf in job_queries.finished_pdfs(session, started.job))
    for agency in session.scalars(select(Agency)).all():
        single = render_agency_pdf(build_agency_report(session, agency.id, round_2025.id, 5))
        assert text_of(pdfs[agency.id]) == text_of(single), agency.name


def wait_for_item_held_by(session: Session, pid: int) -> int:
    """The id of the first item the worker with this process id holds (waits for it)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        held = session.scalars(
            select(ReportJobItem.id).where(
                ReportJobItem.state == JobState.RUNNING,
                ReportJobItem.worker.like(f"%:{pid}:%"),
            )
        ).first()
        if held is not None:
            return held
        session.rollback()
        time.sleep(0.1)
    raise AssertionError(f"worker {pid} took no report")

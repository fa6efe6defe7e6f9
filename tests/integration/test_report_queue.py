"""Report jobs through the task queue on a real database and a real SQLite queue file:
a round's batch, a job started twice, a failed report, a worker that stopped."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import assessment.reporting.pdf_cache as pdf_cache
from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries import report_jobs as job_queries
from assessment.reporting.queue import (
    QueueSettings,
    ReportQueue,
    WorkerContext,
    use_worker_context,
)
from assessment.services import report_jobs
from assessment.store.db import Database
from assessment.store.models import (
    Agency,
    AuditEvent,
    JobState,
    ReportJobItem,
    Round,
)
from tests.integration.test_report_batch import corrupt
from tests.peer_data import instrument_of_round, submit
from tests.report_data import varied_answers

K = 5


@pytest.fixture
def queue(tmp_path: Path, database_url: str) -> Iterator[ReportQueue]:
    """A SQLite-file queue whose tasks run in this process on the test database."""
    settings = QueueSettings(None, tmp_path / "queue.db", timedelta(seconds=30))
    report_queue = ReportQueue(settings)
    database = Database(database_url)
    use_worker_context(WorkerContext(database, tmp_path / "pdf-cache", report_queue, os.getpid()))
    try:
        yield report_queue
    finally:
        use_worker_context(None)
        database.dispose()


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every PDF layout (WeasyPrint run) made, by its HTML's length."""
    made: list[str] = []
    real = pdf_cache.html_to_pdf

    def counting(html: str, folder: Path) -> bytes:
        made.append(html)
        return real(html, folder)

    monkeypatch.setattr(pdf_cache, "html_to_pdf", counting)
    return made


@pytest.fixture
def round_2025(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> Round:
    """Round 2025 with three submitted agencies, two in NL; 'Broken Police' cannot be scored."""
    round_ = create_round("2025")
    instrument = instrument_of_round(round_)
    for number, (name, country) in enumerate(
        (("Alpha Police", "NL"), ("Broken Police", "NL"), ("Gamma Police", "BE"))
    ):
        agency = create_agency(name=name, country=country)
        assessment = submit(session, agency, round_, varied_answers(instrument, number))
        if name == "Broken Police":
            corrupt(session, assessment)
    return round_


def start(session: Session, round_: Round, group: PeerGroup | None = None) -> report_jobs.Started:
    return report_jobs.start_round_batch(
        session,
        round_id=round_.id,
        group=group or PeerGroup(),
        k=K,
        templates=pdf_cache.templates_digest(),
        actor=None,
    )


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_round_batch_renders_each_report_and_keeps_the_failed_ones_reason(
    session: Session, round_2025: Round, queue: ReportQueue
) -> None:
    started = start(session, round_2025)
    queue.enqueue(started.to_enqueue)

    assert queue.run_pending() == 3
    session.expire_all()
    items = {item.agency.name: item for item in job_queries.job_items(session, started.job)}
    assert items["Alpha Police"].state == JobState.DONE
    assert items["Gamma Police"].state == JobState.DONE
    assert "Alpha Police" in text_of(items["Alpha Police"].pdf or b"")
    broken = items["Broken Police"]
    assert broken.state == JobState.FAILED and broken.pdf is None
    assert "option 'bogus'" in (broken.error or "")
    progress = job_queries.job_progress(session, started.job)
    assert (progress.total, progress.done, progress.failed, progress.finished) == (3, 2, 1, True)
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.batch_started")
    ).all()
    assert event.detail["round_id"] == round_2025.id and event.detail["reports"] == 3


def test_starting_the_same_batch_twice_renders_each_report_once(
    session: Session, round_2025: Round, queue: ReportQueue, layouts: list[str]
) -> None:
    first = start(session, round_2025)
    second = start(session, round_2025)  # before any worker ran
    queue.enqueue(first.to_enqueue + second.to_enqueue)
    queue.run_pending()
    third = start(session, round_2025)  # after

    assert second.job.id == first.job.id == third.job.id and not second.new
    assert second.to_enqueue == []
    assert len(layouts) == 2  # Alpha and Gamma; Broken fails before its layout
    # Only the failed report is tried again when the same batch is started once more.
    assert [item.agency.name for item in third.job.items if item.id in third.to_enqueue] == [
        "Broken Police"
    ]


def test_a_peer_group_batch_holds_only_the_groups_agencies(
    session: Session, round_2025: Round, queue: ReportQueue
) -> None:
    started = start(session, round_2025, PeerGroup(country="BE"))

    assert [item.agency.name for item in started.job.items] == ["Gamma Police"]
    assert started.job.id != start(session, round_2025).job.id


def test_reports_already_rendered_are_not_laid_out_again_in_a_new_batch(
    session: Session, round_2025: Round, queue: ReportQueue, layouts: list[str], tmp_path: Path
) -> None:
    queue.enqueue(start(session, round_2025).to_enqueue)
    queue.run_pending()
    (tmp_path / "pdf-cache").rename(tmp_path / "elsewhere")  # another machine: no local file

    queue.enqueue(start(session, round_2025, PeerGroup(country="NL")).to_enqueue)
    queue.run_pending()

    assert len(layouts) == 2  # Alpha's PDF came from the database


def test_an_item_whose_worker_stopped_is_queued_again_and_completed(
    session: Session, round_2025: Round, queue: ReportQueue
) -> None:
    started = start(session, round_2025, PeerGroup(country="BE"))
    [item_id] = started.to_enqueue
    held = report_jobs.claim_item(session, item_id, "dead-worker", timedelta(seconds=-1))
    assert held is not None
    assert report_jobs.claim_item(session, item_id, "other", timedelta(seconds=30)) is not None
    # The second claim took the expired lease over; nothing is left to reclaim now.
    assert report_jobs.reclaim_stalled(session) == []

    item = session.get(ReportJobItem, item_id, populate_existing=True)
    assert item is not None and item.worker == "other" and item.attempts == 2
    item.lease_until = item.lease_until - timedelta(seconds=60) if item.lease_until else None
    session.commit()
    assert report_jobs.reclaim_stalled(session) == [item_id]
    queue.enqueue([item_id])
    queue.run_pending()

    session.refresh(item)
    assert item.state == JobState.DONE and item.attempts == 3 and item.pdf


def test_an_item_whose_worker_stops_every_time_fails_with_that_reason(
    session: Session, round_2025: Round
) -> None:
    [item_id] = start(session, round_2025, PeerGroup(country="BE")).to_enqueue
    for attempt in range(report_jobs.MAX_ATTEMPTS):
        assert report_jobs.claim_item(session, item_id, f"w{attempt}", timedelta(seconds=-1))
        requeued = report_jobs.reclaim_stalled(session)
        assert requeued == ([] if attempt == report_jobs.MAX_ATTEMPTS - 1 else [item_id])

    item = session.get(ReportJobItem, item_id, populate_existing=True)
    assert item is not None and item.state == JobState.FAILED
    assert item.error == "its worker stopped 3 times while rendering it"


def test_an_agency_pdf_job_is_keyed_by_its_content(
    session: Session, round_2025: Round, queue: ReportQueue, layouts: list[str]
) -> None:
    agency = session.scalars(select(Agency).where(Agency.name == "Gamma Police")).one()
    html = "<h1>Gamma Police</h1>"
    key = pdf_cache.content_key("agency", html)
    options = {"agency_id": agency.id, "round_id": round_2025.id, "k": K}

    first = report_jobs.start_agency_pdf(
        session, key=key, html=html, with_commentary=True, actor=None, **options
    )
    again = report_jobs.start_agency_pdf(
        session, key=key, html=html, with_commentary=True, actor=None, **options
    )
    queue.enqueue(first.to_enqueue + again.to_enqueue)
    queue.run_pending()

    assert first.job.id == again.job.id and again.to_enqueue == []
    session.expire_all()
    [item] = first.job.items
    assert item.state == JobState.DONE and item.content_key == key
    assert "Gamma Police" in text_of(item.pdf or b"") and layouts == [html]

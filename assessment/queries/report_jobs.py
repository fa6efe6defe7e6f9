"""Report jobs as read: a job by key, its progress, its items, a PDF already rendered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, joinedload

from assessment.domain.rules.benchmark import PeerGroup
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    JobState,
    ReportJob,
    ReportJobItem,
    ReportNote,
)


@dataclass(frozen=True)
class JobProgress:
    """How far a job is: items per state, and how many queued items wait before its first."""

    total: int
    done: int
    failed: int
    running: int
    ahead: int

    @property
    def finished(self) -> bool:
        """True when every item is done or failed."""
        return self.done + self.failed == self.total

    @property
    def percent(self) -> int:
        """Share of the items finished, 0-100."""
        return 100 if not self.total else (100 * (self.done + self.failed)) // self.total


def job_by_key(session: Session, key: str) -> ReportJob | None:
    """The job with this content key, if one was started."""
    return session.scalars(select(ReportJob).where(ReportJob.key == key)).one_or_none()


def get_job(session: Session, job_id: int) -> ReportJob | None:
    """The job with this id, or None."""
    return session.get(ReportJob, job_id)


def job_progress(session: Session, job: ReportJob) -> JobProgress:
    """Counts of the job's items per state, and the queued items of other jobs before it."""
    rows = session.execute(
        select(ReportJobItem.state, func.count())
        .where(ReportJobItem.job_id == job.id)
        .group_by(ReportJobItem.state)
    ).all()
    counts = {state: count for state, count in rows}
    first_item = select(func.min(ReportJobItem.id)).where(ReportJobItem.job_id == job.id)
    ahead = session.scalar(
        select(func.count()).where(
            ReportJobItem.state == JobState.QUEUED,
            ReportJobItem.id < first_item.scalar_subquery(),
        )
    )
    return JobProgress(
        total=sum(counts.values()),
        done=counts.get(JobState.DONE, 0),
        failed=counts.get(JobState.FAILED, 0),
        running=counts.get(JobState.RUNNING, 0),
        ahead=ahead or 0,
    )


def job_items(session: Session, job: ReportJob) -> list[ReportJobItem]:
    """The job's items with their agencies, in agency name order (PDFs not loaded)."""
    query = (
        select(ReportJobItem)
        .join(Agency, Agency.id == ReportJobItem.agency_id)
        .options(joinedload(ReportJobItem.agency), defer(ReportJobItem.pdf))
        .execution_options(populate_existing=True)
        .where(ReportJobItem.job_id == job.id)
        .order_by(Agency.name)
    )
    return list(session.scalars(query))


def single_item(session: Session, job: ReportJob) -> ReportJobItem:
    """The one item of an agency PDF job, as stored now."""
    query = (
        select(ReportJobItem)
        .where(ReportJobItem.job_id == job.id)
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()


def finished_pdf(session: Session, content_key: str) -> bytes | None:
    """A PDF some worker already rendered from the same content, if any."""
    query = (
        select(ReportJobItem.pdf)
        .where(ReportJobItem.content_key == content_key, ReportJobItem.state == JobState.DONE)
        .limit(1)
    )
    return session.scalar(query)


def finished_pdfs(session: Session, job: ReportJob) -> list[tuple[Agency, bytes]]:
    """The job's rendered PDFs with their agencies, in agency name order."""
    query = (
        select(Agency, ReportJobItem.pdf)
        .join(ReportJobItem, ReportJobItem.agency_id == Agency.id)
        .where(ReportJobItem.job_id == job.id, ReportJobItem.state == JobState.DONE)
        .order_by(Agency.name, Agency.id)
    )
    return [(agency, pdf) for agency, pdf in session.execute(query) if pdf is not None]


def round_batch_agencies(session: Session, round_id: int, group: PeerGroup) -> list[Agency]:
    """The agencies of the peer group that submitted in the round, by name."""
    query = (
        select(Agency)
        .join(Assessment, Assessment.agency_id == Agency.id)
        .where(Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(Agency.name, Agency.id)
    )
    return [
        agency
        for agency in session.scalars(query)
        if group.admits(agency.country, agency.agency_type, agency.size_band)
    ]


def round_batch_key(
    session: Session, round_id: int, group: PeerGroup, k: int, templates: str
) -> str:
    """A digest of what a round's batch is made of: every submitted assessment of the round
    (its revision and submission, as peers too), the commentary, the group, k and templates."""
    assessments = session.execute(
        select(Assessment.id, Assessment.agency_id, Assessment.revision, Assessment.submitted_at)
        .where(Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(Assessment.id)
    ).all()
    notes = session.execute(
        select(ReportNote.assessment_id, func.max(ReportNote.updated_at), func.count())
        .join(Assessment, Assessment.id == ReportNote.assessment_id)
        .where(Assessment.round_id == round_id)
        .group_by(ReportNote.assessment_id)
        .order_by(ReportNote.assessment_id)
    ).all()
    digest = hashlib.sha256()
    parts = ["round", str(round_id), repr(sorted(group.filters.items())), str(k), templates]
    parts += [repr(tuple(row)) for row in assessments]
    parts += [repr(tuple(row)) for row in notes]
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()

"""Report jobs as changed: start one (or find it by content), and the worker's side of an
item: claim it under a lease, renew the lease, finish or fail it, and take back the items
of workers that stopped.

Every function commits; the caller enqueues the item ids it is given only after that, so
a worker never looks for an item that is not stored yet. A message delivered twice is
harmless: only one worker can claim a queued item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries import report_jobs as job_queries
from assessment.services import audit
from assessment.store.models import JobState, ReportJob, ReportJobItem, User, utcnow

MAX_ATTEMPTS = 3
"""A report whose worker stopped this many times while rendering it is marked failed."""


@dataclass(frozen=True)
class Started:
    """A job, and the ids of its items that now wait for a worker (empty when none does)."""

    job: ReportJob
    to_enqueue: list[int]
    new: bool


@dataclass(frozen=True)
class ClaimedItem:
    """What a worker needs to render an item it holds."""

    item_id: int
    agency_id: int
    round_id: int
    k: int
    with_commentary: bool
    html: str | None


def start_agency_pdf(
    session: Session,
    *,
    key: str,
    html: str,
    agency_id: int,
    round_id: int,
    k: int,
    with_commentary: bool,
    actor: User | None,
) -> Started:
    """The job rendering one agency PDF laid out as `html` (keyed by its content)."""
    job = ReportJob(key=key, kind="agency", round_id=round_id, k=k, created_by_id=_id(actor))
    item = ReportJobItem(agency_id=agency_id, with_commentary=with_commentary, html=html)
    job.items.append(item)
    return _start(session, job)


def start_round_batch(
    session: Session,
    *,
    round_id: int,
    group: PeerGroup,
    k: int,
    templates: str,
    actor: User | None,
) -> Started:
    """The job rendering every submitted report of the round in the peer group (audited).

    Started again with the same content, it is the same job: nothing is rendered twice, and
    only its failed items are tried again.
    """
    key = job_queries.round_batch_key(session, round_id, group, k, templates)
    job = ReportJob(key=key, kind="round", round_id=round_id, group_filters=group.filters, k=k)
    job.created_by_id = _id(actor)
    for agency in job_queries.round_batch_agencies(session, round_id, group):
        job.items.append(ReportJobItem(agency_id=agency.id))
    started = _start(session, job)
    audit.record(
        session,
        "report.batch_started",
        actor=actor,
        round_id=round_id,
        group=group.filters,
        job_id=started.job.id,
        reports=len(started.job.items),
        new=started.new,
    )
    session.commit()
    return started


def _start(session: Session, job: ReportJob) -> Started:
    existing = job_queries.job_by_key(session, job.key)
    if existing is None:
        session.add(job)
        try:
            session.commit()
        except IntegrityError:  # the same job was started at the same moment
            session.rollback()
            existing = job_queries.job_by_key(session, job.key)
            if existing is None:
                raise
        else:
            return Started(job, [item.id for item in job.items], new=True)
    return Started(existing, _retry_failed(session, existing), new=False)


def _retry_failed(session: Session, job: ReportJob) -> list[int]:
    failed = session.scalars(
        select(ReportJobItem)
        .where(ReportJobItem.job_id == job.id, ReportJobItem.state == JobState.FAILED)
        .execution_options(populate_existing=True)
    ).all()
    for item in failed:
        item.state, item.error, item.attempts, item.worker = JobState.QUEUED, None, 0, None
    session.commit()
    return [item.id for item in failed]


def claim_item(session: Session, item_id: int, worker: str, lease: timedelta) -> ClaimedItem | None:
    """Hold a queued item (or one whose lease ran out) for `worker`; None when it is not free."""
    now = utcnow()
    claimable = or_(
        ReportJobItem.state == JobState.QUEUED,
        and_(ReportJobItem.state == JobState.RUNNING, ReportJobItem.lease_until < now),
    )
    taken = _rowcount(
        session.execute(
            update(ReportJobItem)
            .where(ReportJobItem.id == item_id, claimable)
            .values(
                state=JobState.RUNNING,
                worker=worker,
                lease_until=now + lease,
                started_at=now,
                attempts=ReportJobItem.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    )
    session.commit()
    if not taken:
        return None
    item = session.get(ReportJobItem, item_id, populate_existing=True)
    if item is None:  # removed meanwhile
        return None
    return ClaimedItem(
        item.id, item.agency_id, item.job.round_id, item.job.k, item.with_commentary, item.html
    )


def renew_lease(session: Session, item_id: int, worker: str, lease: timedelta) -> bool:
    """Extend the lease of an item `worker` still holds; False when it lost it."""
    renewed = _rowcount(
        session.execute(
            update(ReportJobItem)
            .where(
                ReportJobItem.id == item_id,
                ReportJobItem.worker == worker,
                ReportJobItem.state == JobState.RUNNING,
            )
            .values(lease_until=utcnow() + lease)
            .execution_options(synchronize_session=False)
        )
    )
    session.commit()
    return bool(renewed)


def finish_item(
    session: Session, item_id: int, worker: str, *, content_key: str, pdf: bytes
) -> None:
    """Keep the item's PDF; an item another worker finished first is left as it is."""
    _close(session, item_id, worker, state=JobState.DONE, content_key=content_key, pdf=pdf)


def fail_item(session: Session, item_id: int, worker: str, error: str) -> None:
    """Keep why the item could not be rendered; the other items of its job go on."""
    _close(session, item_id, worker, state=JobState.FAILED, error=error)


def _close(session: Session, item_id: int, worker: str, **values: object) -> None:
    session.execute(
        update(ReportJobItem)
        .where(ReportJobItem.id == item_id, ReportJobItem.state != JobState.DONE)
        .values(finished_at=utcnow(), lease_until=None, worker=worker, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def reclaim_stalled(session: Session) -> list[int]:
    """Queue again the items whose worker stopped renewing its lease (it died or hung);
    after MAX_ATTEMPTS such stops an item is failed with that reason. The ids to enqueue."""
    now = utcnow()
    stalled = session.scalars(
        select(ReportJobItem)
        .where(ReportJobItem.state == JobState.RUNNING, ReportJobItem.lease_until < now)
        .with_for_update(skip_locked=True)
    ).all()
    requeued = []
    for item in stalled:
        if item.attempts >= MAX_ATTEMPTS:
            item.state = JobState.FAILED
            item.error = f"its worker stopped {item.attempts} times while rendering it"
            item.finished_at = now
        else:
            item.state = JobState.QUEUED
            requeued.append(item.id)
        item.lease_until = None
    session.commit()
    return requeued


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count


def _id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None

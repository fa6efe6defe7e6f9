"""Rounds: their order, lookups, and what has been started and submitted in each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from assessment.domain.rules.schedule import RoundState
from assessment.domain.rules.trajectory import RoundInfo
from assessment.services.errors import NotFound
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Round,
    utc_today,
)


@dataclass(frozen=True)
class RoundRow:
    """A round with how many assessments are started and submitted."""

    round: Round
    started: int
    submitted: int


def round_order() -> tuple[ColumnElement[Any], ...]:
    """Rounds oldest first: by start date (undated last), then by creation."""
    return (Round.starts_on.asc().nulls_last(), Round.created_at.asc(), Round.id.asc())


def round_info(round_: Round) -> RoundInfo:
    """The round as the domain sees it: id, name and instrument."""
    return RoundInfo(round_.id, round_.name, round_.instrument_id, round_.instrument_version)


def rounds_in_order(session: Session) -> list[Round]:
    """Every round, oldest first."""
    return list(session.scalars(select(Round).order_by(*round_order())))


def get_round(session: Session, round_id: int) -> Round:
    """The round with this id, or NotFound."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    return round_


def rounds_with_results(session: Session) -> list[Round]:
    """The rounds with at least one submitted assessment, oldest first."""
    submitted = select(Assessment.round_id).where(Assessment.status == AssessmentStatus.SUBMITTED)
    return list(
        session.scalars(select(Round).where(Round.id.in_(submitted)).order_by(*round_order()))
    )


def latest_result_round(session: Session) -> Round | None:
    """The most recent round with at least one submitted assessment."""
    rounds = rounds_with_results(session)
    return rounds[-1] if rounds else None


def latest_submitted_round(session: Session, agency_id: int) -> Round | None:
    """The most recent round in which the agency submitted its assessment."""
    rounds = session.scalars(
        select(Round)
        .join(Assessment, Assessment.round_id == Round.id)
        .where(Assessment.agency_id == agency_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(*round_order())
    ).all()
    return rounds[-1] if rounds else None


def rounds_with_counts(session: Session) -> list[RoundRow]:
    """Rounds, newest first, with started and submitted assessment counts."""
    counts = (
        select(
            Assessment.round_id,
            func.count(Assessment.id).label("started"),
            func.count(Assessment.submitted_at).label("submitted"),
        )
        .group_by(Assessment.round_id)
        .subquery()
    )
    query = (
        select(Round, func.coalesce(counts.c.started, 0), func.coalesce(counts.c.submitted, 0))
        .outerjoin(counts, counts.c.round_id == Round.id)
        .order_by(Round.created_at.desc(), Round.id.desc())
    )
    return [RoundRow(r, int(started), int(done)) for r, started, done in session.execute(query)]


def round_assessments(session: Session, round_id: int) -> Sequence[Assessment]:
    """The assessments of one round with their agencies, by agency name."""
    query = (
        select(Assessment)
        .join(Agency, Agency.id == Assessment.agency_id)
        .options(joinedload(Assessment.agency))
        .where(Assessment.round_id == round_id)
        .order_by(Agency.name)
    )
    return session.scalars(query).all()


def round_submissions(session: Session, round_id: int) -> list[tuple[int, datetime | None]]:
    """The round's submitted agencies and when they submitted, in order (time, then id)."""
    rows = session.execute(
        select(Assessment.agency_id, Assessment.submitted_at)
        .where(
            Assessment.round_id == round_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .order_by(Assessment.submitted_at, Assessment.id)
    )
    return [(agency_id, submitted_at) for agency_id, submitted_at in rows]


def round_closings(session: Session, round_id: int) -> list[datetime]:
    """When the round was closed, oldest first: by an administrator or by its closing date.

    A reopening counts too: only a round that was closed can be opened again, so it marks
    a closing at the latest (rounds loaded closed have no closing event of their own). An
    early opening of a scheduled round is no closing. A closing date counts once its
    following day has begun (midnight UTC).
    """
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("round.closed", "round.opened")))
        .order_by(AuditEvent.at)
    )
    closings = [
        event.at
        for event in events
        if (event.detail or {}).get("round_id") == round_id
        and not (
            event.action == "round.opened"
            and (event.detail or {}).get("before") == RoundState.SCHEDULED.value
        )
    ]
    round_ = get_round(session, round_id)
    closed_on = round_.schedule.closed_by_schedule_on(utc_today())
    if closed_on is not None:
        closings.append(datetime.combine(closed_on, time(), tzinfo=UTC))
    return sorted(closings)


@dataclass(frozen=True)
class AgencyRound:
    """A round that concerns an agency, with the agency's assessment in it (if started)."""

    round: Round
    assessment: Assessment | None


def agency_rounds(session: Session, agency_id: int) -> list[AgencyRound]:
    """Every round that concerns the agency: open ones first (nearest deadline first),
    then scheduled ones (soonest first), then closed ones it took part in (newest first).

    Open and scheduled rounds concern every agency; a closed round only an agency with an
    assessment in it.
    """
    mine = {
        a.round_id: a
        for a in session.scalars(select(Assessment).where(Assessment.agency_id == agency_id))
    }
    rows = [
        AgencyRound(r, mine.get(r.id))
        for r in reversed(rounds_in_order(session))
        if r.state != RoundState.CLOSED or r.id in mine
    ]
    far = date.max

    def key(row: AgencyRound) -> tuple[int, date]:
        state = row.round.state
        if state == RoundState.OPEN:
            return (0, row.round.deadline or far)
        if state == RoundState.SCHEDULED:
            return (1, row.round.starts_on or far)
        return (2, far)

    # sorted() is stable: closed rounds keep the newest-first order.
    return sorted(rows, key=key)

"""Assessments: one agency's assessment in a round, its latest one, all of its rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.queries.rounds import round_order
from assessment.services.errors import NotFound
from assessment.store.models import Assessment, AuditEvent, Round


def get_assessment(session: Session, assessment_id: int) -> Assessment:
    """The assessment with this id, or NotFound."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(f"there is no assessment with id {assessment_id}")
    return assessment


def assessment_in_round(session: Session, agency_id: int, round_id: int) -> Assessment | None:
    """The agency's assessment in the round (draft or submitted), or None."""
    return session.scalar(
        select(Assessment).where(Assessment.agency_id == agency_id, Assessment.round_id == round_id)
    )


def latest_assessment(session: Session, agency_id: int) -> Assessment | None:
    """The agency's assessment in the most recently created round it has one in, or None."""
    return session.scalar(
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(Assessment.agency_id == agency_id)
        .order_by(Round.created_at.desc(), Round.id.desc())
        .limit(1)
    )


def assessments_of_agency(session: Session, agency_id: int) -> list[Assessment]:
    """The agency's assessments (drafts too), oldest round first."""
    query = (
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(Assessment.agency_id == agency_id)
        .order_by(*round_order())
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Reopening:
    """When and why an administrator last reopened a submitted assessment."""

    at: datetime
    reason: str


def last_reopening(session: Session, assessment_id: int) -> Reopening | None:
    """The latest reopening of the assessment, from the audit trail, or None."""
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == "assessment.reopened",
            AuditEvent.assessment_id == assessment_id,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    return Reopening(event.at, str((event.detail or {}).get("reason", "")))

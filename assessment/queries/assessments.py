"""Assessments: one agency's assessment in a round, its latest one, all of its rounds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.queries.rounds import round_order
from assessment.services.errors import NotFound
from assessment.store.models import Assessment, Round


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

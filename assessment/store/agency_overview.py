"""Read helpers for the consultant pages: agencies with their latest results, in one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from assessment.domain.trajectory import major_version
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    Result,
    ResultScope,
    Round,
)


def round_order() -> tuple[ColumnElement[Any], ...]:
    """Rounds oldest first: by start date (undated last), then by creation."""
    return (Round.starts_on.asc().nulls_last(), Round.created_at.asc(), Round.id.asc())


@dataclass(frozen=True)
class AgencyOverview:
    """An agency with its latest submitted overall result and the change since the one before."""

    agency_id: int
    name: str
    country: str
    agency_type: str
    size_band: str
    synthetic: bool
    latest_round: str | None
    score: float | None
    level: int | None
    change: float | None  # None when there is no comparable earlier round
    change_comparable: bool  # False when the earlier round used another major version


@dataclass(frozen=True)
class _Submission:
    round_name: str
    lineage: tuple[str, int]
    score: float | None
    level: int | None


def agency_overview(
    session: Session, *, agency_ids: Sequence[int] | None = None
) -> list[AgencyOverview]:
    """Every agency (or those listed) by name, with latest overall figures; one query."""
    submitted = and_(
        Assessment.agency_id == Agency.id, Assessment.status == AssessmentStatus.SUBMITTED
    )
    query = (
        select(
            Agency.id,
            Agency.name,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Agency.synthetic,
            Round.name,
            Round.instrument_id,
            Round.instrument_version,
            Result.score,
            Result.level,
        )
        .outerjoin(Assessment, submitted)
        .outerjoin(Round, Round.id == Assessment.round_id)
        .outerjoin(
            Result,
            and_(Result.assessment_id == Assessment.id, Result.scope == ResultScope.OVERALL),
        )
        .order_by(Agency.name, Agency.id, *round_order())
    )
    if agency_ids is not None:
        query = query.where(Agency.id.in_(list(agency_ids)))
    agencies: dict[int, tuple[tuple[str, str, str, str, bool], list[_Submission]]] = {}
    for row in session.execute(query):
        profile = (row[1], row[2], row[3], row[4], bool(row[5]))
        _, submissions = agencies.setdefault(row[0], (profile, []))
        if row[6] is not None:
            lineage = (row[7], major_version(row[8]))
            submissions.append(_Submission(row[6], lineage, row[9], row[10]))
    return [_overview(agency_id, *entry) for agency_id, entry in agencies.items()]


def _overview(
    agency_id: int, profile: tuple[str, str, str, str, bool], submissions: list[_Submission]
) -> AgencyOverview:
    latest = submissions[-1] if submissions else None
    previous = submissions[-2] if len(submissions) > 1 else None
    comparable = bool(latest and previous and latest.lineage == previous.lineage)
    change = None
    if comparable and latest and previous and latest.score is not None:
        change = None if previous.score is None else latest.score - previous.score
    return AgencyOverview(
        agency_id,
        *profile,
        latest_round=latest.round_name if latest else None,
        score=latest.score if latest else None,
        level=latest.level if latest else None,
        change=change,
        change_comparable=comparable or previous is None,
    )

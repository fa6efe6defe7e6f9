"""What an agency report is made of, read cheaply: the state of every stored input, so that
a cached PDF can be found without building the report.

Each part is a row of plain values; a change to any input the report shows changes a
part: the agency's profile, each of its assessments (revision, status, submission,
scoring key, instrument version, latest answer), their stored results, the rounds, the
round's submitted peers and their results, the round's closings and state (which decide
which peer figures are published), and the commentary with whether it is final.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.queries.rounds import round_closings
from assessment.store.models import (
    Agency,
    Answer,
    Assessment,
    AssessmentStatus,
    FinalReport,
    ReportNote,
    Result,
    Round,
    User,
)


def agency_report_inputs(
    session: Session, assessment: Assessment, *, with_commentary: bool
) -> list[str]:
    """The state of everything the agency report of `assessment` is built from, as text."""
    agency_id, round_id = assessment.agency_id, assessment.round_id
    parts = [_agency(session, agency_id), *_own_assessments(session, agency_id)]
    parts += _rounds(session)
    parts += _peers(session, round_id)
    parts.append(repr(round_closings(session, round_id)))
    if with_commentary:
        parts += _commentary(session, assessment.id)
    return parts


def _agency(session: Session, agency_id: int) -> str:
    row = session.execute(
        select(
            Agency.name,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Agency.policing_model,
            Agency.profile,
        ).where(Agency.id == agency_id)
    ).one()
    return repr(tuple(row))


def _own_assessments(session: Session, agency_id: int) -> list[str]:
    """The agency's assessments of every round (earlier rounds give its progress and
    carried figures), each with its latest answer and its stored results."""
    mine = select(Assessment.id).where(Assessment.agency_id == agency_id).scalar_subquery()
    assessments = session.execute(
        select(
            Assessment.id,
            Assessment.round_id,
            Assessment.status,
            Assessment.revision,
            Assessment.updated_at,
            Assessment.submitted_at,
            Assessment.scored_with,
            Assessment.instrument_id,
            Assessment.instrument_version,
            Assessment.profile,
        )
        .where(Assessment.agency_id == agency_id)
        .order_by(Assessment.id)
    ).all()
    answers = session.execute(
        select(
            Answer.assessment_id, func.count(), func.max(Answer.answered_at), func.max(Answer.id)
        )
        .where(Answer.assessment_id.in_(mine))
        .group_by(Answer.assessment_id)
        .order_by(Answer.assessment_id)
    ).all()
    results = session.execute(
        select(
            Result.assessment_id,
            Result.scope,
            Result.key,
            Result.score,
            Result.level,
            Result.coverage,
        )
        .where(Result.assessment_id.in_(mine))
        .order_by(Result.assessment_id, Result.scope, Result.key)
    ).all()
    return [repr(tuple(row)) for row in (*assessments, *answers, *results)]


def _rounds(session: Session) -> list[str]:
    """Every round's name, dates, instrument and state today (the report names earlier
    rounds too, and an open round publishes no peer figures before it closes)."""
    return [
        repr((r.id, r.name, r.starts_on, r.ends_on, r.instrument_id, r.instrument_version, r.state))
        for r in session.scalars(select(Round).order_by(Round.id))
    ]


def _peers(session: Session, round_id: int) -> list[str]:
    """The round's submitted assessments with their agencies' profiles and a summary of
    their stored results (rescoring replaces the rows, so their ids change)."""
    submitted = (
        select(Assessment.id)
        .where(Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .scalar_subquery()
    )
    assessments = session.execute(
        select(
            Assessment.id,
            Assessment.agency_id,
            Assessment.revision,
            Assessment.submitted_at,
            Assessment.scored_with,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Agency.policing_model,
        )
        .join(Agency, Agency.id == Assessment.agency_id)
        .where(Assessment.id.in_(submitted))
        .order_by(Assessment.id)
    ).all()
    results = session.execute(
        select(
            Result.assessment_id,
            func.count(),
            func.max(Result.id),
            func.sum(Result.score),
            func.sum(Result.level),
            func.sum(Result.coverage),
        )
        .where(Result.assessment_id.in_(submitted))
        .group_by(Result.assessment_id)
        .order_by(Result.assessment_id)
    ).all()
    return [repr(tuple(row)) for row in (*assessments, *results)]


def _commentary(session: Session, assessment_id: int) -> list[str]:
    """The consultant's notes (text, author, last change) and whether the report is final."""
    notes = session.execute(
        select(ReportNote.section, ReportNote.body, User.email, ReportNote.updated_at)
        .outerjoin(User, User.id == ReportNote.author_id)
        .where(ReportNote.assessment_id == assessment_id)
        .order_by(ReportNote.section)
    ).all()
    final = session.scalar(select(FinalReport.id).where(FinalReport.assessment_id == assessment_id))
    return [repr(tuple(row)) for row in notes] + [f"final={final is not None}"]

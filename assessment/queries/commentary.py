"""Consultants' report commentary and final reports, read for reports and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.store.models import FinalReport, ReportNote, User


@dataclass(frozen=True)
class Note:
    """One commentary text with its author's address and the time it was last saved."""

    body: str
    author: str
    updated_at: datetime


def report_notes(session: Session, assessment_id: int) -> dict[str, Note]:
    """The assessment's non-empty notes keyed by section ("" overall, else a dimension id)."""
    rows = session.execute(
        select(ReportNote.section, ReportNote.body, User.email, ReportNote.updated_at)
        .outerjoin(User, User.id == ReportNote.author_id)
        .where(ReportNote.assessment_id == assessment_id)
    )
    return {
        section: Note(body, email or "", updated_at)
        for section, body, email, updated_at in rows
        if body.strip()
    }


def note_rows(session: Session, assessment_id: int) -> list[ReportNote]:
    """The assessment's stored note rows, for editing."""
    return list(
        session.scalars(select(ReportNote).where(ReportNote.assessment_id == assessment_id))
    )


def final_report(session: Session, assessment_id: int) -> FinalReport | None:
    """The assessment's report as issued, if it was marked final."""
    return session.scalar(select(FinalReport).where(FinalReport.assessment_id == assessment_id))

"""Consultants write commentary on an agency's report and mark the report final.

Commentary is plain text, stored with its author and time and audited; it can be edited
until the report is final. A final report is kept as the PDF bytes issued, so that a later
rescore or edit never changes what the agency received.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from assessment.queries.assessments import get_assessment
from assessment.queries.commentary import final_report, note_rows
from assessment.services import audit
from assessment.services.errors import Conflict, InvalidInput
from assessment.services.permissions import can_view_all, require
from assessment.store.models import (
    OVERALL_SECTION,
    Assessment,
    AssessmentStatus,
    FinalReport,
    ReportNote,
    User,
    utcnow,
)

MAX_NOTE_CHARS = 20_000
WRITERS_ONLY = "Only consultants and administrators write report commentary."


def save_notes(
    session: Session,
    *,
    actor: User,
    assessment_id: int,
    notes: dict[str, str],
    sections: set[str],
) -> None:
    """Save the commentary of each section given ("" overall, else one of `sections`)."""
    require(can_view_all(actor), WRITERS_ONLY)
    assessment = _reportable(session, assessment_id)
    problems = {
        section or "overall": f"at most {MAX_NOTE_CHARS:,} characters"
        for section, body in notes.items()
        if len(body) > MAX_NOTE_CHARS
    }
    unknown = set(notes) - sections - {OVERALL_SECTION}
    problems.update({section: "not a dimension of this report" for section in unknown})
    if problems:
        raise InvalidInput(problems)
    existing = {note.section: note for note in note_rows(session, assessment.id)}
    changed = []
    for section, body in notes.items():
        text = body.replace("\r\n", "\n").strip()
        note = existing.get(section)
        if note is None and not text:
            continue
        if note is None:
            note = ReportNote(assessment_id=assessment.id, section=section)
            session.add(note)
        elif note.body == text:
            continue
        note.body, note.author_id, note.updated_at = text, actor.id, utcnow()
        changed.append(section or "overall")
    if changed:
        audit.record_on(
            session,
            "report.commentary",
            assessment,
            actor=actor,
            sections=sorted(changed),
        )
    session.commit()


def issue_final_report(
    session: Session, *, actor: User, assessment_id: int, pdf: bytes
) -> FinalReport:
    """Keep `pdf` as the assessment's final report; refused if one was issued already."""
    require(can_view_all(actor), "Only consultants and administrators issue final reports.")
    assessment = _reportable(session, assessment_id)
    final = FinalReport(
        assessment_id=assessment.id,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        issued_by_id=actor.id,
    )
    session.add(final)
    audit.record_on(
        session,
        "report.final",
        assessment,
        actor=actor,
        sha256=final.sha256,
    )
    session.commit()
    return final


def _reportable(session: Session, assessment_id: int) -> Assessment:
    """The submitted assessment whose report is still a draft (Conflict once final)."""
    assessment = get_assessment(session, assessment_id)
    if assessment.status is not AssessmentStatus.SUBMITTED:
        raise Conflict("The assessment is not submitted: there is no report to comment on.")
    if final_report(session, assessment.id) is not None:
        raise Conflict("The report is final: its commentary can no longer change.")
    return assessment

"""Report access: who took which confidential report, kept in the audit trail."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assessment.domain.rules.benchmark import PeerGroup
from assessment.services import audit
from assessment.store.models import User


def record_agency_report(
    session: Session, *, actor: User | None, agency_id: int, round_id: int, form: str
) -> None:
    """Audit that `actor` took an agency's report (`form`: "pdf", "html" or
    "answers", the web page of its answers)."""
    audit.record(
        session, "report.agency", actor=actor, agency_id=agency_id, round_id=round_id, form=form
    )
    session.commit()


def record_cohort_report(
    session: Session, *, actor: User | None, round_id: int, group: PeerGroup
) -> None:
    """Audit that `actor` took the cohort report of a peer group."""
    audit.record(session, "report.cohort", actor=actor, round_id=round_id, group=group.filters)
    session.commit()


def record_batch_download(
    session: Session, *, actor: User | None, round_id: int, job_id: int
) -> None:
    """Audit that `actor` took the ZIP of a round's reports."""
    audit.record(session, "report.batch_downloaded", actor=actor, round_id=round_id, job_id=job_id)
    session.commit()

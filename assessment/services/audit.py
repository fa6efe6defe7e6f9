"""The audit trail: every change a service makes adds one event in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assessment.store.models import Assessment, AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    agency_id: int | None = None,
    assessment_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; the calling service commits it with its change."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        agency_id=agency_id,
        assessment_id=assessment_id,
        detail=detail,
    )
    session.add(event)
    return event


def record_on(
    session: Session, action: str, assessment: Assessment, *, actor: User | None, **detail: Any
) -> AuditEvent:
    """Add an audit event about one assessment, naming it and its agency."""
    return record(
        session,
        action,
        actor=actor,
        agency_id=assessment.agency_id,
        assessment_id=assessment.id,
        **detail,
    )

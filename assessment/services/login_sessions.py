"""Ending signed-in sessions: a user's session version goes up, old cookies stop working."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.services import audit
from assessment.services.errors import NotFound
from assessment.store.models import User


def end_login_sessions(session: Session, *, user_id: int, reason: str = "logout") -> int:
    """Invalidate every signed-in session of the user; returns the new session version."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    # One UPDATE, so two concurrent sign-outs both raise the version.
    session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )
    audit.record(session, reason, actor=user)
    session.commit()
    session.refresh(user)
    return user.session_version

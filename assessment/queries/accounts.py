"""Accounts: users and the single-use invitation links handed out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from assessment.services.errors import NotFound
from assessment.store.models import Agency, OneTimeToken, Role, TokenKind, User, utcnow


@dataclass(frozen=True)
class LinkRow:
    """A single-use link, whether it can still be used, and who it is for."""

    link: OneTimeToken
    agency_name: str | None
    state: str  # "pending" | "used" | "expired"


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no user with id {user_id}")
    return user


def find_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def users_by_email(session: Session) -> Sequence[User]:
    """Every user with their agency, by email."""
    query = select(User).options(joinedload(User.agency)).order_by(User.email)
    return session.scalars(query).all()


def user_with_email(session: Session, email: str) -> User | None:
    """The user with this email address (any case, surrounding blanks ignored), or None."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def recent_invitations(session: Session, *, limit: int = 50) -> list[LinkRow]:
    """The newest invitation links, with their state."""
    query = (
        select(OneTimeToken, Agency.name)
        .outerjoin(Agency, Agency.id == OneTimeToken.agency_id)
        .where(OneTimeToken.kind == TokenKind.INVITATION)
        .order_by(OneTimeToken.created_at.desc(), OneTimeToken.id.desc())
        .limit(limit)
    )
    now = utcnow()
    return [LinkRow(link, name, _state(link, now)) for link, name in session.execute(query)]


def _state(link: OneTimeToken, now: datetime) -> str:
    if link.used_at is not None:
        return "used"
    return "expired" if link.expires_at <= now else "pending"


def agency_contributors(session: Session, agency_id: int) -> Sequence[User]:
    """The agency's contributor accounts, by email address."""
    return session.scalars(
        select(User)
        .where(User.agency_id == agency_id, User.role == Role.CONTRIBUTOR)
        .order_by(User.email)
    ).all()

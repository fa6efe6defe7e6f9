"""Read helpers for the administration pages: agencies, users, links, rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from assessment.store.models import (
    Agency,
    Assessment,
    OneTimeToken,
    Round,
    TokenKind,
    User,
    utcnow,
)


@dataclass(frozen=True)
class AgencyRow:
    """An agency with how many lead accounts it has."""

    agency: Agency
    lead_count: int


@dataclass(frozen=True)
class RoundRow:
    """A round with how many assessments are started and submitted."""

    round: Round
    started: int
    submitted: int


@dataclass(frozen=True)
class LinkRow:
    """A single-use link, whether it can still be used, and who it is for."""

    link: OneTimeToken
    agency_name: str | None
    state: str  # "pending" | "used" | "expired"


def agencies_with_leads(session: Session, *, include_synthetic: bool = False) -> list[AgencyRow]:
    """Agencies by name, each with its number of lead accounts."""
    leads = (
        select(User.agency_id, func.count(User.id).label("leads"))
        .where(User.agency_id.is_not(None))
        .group_by(User.agency_id)
        .subquery()
    )
    query = (
        select(Agency, func.coalesce(leads.c.leads, 0))
        .outerjoin(leads, leads.c.agency_id == Agency.id)
        .order_by(Agency.name)
    )
    if not include_synthetic:
        query = query.where(Agency.synthetic.is_(False))
    return [AgencyRow(agency, int(count)) for agency, count in session.execute(query)]


def agency_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every real agency, by name, for select boxes."""
    query = select(Agency.id, Agency.name).where(Agency.synthetic.is_(False)).order_by(Agency.name)
    return [(agency_id, name) for agency_id, name in session.execute(query)]


def users_by_email(session: Session) -> Sequence[User]:
    """Every user with their agency, by email."""
    query = select(User).options(joinedload(User.agency)).order_by(User.email)
    return session.scalars(query).all()


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


def rounds_with_counts(session: Session) -> list[RoundRow]:
    """Rounds, newest first, with started and submitted assessment counts."""
    counts = (
        select(
            Assessment.round_id,
            func.count(Assessment.id).label("started"),
            func.count(Assessment.submitted_at).label("submitted"),
        )
        .group_by(Assessment.round_id)
        .subquery()
    )
    query = (
        select(Round, func.coalesce(counts.c.started, 0), func.coalesce(counts.c.submitted, 0))
        .outerjoin(counts, counts.c.round_id == Round.id)
        .order_by(Round.created_at.desc(), Round.id.desc())
    )
    return [RoundRow(r, int(started), int(done)) for r, started, done in session.execute(query)]


def round_assessments(session: Session, round_id: int) -> Sequence[Assessment]:
    """The assessments of one round with their agencies, by agency name."""
    query = (
        select(Assessment)
        .join(Agency, Agency.id == Assessment.agency_id)
        .options(joinedload(Assessment.agency))
        .where(Assessment.round_id == round_id)
        .order_by(Agency.name)
    )
    return session.scalars(query).all()


def _state(link: OneTimeToken, now: datetime) -> str:
    if link.used_at is not None:
        return "used"
    return "expired" if link.expires_at <= now else "pending"

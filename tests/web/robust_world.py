"""A small world for robustness tests, rebuilt in place on one long-lived database.

Three agencies with unmistakable names (a page that leaks one is easy to spot): Northbridge
submitted in 2024 (closed round) and 2025, Saltmere has a 2025 draft with a confidential
comment, Eastholm has not started. Each has a lead; there is a consultant, an admin, an
open invitation and a password-reset link.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.services import accounts, assessments, rounds
from assessment.store.db import Database
from assessment.store.models import Agency, Base, Role, Round, User
from tests.peer_data import instrument_of_round, submit_at

SUBMITTED_NAME = "Northbridge Constabulary"
DRAFT_NAME = "Saltmere Police Service"
UNSTARTED_NAME = "Eastholm Police"
DRAFT_SECRET = "Saltmere internal note: budget request pending"


@dataclass(frozen=True)
class RobustWorld:
    """Ids, names and link tokens of the world; users are read afresh when signing in."""

    agency_a: int
    agency_b: int
    agency_c: int
    round: int
    closed_round: int
    submitted_a: int
    draft_b: int
    users: dict[str, int]  # actor -> user id (no entry for "anonymous")
    invitation_token: str
    reset_token: str

    def others_of(self, actor: str) -> tuple[str, ...]:
        """Words that must never reach `actor`: other agencies' names and secrets."""
        seen_by = {
            "lead_a": (DRAFT_NAME, DRAFT_SECRET, UNSTARTED_NAME),
            "lead_b": (SUBMITTED_NAME, UNSTARTED_NAME),
            "lead_c": (SUBMITTED_NAME, DRAFT_NAME, DRAFT_SECRET),
        }
        return seen_by.get(actor, ())


def empty_database(database: Database) -> None:
    """Delete every row of every table (children first), keeping the schema."""
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


def build_world(session: Session) -> RobustWorld:
    """Create the world through the services and return its ids."""
    agency_a = _agency(session, SUBMITTED_NAME, "NL")
    agency_b = _agency(session, DRAFT_NAME, "BE")
    agency_c = _agency(session, UNSTARTED_NAME, "DE")
    closed = _round(session, "2024")
    submit_at(session, agency_a, closed, 2)
    rounds.set_round_open(session, round_id=closed.id, is_open=False, actor=None)
    current = _round(session, "2025")
    submitted = submit_at(session, agency_a, current, 3)
    draft = _draft_with_comment(session, agency_b, current)
    users = {
        "lead_a": _user(session, Role.LEAD, "lead.a@example.org", agency_a),
        "lead_b": _user(session, Role.LEAD, "lead.b@example.org", agency_b),
        "lead_c": _user(session, Role.LEAD, "lead.c@example.org", agency_c),
        "consultant": _user(session, Role.CONSULTANT, "consultant@example.org", None),
        "admin": _user(session, Role.ADMIN, "admin@example.org", None),
    }
    admin = session.get(User, users["admin"])
    invitation = accounts.create_invitation(
        session, email="new.lead@example.org", agency_id=agency_b.id, actor=admin
    )
    reset = accounts.create_password_reset(session, user_id=users["lead_b"], actor=admin)
    return RobustWorld(
        agency_a=agency_a.id,
        agency_b=agency_b.id,
        agency_c=agency_c.id,
        round=current.id,
        closed_round=closed.id,
        submitted_a=submitted.id,
        draft_b=draft,
        users=users,
        invitation_token=invitation,
        reset_token=reset,
    )


def _agency(session: Session, name: str, country: str) -> Agency:
    return accounts.create_agency(
        session, name=name, country=country, agency_type="regional", size_band="250-999"
    )


def _round(session: Session, name: str) -> Round:
    return rounds.create_round(
        session, name=name, instrument_id="sm-policing-maturity", instrument_version="1.0.0"
    )


def _user(session: Session, role: Role, email: str, agency: Agency | None) -> int:
    created = accounts.create_user(
        session,
        email=email,
        password=None,
        role=role,
        agency_id=agency.id if agency is not None else None,
    )
    return created.id


def _draft_with_comment(session: Session, agency: Agency, round_: Round) -> int:
    draft = assessments.start_assessment(
        session, agency_id=agency.id, round_id=round_.id, actor=None
    )
    practice = next(iter(instrument_of_round(round_).practices()))
    answer = Answer(practice.id, practice.answer_set.best.id, comment=DRAFT_SECRET)
    saved = assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={practice.id: answer},
        actor=None,
    )
    return saved.id

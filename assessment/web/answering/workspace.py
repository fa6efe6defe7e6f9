"""Whose assessment a request is about, and what the signed-in user may do with it.

Every answering route carries the agency, either implicitly (a lead's own `/assessment/...`)
or explicitly (`/agencies/<id>/assessment/...` for admins, consultants and leads alike);
an agency the user may not see is answered with 404, as if it did not exist. Pages name
their round (`.../assessment/rounds/<round_id>/...`); the older paths without one work on
the agency's current round (`current_agency_round`), so no link ever leads to another round's
assessment because a new round exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, session
from sqlalchemy.orm import Session

from assessment.domain.model.instrument import Instrument
from assessment.queries.agencies import get_agency
from assessment.queries.assessments import assessment_in_round
from assessment.queries.instruments import instrument_of
from assessment.queries.rounds import AgencyRound, agency_rounds, get_round
from assessment.services.errors import NotFound
from assessment.services.permissions import (
    can_answer_dimension,
    can_answer_for_agency,
    can_view_agency,
)
from assessment.store.models import Agency, Assessment, AssessmentStatus, Role, Round, User
from assessment.web.auth.access import signed_in_user
from assessment.web.catalog import web_catalog
from assessment.web.database import db_session

LAST_VISIT_KEY = "answering_last_visit"


@dataclass(frozen=True)
class Workspace:
    """The agency, round, assessment and instrument a request works on, and the user's rights."""

    user: User
    agency: Agency
    round: Round | None
    assessment: Assessment | None
    instrument: Instrument | None
    may_edit: bool  # the user's role allows starting and changing this agency's assessment

    @property
    def editable(self) -> bool:
        """Answers can change now: permitted, still a draft and the round still open."""
        return (
            self.may_edit
            and self.assessment is not None
            and self.assessment.status == AssessmentStatus.DRAFT
            and self.assessment.round.is_open
        )

    @property
    def startable(self) -> bool:
        """The user may start the agency's assessment in this round: open, none there yet."""
        return (
            self.may_edit
            and self.round is not None
            and self.round.is_open
            and self.assessment is None
        )

    @property
    def submitted(self) -> bool:
        """The assessment has been submitted (and is locked)."""
        return self.assessment is not None and self.assessment.status == AssessmentStatus.SUBMITTED

    def require(self) -> tuple[Assessment, Instrument]:
        """The assessment and its instrument, or 404 when there is none yet."""
        if self.assessment is None or self.instrument is None:
            abort(404)
        return self.assessment, self.instrument


def load_workspace(
    agency_id: int | None, round_id: int | None = None, dimension_id: str | None = None
) -> Workspace:
    """The workspace of this request, read only: starting an assessment is a POST of its own.

    With a dimension, `may_edit` also holds for a contributor assigned to it."""
    user = signed_in_user()
    agency = visible_agency(user, agency_id)
    db = db_session()
    if round_id is None:
        current = current_agency_round(db, agency.id)
        round_ = current.round if current is not None else None
        assessment = current.assessment if current is not None else None
    else:
        round_ = _round(db, round_id)
        assessment = assessment_in_round(db, agency.id, round_.id)
    instrument = instrument_of(assessment, web_catalog()) if assessment is not None else None
    may_edit = can_answer_for_agency(user, agency.id) or (
        dimension_id is not None and can_answer_dimension(user, agency.id, dimension_id)
    )
    return Workspace(user, agency, round_, assessment, instrument, may_edit)


def visible_agency(user: User, agency_id: int | None) -> Agency:
    """The agency of the request (a lead's own without an id), or 404 if the user may not see it."""
    if agency_id is None:
        # The short routes are the lead's own; staff always name the agency.
        if user.role not in (Role.LEAD, Role.CONTRIBUTOR) or user.agency_id is None:
            abort(404)
        agency_id = user.agency_id
    if not can_view_agency(user, agency_id):
        abort(404)
    try:
        return get_agency(db_session(), agency_id)
    except NotFound:
        abort(404)


def _round(db: Session, round_id: int) -> Round:
    try:
        return get_round(db, round_id)
    except NotFound:
        abort(404)


def current_agency_round(db: Session, agency_id: int) -> AgencyRound | None:
    """The round the paths without a round work on, with the agency's assessment in it:
    the open round with the agency's draft that closes first, else the open round closing
    first, else its latest round."""
    rows = agency_rounds(db, agency_id)
    open_rows = [row for row in rows if row.round.is_open]
    drafts = [
        row
        for row in open_rows
        if row.assessment is not None and row.assessment.status == AssessmentStatus.DRAFT
    ]
    started = [row for row in rows if row.assessment is not None]
    for found in (drafts, open_rows, started):
        if found:
            return found[0]
    return None


def remember_visit(assessment_id: int, dimension_id: str) -> None:
    """Note the dimension page the user is on, so "continue" can bring them back to it."""
    if session.get(LAST_VISIT_KEY) != [assessment_id, dimension_id]:
        session[LAST_VISIT_KEY] = [assessment_id, dimension_id]


def last_visit(assessment_id: int) -> str | None:
    """The dimension the user last opened in this assessment, if any."""
    value = session.get(LAST_VISIT_KEY)
    if isinstance(value, list) and len(value) == 2 and value[0] == assessment_id:
        dimension_id = value[1]
        return dimension_id if isinstance(dimension_id, str) else None
    return None

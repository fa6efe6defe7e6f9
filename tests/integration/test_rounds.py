"""Rounds: creation on a catalog instrument, states by schedule, early opening and closing,
lookup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.domain.rules.schedule import RoundState
from assessment.queries.rounds import agency_rounds, round_closings
from assessment.services import assessments, rounds
from assessment.services.errors import Forbidden, InvalidInput, NotFound, RoundClosed
from assessment.store.models import Agency, AuditEvent, Role, Round, User, utc_today

TODAY = utc_today()
DAY = timedelta(days=1)
OPEN, CLOSED = RoundState.OPEN, RoundState.CLOSED


def test_create_round_keeps_the_instrument_version(session: Session) -> None:
    created = rounds.create_round(
        session,
        name=" 2026 ",
        instrument_id="sm-policing-maturity",
        instrument_version="1.0.0",
        starts_on=TODAY - DAY,
        ends_on=TODAY + 30 * DAY,
    )
    assert (created.name, created.instrument_id, created.instrument_version) == (
        "2026",
        "sm-policing-maturity",
        "1.0.0",
    )
    assert created.is_open
    assert (created.deadline, created.days_left) == (TODAY + 30 * DAY, 31)


def test_a_round_follows_its_dates(session: Session, create_round: Callable[..., Round]) -> None:
    later = create_round("2027", starts_on=TODAY + 5 * DAY, ends_on=TODAY + 60 * DAY)
    now = create_round("2026", starts_on=TODAY - 5 * DAY, ends_on=TODAY)
    past = create_round("2025", starts_on=TODAY - 90 * DAY, ends_on=TODAY - DAY)
    undated = create_round("2024")
    assert [r.state for r in (later, now, past, undated)] == [
        RoundState.SCHEDULED,
        RoundState.OPEN,
        RoundState.CLOSED,
        RoundState.OPEN,
    ]
    assert (now.deadline, now.days_left) == (TODAY, 1)
    assert later.deadline is None and undated.deadline is None
    assert [r.id for r in rounds.open_rounds(session)] == [undated.id, now.id]  # undated last
    # Closed by its date: that midnight counts as a closing for peer figures.
    assert round_closings(session, past.id)[-1].date() == TODAY
    assert round_closings(session, now.id) == []


def test_admins_open_and_close_early_with_an_audit_event(
    session: Session, create_round: Callable[..., Round], create_user: Callable[..., User]
) -> None:
    admin = create_user(role=Role.ADMIN)
    later = create_round("2027", starts_on=TODAY + 5 * DAY, ends_on=TODAY + 60 * DAY)
    past = create_round("2025", starts_on=TODAY - 90 * DAY, ends_on=TODAY - DAY)
    rounds.set_round_open(session, round_id=later.id, is_open=True, actor=admin)
    assert later.state == RoundState.OPEN and later.deadline == TODAY + 60 * DAY
    rounds.set_round_open(session, round_id=past.id, is_open=True, actor=admin)
    assert past.state == RoundState.OPEN and past.deadline is None  # until an admin closes it
    rounds.set_round_open(session, round_id=later.id, is_open=False, actor=admin)
    assert later.state == RoundState.CLOSED
    events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("round.%ed"))).all()
    opened_or_closed = [
        (e.action, e.detail["round_id"], e.detail.get("before"), e.actor_id)
        for e in events
        if e.action != "round.created"
    ]
    assert opened_or_closed == [
        ("round.opened", later.id, "scheduled", admin.id),
        ("round.opened", past.id, "closed", admin.id),
        ("round.closed", later.id, "open", admin.id),
    ]
    # Opening a scheduled round early is no closing; closing it is.
    assert len(round_closings(session, later.id)) == 1


def test_create_round_refusals(
    session: Session, create_round: Callable[..., Round], create_user: Callable[..., User]
) -> None:
    create_round("2025")
    with pytest.raises(InvalidInput, match="already exists"):
        rounds.create_round(
            session, name="2025", instrument_id="sm-policing-maturity", instrument_version="1.0.0"
        )
    with pytest.raises(InvalidInput, match="ends"):
        rounds.create_round(
            session,
            name="2027",
            instrument_id="sm-policing-maturity",
            instrument_version="1.0.0",
            starts_on=date(2027, 5, 1),
            ends_on=date(2027, 1, 1),
        )
    with pytest.raises(NotFound, match=r"versions: 1\.0\.0"):
        rounds.create_round(
            session, name="2027", instrument_id="sm-policing-maturity", instrument_version="9.9.9"
        )
    with pytest.raises(Forbidden):
        rounds.create_round(
            session,
            name="2027",
            instrument_id="sm-policing-maturity",
            instrument_version="1.0.0",
            actor=create_user(role=Role.CONSULTANT),
        )


def test_open_rounds_are_listed_newest_first(
    session: Session, create_round: Callable[..., Round], create_user: Callable[..., User]
) -> None:
    assert rounds.open_rounds(session) == []
    first = create_round("2025")
    second = create_round("2026")
    assert [r.id for r in rounds.open_rounds(session)] == [second.id, first.id]
    admin = create_user(role=Role.ADMIN)
    rounds.set_round_open(session, round_id=second.id, is_open=False, actor=admin)
    assert [r.id for r in rounds.open_rounds(session)] == [first.id]
    with pytest.raises(Forbidden):
        rounds.set_round_open(
            session, round_id=first.id, is_open=False, actor=create_user(role=Role.LEAD)
        )


def test_find_round_by_name_or_id(session: Session, create_round: Callable[..., Round]) -> None:
    created = create_round("2024")
    assert rounds.find_round(session, "2024").id == created.id
    assert rounds.find_round(session, created.id).id == created.id
    with pytest.raises(NotFound, match="rounds: 2024"):
        rounds.find_round(session, "2030")


def test_an_agencys_rounds_open_first_then_scheduled_then_its_closed_ones(
    session: Session,
    create_round: Callable[..., Round],
    create_agency: Callable[..., Agency],
) -> None:
    agency = create_agency()
    took_part = create_round("2024", starts_on=TODAY - 400 * DAY, ends_on=TODAY - 300 * DAY)
    create_round("2025", starts_on=TODAY - 200 * DAY, ends_on=TODAY - 100 * DAY)  # skipped
    later = create_round("2028", starts_on=TODAY + 5 * DAY, ends_on=TODAY + 60 * DAY)
    far = create_round("2027", starts_on=TODAY - 5 * DAY, ends_on=TODAY + 90 * DAY)
    near = create_round("2026", starts_on=TODAY - 50 * DAY, ends_on=TODAY + 2 * DAY)
    draft = assessments.start_assessment(session, agency_id=agency.id, round_id=near.id, actor=None)
    rounds.set_round_open(session, round_id=took_part.id, is_open=True, actor=None)
    old = assessments.start_assessment(
        session, agency_id=agency.id, round_id=took_part.id, actor=None
    )
    rounds.set_round_open(session, round_id=took_part.id, is_open=False, actor=None)
    rows = agency_rounds(session, agency.id)
    assert [(r.round.name, r.assessment) for r in rows] == [
        ("2026", draft),
        ("2027", None),
        ("2028", None),
        ("2024", old),
    ]
    assert [r.round.state for r in rows] == [OPEN, OPEN, RoundState.SCHEDULED, CLOSED]
    assert later.days_left is None and far.days_left == 91


def test_a_round_that_closes_by_its_date_refuses_saves_whole(
    session: Session,
    create_round: Callable[..., Round],
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
) -> None:
    agency = create_agency()
    lead = create_user(role=Role.LEAD, agency=agency)
    current = create_round("2026", starts_on=TODAY - 10 * DAY, ends_on=TODAY)
    draft = assessments.start_assessment(
        session, agency_id=agency.id, round_id=current.id, actor=lead
    )
    current.ends_on = TODAY - DAY  # midnight passed
    session.commit()
    answer = Answer("policy.written-policy", "fully", comment="typed")
    with pytest.raises(RoundClosed, match="round 2026 is closed, so nothing was saved"):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={answer.practice_id: answer},
            actor=lead,
        )
    session.expire_all()
    assert (draft.revision, draft.answers) == (0, [])


def test_nothing_starts_in_a_scheduled_round(
    session: Session, create_round: Callable[..., Round], create_agency: Callable[..., Agency]
) -> None:
    agency = create_agency()
    later = create_round("2027", starts_on=TODAY + DAY)
    with pytest.raises(RoundClosed, match="round 2027 is scheduled; no assessment can be started"):
        assessments.start_assessment(session, agency_id=agency.id, round_id=later.id, actor=None)

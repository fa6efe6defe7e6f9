"""Rounds: creation on a catalog instrument, opening and closing, lookup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from assessment.services import rounds
from assessment.services.errors import Forbidden, InvalidInput, NotFound
from assessment.store.models import Role, Round, User


def test_create_round_keeps_the_instrument_version(session: Session) -> None:
    created = rounds.create_round(
        session,
        name=" 2026 ",
        instrument_id="sm-policing-maturity",
        instrument_version="1.0.0",
        starts_on=date(2026, 1, 15),
        ends_on=date(2026, 4, 30),
    )
    assert (created.name, created.instrument_id, created.instrument_version) == (
        "2026",
        "sm-policing-maturity",
        "1.0.0",
    )
    assert created.is_open


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


def test_open_round_is_the_latest_open_one(
    session: Session, create_round: Callable[..., Round], create_user: Callable[..., User]
) -> None:
    assert rounds.open_round(session) is None
    first = create_round("2025")
    second = create_round("2026")
    found = rounds.open_round(session)
    assert found is not None and found.id == second.id
    admin = create_user(role=Role.ADMIN)
    rounds.set_round_open(session, round_id=second.id, is_open=False, actor=admin)
    found = rounds.open_round(session)
    assert found is not None and found.id == first.id
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

"""Rounds and agencies named by id: numbers no row can have are simply not found."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from assessment.services import rounds
from assessment.services.errors import NotFound
from assessment.store.ids import MAX_ID
from assessment.store.models import Round


@pytest.mark.parametrize("reference", [str(MAX_ID + 1), str(2**63), "9" * 30, "²"])
def test_a_round_id_beyond_any_row_is_not_found(
    session: Session, create_round: Callable[..., Round], reference: str
) -> None:
    create_round("2025")
    with pytest.raises(NotFound, match="rounds: 2025"):
        rounds.find_round(session, reference)


def test_a_round_is_still_found_by_its_id_text(
    session: Session, create_round: Callable[..., Round]
) -> None:
    created = create_round("2025")
    assert rounds.find_round(session, f" {created.id} ").id == created.id

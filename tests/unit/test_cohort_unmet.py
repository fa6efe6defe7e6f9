"""What a cohort should work on next: no count that singles out fewer than K agencies."""

from __future__ import annotations

import pytest

from assessment.domain.model.instrument import Instrument
from assessment.queries.instruments import default_catalog
from assessment.reporting.cohort import PracticeTally, most_unmet

K = 5


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return default_catalog().get("sm-policing-maturity@1.0.0")


@pytest.mark.parametrize(
    ("unmet", "applicable", "listed"),
    [
        (6, 6, True),  # nobody meets it: says nothing of any one agency
        (5, 6, False),  # would say exactly one agency meets it
        (5, 10, True),
        (4, 10, False),  # four agencies fail it: fewer than K
        (6, 10, False),  # four meet it
        (4, 4, False),  # applies to fewer than K
    ],
)
def test_a_practice_is_listed_only_when_both_sides_hold_k_agencies(
    instrument: Instrument, unmet: int, applicable: int, listed: bool
) -> None:
    practice = next(p for p in instrument.practices() if p.level == 2)
    typical = {d.id: 2 for d in instrument.dimensions}

    found = most_unmet(instrument, {practice.id: PracticeTally(applicable, unmet)}, typical, K)

    assert bool(found) is listed

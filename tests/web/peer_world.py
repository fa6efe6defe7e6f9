"""A small world of peer agencies for benchmark pages and API tests, made through services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.services.rounds import set_round_open
from assessment.store.models import Agency, Role, Round, User
from tests.peer_data import submit_at

# Seven regional agencies in two countries, at different maturity caps.
PEERS = [
    ("Harbour Police", "NL", 2),
    ("Polder Police", "NL", 3),
    ("Dune Police", "NL", 4),
    ("Canal Police", "NL", 5),
    ("Ardennes Police", "BE", 1),
    ("Scheldt Police", "BE", 3),
    ("Meuse Police", "BE", 4),
]


@dataclass(frozen=True)
class Peers:
    """The seeded agencies, two rounds, and users to look at them."""

    agencies: dict[str, Agency]
    earlier: Round
    latest: Round
    consultant: User
    lead: User  # lead of Canal Police
    newcomer_lead: User  # lead of an agency that has submitted nothing

    def names(self) -> list[str]:
        """Every agency name."""
        return list(self.agencies)


def seed_peers(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
    create_user: Callable[..., User],
) -> Peers:
    """Seven agencies submitted in 2025; Canal Police also in 2024, at a lower cap.

    Both rounds are closed afterwards: only closed rounds publish peer statistics.
    """
    earlier, latest = create_round("2024"), create_round("2025")
    agencies = {
        name: create_agency(name=name, country=country, agency_type="regional")
        for name, country, _ in PEERS
    }
    submit_at(session, agencies["Canal Police"], earlier, 3)
    for name, _, cap in PEERS:
        submit_at(session, agencies[name], latest, cap)
    for round_ in (earlier, latest):
        set_round_open(session, round_id=round_.id, is_open=False, actor=None)
    newcomer = create_agency(name="Newcomer Police", country="DE", agency_type="local")
    return Peers(
        agencies=agencies,
        earlier=earlier,
        latest=latest,
        consultant=create_user(Role.CONSULTANT),
        lead=create_user(Role.LEAD, agency=agencies["Canal Police"]),
        newcomer_lead=create_user(Role.LEAD, agency=newcomer),
    )

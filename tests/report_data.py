"""A small population for report tests: peers, two rounds, answers with evidence comments."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.services import accounts, rounds
from assessment.store.models import Agency, Round
from tests.peer_data import instrument_of_round, submit

PEERS = 6
INSTRUMENT_ID = "sm-policing-maturity"
INSTRUMENT_VERSION = "1.0.0"
EVIDENCE = (
    "Approved by the chief officer in March; the register lists every account.",
    "Training records are kept by HR and reviewed twice a year.",
    "",
    "",
)


@dataclass(frozen=True)
class ReportWorld:
    """The reported agency, its peers and the rounds 2024 (earlier) and 2025 (reported)."""

    agency: Agency
    peers: tuple[Agency, ...]
    earlier: Round
    current: Round
    instrument: Instrument


def varied_answers(
    instrument: Instrument, seed: int, comments: Mapping[str, str] | None = None
) -> dict[str, Answer]:
    """Every practice answered with a seeded random option; some with evidence comments."""
    unknown = set(comments or {}) - {practice.id for practice in instrument.practices()}
    if unknown:
        raise ValueError(f"comments for practices not in {instrument.key}: {sorted(unknown)}")
    rng = random.Random(seed)
    answers = {}
    for practice in instrument.practices():
        option = rng.choice(practice.answer_set.options).id
        comment = (comments or {}).get(practice.id, rng.choice(EVIDENCE))
        answers[practice.id] = Answer(practice.id, option, comment=comment)
    return answers


def build_report_world(
    session: Session, *, comments: Mapping[str, str] | None = None, name: str = "North Police"
) -> ReportWorld:
    """Seven regional agencies submitted in 2025; the reported one also in 2024 (both closed)."""
    earlier = _round(session, "2024")
    instrument = instrument_of_round(earlier)
    agency = accounts.create_agency(
        session, name=name, country="NL", agency_type="regional", size_band="250-999"
    )
    submit(session, agency, earlier, varied_answers(instrument, 1))
    rounds.set_round_open(session, round_id=earlier.id, is_open=False, actor=None)
    current = _round(session, "2025")
    lead = accounts.create_user(
        session, email=lead_email(agency), password=None, role="lead", agency_id=agency.id
    )
    submit(session, agency, current, varied_answers(instrument, 2, comments), answered_by=lead)
    peers = []
    for number in range(PEERS):
        peer = accounts.create_agency(
            session,
            name=f"Peer Police {number + 1:02d}",
            country="NL" if number % 2 else "BE",
            agency_type="regional",
            size_band="250-999",
        )
        submit(session, peer, current, varied_answers(instrument, 100 + number))
        peers.append(peer)
    # Only closed rounds publish peer statistics.
    rounds.set_round_open(session, round_id=current.id, is_open=False, actor=None)
    return ReportWorld(agency, tuple(peers), earlier, current, instrument)


def lead_email(agency: Agency) -> str:
    """The address of the lead who answered the agency's reported round."""
    return f"lead{agency.id}@north.example"


def _round(session: Session, name: str) -> Round:
    return rounds.create_round(
        session, name=name, instrument_id=INSTRUMENT_ID, instrument_version=INSTRUMENT_VERSION
    )

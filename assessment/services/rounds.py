"""Assessment rounds: every agency answers one instrument version per round.

A round's state follows its dates; administrators open or close it early (audited as
`round.opened` and `round.closed`). The rule is `assessment.domain.rules.schedule`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.rules.schedule import RoundState
from assessment.queries.instruments import instrument_for
from assessment.queries.rounds import rounds_in_order
from assessment.services import audit
from assessment.services.errors import InvalidInput, NotFound
from assessment.services.permissions import can_manage_accounts, require_system_or
from assessment.store.ids import id_from_text
from assessment.store.models import Round, User, utcnow


def create_round(
    session: Session,
    *,
    name: str,
    instrument_id: str,
    instrument_version: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    actor: User | None = None,
    catalog: InstrumentCatalog | None = None,
) -> Round:
    """Create a round on an instrument version from the catalog (admins only).

    It opens on `starts_on` (at once without one) and closes after `ends_on`.
    """
    require_system_or(actor, can_manage_accounts(actor), "Only administrators create rounds.")
    label = " ".join(name.split())
    errors: dict[str, str] = {}
    if not label or len(label) > 100:
        errors["name"] = "give the round a name of 1 to 100 characters, e.g. 2026"
    elif session.scalar(select(Round.id).where(func.lower(Round.name) == label.lower())):
        errors["name"] = f"a round named {label!r} already exists"
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = f"the round ends ({ends_on}) before it starts ({starts_on})"
    if errors:
        raise InvalidInput(errors)
    instrument = instrument_for(instrument_id, instrument_version, catalog)
    round_ = Round(
        name=label,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(round_)
    session.flush()
    audit.record(
        session,
        "round.created",
        actor=actor,
        round_id=round_.id,
        name=label,
        state=round_.state.value,
    )
    session.commit()
    return round_


def set_round_open(session: Session, *, round_id: int, is_open: bool, actor: User | None) -> Round:
    """Open or close a round now, ahead of its dates (admins only); audited.

    A closed round accepts no answers. The decision holds until the next date of the
    round's schedule passes (see `assessment.domain.rules.schedule`).
    """
    require_system_or(
        actor, can_manage_accounts(actor), "Only administrators open and close rounds."
    )
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    before = round_.state
    if round_.is_open != is_open:
        round_.decided_state = RoundState.OPEN if is_open else RoundState.CLOSED
        round_.decided_at = utcnow()
        action = "round.opened" if is_open else "round.closed"
        audit.record(session, action, actor=actor, round_id=round_id, before=before.value)
        session.commit()
    return round_


def open_rounds(session: Session) -> list[Round]:
    """The rounds taking answers today, newest first."""
    return [r for r in reversed(rounds_in_order(session)) if r.is_open]


def find_round(session: Session, ref: str | int) -> Round:
    """The round with this name or id (names first: rounds are called 2024, 2025...)."""
    text = str(ref).strip()
    found = session.scalar(select(Round).where(Round.name == text))
    round_id = id_from_text(text)
    if found is None and round_id is not None:
        found = session.get(Round, round_id)
    if found is None:
        names = session.scalars(select(Round.name).order_by(Round.created_at, Round.id)).all()
        known = ", ".join(names) if names else "there are no rounds yet"
        raise NotFound(f"there is no round {text!r}; rounds: {known}")
    return found

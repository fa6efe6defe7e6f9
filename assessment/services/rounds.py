"""Assessment rounds: every agency answers one instrument version per round."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.queries.instruments import instrument_for
from assessment.services import audit
from assessment.services.errors import InvalidInput, NotFound
from assessment.services.permissions import can_manage_accounts, require_system_or
from assessment.store.ids import id_from_text
from assessment.store.models import Round, User


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
    """Open a new round on an instrument version from the catalog (admins only)."""
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
        is_open=True,
    )
    session.add(round_)
    session.flush()
    audit.record(session, "round.created", actor=actor, round_id=round_.id, name=label)
    session.commit()
    return round_


def set_round_open(session: Session, *, round_id: int, is_open: bool, actor: User | None) -> Round:
    """Open or close a round (admins only); a closed round accepts no answers."""
    require_system_or(
        actor, can_manage_accounts(actor), "Only administrators open and close rounds."
    )
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    if round_.is_open != is_open:
        round_.is_open = is_open
        action = "round.opened" if is_open else "round.closed"
        audit.record(session, action, actor=actor, round_id=round_id)
        session.commit()
    return round_


def open_round(session: Session) -> Round | None:
    """The most recently created round that is open, or None."""
    return session.scalar(
        select(Round)
        .where(Round.is_open.is_(True))
        .order_by(Round.created_at.desc(), Round.id.desc())
    )


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

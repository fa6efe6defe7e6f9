"""Instruments: the bundled catalog and the version a round or assessment was made with."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.loading.loader import InstrumentError
from assessment.domain.model.instrument import Instrument
from assessment.resources import questionnaires_dir
from assessment.services.errors import NotFound

if TYPE_CHECKING:
    # Only annotations: the CLI's instrument commands then start without SQLAlchemy.
    from assessment.store.models import Assessment, Round


@cache
def default_catalog() -> InstrumentCatalog:
    """The bundled instruments, shared by the whole process so parsing happens once."""
    return InstrumentCatalog(questionnaires_dir())


def instrument_for(
    instrument_id: str, version: str, catalog: InstrumentCatalog | None = None
) -> Instrument:
    """The instrument `id@version` from the catalog (the bundled one by default)."""
    try:
        return (catalog or default_catalog()).get(f"{instrument_id}@{version}")
    except LookupError as error:
        raise NotFound(
            f"questionnaire {instrument_id}@{version} is not available: {error}"
        ) from None
    except InstrumentError as error:
        raise NotFound(f"the questionnaires cannot be read: {error}") from None


def instrument_of(assessment: Assessment, catalog: InstrumentCatalog | None = None) -> Instrument:
    """The instrument version the assessment is answered with."""
    return instrument_for(assessment.instrument_id, assessment.instrument_version, catalog)


def round_instrument(round_: Round, catalog: InstrumentCatalog | None = None) -> Instrument | None:
    """The round's instrument version, or None when the catalog no longer has it."""
    try:
        return instrument_for(round_.instrument_id, round_.instrument_version, catalog)
    except NotFound:
        return None


def round_levels(round_: Round, catalog: InstrumentCatalog | None = None) -> list[int]:
    """The level numbers of the round's instrument (empty when it cannot be read)."""
    instrument = round_instrument(round_, catalog)
    return [level.number for level in instrument.levels] if instrument else []

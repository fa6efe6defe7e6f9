"""Resolving the instrument an assessment or round was made with."""

from __future__ import annotations

from assessment.catalog import default_catalog
from assessment.domain.catalog import InstrumentCatalog
from assessment.domain.instrument import Instrument
from assessment.domain.loader import InstrumentError
from assessment.services.errors import NotFound


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

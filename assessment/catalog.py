"""The catalog of the instruments bundled with the product."""

from __future__ import annotations

from functools import cache

from assessment.domain.catalog import InstrumentCatalog
from assessment.resources import questionnaires_dir


@cache
def default_catalog() -> InstrumentCatalog:
    """The bundled instruments, shared by the whole process so parsing happens once."""
    return InstrumentCatalog(questionnaires_dir())

"""The instrument catalog the web app reads (INSTRUMENT_DIR, the bundled one by default)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.presentation.labels import FigureNames
from assessment.queries.instruments import default_catalog, round_instrument
from assessment.resources import questionnaires_dir
from assessment.store.models import Round

_EXTENSION = "assessment.catalog"


def init_catalog(app: Flask) -> None:
    """Attach the catalog of the configured instrument folder to `app`."""
    folder = Path(app.config["INSTRUMENT_DIR"]).resolve()
    # The bundled catalog is shared process-wide so instruments are parsed only once.
    bundled = folder == questionnaires_dir().resolve()
    app.extensions[_EXTENSION] = default_catalog() if bundled else InstrumentCatalog(folder)


def web_catalog() -> InstrumentCatalog:
    """The current app's instrument catalog."""
    catalog: InstrumentCatalog = current_app.extensions[_EXTENSION]
    return catalog


def names_for(round_: Round) -> FigureNames:
    """The figure and level names of the round's instrument."""
    return FigureNames(round_instrument(round_, web_catalog()))

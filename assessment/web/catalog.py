"""The instrument catalog the web app reads (INSTRUMENT_DIR, the bundled one by default)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.presentation.labels import FigureNames, points
from assessment.presentation.profiles import (
    SYNTHETIC_NOTE,
    country_name,
    country_peers_note,
    describe_group,
    jurisdiction_label,
    option_label,
    record_label,
)
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


def profile_word(question_id: str, value: str | None) -> str:
    """A profile code in words: the agency record's words ("National force"), else the
    newest instrument that knows it; looked up once per request and code."""
    if not value:
        return ""
    if (record_words := record_label(question_id, value)) is not None:
        return record_words
    words: dict[tuple[str, str], str] = g.setdefault("profile_words", {})
    key = (question_id, value)
    if key not in words:
        words[key] = next(
            (
                label
                for instrument in reversed(web_catalog().all())
                if (label := option_label(instrument, question_id, value)) != value
            ),
            value,
        )
    return words[key]


def install_profile_filters(app: Flask) -> None:
    """Jinja filters for people: profiles in words (country, agency type, size, peer
    group) and `points`, the one rounding rule of displayed figures."""
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["points"] = points
    app.jinja_env.filters["agency_type_label"] = lambda value: profile_word("agency_type", value)
    app.jinja_env.filters["size_band_label"] = lambda value: profile_word("size_band", value)
    app.jinja_env.filters["policing_model_label"] = lambda value: (
        profile_word("policing_model", value) or "Not stated"
    )
    app.jinja_env.filters["jurisdiction_label"] = jurisdiction_label
    app.jinja_env.globals["synthetic_note"] = SYNTHETIC_NOTE
    app.jinja_env.filters["country_peers_note"] = lambda agency: country_peers_note(
        agency.country, agency.agency_type
    )
    app.jinja_env.filters["group_title"] = lambda group: describe_group(
        group,
        lambda code: profile_word("agency_type", code),
        lambda code: profile_word("size_band", code),
    )

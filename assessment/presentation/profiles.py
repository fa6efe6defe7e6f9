"""An agency's profile in words: countries, agency types, workforce bands, jurisdictions
and policing models.

Profile values are stored as codes (`NL`, `gendarmerie`, `1000-4999`); a reader sees
"Netherlands", "Gendarmerie or military-status force" and "1,000 to 4,999 staff". The
agency record's codes (`assessment.domain.model.agency_profile`) have their words here;
other codes take the instrument's option label, and a code nobody knows is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from assessment.domain.model.agency_profile import (
    AGENCY_TYPES,
    EEA_STATES,
    JURISDICTIONS,
    POLICING_MODELS,
    WORKFORCE_BANDS,
    has_country_peers_of_type,
    jurisdiction_of,
)
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.benchmark import PeerGroup

COUNTRY_NAMES = {
    "AD": "Andorra",
    "AL": "Albania",
    "AT": "Austria",
    "AU": "Australia",
    "BA": "Bosnia and Herzegovina",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CA": "Canada",
    "CH": "Switzerland",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "GR": "Greece",
    "HR": "Croatia",
    "HU": "Hungary",
    "IE": "Ireland",
    "IS": "Iceland",
    "IT": "Italy",
    "LI": "Liechtenstein",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "MT": "Malta",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "RS": "Serbia",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovakia",
    "SM": "San Marino",
    "TR": "Türkiye",
    "UA": "Ukraine",
    "US": "United States",
    "XK": "Kosovo",
}
"""English short names of the countries most agencies come from (ISO 3166-1 alpha-2)."""


AGENCY_TYPE_LABELS = {
    "national": "National force",
    "regional": "Regional or state force",
    "local": "Local or municipal police",
    "gendarmerie": "Gendarmerie or military-status force",
    "national-unit": "Unit of a national force",
    "specialist": "Specialist force",
}
WORKFORCE_BAND_LABELS = {
    "under-250": "Under 250 staff",
    "250-999": "250 to 999 staff",
    "1000-4999": "1,000 to 4,999 staff",
    "5000-19999": "5,000 to 19,999 staff",
    "20000-plus": "20,000 staff or more",
}
JURISDICTION_LABELS = {"eu": "EU or EEA state", "uk": "United Kingdom", "other": "Other"}
POLICING_MODEL_LABELS = {
    "single-national": "One national police service",
    "dual": "Civil police beside a gendarmerie",
    "regional": "Regional or state forces",
    "mixed": "National, regional and local forces",
}
PROFILE_LABELS = {
    "agency_type": AGENCY_TYPE_LABELS,
    "size_band": WORKFORCE_BAND_LABELS,
    "jurisdiction": JURISDICTION_LABELS,
    "policing_model": POLICING_MODEL_LABELS,
}
"""Agency-record field -> code -> words; every code of the record has its words."""

_CODES = {
    "agency_type": AGENCY_TYPES,
    "size_band": WORKFORCE_BANDS,
    "jurisdiction": JURISDICTIONS,
    "policing_model": POLICING_MODELS,
}


def record_choices(field: str) -> list[tuple[str, str]]:
    """(code, words) of an agency-record field, in the vocabulary's order (for forms)."""
    return [(code, PROFILE_LABELS[field][code]) for code in _CODES[field]]


def record_label(field: str, code: str) -> str | None:
    """The words of an agency-record code, or None when the field or code is not the record's."""
    return PROFILE_LABELS.get(field, {}).get(code)


def jurisdiction_label(country: str) -> str:
    """The legal regime of the country in words ("EU or EEA state")."""
    return JURISDICTION_LABELS[jurisdiction_of(country)]


SYNTHETIC_NOTE = (
    "Synthetic, illustrative demonstration data: a fictitious agency that describes no"
    " real force or country."
)
"""Said wherever a synthetic (demo) agency or its figures are shown."""

SYNTHETIC_GROUP_NOTE = (
    "Synthetic, illustrative demonstration data: the group holds fictitious agencies that"
    " describe no real force or country."
)


def country_name(code: str) -> str:
    """The country's English name, or the code itself when it is not in the list."""
    return COUNTRY_NAMES.get(code.upper(), code)


def option_label(instrument: Instrument | None, question_id: str, value: str) -> str:
    """The words of a profile answer: the record's words for its codes, else the label of
    the instrument's option, else the value itself."""
    if (words := record_label(question_id, value)) is not None:
        return words
    question = instrument.profile_question(question_id) if instrument else None
    options = question.options if question is not None else ()
    return next((str(option.label) for option in options if option.id == value), value)


def type_label(instrument: Instrument | None, agency_type: str) -> str:
    """The agency type in words ("National force")."""
    return option_label(instrument, "agency_type", agency_type)


def size_label(instrument: Instrument | None, size_band: str) -> str:
    """The workforce band in words ("1,000 to 4,999 staff")."""
    return option_label(instrument, "size_band", size_band)


def profile_line(instrument: Instrument, country: str, agency_type: str, size_band: str) -> str:
    """The profile in one line:
    "Netherlands (EU member state) · National force · workforce: 20,000 staff or more"."""
    regime = _regime_after_country(country)
    return (
        f"{country_name(country)}{f' ({regime})' if regime else ''}"
        f" · {type_label(instrument, agency_type)} · workforce: {size_label(instrument, size_band)}"
    )


def _regime_after_country(country: str) -> str:
    """What follows the country's name: "EU member state", "EEA state", nothing for the UK."""
    if country.strip().upper() in EEA_STATES:
        return "EEA state"
    return _REGIME_AFTER_COUNTRY[jurisdiction_of(country)]


_REGIME_AFTER_COUNTRY = {
    "eu": "EU member state",
    "uk": "",
    "other": "outside the EU, the EEA and the UK",
}


def country_peers_note(country: str, agency_type: str) -> str | None:
    """Why a national force has no peers of its type at home, or None for other types."""
    if has_country_peers_of_type(agency_type):
        return None
    name = country_name(country)
    return (
        f"A country has one national force, so no other national force in {name} can be"
        " a peer: the peers of the same type are the national forces of other countries,"
        f" and the same-country group holds the other agencies of {name}."
    )


def group_title(instrument: Instrument, group: PeerGroup) -> str:
    """A peer group as a title (see `describe_group`)."""
    return describe_group(
        group, lambda code: type_label(instrument, code), lambda code: size_label(instrument, code)
    )


def describe_group(
    group: PeerGroup, type_word: Callable[[str], str], size_word: Callable[[str], str]
) -> str:
    """A peer group in words, given how to say an agency type and a workforce band:
    "Agencies of type local or municipal police in Belgium with 250 to 999 staff"."""
    if not group.filters:
        return "All agencies"
    title = "Agencies"
    if group.agency_type:
        title += f" of type {_lower_first(type_word(group.agency_type))}"
    if group.country:
        title += f" in {country_name(group.country)}"
    if group.size_band:
        title += f" with {_lower_first(size_word(group.size_band))}"
    return title


def _lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]

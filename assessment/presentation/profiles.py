"""An agency's profile in words: country names and the instrument's own option labels.

Profile values are stored as codes (`NL`, `national`, `10000-plus`); a reader sees
"Netherlands", "National" and "10,000 or more". Labels come from the instrument's
profile questions; a code the instrument does not know is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable

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


def country_name(code: str) -> str:
    """The country's English name, or the code itself when it is not in the list."""
    return COUNTRY_NAMES.get(code.upper(), code)


def option_label(instrument: Instrument, question_id: str, value: str) -> str:
    """The label of a profile question's option, or the value itself."""
    question = instrument.profile_question(question_id)
    options = question.options if question is not None else ()
    return next((str(option.label) for option in options if option.id == value), value)


def type_label(instrument: Instrument, agency_type: str) -> str:
    """The agency type in words ("National")."""
    return option_label(instrument, "agency_type", agency_type)


def size_label(instrument: Instrument, size_band: str) -> str:
    """The size band in words ("10,000 or more")."""
    return option_label(instrument, "size_band", size_band)


def profile_line(instrument: Instrument, country: str, agency_type: str, size_band: str) -> str:
    """The profile in one line: "Netherlands · National agency · size: 10,000 or more"."""
    return (
        f"{country_name(country)} · {type_label(instrument, agency_type)} agency"
        f" · size: {size_label(instrument, size_band)}"
    )


def group_title(instrument: Instrument, group: PeerGroup) -> str:
    """A peer group as a title: "Regional agencies in Belgium, size: 100 to 999 ..."."""
    return describe_group(
        group, lambda code: type_label(instrument, code), lambda code: size_label(instrument, code)
    )


def describe_group(
    group: PeerGroup, type_word: Callable[[str], str], size_word: Callable[[str], str]
) -> str:
    """A peer group in words, given how to say an agency type and a size band."""
    title = f"{type_word(group.agency_type) if group.agency_type else 'All'} agencies"
    if group.country:
        title += f" in {country_name(group.country)}"
    if group.size_band:
        title += f", size: {size_word(group.size_band)}"
    return title

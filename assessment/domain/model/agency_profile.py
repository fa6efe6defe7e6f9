"""The facts about an agency that peer groups are built from, as codes, for Europe.

An agency record holds its country, its type, its workforce band (total staff, sworn and
civilian, not sworn officers alone) and its policing model; its jurisdiction (EU or EEA
state, United Kingdom or other) follows from the country. The words for each code live in
`assessment.presentation.profiles`.

Records stored before these codes (the types `national`, `regional`, `local`, `specialist`
and the sworn-officer bands `under-100` to `10000-plus`) were moved by migration 0012,
which documents the mapping; the old codes are kept in the agency's profile under
`migrated_from`.
"""

from __future__ import annotations

AGENCY_TYPES = (
    "national",
    "regional",
    "local",
    "gendarmerie",
    "national-unit",
    "specialist",
)
"""National force, regional or state force, local or municipal police, gendarmerie or
military-status force, unit of a national force, specialist force."""

WORKFORCE_BANDS = ("under-250", "250-999", "1000-4999", "5000-19999", "20000-plus")
"""Total staff (police officers and civilian staff), smallest first."""

POLICING_MODELS = ("single-national", "dual", "regional", "mixed")
"""How policing is organised where the agency works: one national police service; a
civil police beside a gendarmerie; regional or state forces; national, regional and
local forces side by side. An empty model means not stated."""

JURISDICTIONS = ("eu", "uk", "other")
"""The legal regime: EU or EEA state (the GDPR applies), United Kingdom, other."""

EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
"""The 27 member states of the European Union (ISO 3166-1 alpha-2; Greece as GR)."""

EEA_STATES = frozenset({"IS", "LI", "NO"})
"""The EEA states outside the EU, which apply the GDPR through the EEA Agreement."""

UNITED_KINGDOM = "GB"


def jurisdiction_of(country: str) -> str:
    """The legal regime of a country code: `eu` (EU or EEA state), `uk` or `other`."""
    code = country.strip().upper()
    if code in EU_MEMBER_STATES or code in EEA_STATES:
        return "eu"
    return "uk" if code == UNITED_KINGDOM else "other"


def has_country_peers_of_type(agency_type: str) -> bool:
    """False for a national force: there is one per country, so none to compare with at home."""
    return agency_type != "national"

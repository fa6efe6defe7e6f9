"""The legal regime a country's police work under, as instrument 2.0.0's profile asks it.

Only the certain cases are derived: the 27 EU member states are `eu` and the United
Kingdom (`GB`) is `uk`. Any other country (including EEA and Swiss forces, whose position
differs by act) gets no derived answer: its lead chooses on the profile page.
"""

from __future__ import annotations

REGIME_QUESTION = "jurisdiction"
EU_MEMBER_STATES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)


def legal_regime(country: str) -> str | None:
    """`eu`, `uk`, or None when the country alone does not settle it."""
    code = country.strip().upper()
    if code in EU_MEMBER_STATES:
        return "eu"
    if code == "GB":
        return "uk"
    return None

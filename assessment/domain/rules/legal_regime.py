"""The legal regime a country's police work under, as instrument 2.0.0's profile asks it.

Only the certain cases are derived: the 27 EU member states and the EEA states Norway,
Iceland and Liechtenstein (the GDPR applies through the EEA Agreement) are `eu`, and the
United Kingdom (`GB`) is `uk`. Any other country (Switzerland included, whose position
differs by act) gets no derived answer: its lead chooses on the profile page.
"""

from __future__ import annotations

from assessment.domain.model.agency_profile import jurisdiction_of

REGIME_QUESTION = "jurisdiction"


def legal_regime(country: str) -> str | None:
    """`eu`, `uk`, or None when the country alone does not settle it."""
    regime = jurisdiction_of(country)
    return None if regime == "other" else regime

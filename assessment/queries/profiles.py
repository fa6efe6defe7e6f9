"""Profiles: an assessment's answers to its questionnaire's profile questions.

One function gives an assessment's profile (`assessment_profile`, or `assessment_profiles`
for many at once); every score, progress count, roadmap and page uses it, because
conditions on the profile decide which practices apply. The stored answers
(`assessment.profile`) come first; a question the questionnaire asks under the id
`country`, `agency_type` or `size_band` that has no stored answer takes the agency's
record, when that value fits the question; a `jurisdiction` question takes the legal
regime the agency's country settles (see `domain.rules.legal_regime`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.record_profile import agency_answers
from assessment.domain.rules.scoring import Profile
from assessment.store.models import Agency, Assessment

_CHUNK = 5000  # SQLite allows 32,766 bound parameters, PostgreSQL 65,535


def effective_profile(
    instrument: Instrument, stored: Mapping[str, object] | None, agency: Mapping[str, object]
) -> dict[str, object]:
    """The stored answers to the instrument's questions, completed from the agency's record."""
    profile = {
        question.id: value
        for question in instrument.profile
        if (value := (stored or {}).get(question.id)) not in (None, "", [])
    }
    for question_id, value in agency.items():
        profile.setdefault(question_id, value)
    return profile


def assessment_profile(assessment: Assessment, instrument: Instrument) -> Profile:
    """The assessment's profile answers (see the module docstring)."""
    agency = assessment.agency
    defaults = agency_answers(instrument, agency.country, agency.agency_type, agency.size_band)
    return effective_profile(instrument, assessment.profile, defaults)


def assessment_profiles(
    session: Session, instruments: Mapping[int, Instrument], ids: Iterable[int] | None = None
) -> dict[int, Profile]:
    """The profiles of many assessments at once, keyed by assessment id.

    `instruments` gives each assessment's instrument; `ids` defaults to its keys.
    """
    wanted = list(instruments if ids is None else ids)
    found: dict[int, Profile] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(
                Assessment.id,
                Assessment.profile,
                Agency.country,
                Agency.agency_type,
                Agency.size_band,
            )
            .join(Agency, Agency.id == Assessment.agency_id)
            .where(Assessment.id.in_(wanted[start : start + _CHUNK]))
        )
        for assessment_id, stored, country, agency_type, size_band in rows:
            instrument = instruments[assessment_id]
            defaults = agency_answers(instrument, country, agency_type, size_band)
            found[assessment_id] = effective_profile(instrument, stored, defaults)
    return found

"""Profile answers taken from an agency's record, for questions the questionnaire asks
under the record's own ids.

A question with the id `country`, `agency_type` or `size_band` that an assessment has not
answered takes the agency's record, when that value fits the question: a type the
questionnaire does not offer is left out, and the questionnaire asks it instead. A
`jurisdiction` question takes the legal regime the country settles, where it settles one
(`domain.rules.legal_regime`).
"""

from __future__ import annotations

from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.answer_check import check_profile
from assessment.domain.rules.legal_regime import REGIME_QUESTION, legal_regime

AGENCY_FIELDS = ("country", "agency_type", "size_band")
"""Profile question ids answered from the agency's record when the assessment has none."""


def agency_answers(
    instrument: Instrument, country: str, agency_type: str, size_band: str
) -> dict[str, object]:
    """The agency record's values for the instrument's questions of the same ids, where
    they fit the question."""
    record: dict[str, str | None] = dict(
        zip(AGENCY_FIELDS, (country, agency_type, size_band), strict=True)
    )
    record[REGIME_QUESTION] = legal_regime(country) if country else None
    return {
        question_id: value
        for question_id, value in record.items()
        if value
        and instrument.profile_question(question_id) is not None
        and not check_profile(instrument, {question_id: value})
    }

"""The legal regime derived from an agency's country, and its use as a profile answer."""

from __future__ import annotations

import pytest

from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.agency_profile import EU_MEMBER_STATES
from assessment.domain.rules.legal_regime import legal_regime
from assessment.queries.profiles import agency_answers, effective_profile
from assessment.resources import questionnaires_dir


@pytest.mark.parametrize(
    ("country", "regime"),
    [
        ("NL", "eu"),
        ("de", "eu"),
        ("GR", "eu"),
        ("NO", "eu"),
        ("IS", "eu"),
        ("LI", "eu"),
        ("GB", "uk"),
        ("CH", None),
        ("US", None),
    ],
)
def test_only_eu_and_eea_states_and_the_uk_are_settled_by_the_country(
    country: str, regime: str | None
) -> None:
    assert legal_regime(country) == regime


def test_there_are_27_member_states() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert "GB" not in EU_MEMBER_STATES


def test_a_2_0_0_assessment_takes_the_regime_from_the_country_unless_answered() -> None:
    v2 = load_instrument(questionnaires_dir() / "sm-policing-maturity-2.0.0.yaml")

    belgian = agency_answers(v2, "BE", "regional", "")
    norwegian = agency_answers(v2, "NO", "national", "")
    swiss = agency_answers(v2, "CH", "national", "")

    assert belgian["jurisdiction"] == "eu"
    assert norwegian["jurisdiction"] == "eu"  # the GDPR applies through the EEA Agreement
    assert "jurisdiction" not in swiss
    assert effective_profile(v2, {"jurisdiction": "other"}, belgian)["jurisdiction"] == "other"


def test_a_1_0_0_assessment_has_no_regime_question_to_fill() -> None:
    v1 = load_instrument(questionnaires_dir() / "sm-policing-maturity-1.0.0.yaml")

    assert "jurisdiction" not in agency_answers(v1, "BE", "regional", "1000-9999")

"""The synthetic population: deterministic, valid for its instrument, calibrated."""

from __future__ import annotations

import pytest

from assessment.domain.demo.synthetic import SyntheticPopulation, synthetic_population
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import PracticeStatus
from assessment.domain.rules.answer_check import check_answers
from assessment.domain.rules.scoring import score_assessment, visible_practices
from assessment.queries.instruments import default_catalog

WRITTEN_POLICY = "policy.written-policy"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return default_catalog().get("sm-policing-maturity@1.0.0")


@pytest.fixture(scope="module")
def population(instrument: Instrument) -> SyntheticPopulation:
    return synthetic_population(instrument, agencies=60, seed=2026)


def written_policy_share(
    instrument: Instrument, population: SyntheticPopulation, round_name: str
) -> float:
    submitted = [a for a in population.assessments if a.round_name == round_name and a.submitted]
    met = sum(
        1
        for a in submitted
        for outcome in score_assessment(instrument, a.answers).dimensions["policy"].practices
        if outcome.practice_id == WRITTEN_POLICY and outcome.status is PracticeStatus.MET
    )
    return met / len(submitted)


def test_same_seed_same_population(instrument: Instrument, population: SyntheticPopulation) -> None:
    assert synthetic_population(instrument, agencies=60, seed=2026) == population
    assert synthetic_population(instrument, agencies=60, seed=2027) != population


def test_agencies_do_not_depend_on_the_population_size(instrument: Instrument) -> None:
    small = synthetic_population(instrument, agencies=10, seed=5)
    large = synthetic_population(instrument, agencies=30, seed=5)
    assert large.agencies[:10] == small.agencies


def test_every_answer_fits_the_instrument(
    instrument: Instrument, population: SyntheticPopulation
) -> None:
    for assessment in population.assessments:
        assert check_answers(instrument, assessment.answers) == []
        visible = {p.id for p in visible_practices(instrument, assessment.answers)}
        assert set(assessment.answers) <= visible


def test_submitted_assessments_are_complete_and_drafts_partial(
    instrument: Instrument, population: SyntheticPopulation
) -> None:
    for assessment in population.assessments:
        visible = len(visible_practices(instrument, assessment.answers))
        if assessment.submitted:
            assert len(assessment.answers) == visible
        else:
            assert 0 < len(assessment.answers) < len(list(instrument.practices()))


def test_the_lead_agency_has_history_and_an_open_draft(population: SyntheticPopulation) -> None:
    lead = [a for a in population.assessments if a.agency_number == population.lead_agency_number]
    assert [(a.round_name, a.submitted) for a in lead] == [
        ("2024", True),
        ("2025", True),
        ("2026", False),
    ]
    assert [r.is_open for r in population.rounds] == [False, False, True]


@pytest.mark.parametrize("seed", [1, 2, 3, 42, 2026])
def test_written_policy_share_is_near_the_iacp_figure_for_any_seed(
    instrument: Instrument, seed: int
) -> None:
    population = synthetic_population(instrument, agencies=60, seed=seed)
    latest = written_policy_share(instrument, population, "2026")
    assert 0.70 <= latest <= 0.86
    assert written_policy_share(instrument, population, "2024") < latest


def test_at_least_one_agency(instrument: Instrument) -> None:
    with pytest.raises(ValueError, match="at least one agency"):
        synthetic_population(instrument, agencies=0)

"""The 2.0.0 example answer files: valid, and reaching the figures they were designed for,
with every level explained by named practices (blocking, capping or met)."""

from __future__ import annotations

import pytest

from assessment.domain.formats.answer_file import AnswersFile, load_answers_file
from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import PracticeStatus, ScoreResult
from assessment.domain.rules.answer_check import check_answers, check_profile
from assessment.domain.rules.scoring import score_assessment, visible_practices
from assessment.resources import questionnaires_dir

EXAMPLES = ("starting-agency-2.0.0", "mid-level-agency-2.0.0", "advanced-agency-2.0.0")


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    """The 2.0.0 instrument the examples answer."""
    return load_instrument(questionnaires_dir() / "sm-policing-maturity-2.0.0.yaml")


def example(name: str) -> AnswersFile:
    """One example answers file, parsed by the product's reader."""
    return load_answers_file(questionnaires_dir() / "examples" / f"{name}.json")


def scored(instrument: Instrument, name: str) -> ScoreResult:
    """The score of one example, with its profile (the legal regime decides what applies)."""
    answers_file = example(name)
    return score_assessment(instrument, answers_file.answers, answers_file.profile)


def levels(result: ScoreResult) -> dict[str, int]:
    """Dimension levels keyed by dimension id."""
    return {dimension_id: d.level for dimension_id, d in result.dimensions.items()}


def status(result: ScoreResult, practice_id: str) -> PracticeStatus:
    """How one practice counted in the result."""
    dimension = result.dimensions[practice_id.split(".")[0]]
    return next(o.status for o in dimension.practices if o.practice_id == practice_id)


def baseline_met(result: ScoreResult) -> tuple[str, ...]:
    """The baseline practices met, over every dimension."""
    return tuple(i for d in result.baseline.dimensions.values() for i in d.met)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_is_a_valid_synthetic_answer_set(instrument: Instrument, name: str) -> None:
    answers_file = example(name)
    assert (answers_file.questionnaire_id, answers_file.questionnaire_version) == (
        instrument.id,
        instrument.version,
    )
    assert answers_file.agency is not None and answers_file.agency.endswith("(synthetic)")
    assert check_answers(instrument, answers_file.answers) == []
    assert check_profile(instrument, answers_file.profile) == []
    visible = {
        p.id for p in visible_practices(instrument, answers_file.answers, answers_file.profile)
    }
    assert set(answers_file.answers) == visible, "answers hidden or visible practices left out"
    assert any(a.comment for a in answers_file.answers.values()), "no evidence comment"
    for answer in answers_file.answers.values():
        if answer.not_applicable:
            assert answer.comment, answer.practice_id


def test_one_example_is_a_uk_force_and_two_are_in_eu_member_states() -> None:
    regimes = {name: example(name).profile["jurisdiction"] for name in EXAMPLES}
    assert regimes == {
        "starting-agency-2.0.0": "eu",
        "mid-level-agency-2.0.0": "uk",
        "advanced-agency-2.0.0": "eu",
    }


def test_starting_agency_figures(instrument: Instrument) -> None:
    result = scored(instrument, "starting-agency-2.0.0")
    assert result.overall.score == pytest.approx(33.1, abs=0.05)
    assert levels(result) == {
        "policy": 2,
        "staffing": 1,
        "training": 1,
        "budget": 2,
        "legal": 1,
        "protocols": 1,
    }
    assert result.baseline.open == (
        "legal.account-privacy-notice",
        "protocols.multi-factor-sign-in",
    )


def test_starting_agency_legal_and_protocols_are_capped_by_named_open_duties(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "starting-agency-2.0.0")
    legal, protocols = result.dimensions["legal"], result.dimensions["protocols"]
    assert (legal.uncapped_level, legal.capped_by) == (2, ("legal.account-privacy-notice",))
    assert (protocols.uncapped_level, protocols.capped_by) == (
        2,
        ("protocols.multi-factor-sign-in",),
    )
    assert legal.blocking[0] == "legal.account-privacy-notice"


def test_starting_agency_low_levels_are_explained_by_named_practices(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "starting-agency-2.0.0")
    blocking = {d: r.blocking for d, r in result.dimensions.items()}
    assert blocking["staffing"] == ("staffing.named-administrators",)
    assert blocking["training"] == ("training.operator-training", "training.publishing-law")
    assert blocking["policy"] == (
        "policy.online-activity-levels",
        "policy.strategy",
        "policy.abuse-moderation-rules",
    )
    # A small force reaches budget level 2 through planned staff time, with no budget line.
    assert status(result, "budget.activity-line") is PracticeStatus.UNMET
    assert status(result, "budget.staff-time") is PracticeStatus.MET
    assert blocking["budget"] == ("budget.archiving", "budget.tool-inventory")


def test_starting_agency_without_investigators_marks_dark_web_work_not_applicable(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "starting-agency-2.0.0")
    for practice_id in ("staffing.dark-web-team", "training.dark-web-awareness"):
        assert status(result, practice_id) is PracticeStatus.NOT_APPLICABLE
    answers_file = example("starting-agency-2.0.0")
    visible = visible_practices(instrument, answers_file.answers, answers_file.profile)
    assert "legal.covert-review-cycle" not in {p.id for p in visible}


def test_mid_level_uk_force_figures(instrument: Instrument) -> None:
    result = scored(instrument, "mid-level-agency-2.0.0")
    assert result.overall.score == pytest.approx(63.5, abs=0.05)
    assert set(levels(result).values()) == {3}
    assert result.baseline.open == ()
    assert {
        "legal.account-privacy-notice",
        "legal.law-enforcement-safeguards",
        "legal.covert-contact-authorised",
    } <= set(baseline_met(result))


def test_mid_level_uk_force_is_held_at_three_by_one_named_practice_per_dimension(
    instrument: Instrument,
) -> None:
    blocking = {
        d: r.blocking for d, r in scored(instrument, "mid-level-agency-2.0.0").dimensions.items()
    }
    assert blocking == {
        "policy": ("policy.metrics-review",),
        "staffing": ("staffing.surge-plan", "staffing.control-room-cover"),
        "training": ("training.completion-tracking",),
        "budget": ("budget.spend-review",),
        "legal": ("legal.lawfulness-audit",),
        "protocols": ("protocols.you-said-we-did",),
    }


def test_mid_level_uk_force_meets_level_three_through_proportionate_alternatives(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "mid-level-agency-2.0.0")
    # Situational awareness comes from a regional hub, not a team of its own.
    assert status(result, "staffing.monitoring-team") is PracticeStatus.UNMET
    assert status(result, "staffing.monitoring-shared") is PracticeStatus.MET
    # Dark-web awareness training is missing but, not being critical, gates nothing.
    assert status(result, "training.dark-web-awareness") is PracticeStatus.UNMET
    assert "training.dark-web-awareness" not in result.dimensions["training"].blocking


def test_advanced_eu_force_figures(instrument: Instrument) -> None:
    result = scored(instrument, "advanced-agency-2.0.0")
    assert result.overall.score == pytest.approx(95.1, abs=0.05)
    assert levels(result) == {
        "policy": 5,
        "staffing": 5,
        "training": 5,
        "budget": 5,
        "legal": 4,
        "protocols": 5,
    }
    assert result.baseline.open == ()
    assert result.dimensions["legal"].blocking == ("legal.monitoring-transparency",)
    assert "legal.no-face-scraping" in baseline_met(result)


def test_a_control_room_route_keeps_staffing_at_its_level_without_on_call_comms_staff(
    instrument: Instrument,
) -> None:
    answers_file = example("mid-level-agency-2.0.0")
    answers = dict(answers_file.answers)
    answers["staffing.monitored-hours"] = Answer("staffing.monitored-hours", option_id="not")
    without_route = score_assessment(instrument, answers, answers_file.profile)
    assert without_route.dimensions["staffing"].level == 1
    assert without_route.dimensions["staffing"].blocking == ("staffing.monitored-hours",)
    route = "staffing.monitored-hours-control-room"
    answers[route] = Answer(route, option_id="fully")
    with_route = score_assessment(instrument, answers, answers_file.profile)
    assert with_route.dimensions["staffing"].level == 3

"""The example answer files: valid for the bundled instrument, and scoring where designed."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from assessment.domain.formats.answer_file import AnswersFile, load_answers_file
from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, ProfileQuestion
from assessment.domain.model.results import PracticeStatus, ScoreResult
from assessment.domain.rules.answer_check import check_answers
from assessment.domain.rules.scoring import score_assessment, visible_practices
from assessment.resources import questionnaires_dir

EXAMPLES = ("starting-agency", "mid-level-agency", "advanced-agency")


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    """The bundled instrument the examples answer."""
    return load_instrument(questionnaires_dir() / "sm-policing-maturity-1.0.0.yaml")


def example(name: str) -> AnswersFile:
    """One example answers file, parsed by the product's reader."""
    return load_answers_file(questionnaires_dir() / "examples" / f"{name}.json")


def scored(instrument: Instrument, name: str) -> ScoreResult:
    """The score of one example."""
    return score_assessment(instrument, example(name).answers)


def levels(result: ScoreResult) -> dict[str, int]:
    """Dimension levels keyed by dimension id."""
    return {dimension_id: d.level for dimension_id, d in result.dimensions.items()}


def status(result: ScoreResult, practice_id: str) -> PracticeStatus:
    """How one practice counted in the result."""
    dimension = result.dimensions[practice_id.split(".")[0]]
    return next(o.status for o in dimension.practices if o.practice_id == practice_id)


def with_answers(answers: Mapping[str, Answer], options: Mapping[str, str]) -> dict[str, Answer]:
    """A copy of `answers` with the given practices answered with the given options."""
    changed = dict(answers)
    for practice_id, option in options.items():
        changed[practice_id] = Answer(practice_id, option_id=option)
    return changed


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_is_a_valid_synthetic_answer_set_for_the_instrument(
    instrument: Instrument, name: str
) -> None:
    answers_file = example(name)
    assert (answers_file.questionnaire_id, answers_file.questionnaire_version) == (
        instrument.id,
        instrument.version,
    )
    assert answers_file.agency is not None and answers_file.agency.endswith("(synthetic)")
    assert check_answers(instrument, answers_file.answers) == []
    visible = {p.id for p in visible_practices(instrument, answers_file.answers)}
    assert set(answers_file.answers) <= visible, "answers given for hidden practices"
    assert any(a.comment for a in answers_file.answers.values()), "no evidence comment"
    for question in instrument.profile:
        assert _profile_problem(question, answers_file.profile.get(question.id)) is None


@pytest.mark.parametrize("name", EXAMPLES)
def test_not_applicable_answers_say_why(name: str) -> None:
    for answer in example(name).answers.values():
        if answer.not_applicable:
            assert answer.comment, answer.practice_id


def test_starting_agency_is_at_level_one_with_policy_and_protocols_at_two(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "starting-agency")
    assert result.overall.level == 1
    assert levels(result) == {
        "policy": 2,
        "staffing": 1,
        "training": 1,
        "budget": 1,
        "legal": 1,
        "protocols": 2,
    }
    assert result.overall.coverage < 0.6


def test_starting_agency_policy_stops_at_two_for_want_of_level_three_practices(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "starting-agency")
    for practice_id in ("policy.written-policy", "policy.account-register"):
        assert status(result, practice_id) is PracticeStatus.MET
    # "largely" earns 0.75 credit, exactly the met_at threshold.
    assert status(result, "policy.content-boundaries") is PracticeStatus.MET
    assert status(result, "policy.review-cycle") is PracticeStatus.UNMET
    assert status(result, "policy.tone-guidance") is PracticeStatus.UNMET
    assert set(result.dimensions["policy"].blocking) == {
        "policy.engagement-levels",
        "policy.review-cycle",
        "policy.strategy",
        "policy.tone-guidance",
        "policy.trolling-rules",
    }


def test_starting_agency_staffing_is_held_at_one_by_a_partial_administrator_answer(
    instrument: Instrument,
) -> None:
    answers = example("starting-agency").answers
    assert answers["staffing.named-administrators"].option_id == "partial"
    result = score_assessment(instrument, answers)
    assert status(result, "staffing.named-administrators") is PracticeStatus.UNMET
    assert set(result.dimensions["staffing"].blocking) == {
        "staffing.named-administrators",
        "staffing.assigned-duties",
    }
    improved = with_answers(
        answers, {"staffing.named-administrators": "fully", "staffing.assigned-duties": "largely"}
    )
    assert score_assessment(instrument, improved).dimensions["staffing"].level == 2


def test_starting_agency_legal_is_held_at_one_by_unlogged_comment_removals(
    instrument: Instrument,
) -> None:
    answers = example("starting-agency").answers
    result = score_assessment(instrument, answers)
    assert status(result, "legal.public-records") is PracticeStatus.MET
    assert result.dimensions["legal"].blocking == ("legal.free-speech-limits",)
    improved = with_answers(answers, {"legal.free-speech-limits": "largely"})
    assert score_assessment(instrument, improved).dimensions["legal"].level >= 2


def test_starting_agency_not_applicable_answers_hide_the_covert_follow_ups(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "starting-agency")
    for practice_id in (
        "legal.eu-data-protection",
        "legal.covert-online-activity",
        "staffing.dark-web-investigators",
    ):
        assert status(result, practice_id) is PracticeStatus.NOT_APPLICABLE
    for practice_id in ("legal.covert-authorisation", "legal.covert-inspection"):
        assert status(result, practice_id) is PracticeStatus.HIDDEN


def test_mid_level_agency_is_at_level_two_with_policy_legal_and_protocols_at_three(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "mid-level-agency")
    assert result.overall.level == 2
    assert levels(result) == {
        "policy": 3,
        "staffing": 2,
        "training": 2,
        "budget": 2,
        "legal": 3,
        "protocols": 3,
    }


def test_mid_level_agency_is_capped_at_two_by_one_practice_in_each_weak_dimension(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "mid-level-agency")
    assert result.dimensions["staffing"].blocking == ("staffing.dedicated-monitoring",)
    assert result.dimensions["budget"].blocking == ("budget.archiving",)
    assert set(result.dimensions["training"].blocking) == {
        "training.dark-web-awareness",
        "training.harassment-handling",
    }
    assert result.dimensions["policy"].blocking == ("policy.metrics-review",)


def test_mid_level_agency_answers_yes_to_covert_work_so_its_follow_ups_count(
    instrument: Instrument,
) -> None:
    answers = example("mid-level-agency").answers
    result = score_assessment(instrument, answers)
    assert answers["legal.covert-online-activity"].option_id == "yes"
    assert status(result, "legal.covert-authorisation") is PracticeStatus.MET
    # The partial external inspection is what keeps legal from level 4.
    assert status(result, "legal.covert-inspection") is PracticeStatus.UNMET
    assert set(result.dimensions["legal"].blocking) == {
        "legal.covert-inspection",
        "legal.lawfulness-audit",
    }
    # Active liaison with citizen groups brings the ground-rules question into view.
    assert status(result, "protocols.co-production-ground-rules") is PracticeStatus.UNMET


def test_advanced_agency_is_at_level_four_with_three_dimensions_at_five(
    instrument: Instrument,
) -> None:
    result = scored(instrument, "advanced-agency")
    assert result.overall.level == 4
    assert levels(result) == {
        "policy": 5,
        "staffing": 4,
        "training": 5,
        "budget": 4,
        "legal": 4,
        "protocols": 5,
    }


def test_advanced_agency_misses_level_five_by_one_named_practice_per_dimension(
    instrument: Instrument,
) -> None:
    answers = example("advanced-agency").answers
    result = score_assessment(instrument, answers)
    blocking = {d: r.blocking for d, r in result.dimensions.items() if r.blocking}
    assert blocking == {
        "staffing": ("staffing.volunteer-moderators",),
        "budget": ("budget.co-production-fund",),
        "legal": ("legal.monitoring-transparency",),
    }
    improved = with_answers(
        answers,
        {
            "staffing.volunteer-moderators": "largely",
            "budget.co-production-fund": "largely",
            "legal.monitoring-transparency": "fully",
        },
    )
    assert score_assessment(instrument, improved).overall.level == 5


def test_advanced_agency_answers_every_visible_practice(instrument: Instrument) -> None:
    answers = example("advanced-agency").answers
    visible = {p.id for p in visible_practices(instrument, answers)}
    assert visible == {p.id for p in instrument.practices()}
    assert set(answers) == visible
    result = score_assessment(instrument, answers)
    assert result.overall.coverage == 1.0


def _profile_problem(question: ProfileQuestion, value: object) -> str | None:
    """What is wrong with one profile value, or None."""
    if value is None:
        return f"{question.id} is required" if question.required else None
    option_ids = {o.id for o in question.options}
    checks = {
        "country": isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value) is not None,
        "choice": isinstance(value, str) and value in option_ids,
        "multi_choice": isinstance(value, list) and set(value) <= option_ids,
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "text": isinstance(value, str),
    }
    return None if checks[question.kind] else f"{question.id}: {value!r} is not valid"

"""Answer checking: each problem names the practice and what is wrong."""

from __future__ import annotations

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer
from assessment.domain.rules.answer_check import AnswerProblem, check_answers
from tests.unit.instruments import NA, YES_NO, make_answers, make_instrument, practice

INSTRUMENT = make_instrument(
    practice("policy.a", 2),
    practice("policy.b", 2, answer_set=YES_NO, allow_not_applicable=True),
    practice("policy.c", 3, show_if=("policy.b", ["yes"])),
)


def test_valid_answers_have_no_problems() -> None:
    answers = make_answers({"policy.a": "fully", "policy.b": NA, "policy.c": "partial"})
    answers["policy.a"] = Answer("policy.a", "fully", comment="x" * MAX_COMMENT_LENGTH)

    assert check_answers(INSTRUMENT, answers) == []


def test_comment_without_a_choice_is_fine() -> None:
    assert check_answers(INSTRUMENT, {"policy.a": Answer("policy.a", comment="later")}) == []


def test_unknown_practice() -> None:
    problems = check_answers(INSTRUMENT, make_answers({"policy.z": "fully"}))

    assert problems == [
        AnswerProblem("policy.z", "unknown practice (not in test-instrument@1.0.0)")
    ]


def test_option_outside_the_answer_set_names_the_valid_options() -> None:
    problems = check_answers(INSTRUMENT, make_answers({"policy.b": "fully"}))

    assert problems == [AnswerProblem("policy.b", "option 'fully' is not one of: no, yes")]
    assert str(problems[0]) == "policy.b: option 'fully' is not one of: no, yes"


def test_not_applicable_where_not_allowed() -> None:
    problems = check_answers(INSTRUMENT, make_answers({"policy.a": NA}))

    assert problems == [
        AnswerProblem("policy.a", "not applicable is not allowed for this practice")
    ]


def test_option_and_not_applicable_together() -> None:
    answers = {"policy.b": Answer("policy.b", option_id="yes", not_applicable=True)}

    assert check_answers(INSTRUMENT, answers) == [
        AnswerProblem("policy.b", "answered both 'yes' and not applicable; choose one")
    ]


def test_comment_too_long() -> None:
    answers = {"policy.a": Answer("policy.a", "fully", comment="x" * (MAX_COMMENT_LENGTH + 1))}

    assert check_answers(INSTRUMENT, answers) == [
        AnswerProblem("policy.a", "comment is 10,001 characters long; the limit is 10,000")
    ]


def test_answer_filed_under_another_practice_id() -> None:
    answers = {"policy.a": Answer("policy.c", "fully")}

    assert check_answers(INSTRUMENT, answers) == [
        AnswerProblem("policy.a", "answer is filed under 'policy.a' but names 'policy.c'")
    ]


def test_every_problem_is_reported_in_answer_order() -> None:
    answers = make_answers({"policy.c": "maybe", "policy.x": "fully", "policy.a": NA})

    assert [p.practice_id for p in check_answers(INSTRUMENT, answers)] == [
        "policy.c",
        "policy.x",
        "policy.a",
    ]

"""Scoring: scores, coverage, levels, blocking, visibility, themes, overall, explanations."""

from __future__ import annotations

import pytest

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import LevelRule, OverallLevelRule
from assessment.domain.model.results import PracticeStatus
from assessment.domain.rules.scoring import (
    explain_dimension,
    is_visible,
    progress,
    score_assessment,
    visible_practices,
)
from tests.unit.instruments import NA, YES_NO, make_answers, make_instrument, practice


def test_dimension_score_is_weighted_mean_of_credit_over_answered_applicable() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, weight=1),
        practice("policy.b", 3, weight=3),
        practice("policy.c", 3, allow_not_applicable=True),
        practice("policy.d", 4),
    )
    answers = make_answers({"policy.a": "fully", "policy.b": "partial", "policy.c": NA})

    policy = score_assessment(instrument, answers).dimensions["policy"]

    assert policy.score == pytest.approx(100 * (1 * 1.0 + 3 * 0.5) / 4)
    assert policy.coverage == pytest.approx(2 / 3)  # policy.d unanswered, policy.c left out


def test_score_is_none_and_coverage_full_when_nothing_applicable() -> None:
    instrument = make_instrument(practice("policy.a", 2, allow_not_applicable=True))

    policy = score_assessment(instrument, make_answers({"policy.a": NA})).dimensions["policy"]

    assert policy.score is None
    assert policy.coverage == 1.0
    assert policy.level == 5  # nothing applicable blocks any level


def test_score_is_none_but_coverage_zero_when_nothing_answered() -> None:
    instrument = make_instrument(practice("policy.a", 2))

    policy = score_assessment(instrument, {}).dimensions["policy"]

    assert policy.score is None
    assert policy.coverage == 0.0
    assert policy.level == 1


def test_unanswered_practice_stays_out_of_the_score_but_blocks_its_level() -> None:
    instrument = make_instrument(practice("policy.a", 2), practice("policy.b", 2))

    policy = score_assessment(instrument, make_answers({"policy.a": "fully"})).dimensions["policy"]

    assert policy.score == 100.0
    assert policy.level == 1
    assert policy.blocking == ("policy.b",)


@pytest.mark.parametrize(
    ("choices", "level"),
    [
        ({}, 1),
        ({"policy.l3": "fully", "policy.l4": "fully", "policy.l5": "fully"}, 1),
        ({"policy.l2": "fully"}, 2),
        ({"policy.l2": "largely", "policy.l3": "largely"}, 3),  # largely = met_at exactly
        ({"policy.l2": "partial", "policy.l3": "fully", "policy.l4": "fully"}, 1),
        ({"policy.l2": "fully", "policy.l3": "not", "policy.l4": "fully", "policy.l5": "fully"}, 2),
        (
            {
                "policy.l2": "fully",
                "policy.l3": "fully",
                "policy.l4": "fully",
                "policy.l5": "fully",
            },
            5,
        ),
    ],
)
def test_gated_level_is_highest_level_with_everything_at_and_below_met(
    choices: dict[str, str | None], level: int
) -> None:
    instrument = make_instrument(*(practice(f"policy.l{n}", n) for n in range(2, 6)))

    assert score_assessment(instrument, make_answers(choices)).dimensions["policy"].level == level


def test_gated_level_skips_a_level_without_applicable_practices() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 3, allow_not_applicable=True),
        practice("policy.c", 4),
    )
    answers = make_answers({"policy.a": "fully", "policy.b": NA, "policy.c": "fully"})

    assert score_assessment(instrument, answers).dimensions["policy"].level == 5


def test_met_at_threshold_comes_from_the_instrument() -> None:
    instrument = make_instrument(practice("policy.a", 2), met_at=1.0)

    result = score_assessment(instrument, make_answers({"policy.a": "largely"}))

    assert result.dimensions["policy"].level == 1
    assert result.dimensions["policy"].practices[0].status is PracticeStatus.UNMET


@pytest.mark.parametrize(
    ("choices", "score", "level"),
    [
        ({}, None, 1),
        ({"policy.a": "not", "policy.b": "not"}, 0.0, 1),
        ({"policy.a": "partial", "policy.b": "partial"}, 50.0, 3),
        ({"policy.a": "fully", "policy.b": "partial"}, 75.0, 4),
        ({"policy.a": "fully", "policy.b": "fully"}, 100.0, 5),
    ],
)
def test_averaged_level_follows_the_score(
    choices: dict[str, str | None], score: float | None, level: int
) -> None:
    instrument = make_instrument(
        practice("policy.a", 2), practice("policy.b", 5), level_rule=LevelRule.AVERAGED
    )

    policy = score_assessment(instrument, make_answers(choices)).dimensions["policy"]

    assert policy.score == score
    assert policy.level == level


def test_averaged_level_is_not_lowered_by_floating_point_rounding() -> None:
    # 100 * (0.6 * 3 + ...) style sums land a hair below the exact value
    instrument = make_instrument(
        *(practice(f"policy.p{n}", 2) for n in range(10)),
        levels=6,
        level_rule=LevelRule.AVERAGED,
    )
    answers = make_answers(
        {f"policy.p{n}": "fully" if n < 6 else "not" for n in range(10)}  # 60 % of 5 steps
    )

    assert score_assessment(instrument, answers).dimensions["policy"].level == 4


@pytest.mark.parametrize(
    ("choices", "level"),
    [
        ({"policy.a": "not", "policy.b": "not"}, 1),
        ({"policy.a": "partial", "policy.b": "not"}, 1),  # 25: a quarter of two steps
        ({"policy.a": "partial", "policy.b": "partial"}, 3),  # 50: one step of two
        ({"policy.a": "fully", "policy.b": "partial"}, 3),
        ({"policy.a": "fully", "policy.b": "fully"}, 5),
    ],
)
def test_averaged_level_on_a_scale_that_skips_numbers_counts_steps(
    choices: dict[str, str | None], level: int
) -> None:
    instrument = make_instrument(
        practice("policy.a", 3),
        practice("policy.b", 5),
        scale=(1, 3, 5),
        level_rule=LevelRule.AVERAGED,
    )

    assert score_assessment(instrument, make_answers(choices)).dimensions["policy"].level == level


@pytest.mark.parametrize(
    ("weights", "level"), [({"policy": 1, "staffing": 1}, 3), ({"policy": 3, "staffing": 1}, 1)]
)
def test_weighted_mean_overall_level_rounds_down_to_a_level_on_the_scale(
    weights: dict[str, float], level: int
) -> None:
    instrument = make_instrument(
        practice("policy.a", 3),
        practice("staffing.a", 3),
        scale=(1, 3, 5),
        dimension_weights=weights,
        overall_level_rule=OverallLevelRule.WEIGHTED_MEAN,
    )
    # policy level 1, staffing level 5: the mean 3 is a level; (3 * 1 + 5) / 4 = 2 is not.
    answers = make_answers({"policy.a": "not", "staffing.a": "fully"})

    assert score_assessment(instrument, answers).overall.level == level


def test_gated_blocking_lists_unmet_practices_of_the_next_level() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 3),
        practice("policy.c", 3),
        practice("policy.d", 4),
    )
    answers = make_answers({"policy.a": "fully", "policy.b": "partial", "policy.d": "not"})

    policy = score_assessment(instrument, answers).dimensions["policy"]

    assert policy.level == 2
    assert policy.blocking == ("policy.b", "policy.c")


def test_averaged_blocking_lists_unmet_practices_up_to_the_next_level() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 3),
        practice("policy.c", 5),
        level_rule=LevelRule.AVERAGED,
    )
    answers = make_answers({"policy.a": "not", "policy.b": "fully", "policy.c": "partial"})

    policy = score_assessment(instrument, answers).dimensions["policy"]

    assert policy.level == 3  # score 50
    assert policy.blocking == ("policy.a",)


def test_blocking_is_empty_at_the_top_level() -> None:
    # a one-level scale is the only way to sit at the top with a practice still unmet
    instrument = make_instrument(practice("policy.a", 1), levels=1)

    policy = score_assessment(instrument, {}).dimensions["policy"]

    assert (policy.level, policy.blocking) == (1, ())


def test_gated_blocking_includes_unmet_practices_at_the_floor() -> None:
    instrument = make_instrument(practice("policy.a", 1), practice("policy.b", 2))

    policy = score_assessment(instrument, make_answers({"policy.b": "fully"})).dimensions["policy"]

    assert (policy.level, policy.blocking) == (1, ("policy.a",))


def test_show_if_hides_unless_referenced_practice_has_a_listed_option() -> None:
    instrument = make_instrument(
        practice("policy.has", 2, answer_set=YES_NO, allow_not_applicable=True),
        practice("policy.detail", 3, show_if=("policy.has", ["yes"])),
    )
    detail = instrument.practice("policy.detail")
    assert detail is not None

    for choice in (None, "no", NA):
        answers = make_answers({"policy.has": choice, "policy.detail": "not"})
        outcome = score_assessment(instrument, answers).dimensions["policy"].practices[1]
        assert outcome.status is PracticeStatus.HIDDEN, choice
        assert not is_visible(detail, answers, instrument)
    answers = make_answers({"policy.has": "yes", "policy.detail": "not"})
    assert score_assessment(instrument, answers).dimensions["policy"].practices[1].status is (
        PracticeStatus.UNMET
    )
    assert is_visible(detail, answers)


def test_hidden_practice_counts_as_not_applicable() -> None:
    instrument = make_instrument(
        practice("policy.has", 2, answer_set=YES_NO),
        practice("policy.detail", 3, show_if=("policy.has", ["yes"])),
    )
    answers = make_answers({"policy.has": "no", "policy.detail": "not"})

    policy = score_assessment(instrument, answers).dimensions["policy"]

    assert policy.score == 0.0  # only policy.has counts
    assert policy.coverage == 1.0
    assert policy.blocking == ("policy.has",)


def test_practice_behind_a_hidden_practice_is_hidden_too() -> None:
    # the chain is declared backwards to show evaluation does not rely on instrument order
    instrument = make_instrument(
        practice("policy.c", 4, show_if=("policy.b", ["fully"])),
        practice("policy.b", 3, show_if=("policy.a", ["yes"])),
        practice("policy.a", 2, answer_set=YES_NO),
    )
    answers = make_answers({"policy.a": "no", "policy.b": "fully", "policy.c": "fully"})

    statuses = [
        o.status for o in score_assessment(instrument, answers).dimensions["policy"].practices
    ]

    assert statuses == [PracticeStatus.HIDDEN, PracticeStatus.HIDDEN, PracticeStatus.UNMET]
    assert [p.id for p in visible_practices(instrument, answers)] == ["policy.a"]
    visible_answers = make_answers({"policy.a": "yes", "policy.b": "fully", "policy.c": "fully"})
    assert [p.id for p in visible_practices(instrument, visible_answers)] == [
        "policy.c",
        "policy.b",
        "policy.a",
    ]


def test_show_if_cycle_is_reported() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, show_if=("policy.b", ["fully"])),
        practice("policy.b", 2, show_if=("policy.a", ["fully"])),
    )

    with pytest.raises(ValueError, match=r"cycle: policy.a -> policy.b -> policy.a"):
        score_assessment(instrument, {})


def test_not_applicable_wins_over_an_option_given_with_it() -> None:
    instrument = make_instrument(practice("policy.a", 2, allow_not_applicable=True))
    answers = {"policy.a": Answer("policy.a", option_id="not", not_applicable=True)}

    policy = score_assessment(instrument, answers).dimensions["policy"]

    assert policy.practices[0].status is PracticeStatus.NOT_APPLICABLE
    assert policy.score is None


def test_answer_with_only_a_comment_is_unanswered() -> None:
    instrument = make_instrument(practice("policy.a", 2))
    answers = {"policy.a": Answer("policy.a", comment="still collecting evidence")}

    outcome = score_assessment(instrument, answers).dimensions["policy"].practices[0]

    assert outcome.status is PracticeStatus.UNANSWERED


def test_unknown_option_is_an_error_naming_the_practice_and_valid_options() -> None:
    instrument = make_instrument(practice("policy.a", 2))

    with pytest.raises(ValueError, match=r"policy.a: option 'maybe'.*not, partial, largely, fully"):
        score_assessment(instrument, make_answers({"policy.a": "maybe"}))


def test_answers_to_unknown_practices_are_ignored() -> None:
    instrument = make_instrument(practice("policy.a", 2))

    with_extra = score_assessment(instrument, make_answers({"policy.a": "fully", "x.y": "z"}))

    assert with_extra == score_assessment(instrument, make_answers({"policy.a": "fully"}))


def test_every_practice_has_an_outcome_with_option_and_credit() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 2),
        practice("policy.c", 3, allow_not_applicable=True),
        practice("policy.d", 3, show_if=("policy.c", ["fully"])),
    )
    answers = make_answers({"policy.a": "fully", "policy.b": "partial", "policy.c": NA})

    outcomes = score_assessment(instrument, answers).dimensions["policy"].practices

    assert [(o.practice_id, o.status, o.option_id, o.credit) for o in outcomes] == [
        ("policy.a", PracticeStatus.MET, "fully", 1.0),
        ("policy.b", PracticeStatus.UNMET, "partial", 0.5),
        ("policy.c", PracticeStatus.NOT_APPLICABLE, None, None),
        ("policy.d", PracticeStatus.HIDDEN, None, None),
    ]


def test_theme_score_covers_tagged_practices_across_dimensions() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, themes=["privacy"]),
        practice("policy.b", 2),
        practice("legal.a", 3, weight=3, themes=["privacy", "dark-web"]),
        practice("legal.b", 3, themes=["privacy"]),
        themes=["privacy", "dark-web", "tone"],
    )
    answers = make_answers({"policy.a": "fully", "policy.b": "not", "legal.a": "partial"})

    themes = score_assessment(instrument, answers).themes

    assert themes["privacy"].score == pytest.approx(100 * (1.0 + 3 * 0.5) / 4)
    assert themes["privacy"].coverage == pytest.approx(2 / 3)
    assert themes["privacy"].practice_ids == ("policy.a", "legal.a", "legal.b")
    assert themes["dark-web"].score == 50.0
    assert themes["tone"].score is None
    assert themes["tone"].coverage == 1.0


def test_overall_score_is_weighted_mean_of_scored_dimensions() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("staffing.a", 2),
        practice("budget.a", 2),
        dimension_weights={"policy": 1, "staffing": 3, "budget": 5},
    )
    answers = make_answers({"policy.a": "fully", "staffing.a": "partial"})

    overall = score_assessment(instrument, answers).overall

    assert overall.score == pytest.approx((100 + 3 * 50) / 4)  # budget has no score
    assert overall.coverage == pytest.approx(2 / 3)


def test_overall_score_is_none_when_no_dimension_has_a_score() -> None:
    instrument = make_instrument(practice("policy.a", 2), practice("staffing.a", 2))

    assert score_assessment(instrument, {}).overall.score is None


@pytest.mark.parametrize(
    ("rule", "level"), [(OverallLevelRule.LOWEST, 1), (OverallLevelRule.WEIGHTED_MEAN, 3)]
)
def test_overall_level_rule(rule: OverallLevelRule, level: int) -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("staffing.a", 2),
        dimension_weights={"policy": 1, "staffing": 2},
        overall_level_rule=rule,
    )
    # policy level 1, staffing level 5: weighted mean (1 + 2 * 5) / 3 = 3.67
    answers = make_answers({"policy.a": "not", "staffing.a": "fully"})

    assert score_assessment(instrument, answers).overall.level == level


def test_result_names_the_instrument_version() -> None:
    instrument = make_instrument(practice("policy.a", 2))

    result = score_assessment(instrument, {})

    assert (result.instrument_id, result.instrument_version) == ("test-instrument", "1.0.0")


def test_scores_keep_full_precision() -> None:
    instrument = make_instrument(practice("policy.a", 2), practice("policy.b", 2, weight=2))

    answers = make_answers({"policy.a": "fully", "policy.b": "not"})

    score = score_assessment(instrument, answers).dimensions["policy"].score

    assert score == pytest.approx(100 / 3, rel=1e-12)
    assert score is not None
    assert score != round(score, 1)


def test_explain_dimension_shows_each_practice_and_the_arithmetic() -> None:
    instrument = make_instrument(
        practice("policy.written-policy", 2),
        practice("policy.review", 3, weight=2),
        practice("policy.strategy", 3, allow_not_applicable=True),
        practice("policy.codrafted", 5),
    )
    answers = make_answers(
        {"policy.written-policy": "fully", "policy.review": "partial", "policy.strategy": NA}
    )

    lines = explain_dimension(score_assessment(instrument, answers), "policy")

    assert lines == [
        "policy: score 66.7 = 100 * 2 / 3 (weighted credit / weight of the answered applicable"
        " practices)",
        "coverage 67%: 2 of 3 applicable practices answered",
        "policy.written-policy (level 2, weight 1): fully = 1.00, met",
        "policy.review (level 3, weight 2): partial = 0.50, unmet",
        "policy.strategy (level 3, weight 1): not applicable, left out",
        "policy.codrafted (level 5, weight 1): unanswered, not met",
        "level 2; in the way of the next level: policy.review",
    ]


def test_explain_unknown_dimension_names_the_known_ones() -> None:
    result = score_assessment(make_instrument(practice("policy.a", 2)), {})

    with pytest.raises(ValueError, match=r"unknown dimension 'budget' \(dimensions: policy\)"):
        explain_dimension(result, "budget")


def test_progress_counts_answered_including_not_applicable_over_visible() -> None:
    instrument = make_instrument(
        practice("policy.has", 2, answer_set=YES_NO),
        practice("policy.detail", 3, show_if=("policy.has", ["yes"])),
        practice("policy.other", 3, allow_not_applicable=True),
        practice("staffing.a", 2),
    )
    answers = make_answers({"policy.has": "no", "policy.other": NA})

    result = progress(instrument, answers)

    assert (result.dimensions["policy"].answered, result.dimensions["policy"].total) == (2, 2)
    assert result.dimensions["policy"].percent == 100.0
    assert (result.dimensions["staffing"].answered, result.dimensions["staffing"].total) == (0, 1)
    assert (result.answered, result.total) == (2, 3)
    assert result.percent == pytest.approx(200 / 3)


def test_progress_tolerates_an_unknown_option_as_unanswered() -> None:
    instrument = make_instrument(practice("policy.a", 2))

    assert progress(instrument, make_answers({"policy.a": "maybe"})).answered == 1
    assert [p.id for p in visible_practices(instrument, make_answers({"policy.a": "x"}))] == [
        "policy.a"
    ]


def test_progress_of_an_empty_dimension_is_complete() -> None:
    instrument = make_instrument(practice("policy.a", 2), extra_dimensions=["budget"])

    assert progress(instrument, {}).dimensions["budget"].percent == 100.0


def test_plan_is_reused_for_the_same_instrument() -> None:
    instrument = make_instrument(practice("policy.a", 2))

    first = score_assessment(instrument, make_answers({"policy.a": "fully"}))
    plan = instrument.__dict__["_scoring_plan"]
    second = score_assessment(instrument, make_answers({"policy.a": "fully"}))

    assert instrument.__dict__["_scoring_plan"] is plan
    assert first == second

"""Roadmap: targets, needed practices, dependency order, phases and projections."""

from __future__ import annotations

import pytest

from assessment.domain.model.answers import Answer, Answers
from assessment.domain.model.instrument import Instrument, LevelRule, Phase, Text
from assessment.domain.model.results import Roadmap
from assessment.domain.rules.roadmap import build_roadmap, resolve_targets
from assessment.domain.rules.scoring import score_assessment
from tests.unit.instruments import NA, make_answers, make_instrument, practice


def roadmap_for(
    instrument: Instrument, answers: Answers, targets: dict[str, int] | None = None
) -> Roadmap:
    return build_roadmap(instrument, answers, score_assessment(instrument, answers), targets)


def action_ids(roadmap: Roadmap) -> list[list[str]]:
    return [[a.practice_id for a in phase.actions] for phase in roadmap.phases]


def test_default_target_is_one_level_up_and_capped_at_top() -> None:
    instrument = make_instrument(practice("policy.a", 2), practice("staffing.a", 2))
    answers = make_answers({"staffing.a": "fully"})

    targets = resolve_targets(instrument, score_assessment(instrument, answers))

    assert targets == {"policy": 2, "staffing": 5}


def test_needed_covers_unmet_and_unanswered_practices_up_to_the_target() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 2),
        practice("policy.c", 2),
        practice("policy.d", 3),
        practice("policy.e", 2, allow_not_applicable=True),
    )
    answers = make_answers({"policy.a": "fully", "policy.b": "partial", "policy.e": NA})

    roadmap = roadmap_for(instrument, answers)

    assert roadmap.targets == {"policy": 2}
    assert action_ids(roadmap) == [["policy.b", "policy.c"]]


def test_explicit_target_reaches_further() -> None:
    instrument = make_instrument(practice("policy.a", 2), practice("policy.b", 3))

    roadmap = roadmap_for(instrument, {}, {"policy": 3})

    assert roadmap.targets == {"policy": 3}
    assert action_ids(roadmap) == [["policy.a", "policy.b"]]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"budget": 3}, r"unknown dimension 'budget' \(dimensions: policy\)"),
        ({"policy": 6}, r"target level 6 for dimension 'policy' is outside the scale 1-5"),
        ({"policy": 0}, r"target level 0 .* outside the scale 1-5"),
    ],
)
def test_invalid_targets_are_rejected_with_a_clear_message(
    targets: dict[str, int], message: str
) -> None:
    instrument = make_instrument(practice("policy.a", 2))

    with pytest.raises(ValueError, match=message):
        roadmap_for(instrument, {}, targets)


def test_dependencies_are_pulled_in_across_dimensions_and_levels_and_come_first() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, depends_on=["budget.b"]),
        practice("budget.a", 2),
        practice("budget.c", 3),
        practice("budget.b", 4, depends_on=["staffing.a"]),
        practice("staffing.b", 2),
        practice("staffing.c", 3),
        practice("staffing.a", 5),
    )
    answers = make_answers({"budget.a": "fully", "staffing.b": "fully"})

    roadmap = roadmap_for(instrument, answers)

    # budget and staffing sit at level 2 and aim for 3: budget.b (level 4) and staffing.a
    # (level 5) are there only because policy.a needs them
    assert roadmap.targets == {"policy": 2, "budget": 3, "staffing": 3}
    assert action_ids(roadmap) == [["budget.c", "staffing.c", "staffing.a", "budget.b", "policy.a"]]
    assert roadmap.phases[0].actions[4].depends_on == ("budget.b",)


def test_met_dependencies_are_not_actions() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, depends_on=["policy.b"]), practice("policy.b", 4)
    )

    roadmap = roadmap_for(instrument, make_answers({"policy.b": "fully"}))

    assert action_ids(roadmap) == [["policy.a"]]
    assert roadmap.phases[0].actions[0].depends_on == ()


def test_order_is_quick_wins_then_level_then_impact_over_effort_then_instrument_order() -> None:
    instrument = make_instrument(
        practice("policy.a", 3, effort="low", impact="high"),
        practice("policy.b", 2, effort="high", impact="low"),
        practice("policy.c", 2, effort="medium", impact="medium"),
        practice("policy.d", 2, effort="low", impact="high"),
        practice("policy.e", 2, effort="low", impact="low"),
    )

    roadmap = roadmap_for(instrument, {}, {"policy": 3})

    # the three low-effort actions need nothing first: quick wins, ahead of the rest
    assert action_ids(roadmap) == [["policy.d", "policy.e", "policy.a", "policy.c", "policy.b"]]


def test_a_quick_win_comes_in_the_first_phase_whatever_its_horizon() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, horizon="long", effort="low"),
        practice("policy.b", 2, horizon="short", effort="high"),
        practice("policy.c", 2, horizon="long", effort="low", depends_on=["policy.d"]),
        practice("policy.d", 2, horizon="long", effort="high"),
    )

    roadmap = roadmap_for(instrument, {})

    # policy.c is low effort but waits for policy.d: not a quick win
    assert [p.phase_id for p in roadmap.phases] == ["short", "medium"]
    assert action_ids(roadmap) == [["policy.a", "policy.b"], ["policy.d", "policy.c"]]


def test_action_lands_no_earlier_than_its_dependencies() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, horizon="short", depends_on=["policy.b"]),
        practice("policy.b", 2, horizon="long"),
        practice("policy.c", 2, horizon="short"),
    )

    roadmap = roadmap_for(instrument, {})

    # long moves up to the second phase: no phase stays empty while actions wait
    assert [p.phase_id for p in roadmap.phases] == ["short", "medium"]
    assert action_ids(roadmap) == [["policy.c"], ["policy.b", "policy.a"]]


def test_the_first_phase_is_never_empty_and_phase_details_come_from_the_instrument() -> None:
    phases = (
        Phase("now", Text.plain("Now"), 0, 3),
        Phase("soon", Text.plain("Soon"), 3, 12),
        Phase("later", Text.plain("Later"), 12, 24),
    )
    instrument = make_instrument(
        practice("policy.a", 2, horizon="later", effort="high"), phases=phases
    )

    (phase,) = roadmap_for(instrument, {}).phases

    assert (phase.phase_id, phase.title, phase.start_month, phase.end_month) == (
        "now",
        "Now",
        0,
        3,
    )


def test_unknown_horizon_is_an_error_naming_the_practice() -> None:
    instrument = make_instrument(practice("policy.a", 2, horizon="someday"))

    with pytest.raises(ValueError, match=r"policy.a: recommendation horizon 'someday'"):
        roadmap_for(instrument, {})


def test_projections_accumulate_phase_by_phase() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, horizon="short"),
        practice("policy.b", 2, horizon="medium"),
        practice("staffing.a", 2, horizon="long"),
        practice("staffing.b", 3),
    )
    answers = make_answers({"policy.a": "not", "policy.b": "partial", "staffing.b": "fully"})

    short, medium, long = roadmap_for(instrument, answers).phases

    assert (short.projected["policy"].score, short.projected["policy"].level) == (75.0, 1)
    assert (medium.projected["policy"].score, medium.projected["policy"].level) == (100.0, 5)
    assert medium.projected["staffing"].level == 1
    assert (long.projected["staffing"].score, long.projected["staffing"].level) == (100.0, 5)
    assert (long.projected_overall.score, long.projected_overall.level) == (100.0, 5)
    assert short.projected_overall.level == 1


def test_projection_keeps_the_answer_comment() -> None:
    instrument = make_instrument(practice("policy.a", 2))
    answers = {"policy.a": Answer("policy.a", option_id="not", comment="budget refused")}

    roadmap = roadmap_for(instrument, answers)

    assert roadmap.phases[0].projected["policy"].level == 5
    assert answers["policy.a"].option_id == "not"  # the caller's answers are untouched


def test_averaged_rule_needs_unmet_practices_up_to_the_target() -> None:
    instrument = make_instrument(
        *(practice(f"policy.p{n}", 2) for n in range(4)),
        practice("policy.weak", 3),
        level_rule=LevelRule.AVERAGED,
    )
    answers = make_answers(
        {**{f"policy.p{n}": "fully" for n in range(4)}, "policy.weak": "partial"}
    )
    result = score_assessment(instrument, answers)
    assert result.dimensions["policy"].level == 4  # score 90

    roadmap = build_roadmap(instrument, answers, result)

    assert roadmap.targets == {"policy": 5}
    assert action_ids(roadmap) == [["policy.weak"]]


def test_dimension_at_top_contributes_nothing() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 2),
        level_rule=LevelRule.AVERAGED,
        levels=2,
        met_at=0.0,  # everything answered is met, so look at a practice left unanswered
    )
    answers = make_answers({"policy.a": "fully"})
    result = score_assessment(instrument, answers)
    assert result.dimensions["policy"].level == 2  # score 100 over the answered practice

    roadmap = build_roadmap(instrument, answers, result)

    assert roadmap.targets == {"policy": 2}
    assert roadmap.phases == ()


def test_hidden_practices_are_not_needed() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, allow_not_applicable=True),
        practice("policy.b", 2, show_if=("policy.a", ["fully"])),
    )

    roadmap = roadmap_for(instrument, make_answers({"policy.a": NA}))

    assert roadmap.phases == ()


def test_scores_of_another_instrument_are_refused() -> None:
    instrument = make_instrument(practice("policy.a", 2))
    other = score_assessment(make_instrument(practice("policy.a", 2), levels=4), {})
    renamed = type(other)("other", "2.0.0", other.overall, other.dimensions, other.themes)

    with pytest.raises(ValueError, match=r"scores are for other@2.0.0, not for test-instrument"):
        build_roadmap(instrument, {}, renamed)


def test_action_text_in_another_language() -> None:
    instrument = make_instrument(practice("policy.a", 2))
    result = score_assessment(instrument, {})

    roadmap = build_roadmap(instrument, {}, result, language="nl")

    assert roadmap.phases[0].actions[0].action == "Do policy.a"  # falls back to English


def test_averaged_rule_adds_practices_above_the_target_until_it_is_reached() -> None:
    # Level 2 needs a score of 25 on 1..5. The only level-2 practice is met, but the four
    # level-5 ones answered "not" hold the score at 20: meeting practices up to the target
    # alone would leave the roadmap empty.
    instrument = make_instrument(
        practice("policy.low", 2),
        *(practice(f"policy.high{n}", 5, impact="high" if n == 2 else "medium") for n in range(4)),
        level_rule=LevelRule.AVERAGED,
    )
    answers = make_answers({"policy.low": "fully", **{f"policy.high{n}": "not" for n in range(4)}})
    result = score_assessment(instrument, answers)
    assert (result.dimensions["policy"].score, result.dimensions["policy"].level) == (20.0, 1)

    roadmap = build_roadmap(instrument, answers, result)

    assert roadmap.targets == {"policy": 2}
    assert action_ids(roadmap) == [["policy.high2"]]  # the best impact for effort first
    assert roadmap.phases[-1].projected["policy"].level == 2
    assert roadmap.unreached == {}


def test_practices_made_visible_by_the_roadmap_are_added() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 2, show_if=("policy.a", ["fully"]), horizon="medium"),
    )
    answers = make_answers({"policy.a": "partial"})

    roadmap = roadmap_for(instrument, answers)

    assert action_ids(roadmap) == [["policy.a"], ["policy.b"]]
    assert roadmap.phases[-1].projected["policy"].level == 5
    assert roadmap.unreached == {}


def test_a_target_nothing_can_reach_is_listed_as_unreached() -> None:
    instrument = make_instrument(
        practice("policy.a", 2, allow_not_applicable=True), level_rule=LevelRule.AVERAGED
    )
    answers = make_answers({"policy.a": NA})  # nothing applies: no score, the floor

    roadmap = roadmap_for(instrument, answers)

    assert roadmap.targets == {"policy": 2}
    assert roadmap.phases == ()
    assert roadmap.unreached == {"policy": 1}


def test_projections_carry_their_coverage() -> None:
    instrument = make_instrument(
        practice("policy.a", 2),
        practice("policy.b", 4),
        practice("policy.c", 5),
        level_rule=LevelRule.AVERAGED,
    )
    answers = make_answers({"policy.a": "not"})  # one third answered

    roadmap = roadmap_for(instrument, answers)

    projection = roadmap.phases[-1].projected["policy"]
    assert (projection.score, projection.level) == (100.0, 5)  # over the answered third
    assert projection.coverage == pytest.approx(1 / 3)
    assert roadmap.phases[-1].projected_overall.coverage == pytest.approx(1 / 3)

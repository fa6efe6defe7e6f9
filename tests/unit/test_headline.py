"""The headline: index, overall level under its rule with the floor, strongest and weakest."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessment.domain.formats.figures_dict import headline_to_dict
from assessment.domain.model.instrument import Instrument, OverallLevelRule
from assessment.domain.rules.headline import Ranked, headline
from assessment.domain.rules.scoring import score_assessment
from assessment.presentation.labels import headline_lines, rank_line
from tests.unit.instruments import make_answers, make_instrument, practice


def three_dimensions(rule: OverallLevelRule = OverallLevelRule.LOWEST) -> Instrument:
    return make_instrument(
        practice("policy.a", 2),
        practice("training.a", 2),
        practice("training.dark-web", 3),
        practice("budget.a", 2),
        overall_level_rule=rule,
    )


ANSWERS = make_answers(
    {
        "policy.a": "fully",
        "training.a": "fully",
        "training.dark-web": "not",
        "budget.a": "largely",
    }
)


def test_the_floor_names_its_dimension_and_what_blocks_it() -> None:
    instrument = three_dimensions()
    facts = headline(instrument, score_assessment(instrument, ANSWERS))

    # policy 100 (level 5), training 50 (level 2, dark web unmet), budget 75 (level 5)
    assert (facts.level, facts.floor, facts.floor_dimensions) == (2, 2, ("training",))
    assert facts.blocked_by == ("training.dark-web",)
    assert facts.strongest == Ranked(("policy",), 100.0)
    assert facts.weakest == Ranked(("training",), 50.0)
    assert headline_lines(instrument, facts) == [
        "Index 75.0 / 100 (coverage 100%)",
        "Floor: level 2 · Level 2, set by Training; blocked by training.dark-web",
        "Strongest: Policy (100.0); weakest: Training (50.0)",
    ]


def test_the_wording_follows_the_overall_rule() -> None:
    weighted = three_dimensions(OverallLevelRule.WEIGHTED_MEAN)
    none = three_dimensions(OverallLevelRule.NONE)

    weighted_lines = headline_lines(
        weighted, headline(weighted, score_assessment(weighted, ANSWERS))
    )
    none_facts = headline(none, score_assessment(none, ANSWERS))

    assert weighted_lines[1] == (
        "Overall level 4 · Level 4 (weighted mean of the dimension levels, rounded down)"
    )  # (5 + 2 + 5) / 3 = 4
    assert weighted_lines[2].startswith("Floor: level 2 · Level 2, set by Training")
    assert none_facts.level is None
    assert headline_lines(none, none_facts)[1:3] == [
        "No overall level: this instrument reports dimension levels only",
        "Lowest: level 2 · Level 2, set by Training; blocked by training.dark-web",
    ]


def test_ties_are_said_as_ties_and_never_name_one_dimension_twice() -> None:
    instrument = three_dimensions()
    answers = {**ANSWERS, **make_answers({"budget.a": "fully"})}
    facts = headline(instrument, score_assessment(instrument, answers))

    assert facts.strongest == Ranked(("policy", "budget"), 100.0)
    assert rank_line(instrument, facts) == (
        "Strongest: Policy and Budget (tied at 100.0); weakest: Training (50.0)"
    )


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        # every scored dimension shows 50.0: no strongest or weakest
        (
            {"policy.a": "partial", "training.a": "partial", "budget.a": "partial"},
            "Every scored dimension shows the same score: no strongest or weakest",
        ),
        ({"policy.a": "partial"}, None),  # one scored dimension: nothing to compare
    ],
)
def test_equal_or_single_scores_name_no_strongest_or_weakest(
    choices: dict[str, str | None], expected: str | None
) -> None:
    instrument = three_dimensions()
    facts = headline(instrument, score_assessment(instrument, make_answers(choices)))

    assert facts.strongest is None and facts.weakest is None
    assert rank_line(instrument, facts) == expected


def test_scores_that_show_the_same_are_a_tie() -> None:
    instrument = make_instrument(
        *(practice(f"policy.p{n}", 2) for n in range(3)), practice("budget.a", 2)
    )
    # policy: 100 * 2 / 3 = 66.67, shown 66.7; a budget figure of 66.66 is also shown 66.7.
    result = score_assessment(
        instrument,
        make_answers({"policy.p0": "fully", "policy.p1": "fully", "policy.p2": "not"}),
    )
    budget = replace(result.dimensions["policy"], dimension_id="budget", score=66.66)
    result = replace(result, dimensions={**result.dimensions, "budget": budget})

    assert headline(instrument, result).all_equal


def test_headline_json_shape() -> None:
    instrument = three_dimensions()
    data = headline_to_dict(headline(instrument, score_assessment(instrument, ANSWERS)))

    assert data == {
        "index": 75.0,
        "coverage": 1.0,
        "overall_level_rule": "lowest",
        "level": 2,
        "floor": {
            "level": 2,
            "set_by": ["training"],
            "blocked_by": ["training.dark-web"],
            "capped_by": [],
        },
        "strongest": {"dimensions": ["policy"], "score": 100.0, "tied": False},
        "weakest": {"dimensions": ["training"], "score": 50.0, "tied": False},
        "all_equal": False,
        "baseline_open": [],
    }

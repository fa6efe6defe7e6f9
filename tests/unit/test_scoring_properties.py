"""Properties of scoring and the roadmap over generated instruments and answers."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import (
    AnswerSet,
    Instrument,
    LevelRule,
    Option,
    OverallLevelRule,
    Practice,
    Text,
)
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import score_assessment
from tests.unit.instruments import IMPLEMENTATION, YES_NO, make_instrument, practice

# Every answer set starts at credit 0, as real ones do ("not implemented"): the
# not-applicable property compares against the lowest option, and dropping a practice at
# credit 0 can only raise a weighted mean, while dropping one at 0.25 could lower it.
QUARTERS = AnswerSet(
    "quarters",
    tuple(Option(f"q{n}", Text.plain(f"{n}/4"), n / 4) for n in range(5)),
)
ANSWER_SETS = (IMPLEMENTATION, YES_NO, QUARTERS)
THEMES = ("privacy", "tone", "crisis")


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    """Instruments of 1-3 dimensions, 1-6 practices each, with show-if chains and themes."""
    top = draw(st.integers(min_value=2, max_value=5))
    practices: list[Practice] = []
    for dimension in ("policy", "staffing", "budget")[: draw(st.integers(1, 3))]:
        for number in range(draw(st.integers(1, 6))):
            practices.append(draw(practices_of(f"{dimension}.p{number}", top, practices)))
    return make_instrument(
        *practices,
        levels=top,
        met_at=draw(st.sampled_from([0.5, 0.75, 1.0])),
        level_rule=draw(st.sampled_from(LevelRule)),
        overall_level_rule=draw(st.sampled_from(OverallLevelRule)),
        dimension_weights={
            d: draw(st.sampled_from([0.5, 1.0, 2.0])) for d in ("policy", "staffing", "budget")
        },
        themes=THEMES,
    )


@st.composite
def practices_of(draw: st.DrawFn, practice_id: str, top: int, earlier: list[Practice]) -> Practice:
    """One practice; it may be shown only for some options of an earlier practice."""
    show_if = None
    conditional = draw(st.booleans())
    if earlier and conditional:
        target = draw(st.sampled_from(earlier))
        option_ids = [o.id for o in target.answer_set.options]
        show_if = (target.id, draw(st.lists(st.sampled_from(option_ids), min_size=1)))
    return practice(
        practice_id,
        draw(st.integers(min_value=2, max_value=top)),
        weight=draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])),
        answer_set=draw(st.sampled_from(ANSWER_SETS)),
        allow_not_applicable=draw(st.booleans()),
        show_if=show_if,
        themes=draw(st.lists(st.sampled_from(THEMES), unique=True, max_size=2)),
    )


@st.composite
def instruments_with_answers(draw: st.DrawFn) -> tuple[Instrument, dict[str, Answer]]:
    """An instrument and answers to it: options, not applicable where allowed, or none."""
    instrument = draw(instruments())
    answers: dict[str, Answer] = {}
    for item in instrument.practices():
        choices = ["unanswered", *(o.id for o in item.answer_set.options)]
        if item.allow_not_applicable:
            choices.append("na")
        choice = draw(st.sampled_from(choices))
        if choice == "na":
            answers[item.id] = Answer(item.id, not_applicable=True)
        elif choice != "unanswered":
            answers[item.id] = Answer(item.id, option_id=choice)
    return instrument, answers


def unreferenced(instrument: Instrument) -> list[Practice]:
    """Practices no show-if condition refers to.

    Changing the answer of a referenced practice can show or hide others, and a practice
    that appears unanswered rightly lowers coverage and gated levels: that is not a
    change of credit, so the monotonicity properties hold only for the other practices.
    """
    referenced = {p.show_if.practice_id for p in instrument.practices() if p.show_if}
    return [p for p in instrument.practices() if p.id not in referenced]


def figures(result: ScoreResult) -> list[tuple[str, float | None]]:
    """Every score and level of a result, labelled."""
    scores: list[tuple[str, float | None]] = [
        ("overall score", result.overall.score),
        ("overall level", result.overall.level),
    ]
    for dimension_id, dimension in result.dimensions.items():
        scores += [(f"{dimension_id} score", dimension.score), (dimension_id, dimension.level)]
    scores += [(f"{theme_id} score", theme.score) for theme_id, theme in result.themes.items()]
    return scores


def not_lower(after: float | None, before: float | None) -> bool:
    """`after` is at least `before`; a figure that had a value keeps one."""
    return before is None or (after is not None and after >= before)


@given(instruments_with_answers())
def test_scores_are_within_0_to_100_and_levels_within_the_scale(
    case: tuple[Instrument, dict[str, Answer]],
) -> None:
    instrument, answers = case
    result = score_assessment(instrument, answers)
    scale = range(instrument.floor_level, instrument.top_level + 1)

    for label, value in figures(result):
        if "score" in label:
            assert value is None or 0.0 <= value <= 100.0, label
        else:
            assert value in scale, label
    coverages = [result.overall.coverage, *(d.coverage for d in result.dimensions.values())]
    assert all(0.0 <= c <= 1.0 for c in coverages)


@given(instruments_with_answers(), st.data())
def test_raising_an_answers_credit_never_lowers_a_score_or_level(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    instrument, answers = case
    candidates = [
        p
        for p in unreferenced(instrument)
        if p.id in answers and answers[p.id].option_id is not None
    ]
    if not candidates:
        return
    target = data.draw(st.sampled_from(candidates))
    current = target.answer_set.option(answers[target.id].option_id or "")
    assert current is not None
    better = data.draw(
        st.sampled_from([o for o in target.answer_set.options if o.credit >= current.credit])
    )
    raised = {**answers, target.id: Answer(target.id, option_id=better.id)}

    before = figures(score_assessment(instrument, answers))
    after = figures(score_assessment(instrument, raised))

    for (label, old), (_, new) in zip(before, after, strict=True):
        assert not_lower(new, old), f"{label}: {old} -> {new} raising {target.id}"


@given(instruments_with_answers(), st.randoms(use_true_random=False))
def test_answer_order_does_not_matter(
    case: tuple[Instrument, dict[str, Answer]], shuffler: random.Random
) -> None:
    instrument, answers = case
    keys = list(answers)
    shuffler.shuffle(keys)
    shuffled = {key: answers[key] for key in keys}

    assert score_assessment(instrument, shuffled) == score_assessment(instrument, answers)


@given(instruments_with_answers(), st.data())
def test_not_applicable_never_lowers_level_or_score(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    instrument, answers = case
    target = data.draw(st.sampled_from(unreferenced(instrument)))
    lowest = min(target.answer_set.options, key=lambda o: o.credit)
    variants = {
        "unanswered": {k: v for k, v in answers.items() if k != target.id},
        "lowest option": {**answers, target.id: Answer(target.id, option_id=lowest.id)},
    }
    marked = {**answers, target.id: Answer(target.id, not_applicable=True)}
    with_na = score_assessment(instrument, marked).dimensions[target.dimension_id]

    for name, variant in variants.items():
        other = score_assessment(instrument, variant).dimensions[target.dimension_id]
        assert with_na.level >= other.level, name
        if with_na.score is not None and other.score is not None:
            assert with_na.score >= other.score, name
    if instrument.scoring.level_rule is LevelRule.GATED:
        for option in target.answer_set.options:
            answered = {**answers, target.id: Answer(target.id, option_id=option.id)}
            other = score_assessment(instrument, answered).dimensions[target.dimension_id]
            assert with_na.level >= other.level, option.id


@given(instruments_with_answers())
def test_roadmap_puts_dependencies_first_and_never_in_a_later_phase(
    case: tuple[Instrument, dict[str, Answer]],
) -> None:
    instrument, answers = case
    roadmap = build_roadmap(instrument, answers, score_assessment(instrument, answers))
    seen: set[str] = set()

    for phase in roadmap.phases:
        assert phase.actions
        for action in phase.actions:
            assert set(action.depends_on) <= seen, action.practice_id
            seen.add(action.practice_id)
    assert len(seen) == sum(len(phase.actions) for phase in roadmap.phases)


@given(instruments_with_answers())
def test_gated_roadmap_reaches_its_targets_when_nothing_is_hidden(
    case: tuple[Instrument, dict[str, Answer]],
) -> None:
    instrument, answers = case
    if instrument.scoring.level_rule is not LevelRule.GATED or any(
        p.show_if for p in instrument.practices()
    ):
        return
    roadmap = build_roadmap(instrument, answers, score_assessment(instrument, answers))
    if not roadmap.phases:
        return

    final = roadmap.phases[-1].projected
    for dimension_id, target in roadmap.targets.items():
        assert final[dimension_id].level >= target, dimension_id

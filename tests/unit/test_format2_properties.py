"""Properties of the format-2 rules over generated instruments and answers."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import (
    Gating,
    Instrument,
    LevelRule,
    Practice,
    PracticeKind,
)
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.scoring import score_assessment
from tests.unit.test_scoring_properties import (
    figures,
    instruments_with_answers,
    not_lower,
    unreferenced,
)


def with_practices(instrument: Instrument, change: dict[str, list[Practice]]) -> Instrument:
    """The instrument with practice id -> replacement practices (in place of the one)."""
    dimensions = tuple(
        replace(
            dimension,
            practices=tuple(new for p in dimension.practices for new in change.get(p.id, [p])),
        )
        for dimension in instrument.dimensions
    )
    return replace(instrument, dimensions=dimensions, format=2)


def levels(result: ScoreResult) -> list[tuple[str, int]]:
    """Every level of a result, labelled."""
    return [("overall", result.overall.level)] + [
        (dimension_id, dimension.level) for dimension_id, dimension in result.dimensions.items()
    ]


@given(instruments_with_answers(), st.data())
def test_an_unmet_baseline_practice_never_raises_a_level(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    instrument, answers = case
    chosen = data.draw(st.sampled_from(unreferenced(instrument)))
    cap = data.draw(st.sampled_from([None, *(level.number for level in instrument.levels)]))
    baseline = with_practices(
        instrument, {chosen.id: [replace(chosen, kind=PracticeKind.BASELINE)]}
    )
    baseline = replace(baseline, scoring=replace(baseline.scoring, baseline_cap=cap))
    options = chosen.answer_set.options
    met = {**answers, chosen.id: Answer(chosen.id, option_id=chosen.answer_set.best.id)}
    not_met = data.draw(
        st.sampled_from(
            [
                {**answers, chosen.id: Answer(chosen.id, option_id=options[0].id)},
                {k: v for k, v in answers.items() if k != chosen.id},  # unanswered
            ]
        )
    )

    after = dict(levels(score_assessment(baseline, not_met)))
    before = dict(levels(score_assessment(baseline, met)))

    assert all(after[key] <= before[key] for key in before)


@given(instruments_with_answers(), st.data())
def test_alternatives_never_score_worse_than_the_single_practice(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    instrument, answers = case
    single = data.draw(st.sampled_from(unreferenced(instrument)))
    own = data.draw(st.sampled_from([o.id for o in single.answer_set.options]))
    answers = {**answers, single.id: Answer(single.id, option_id=own)}
    other_id = f"{single.dimension_id}.alternative"
    with_alternative = with_practices(
        instrument,
        {
            single.id: [
                replace(single, requirement="either"),
                replace(single, id=other_id, requirement="either"),
            ]
        },
    )
    other = data.draw(st.sampled_from([None, *(o.id for o in single.answer_set.options)]))
    if other is not None:
        answers[other_id] = Answer(other_id, option_id=other)

    before = figures(score_assessment(instrument, answers))
    after = dict(figures(score_assessment(with_alternative, answers)))

    assert all(not_lower(after[key], value) for key, value in before)


@given(instruments_with_answers(), st.data())
def test_gating_by_critical_practices_never_lowers_a_level(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    instrument, answers = case
    instrument = replace(
        instrument, scoring=replace(instrument.scoring, level_rule=LevelRule.GATED)
    )
    ids = [p.id for p in instrument.practices()]
    critical = set(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    marked = with_practices(
        instrument, {p.id: [replace(p, critical=p.id in critical)] for p in instrument.practices()}
    )
    by_critical = replace(marked, scoring=replace(marked.scoring, gating=Gating.CRITICAL))

    every = score_assessment(marked, answers)
    only_critical = score_assessment(by_critical, answers)

    assert [s for _, s in figures(every) if "score" in _] == [
        s for _, s in figures(only_critical) if "score" in _
    ]
    assert all(
        after >= before
        for (_, before), (_, after) in zip(levels(every), levels(only_critical), strict=True)
    )
    if critical == set(ids):
        assert levels(every) == levels(only_critical)
    if not critical:
        top = instrument.top_level
        assert all(d.level == top for d in only_critical.dimensions.values())

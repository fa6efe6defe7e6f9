"""Small instruments and answer sets built in Python, for tests that need no YAML."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import (
    DEFAULT_PHASES,
    AnswerSet,
    Condition,
    Dimension,
    Instrument,
    Level,
    LevelRule,
    Option,
    OverallLevelRule,
    Phase,
    Practice,
    Rating,
    Recommendation,
    ScoringRules,
    Text,
    Theme,
)

IMPLEMENTATION = AnswerSet(
    "implementation",
    (
        Option("not", Text.plain("Not implemented"), 0.0),
        Option("partial", Text.plain("Partially implemented"), 0.5),
        Option("largely", Text.plain("Largely implemented"), 0.75),
        Option("fully", Text.plain("Fully implemented"), 1.0),
    ),
)
YES_NO = AnswerSet(
    "yes_no",
    (Option("no", Text.plain("No"), 0.0), Option("yes", Text.plain("Yes"), 1.0)),
)
NA = "<not applicable>"
"""Value for `make_answers` that marks a practice not applicable."""


def practice(
    practice_id: str,
    level: int,
    *,
    weight: float = 1.0,
    answer_set: AnswerSet = IMPLEMENTATION,
    allow_not_applicable: bool = False,
    show_if: tuple[str, Iterable[str]] | None = None,
    themes: Iterable[str] = (),
    effort: str = "medium",
    impact: str = "medium",
    horizon: str = "short",
    depends_on: Iterable[str] = (),
) -> Practice:
    """A practice whose dimension is the part of its id before the first dot."""
    return Practice(
        id=practice_id,
        dimension_id=practice_id.split(".")[0],
        level=level,
        weight=weight,
        answer_set=answer_set,
        text=Text.plain(f"Statement {practice_id}"),
        guidance=Text.plain(f"Evidence for {practice_id}"),
        recommendation=Recommendation(
            action=Text.plain(f"Do {practice_id}"),
            effort=Rating(effort),
            impact=Rating(impact),
            horizon=horizon,
            depends_on=tuple(depends_on),
        ),
        allow_not_applicable=allow_not_applicable,
        show_if=Condition(show_if[0], tuple(show_if[1])) if show_if else None,
        themes=tuple(themes),
        sources=("TEST",),
    )


def make_instrument(
    *practices: Practice,
    levels: int = 5,
    scale: Iterable[int] | None = None,
    met_at: float = 0.75,
    level_rule: LevelRule = LevelRule.GATED,
    overall_level_rule: OverallLevelRule = OverallLevelRule.LOWEST,
    dimension_weights: Mapping[str, float] | None = None,
    extra_dimensions: Iterable[str] = (),
    themes: Iterable[str] = (),
    phases: tuple[Phase, ...] = DEFAULT_PHASES,
) -> Instrument:
    """An instrument with levels 1..`levels` (or `scale`), dimensions in order of appearance."""
    by_dimension: dict[str, list[Practice]] = {}
    for item in practices:
        by_dimension.setdefault(item.dimension_id, []).append(item)
    for dimension_id in extra_dimensions:
        by_dimension.setdefault(dimension_id, [])
    weights = dimension_weights or {}
    answer_sets = {p.answer_set.id: p.answer_set for p in practices}
    return Instrument(
        id="test-instrument",
        version="1.0.0",
        title=Text.plain("Test instrument"),
        description=Text.plain("Built in a test"),
        levels=tuple(
            Level(n, Text.plain(f"Level {n}"), Text.plain(f"Level {n}"))
            for n in (scale if scale is not None else range(1, levels + 1))
        ),
        answer_sets=answer_sets,
        dimensions=tuple(
            Dimension(
                id=dimension_id,
                title=Text.plain(dimension_id.title()),
                description=Text.plain(f"About {dimension_id}"),
                weight=weights.get(dimension_id, 1.0),
                level_descriptions={},
                practices=tuple(items),
            )
            for dimension_id, items in by_dimension.items()
        ),
        themes={t: Theme(t, Text.plain(t.title()), Text.plain(f"About {t}")) for t in themes},
        scoring=ScoringRules(
            met_at=met_at, level_rule=level_rule, overall_level_rule=overall_level_rule
        ),
        phases=phases,
    )


def make_answers(choices: Mapping[str, str | None]) -> dict[str, Answer]:
    """Answers from practice id -> option id (`NA` for not applicable, None for no answer)."""
    return {
        practice_id: Answer(practice_id, not_applicable=True)
        if choice == NA
        else Answer(practice_id, option_id=choice)
        for practice_id, choice in choices.items()
    }

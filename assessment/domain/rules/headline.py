"""The headline of a result: the facts that lead a results page, report or CLI output.

The index and coverage come first. The overall level is stated under the instrument's
rule and never bare: `lowest` gives the floor with the dimensions that set it and the
practices that block it; `weighted_mean` gives the rounded-down mean of the levels and
the floor beside it; `none` gives no overall level, only the floor. Strongest and weakest
compare scores as shown (one decimal): tied dimensions are named together, the two never
name the same dimension, and when every scored dimension shows the same score, or fewer
than two have a score, there is neither. Wording lives in `presentation.labels`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assessment.domain.model.instrument import Instrument, OverallLevelRule
from assessment.domain.model.results import ScoreResult

SHOWN_DECIMALS = 1  # scores are compared as they are shown


@dataclass(frozen=True)
class Ranked:
    """The dimensions sharing the highest (or lowest) shown score; more than one is a tie."""

    dimension_ids: tuple[str, ...]
    score: float

    @property
    def tied(self) -> bool:
        """Whether several dimensions share the score."""
        return len(self.dimension_ids) > 1


@dataclass(frozen=True)
class Headline:
    """What a result leads with, as data."""

    index: float | None  # the weighted mean of the dimension scores
    coverage: float
    rule: OverallLevelRule
    level: int | None  # the overall level under the rule; None under `none`
    floor: int  # the lowest dimension level
    floor_dimensions: tuple[str, ...]  # the dimensions at the floor, in instrument order
    blocked_by: tuple[str, ...]  # what else keeps those dimensions at the floor
    capped_by: tuple[str, ...]  # open baseline practices capping a floor dimension
    strongest: Ranked | None
    weakest: Ranked | None
    all_equal: bool  # two or more scored dimensions, all showing the same score
    baseline_open: tuple[str, ...]  # every baseline practice not shown to be met


def headline(instrument: Instrument, result: ScoreResult) -> Headline:
    """The headline facts of `result` under `instrument`'s overall level rule."""
    dimensions = [result.dimensions[d.id] for d in instrument.dimensions]
    floor = min((d.level for d in dimensions), default=instrument.floor_level)
    at_floor = [d for d in dimensions if d.level == floor]
    rule = instrument.scoring.overall_level_rule
    shown = {
        d.dimension_id: round(d.score, SHOWN_DECIMALS) for d in dimensions if d.score is not None
    }
    strongest = weakest = None
    all_equal = len(shown) >= 2 and len(set(shown.values())) == 1
    if len(shown) >= 2 and not all_equal:
        high, low = max(shown.values()), min(shown.values())
        strongest = Ranked(tuple(k for k, v in shown.items() if v == high), high)
        weakest = Ranked(tuple(k for k, v in shown.items() if v == low), low)
    return Headline(
        index=result.overall.score,
        coverage=result.overall.coverage,
        rule=rule,
        level=None if rule is OverallLevelRule.NONE else result.overall.level,
        floor=floor,
        floor_dimensions=tuple(d.dimension_id for d in at_floor),
        blocked_by=_unique(p for d in at_floor for p in d.blocking if p not in d.capped_by),
        capped_by=_unique(p for d in at_floor for p in d.capped_by),
        strongest=strongest,
        weakest=weakest,
        all_equal=all_equal,
        baseline_open=result.baseline.open,
    )


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    """The ids in first-seen order, each once."""
    return tuple(dict.fromkeys(ids))

"""The headline and the baseline panel in words a reader can act on: question texts, no ids.

Shared by the results page and the agency report. The facts come from
`domain.rules.headline` and the result's baseline; the command line keeps its terser,
id-based lines in `presentation.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.model.instrument import Instrument, OverallLevelRule
from assessment.domain.model.results import DimensionResult, PracticeStatus, ScoreResult
from assessment.domain.rules.headline import Headline, Ranked, headline
from assessment.presentation.labels import (
    BASELINE_MEANING,
    BASELINE_TITLE,
    join_words,
    level_name,
    points,
    quoted_practices,
)

OBLIGATION_STATUS = {
    PracticeStatus.MET: "Met",
    PracticeStatus.UNMET: "Not met: the obligation is open",
    PracticeStatus.UNANSWERED: "Not answered yet: open until answered",
    PracticeStatus.NOT_APPLICABLE: "Not applicable",
}


@dataclass(frozen=True)
class HeadlineView:
    """What a result leads with: the index, the overall level as what it is, the ranks."""

    index: float | None
    coverage: float
    level_title: str  # "Floor: level 1 · Initial" / "Overall level 2 · Developing" / "No ..."
    level_detail: str  # what sets it: the dimensions at the floor, what blocks or caps them
    ranks: str | None  # strongest and weakest, ties said as ties; None when nothing to rank
    facts: Headline


@dataclass(frozen=True)
class Obligation:
    """One baseline practice: its question text and its status in words."""

    text: str
    status: str  # a PracticeStatus value
    status_label: str
    open: bool


@dataclass(frozen=True)
class ObligationGroup:
    """A dimension's baseline practices."""

    title: str
    obligations: tuple[Obligation, ...]


@dataclass(frozen=True)
class BaselineView:
    """The baseline panel: shown first, in plain words."""

    title: str
    meaning: str
    met: int
    applicable: int
    open: int
    cap_note: str | None  # "An open obligation caps its dimension at level 1 · Initial."
    groups: tuple[ObligationGroup, ...]


def headline_view(instrument: Instrument, result: ScoreResult) -> HeadlineView:
    """The headline of `result` in words, under the instrument's overall level rule."""
    facts = headline(instrument, result)
    titles = {d.id: str(d.title) for d in instrument.dimensions}
    floor = f"level {facts.floor} · {level_name(instrument, facts.floor)}"
    level = facts.floor if facts.rule is OverallLevelRule.LOWEST else facts.level
    title = overall_level_words(instrument, level)
    if facts.rule is OverallLevelRule.WEIGHTED_MEAN and facts.level is not None:
        title += " (the weighted mean of the dimension levels, rounded down)"
    elif facts.rule is not OverallLevelRule.LOWEST or level is None:
        title = "No overall level: the dimensions' levels are reported one by one"
    setters = join_words(titles[d] for d in facts.floor_dimensions)
    detail = f"The lowest dimension level, {floor}, is set by {setters}"
    if facts.capped_by:
        capped = quoted_practices(instrument, facts.capped_by)
        detail += f"; capped by open baseline obligations: {capped}"
    if facts.blocked_by:
        detail += f"; blocked by: {quoted_practices(instrument, facts.blocked_by)}"
    return HeadlineView(
        index=facts.index,
        coverage=facts.coverage,
        level_title=title,
        level_detail=detail + ".",
        ranks=_ranks(titles, facts),
        facts=facts,
    )


def overall_level_words(instrument: Instrument, level: int | None) -> str:
    """A stored overall level as results pages say it under the instrument's rule:
    "Floor: level 1 · Initial" (the lowest dimension level), "Overall level 2 · Developing"
    (the rounded-down weighted mean) or "No overall level"."""
    rule = instrument.scoring.overall_level_rule
    if level is None or rule is OverallLevelRule.NONE:
        return "No overall level"
    words = f"level {level} · {level_name(instrument, level)}"
    return f"Floor: {words}" if rule is OverallLevelRule.LOWEST else f"Overall {words}"


def baseline_view(instrument: Instrument, result: ScoreResult) -> BaselineView | None:
    """The baseline panel, or None when the instrument has no baseline practices."""
    baseline = result.baseline
    if not baseline.dimensions:
        return None
    groups = []
    for dimension_id, dimension in baseline.dimensions.items():
        obligations = []
        for outcome in dimension.practices:
            if outcome.status is PracticeStatus.HIDDEN:
                continue
            practice = instrument.practice(outcome.practice_id)
            obligations.append(
                Obligation(
                    text=str(practice.text) if practice is not None else outcome.practice_id,
                    status=outcome.status.value,
                    status_label=OBLIGATION_STATUS.get(outcome.status, outcome.status.value),
                    open=outcome.is_open,
                )
            )
        found = instrument.dimension(dimension_id)
        title = str(found.title) if found is not None else dimension_id
        groups.append(ObligationGroup(title, tuple(obligations)))
    met = sum(len(d.met) for d in baseline.dimensions.values())
    cap = (
        f"An open obligation caps its dimension at level {baseline.cap} · "
        f"{level_name(instrument, baseline.cap)}."
        if baseline.cap is not None
        else None
    )
    return BaselineView(
        title=BASELINE_TITLE,
        meaning=BASELINE_MEANING,
        met=met,
        applicable=baseline.applicable,
        open=len(baseline.open),
        cap_note=cap,
        groups=tuple(groups),
    )


def cap_text(instrument: Instrument, dimension: DimensionResult) -> str | None:
    """What to say beside a level the baseline capped; None when it was not capped."""
    if not dimension.capped_by or dimension.uncapped_level is None:
        return None
    count = len(dimension.capped_by)
    return (
        f"capped at level {dimension.level} by {count} open baseline "
        f"obligation{'s' if count != 1 else ''}; level {dimension.uncapped_level} · "
        f"{level_name(instrument, dimension.uncapped_level)} without the cap"
    )


def _ranks(titles: dict[str, str], facts: Headline) -> str | None:
    if facts.all_equal and facts.index is not None:
        return "Every scored dimension shows the same score: none is strongest or weakest."
    if facts.strongest is None or facts.weakest is None:
        return None
    return (
        f"Strongest: {_ranked(titles, facts.strongest)}. Weakest: {_ranked(titles, facts.weakest)}."
    )


def _ranked(titles: dict[str, str], ranked: Ranked) -> str:
    who = join_words(titles[d] for d in ranked.dimension_ids)
    score = points(ranked.score)
    return f"{who}, tied at {score}" if ranked.tied else f"{who} ({score})"

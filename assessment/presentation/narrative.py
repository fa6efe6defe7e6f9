"""The executive summary in plain sentences, generated from the figures.

A chief officer reads it in two minutes: where the agency stands, what changed since the
last comparable round, what the roadmap asks first, and how it compares with its peers
(or why that is withheld). Every number comes from the results; nothing is invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessment.domain.model.instrument import Instrument, OverallLevelRule
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.headline import headline
from assessment.presentation.labels import (
    dimension_titles,
    join_words,
    level_name,
    quoted_practices,
    whole_points,
)
from assessment.presentation.roadmap import RoadmapView

PRIORITIES = 3
NOTABLE_CHANGE = 5.0  # points: a dimension change worth naming


@dataclass(frozen=True)
class PeerFacts:
    """The agency's peer comparison: the group, its median and the agency's rank, or why not."""

    group: str
    median: float | None
    percentile_rank: float | None
    withheld_reason: str | None


def summary_sentences(
    instrument: Instrument,
    agency_name: str,
    round_name: str,
    result: ScoreResult,
    roadmap: RoadmapView,
    peers: PeerFacts,
    previous: tuple[str, ScoreResult] | None = None,
) -> tuple[str, ...]:
    """The narrative paragraphs of the executive summary."""
    paragraphs = [
        _standing(instrument, agency_name, round_name, result),
        _obligations(instrument, result),
        _extremes(instrument, result),
    ]
    if previous is not None:
        paragraphs.append(_change(instrument, previous[0], previous[1], result))
    paragraphs.append(_priorities(roadmap))
    paragraphs.append(_peers(peers))
    return tuple(paragraph for paragraph in paragraphs if paragraph)


def _standing(instrument: Instrument, agency: str, round_name: str, result: ScoreResult) -> str:
    overall = result.overall
    if overall.score is None:
        return f"{agency} has no scored answers in round {round_name}."
    coverage = (
        "with every applicable practice answered"
        if overall.coverage >= 1
        else f"with {whole_points(overall.coverage * 100)}% of the applicable practices answered"
    )
    score = whole_points(overall.score)
    sentence = f"{agency} scores {score} out of 100 in round {round_name}, {coverage}."
    level = f"level {overall.level} ({level_name(instrument, overall.level)})"
    rule = instrument.scoring.overall_level_rule
    titles = dimension_titles(instrument)
    floor = [
        titles[d_id]
        for d_id, figures in result.dimensions.items()
        if figures.level == overall.level and d_id in titles
    ]
    if rule is OverallLevelRule.NONE:
        return (
            f"{sentence} The questionnaire gives no overall level: each dimension's level is "
            f"reported on its own, the lowest being {level} ({join_words(floor)})."
        )
    if rule is OverallLevelRule.LOWEST:
        return (
            f"{sentence} Its overall level is {level}, the lowest of its dimension levels, "
            f"set by {join_words(floor)}; the other dimensions stand higher."
            if len(floor) < len(result.dimensions)
            else f"{sentence} Every dimension stands at {level}."
        )
    return f"{sentence} Its overall level, the weighted mean of its dimension levels, is {level}."


def _obligations(instrument: Instrument, result: ScoreResult) -> str:
    """The legal and safety obligations still open, by their text (none: said so)."""
    if not result.baseline.dimensions:
        return ""
    open_ids = result.baseline.open
    if not open_ids:
        return "Every legal and safety obligation of the baseline that applies is met."
    count = len(open_ids)
    listed = quoted_practices(instrument, open_ids, PRIORITIES)
    return (
        f"{count} legal or safety obligation{'s are' if count != 1 else ' is'} still open "
        f"(not met or not yet shown to be met): {listed}."
    )


def _extremes(instrument: Instrument, result: ScoreResult) -> str:
    facts = headline(instrument, result)
    if facts.all_equal:
        return "All dimensions score the same."
    if facts.strongest is None or facts.weakest is None:
        return ""
    titles = dimension_titles(instrument)
    strongest = [titles[d] for d in facts.strongest.dimension_ids]
    weakest = [titles[d] for d in facts.weakest.dimension_ids]
    top, bottom = whole_points(facts.strongest.score), whole_points(facts.weakest.score)
    return f"{_ranked(strongest, 'strongest', top)}; {_ranked(weakest, 'weakest', bottom)}."


def _ranked(titles: Sequence[str], word: str, score: int) -> str:
    if len(titles) == 1:
        return f"{titles[0]} is its {word} dimension ({score})"
    return f"{join_words(titles)} are its {word} dimensions, tied at {score}"


def _change(
    instrument: Instrument, previous_round: str, previous: ScoreResult, result: ScoreResult
) -> str:
    now, then = result.overall.score, previous.overall.score
    if now is None or then is None:
        return ""
    difference = whole_points(now) - whole_points(then)
    if difference == 0:
        unchanged = whole_points(now)
        sentence = f"Since round {previous_round} the overall score is unchanged at {unchanged}."
    else:
        direction = "rose" if difference > 0 else "fell"
        sentence = (
            f"Since round {previous_round} the overall score {direction} by "
            f"{abs(difference)} point{'s' if abs(difference) != 1 else ''}, "
            f"from {whole_points(then)} to {whole_points(now)}."
        )
    titles = dimension_titles(instrument)
    moves = []
    for d_id, figures in result.dimensions.items():
        before = previous.dimensions.get(d_id)
        if figures.score is None or before is None or before.score is None:
            continue
        delta = whole_points(figures.score) - whole_points(before.score)
        if abs(delta) >= NOTABLE_CHANGE and d_id in titles:
            moves.append((-abs(delta), titles[d_id], delta))
    if moves:
        named = [f"{title} {delta:+d}" for _, title, delta in sorted(moves)]
        sentence += f" The largest moves: {join_words(named[:3])}."
    return sentence


def _priorities(roadmap: RoadmapView) -> str:
    actions = [action for phase in roadmap.phases for action in phase.actions][:PRIORITIES]
    if not actions:
        return "The roadmap has no actions left: every dimension is at the top level."
    listed = " ".join(f"({action.number}) {action.action.rstrip('.')}." for action in actions)
    return f"The roadmap's first priorities: {listed}"


def _peers(peers: PeerFacts) -> str:
    if peers.median is None:
        reason = peers.withheld_reason or "not enough comparable agencies"
        return f"No comparison with peers is shown: {reason}."
    median = whole_points(peers.median)
    sentence = f"In its peer group, {peers.group}, the median overall score is {median}"
    if peers.percentile_rank is not None:
        sentence += f"; the agency is ahead of {whole_points(peers.percentile_rank)}% of its peers"
    return sentence + "."

"""The sections of a report's view data, built by pure functions from domain results.

No database and no rendering here: instrument, answers, scores and peer statistics in;
the frozen values of `view_data.py` (with ready-made SVG charts) out. The roadmap
section comes from `assessment.presentation.roadmap`, shared with the results page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from markupsafe import Markup

from assessment.domain.model.answers import Answer, Answers
from assessment.domain.model.instrument import Dimension, Instrument, LevelRule, OverallLevelRule
from assessment.domain.model.results import (
    DimensionResult,
    PracticeOutcome,
    PracticeStatus,
    ScoreResult,
)
from assessment.domain.rules.benchmark import CellStatistics, PeerPosition, PeerStatistics
from assessment.domain.rules.disclosure import quartiles_from
from assessment.presentation.charts import (
    MIN_RADAR_AXES,
    Quartiles,
    quartile_bar,
    radar_chart,
    trend_chart,
)
from assessment.presentation.labels import (
    NOT_ANSWERED,
    NOT_APPLICABLE,
    OVERALL,
    STATUS_WORDS,
    level_name,
)
from assessment.reporting.view_data import (
    AppendixDimension,
    BaselineFigure,
    DimensionFigure,
    DimensionSection,
    LevelInfo,
    Methodology,
    OptionDefinition,
    PeerFigure,
    PracticeLine,
    SourceLine,
    Summary,
    ThemeLine,
    TrendRow,
    TrendView,
)

PreviousScores = Mapping[str, float | None]
"""An earlier round's scores keyed by dimension id."""


def level_info(
    instrument: Instrument, number: int, dimension: Dimension | None = None
) -> LevelInfo:
    """A level's name and meaning, within a dimension when one is given."""
    meaning = instrument.level(number).description
    if dimension is not None and number in dimension.level_descriptions:
        meaning = dimension.level_descriptions[number]
    return LevelInfo(number, level_name(instrument, number), str(meaning))


def peer_figure(cell: CellStatistics | None, percentile_rank: float | None = None) -> PeerFigure:
    """A peer-group figure from benchmark statistics; withheld when there is no summary."""
    if cell is None:
        return PeerFigure(n=None, withheld_reason="no peer figures for this round")
    summary = cell.summary
    if summary is None:
        return PeerFigure(n=cell.n, withheld_reason=cell.withheld_reason)
    return PeerFigure(
        n=summary.n,
        q1=summary.q1,
        median=summary.median,
        q3=summary.q3,
        percentile_rank=percentile_rank,
    )


def peer_quartiles(peer: PeerFigure) -> Quartiles | None:
    """The figures a chart draws (median, quartiles when published), None when withheld."""
    if peer.median is None:
        return None
    return Quartiles(peer.median, peer.q1, peer.q3)


def position_figure(position: PeerPosition | None, scope: str, key: str) -> PeerFigure:
    """The agency's peer figure for one scope and key (withheld without a position)."""
    if position is None:
        return PeerFigure(n=None, withheld_reason="no published peer group (see the summary)")
    figure = position.figure(scope, key)
    rank = figure.percentile_rank if figure is not None else None
    return peer_figure(position.statistics.cell(scope, key), rank)


def practice_lines(
    instrument: Instrument, result: DimensionResult, answers: Answers
) -> tuple[PracticeLine, ...]:
    """Each practice of a dimension with its answer, status and comment, in instrument order."""
    return _lines(instrument, result.practices, answers)


def _lines(
    instrument: Instrument, outcomes: Sequence[PracticeOutcome], answers: Answers
) -> tuple[PracticeLine, ...]:
    return tuple(
        _practice_line(instrument, outcome, answers.get(outcome.practice_id))
        for outcome in outcomes
    )


def every_outcome(
    instrument: Instrument, result: ScoreResult, dimension: Dimension
) -> tuple[PracticeOutcome, ...]:
    """A dimension's screening, baseline and maturity outcomes together, in instrument order."""
    baseline = result.baseline.dimensions.get(dimension.id)
    by_id = {
        outcome.practice_id: outcome
        for outcome in (
            *result.screening,
            *(baseline.practices if baseline is not None else ()),
            *result.dimensions[dimension.id].practices,
        )
    }
    return tuple(by_id[p.id] for p in dimension.practices if p.id in by_id)


def _practice_line(
    instrument: Instrument, outcome: PracticeOutcome, answer: Answer | None
) -> PracticeLine:
    practice = instrument.practice(outcome.practice_id)
    if practice is None:
        raise ValueError(f"practice {outcome.practice_id!r} is not in {instrument.key}")
    return PracticeLine(
        practice_id=practice.id,
        dimension_id=practice.dimension_id,
        level=practice.level,
        text=str(practice.text),
        answer=_answer_text(instrument, outcome),
        status=outcome.status.value,
        status_label=STATUS_WORDS[outcome.status],
        comment=answer.comment.strip() if answer is not None else "",
    )


def _answer_text(instrument: Instrument, outcome: PracticeOutcome) -> str:
    if outcome.status is PracticeStatus.NOT_APPLICABLE:
        return NOT_APPLICABLE
    if outcome.option_id is None:
        return NOT_ANSWERED
    practice = instrument.practice(outcome.practice_id)
    option = practice.answer_set.option(outcome.option_id) if practice is not None else None
    return str(option.label) if option is not None else outcome.option_id


def dimension_sections(
    instrument: Instrument,
    result: ScoreResult,
    answers: Answers,
    position: PeerPosition | None,
    previous: PreviousScores | None = None,
    *,
    agency_label: str = "Agency",
) -> tuple[DimensionSection, ...]:
    """One section per dimension: figures, level meaning, peer chart, practices, blockers."""
    return tuple(
        _dimension_section(instrument, dimension, result, answers, position, previous, agency_label)
        for dimension in instrument.dimensions
    )


def _dimension_section(
    instrument: Instrument,
    dimension: Dimension,
    result: ScoreResult,
    answers: Answers,
    position: PeerPosition | None,
    previous: PreviousScores | None,
    agency_label: str,
) -> DimensionSection:
    figures = result.dimensions[dimension.id]
    lines = practice_lines(instrument, figures, answers)
    blocking_ids = set(figures.blocking)
    baseline = result.baseline.dimensions.get(dimension.id)
    obligations = tuple(
        replace(
            _practice_line(instrument, outcome, answers.get(outcome.practice_id)), obligation=True
        )
        for outcome in (baseline.practices if baseline is not None else ())
    )
    peer = position_figure(position, "dimension", dimension.id)
    next_number = _next_level(instrument, figures.level)
    return DimensionSection(
        dimension_id=dimension.id,
        title=str(dimension.title),
        description=str(dimension.description),
        score=figures.score,
        previous_score=previous.get(dimension.id) if previous is not None else None,
        coverage=figures.coverage,
        level=level_info(instrument, figures.level, dimension),
        next_level=(
            level_info(instrument, next_number, dimension) if next_number is not None else None
        ),
        peer=peer,
        peer_chart=quartile_bar(
            peer_quartiles(peer),
            figures.score,
            title=f"{dimension.title}: agency score against peer quartiles",
            peer_count=peer.n,
            agency_label=agency_label,
            withheld_text=f"Peer figures withheld: {peer.withheld_reason or 'not enough peers'}",
        ),
        met=tuple(line for line in lines if line.status == PracticeStatus.MET.value),
        not_met=tuple(
            line
            for line in lines
            if line.status in (PracticeStatus.UNMET.value, PracticeStatus.UNANSWERED.value)
        ),
        not_applicable=tuple(
            line for line in lines if line.status == PracticeStatus.NOT_APPLICABLE.value
        ),
        blocking=tuple(line for line in (*obligations, *lines) if line.practice_id in blocking_ids),
        evidence=tuple(line for line in lines if line.comment),
    )


def _next_level(instrument: Instrument, current: int) -> int | None:
    higher = sorted(level.number for level in instrument.levels if level.number > current)
    return higher[0] if higher else None


def dimension_figures(instrument: Instrument, result: ScoreResult) -> tuple[DimensionFigure, ...]:
    """Each dimension's score and level, in instrument order."""
    return tuple(
        DimensionFigure(
            dimension_id=dimension.id,
            title=str(dimension.title),
            score=result.dimensions[dimension.id].score,
            level=result.dimensions[dimension.id].level,
            level_name=level_name(instrument, result.dimensions[dimension.id].level),
        )
        for dimension in instrument.dimensions
    )


def by_score(figures: Sequence[DimensionFigure]) -> tuple[DimensionFigure, ...]:
    """The scored dimensions, highest score first (ties keep instrument order)."""
    scored = [figure for figure in figures if figure.score is not None]
    return tuple(sorted(scored, key=lambda figure: -(figure.score or 0.0)))


def summary(
    instrument: Instrument,
    result: ScoreResult,
    position: PeerPosition | None,
    *,
    agency_label: str,
    peer_group: str,
    previous_round: str | None = None,
    previous: PreviousScores | None = None,
    previous_overall: float | None = None,
) -> Summary:
    """The executive summary with the radar of agency, peer median and previous round."""
    figures = dimension_figures(instrument, result)
    peer = position_figure(position, "overall", "overall")
    return Summary(
        overall_score=result.overall.score,
        overall_level=level_info(instrument, result.overall.level),
        coverage=result.overall.coverage,
        radar=(
            _radar(instrument, result, position, agency_label, previous_round, previous)
            if len(instrument.dimensions) >= MIN_RADAR_AXES
            else None
        ),
        ranked=by_score(figures),
        peer=peer,
        peer_group=peer_group,
        previous_round=previous_round,
        previous_overall=previous_overall,
    )


def _radar(
    instrument: Instrument,
    result: ScoreResult,
    position: PeerPosition | None,
    agency_label: str,
    previous_round: str | None,
    previous: PreviousScores | None,
) -> Markup:
    axes = [(d.id, str(d.title)) for d in instrument.dimensions]
    series: list[tuple[str, Mapping[str, float | None]]] = [
        (agency_label, {d_id: figures.score for d_id, figures in result.dimensions.items()})
    ]
    medians = {
        d.id: position_figure(position, "dimension", d.id).median for d in instrument.dimensions
    }
    if any(median is not None for median in medians.values()):
        series.append(("Peer median", medians))
    if previous is not None and previous_round is not None:
        series.append((f"Previous round ({previous_round})", previous))
    return radar_chart(series, axes, title="Scores by dimension (0-100)")


def theme_lines(
    instrument: Instrument, result: ScoreResult, statistics: PeerStatistics | None
) -> tuple[ThemeLine, ...]:
    """Each cross-cutting theme's score, coverage and peer median."""
    lines = []
    for theme_id, theme in instrument.themes.items():
        figures = result.themes.get(theme_id)
        cell = statistics.cell("theme", theme_id) if statistics is not None else None
        median = cell.summary.median if cell is not None and cell.summary is not None else None
        lines.append(
            ThemeLine(
                theme_id=theme_id,
                title=str(theme.title),
                description=str(theme.description),
                score=figures.score if figures is not None else None,
                coverage=figures.coverage if figures is not None else 1.0,
                practices=len(figures.practice_ids) if figures is not None else 0,
                peer_median=median,
            )
        )
    return tuple(lines)


def trend_view(
    instrument: Instrument,
    rounds: Sequence[tuple[str, float | None, int | None, PreviousScores]],
    *,
    title: str = "Scores over rounds",
    axis_names: Sequence[str] | None = None,
) -> TrendView:
    """Scores per round (oldest first): a table row and a line per dimension plus overall.

    `axis_names` label the chart's rounds when the table's names are too long for it.
    """
    dimension_ids = [d.id for d in instrument.dimensions]
    rows = tuple(
        TrendRow(name, overall, level, tuple(scores.get(d_id) for d_id in dimension_ids))
        for name, overall, level, scores in rounds
    )
    series = [
        (str(d.title), [row.dimensions[index] for row in rows])
        for index, d in enumerate(instrument.dimensions)
    ]
    series.append((OVERALL, [row.overall for row in rows]))
    names = list(axis_names) if axis_names is not None else [row.round_name for row in rows]
    chart = trend_chart(names, series, title=title)
    return TrendView(tuple(str(d.title) for d in instrument.dimensions), rows, chart)


def methodology(
    instrument: Instrument,
    *,
    peer_group: str,
    peer_count: int | None,
    k: int,
    baseline: Sequence[BaselineFigure],
    references: Sequence[str] = (),
) -> Methodology:
    """How the figures are computed, the instrument, the peer group, anonymity and context."""
    rules = instrument.scoring
    if rules.level_rule is LevelRule.GATED:
        level_rule = (
            "A dimension reaches a level only when every applicable practice at that level "
            "and below is met; one unmet practice holds it at the level below."
        )
    else:
        level_rule = "A dimension's level follows its score in equal steps between the levels."
    if rules.overall_level_rule is OverallLevelRule.LOWEST:
        overall_rule = (
            "The overall level is the floor: the lowest dimension level, so the weakest "
            "dimension holds it down while the index shows the whole."
        )
    elif rules.overall_level_rule is OverallLevelRule.WEIGHTED_MEAN:
        overall_rule = (
            "The overall level is the weighted mean of the dimension levels, rounded down."
        )
    else:
        overall_rule = "There is no overall level: each dimension's level is reported on its own."
    if instrument.scoring.baseline_cap is not None:
        overall_rule += (
            f" Baseline practices are legal and safety obligations, reported apart as met or "
            f"not met and never averaged into a score; an open one caps its dimension at "
            f"level {instrument.scoring.baseline_cap}."
        )
    return Methodology(
        instrument_title=str(instrument.title),
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        practice_count=sum(1 for _ in instrument.practices()),
        met_at=rules.met_at,
        level_rule=level_rule,
        overall_rule=overall_rule,
        levels=tuple(level_info(instrument, level.number) for level in instrument.levels),
        peer_group=peer_group,
        peer_count=peer_count,
        k=k,
        disclosure=disclosure_rule(k),
        baseline=tuple(baseline),
        sources=tuple(SourceLine(key, s.citation) for key, s in instrument.sources.items()),
        definitions=option_definitions(instrument),
        references=tuple(references),
    )


def option_definitions(instrument: Instrument) -> tuple[OptionDefinition, ...]:
    """Every defined answer option once, in answer-set order (empty in format 1)."""
    seen: dict[str, OptionDefinition] = {}
    for answer_set in instrument.answer_sets.values():
        for option in answer_set.options:
            label = str(option.label)
            if option.definition is not None and label not in seen:
                seen[label] = OptionDefinition(label, str(option.definition))
    return tuple(seen.values())


def disclosure_rule(k: int) -> str:
    """The disclosure rule of peer figures in words, for the methodology sections."""
    return (
        "Peer figures are published only for closed rounds, so that no single submission "
        f"can be isolated by comparing figures before and after it. A figure needs at least "
        f"{k} agencies behind it; from {k} to {quartiles_from(k) - 1} agencies only the median "
        f"is shown, and the lower and upper quartiles and the agencies per level (counts "
        f"below {k} hidden) only from {quartiles_from(k)}. No minimum, maximum or mean is "
        "ever shown: each extreme is a single agency's score. Scores are rounded to whole "
        "points. A group (by country, type and size) is published only if no combination "
        "of the round's groups, however many are set against each other, would single out "
        f"fewer than {k} agencies; otherwise the group or the figure is withheld, with the "
        "reason in its place."
    )


def appendix(
    instrument: Instrument,
    result: ScoreResult,
    answers: Answers,
    answered_by: Mapping[str, str] | None = None,
) -> tuple[AppendixDimension, ...]:
    """Every question with its answer, comment and who gave it (unasked ones left out),
    screening questions and baseline duties included."""
    authors = answered_by or {}
    return tuple(
        AppendixDimension(
            title=str(dimension.title),
            answers=tuple(
                replace(line, answered_by=authors.get(line.practice_id, ""))
                for line in _lines(
                    instrument, every_outcome(instrument, result, dimension), answers
                )
                if line.status != PracticeStatus.HIDDEN.value or line.comment
            ),
        )
        for dimension in instrument.dimensions
    )

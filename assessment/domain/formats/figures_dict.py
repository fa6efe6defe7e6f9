"""Peer statistics, positions, trajectories and cohorts as JSON-ready dicts (the API's shapes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assessment.domain.model.results import BaselineResult, PracticeOutcome
from assessment.domain.rules.benchmark import (
    FILTERS,
    PRECISION,
    CellStatistics,
    PeerGroup,
    PeerPosition,
    PeerStatistics,
)
from assessment.domain.rules.disclosure import quartiles_from
from assessment.domain.rules.headline import Headline, Ranked
from assessment.domain.rules.trajectory import CohortRound, FigureStep, RoundInfo, Trajectory


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A figure as published in JSON: one decimal by default, None kept."""
    return None if value is None else round(value, digits)


def share(value: float | None) -> float | None:
    """A share (0-1) as published in JSON: three decimals, None kept."""
    return rounded(value, 3)


def group_to_dict(group: PeerGroup) -> dict[str, Any]:
    """A peer group as JSON-ready data."""
    return {**{name: getattr(group, name) for name in FILTERS}, "description": group.describe()}


def disclosure_to_dict(k: int) -> dict[str, Any]:
    """The disclosure rule's parameters as JSON-ready data."""
    return {"k": k, "median_from": k, "quartiles_from": quartiles_from(k), "precision": PRECISION}


def cell_to_dict(cell: CellStatistics) -> dict[str, Any]:
    """One figure's published statistics as JSON-ready data (whole points)."""
    summary = cell.summary
    return {
        "scope": cell.scope,
        "key": cell.key,
        "n": cell.n,
        "withheld": cell.withheld,
        "reason": cell.withheld_reason,
        "q1": summary.q1 if summary else None,
        "median": summary.median if summary else None,
        "q3": summary.q3 if summary else None,
        "levels": [
            {"level": lc.level, "count": lc.count, "share": rounded(lc.share, 3)}
            for lc in cell.levels
        ],
    }


def statistics_to_dict(statistics: PeerStatistics) -> dict[str, Any]:
    """A group's statistics as JSON-ready data."""
    return {
        "group": group_to_dict(statistics.group),
        "k": statistics.k,
        "disclosure": disclosure_to_dict(statistics.k),
        "n_agencies": statistics.n_agencies,
        "as_of_submissions": statistics.as_of,
        "figures": [cell_to_dict(cell) for cell in statistics.cells],
    }


def position_to_dict(position: PeerPosition) -> dict[str, Any]:
    """An agency's position in a group as JSON-ready data: its figures and ranks only."""
    return {
        "group": group_to_dict(position.statistics.group),
        "k": position.statistics.k,
        "disclosure": disclosure_to_dict(position.statistics.k),
        "n_agencies": position.statistics.n_agencies,
        "as_of_submissions": position.statistics.as_of,
        "figures": [
            {
                **cell_to_dict(cell),
                "score": rounded(figure.score),
                "level": figure.level,
                "percentile_rank": figure.percentile_rank,
            }
            for cell, figure in zip(position.statistics.cells, position.figures, strict=True)
        ],
    }


def _step_to_dict(step: FigureStep) -> dict[str, Any]:
    return {
        "key": step.key,
        "score": rounded(step.score),
        "level": step.level,
        "score_change": rounded(step.score_change),
        "level_change": step.level_change,
    }


def round_to_dict(info: RoundInfo) -> dict[str, Any]:
    """A round as JSON-ready data."""
    return {
        "id": info.round_id,
        "name": info.name,
        "instrument_id": info.instrument_id,
        "instrument_version": info.instrument_version,
    }


def trajectory_to_dict(trajectory: Trajectory) -> dict[str, Any]:
    """An agency's trajectory as JSON-ready data (scores rounded to 0.1)."""
    return {
        "rounds": [
            {
                "round": round_to_dict(point.round),
                "comparable": point.comparable,
                "compared_with": point.compared_with,
                "overall": _step_to_dict(point.overall),
                "dimensions": [_step_to_dict(step) for step in point.dimensions],
                "themes": [_step_to_dict(step) for step in point.themes],
                "newly_met": list(point.newly_met),
                "newly_lost": list(point.newly_lost),
                "carried_share": share(point.carried_share),
                "compared_carried_share": share(point.compared_carried_share),
            }
            for point in trajectory.points
        ]
    }


def cohort_to_dict(cohort: Sequence[CohortRound]) -> dict[str, Any]:
    """A peer group's statistics per round as JSON-ready data."""
    return {
        "rounds": [
            {
                "round": round_to_dict(entry.round),
                "comparable": entry.comparable,
                "refused": entry.refused,
                "carried_share": share(entry.carried_share),
                "statistics": statistics_to_dict(entry.statistics) if entry.statistics else None,
            }
            for entry in cohort
        ]
    }


def baseline_to_dict(baseline: BaselineResult) -> dict[str, Any]:
    """The baseline panel as JSON-ready data: per dimension, each practice met or not."""
    return {
        "cap": baseline.cap,
        "applicable": baseline.applicable,
        "met": sum(len(d.met) for d in baseline.dimensions.values()),
        "open": list(baseline.open),
        "dimensions": {
            dimension_id: {
                "met": list(dimension.met),
                "not_met": list(dimension.not_met),
                "not_answered": list(dimension.unanswered),
                "not_applicable": list(dimension.not_applicable),
                "practices": [_baseline_practice(o) for o in dimension.practices],
            }
            for dimension_id, dimension in baseline.dimensions.items()
        },
    }


def _baseline_practice(outcome: PracticeOutcome) -> dict[str, Any]:
    return {
        "practice": outcome.practice_id,
        "status": outcome.status.value,
        "option": outcome.option_id,
    }


def headline_to_dict(headline: Headline) -> dict[str, Any]:
    """The headline facts as JSON-ready data (scores rounded to 0.1)."""
    return {
        "index": rounded(headline.index),
        "coverage": round(headline.coverage, 3),
        "overall_level_rule": headline.rule.value,
        "level": headline.level,
        "floor": {
            "level": headline.floor,
            "set_by": list(headline.floor_dimensions),
            "blocked_by": list(headline.blocked_by),
            "capped_by": list(headline.capped_by),
        },
        "strongest": _ranked(headline.strongest),
        "weakest": _ranked(headline.weakest),
        "all_equal": headline.all_equal,
        "baseline_open": list(headline.baseline_open),
    }


def _ranked(ranked: Ranked | None) -> dict[str, Any] | None:
    if ranked is None:
        return None
    return {"dimensions": list(ranked.dimension_ids), "score": ranked.score, "tied": ranked.tied}

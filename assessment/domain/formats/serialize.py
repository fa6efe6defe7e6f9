"""Scores and roadmaps as plain JSON-ready dicts (scores rounded to one decimal)."""

from __future__ import annotations

from typing import Any

from assessment.domain.formats.figures_dict import baseline_to_dict, headline_to_dict, rounded
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import (
    DimensionResult,
    Projection,
    Roadmap,
    RoadmapAction,
    RoadmapPhase,
    ScoreResult,
)
from assessment.domain.rules.headline import headline

_COVERAGE_DECIMALS = 3


def score_to_dict(
    result: ScoreResult, roadmap: Roadmap | None, instrument: Instrument | None = None
) -> dict[str, Any]:
    """The JSON shape of a scored assessment; with the instrument, titles are added too."""
    shape: dict[str, Any] = {
        "questionnaire": _questionnaire(result, instrument),
        "baseline": baseline_to_dict(result.baseline),
    }
    if instrument is not None:
        shape["headline"] = headline_to_dict(headline(instrument, result))
    return shape | {
        "overall": {
            "score": rounded(result.overall.score),
            "level": result.overall.level,
            "coverage": _coverage(result.overall.coverage),
        },
        "dimensions": {
            dimension_id: _dimension(dimension, instrument)
            for dimension_id, dimension in result.dimensions.items()
        },
        "themes": {
            theme_id: {"score": rounded(theme.score), "coverage": _coverage(theme.coverage)}
            for theme_id, theme in result.themes.items()
        },
        "targets": dict(roadmap.targets) if roadmap else {},
        "roadmap": [_phase(phase) for phase in roadmap.phases] if roadmap else [],
        "unreached_targets": dict(roadmap.unreached) if roadmap else {},
    }


def _questionnaire(result: ScoreResult, instrument: Instrument | None) -> dict[str, Any]:
    questionnaire: dict[str, Any] = {
        "id": result.instrument_id,
        "version": result.instrument_version,
    }
    if instrument is not None:
        questionnaire["title"] = str(instrument.title)
    return questionnaire


def _dimension(dimension: DimensionResult, instrument: Instrument | None) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "score": rounded(dimension.score),
        "level": dimension.level,
        "coverage": _coverage(dimension.coverage),
        "blocking": list(dimension.blocking),
        "capped_by": list(dimension.capped_by),
        "uncapped_level": dimension.uncapped_level,
    }
    definition = instrument.dimension(dimension.dimension_id) if instrument else None
    if instrument is not None and definition is not None:
        shape["title"] = str(definition.title)
        shape["level_name"] = str(instrument.level(dimension.level).name)
    return shape


def _phase(phase: RoadmapPhase) -> dict[str, Any]:
    return {
        "phase": phase.phase_id,
        "title": phase.title,
        "start_month": phase.start_month,
        "end_month": phase.end_month,
        "actions": [_action(action) for action in phase.actions],
        "projected": {
            dimension_id: _projection(projection)
            for dimension_id, projection in phase.projected.items()
        },
        "projected_overall": _projection(phase.projected_overall),
    }


def _action(action: RoadmapAction) -> dict[str, Any]:
    return {
        "practice": action.practice_id,
        "dimension": action.dimension_id,
        "level": action.level,
        "action": action.action,
        "effort": action.effort,
        "impact": action.impact,
        "depends_on": list(action.depends_on),
        "baseline": action.baseline,
    }


def _projection(projection: Projection) -> dict[str, Any]:
    return {
        "score": rounded(projection.score),
        "level": projection.level,
        "coverage": _coverage(projection.coverage),
    }


def _coverage(coverage: float) -> float:
    return round(coverage, _COVERAGE_DECIMALS)

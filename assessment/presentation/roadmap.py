"""Roadmap rows in words, for the results page and the agency report alike."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import Roadmap, RoadmapAction, RoadmapPhase, ScoreResult
from assessment.presentation.labels import dimension_titles


@dataclass(frozen=True)
class ActionView:
    """One roadmap action, numbered across the phases."""

    number: int
    practice_id: str
    dimension_title: str
    level: int
    action: str
    effort: str
    impact: str
    after: tuple[int, ...]  # numbers of the earlier actions this one waits for


@dataclass(frozen=True)
class ProjectedLevel:
    """Where a dimension stands after a roadmap phase."""

    title: str
    level: int
    score: float | None
    changed: bool


@dataclass(frozen=True)
class PhaseView:
    """A roadmap phase: its actions and the levels reached once it is done."""

    title: str
    months: str
    actions: tuple[ActionView, ...]
    projected: tuple[ProjectedLevel, ...]
    overall_level: int
    overall_score: float | None


@dataclass(frozen=True)
class TargetLine:
    """A dimension's current and target level."""

    title: str
    current: int
    target: int


@dataclass(frozen=True)
class RoadmapView:
    """The roadmap: targets and phases."""

    targets: tuple[TargetLine, ...]
    phases: tuple[PhaseView, ...]


def roadmap_view(instrument: Instrument, result: ScoreResult, roadmap: Roadmap) -> RoadmapView:
    """The roadmap's targets and phases in words, with the levels reached after each phase.

    Targets name only the dimensions that move; an action's prerequisites are given as
    the numbers of the earlier actions, so no practice id reaches a reader.
    """
    titles = dimension_titles(instrument)
    targets = tuple(
        TargetLine(titles[d_id], result.dimensions[d_id].level, target)
        for d_id, target in roadmap.targets.items()
        if d_id in titles and target != result.dimensions[d_id].level
    )
    phases = []
    numbers: dict[str, int] = {}
    for phase in roadmap.phases:
        actions = []
        for action in phase.actions:
            numbers[action.practice_id] = len(numbers) + 1
            actions.append(_action_view(numbers, action, titles))
        phases.append(_phase_view(phase, tuple(actions), titles, result))
    return RoadmapView(targets, tuple(phases))


def _action_view(
    numbers: dict[str, int], action: RoadmapAction, titles: dict[str, str]
) -> ActionView:
    return ActionView(
        number=numbers[action.practice_id],
        practice_id=action.practice_id,
        dimension_title=titles.get(action.dimension_id, action.dimension_id),
        level=action.level,
        action=action.action,
        effort=action.effort,
        impact=action.impact,
        after=tuple(numbers[p_id] for p_id in action.depends_on if p_id in numbers),
    )


def _phase_view(
    phase: RoadmapPhase,
    actions: tuple[ActionView, ...],
    titles: dict[str, str],
    result: ScoreResult,
) -> PhaseView:
    return PhaseView(
        title=phase.title,
        months=f"{phase.start_month}-{phase.end_month} months",
        actions=actions,
        projected=tuple(
            ProjectedLevel(
                title=titles[d_id],
                level=projection.level,
                score=projection.score,
                changed=projection.level != result.dimensions[d_id].level,
            )
            for d_id, projection in phase.projected.items()
            if d_id in titles
        ),
        overall_level=phase.projected_overall.level,
        overall_score=phase.projected_overall.score,
    )

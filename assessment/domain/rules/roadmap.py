"""The roadmap: which practices to bring to met, in what order and phase, and what that yields.

Targets. Each dimension aims one level above its current level (never above the top);
explicit targets override that per dimension. A dimension already at the top contributes
no actions of its own.

Needed practices. The applicable practices not met (unanswered included) at or below their
dimension's target, plus, transitively, every applicable practice not met that one of them
depends on, even in another dimension or at a higher level. The answers with all of them
met are then scored again (conditions re-evaluated), and while a dimension stays below its
target more practices are added: practices that meeting the others made visible, at or
below the target; under the averaged rule, when those are all met and the score is still
short, unmet practices above the target one at a time (lowest level, then impact for
effort, then instrument order). A target that even that cannot reach (for instance a
dimension where nothing applies) is listed in `unreached` with the level the roadmap
reaches, so a roadmap is never silently empty while a target is unmet.

Order. Dependencies first; then quick wins (low effort, nothing needed before them); then
lower level; then higher impact-to-effort ratio (impact low/medium/high = 1/2/3 over
effort 1/2/3); ties in all of these keep instrument order.

Phases. A quick win lands in the first phase. Any other action lands in the phase of its
recommendation's horizon, or later when one of its dependencies lands later (the latest
dependency's phase), so a dependency never comes after its dependent. Then the schedule
closes its gaps: when a phase would stay empty while a later one holds actions, every later
action moves one phase earlier (the order is kept), so the first phase is never empty while
work waits. Phases without actions are left out.

Projections. Each phase re-scores the answers with every action of that phase and the
phases before it answered with the best option of its answer set; conditions are
re-evaluated, so practices that become visible count (unanswered) in the projection.
Unanswered practices the roadmap does not act on stay out of the projected score as they
do today, so each projection carries its coverage: below 100% it is a figure over the
answered part only (a dimension with only its lowest practices answered can project to a
high level), and must be read, and is shown, as such.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import replace

from assessment.domain.model.answers import Answer, Answers
from assessment.domain.model.instrument import (
    Instrument,
    LevelRule,
    Practice,
    PracticeKind,
    Rating,
    Recommendation,
    Text,
)
from assessment.domain.model.results import (
    PracticeOutcome,
    PracticeStatus,
    Projection,
    Roadmap,
    RoadmapAction,
    RoadmapPhase,
    ScoreResult,
)
from assessment.domain.rules.scoring import Profile, score_assessment


def build_roadmap(
    instrument: Instrument,
    answers: Answers,
    result: ScoreResult,
    targets: Mapping[str, int] | None = None,
    *,
    language: str | None = None,
    profile: Profile | None = None,
) -> Roadmap:
    """The phased actions that take each dimension from its current level to its target."""
    if (result.instrument_id, result.instrument_version) != (instrument.id, instrument.version):
        raise ValueError(
            f"the scores are for {result.instrument_id}@{result.instrument_version}, "
            f"not for {instrument.key}"
        )
    resolved = resolve_targets(instrument, result, targets)
    needed, final = _needed_practices(instrument, answers, result, resolved, profile)
    ordered = _dependency_order(instrument, needed)
    phase_positions = _phase_positions(instrument, ordered, needed)
    phases = _roadmap_phases(
        instrument, answers, ordered, needed, phase_positions, language, profile
    )
    unreached = {
        dimension_id: final.dimensions[dimension_id].level
        for dimension_id, target in resolved.items()
        if final.dimensions[dimension_id].level < target
    }
    return Roadmap(resolved, phases, unreached)


def resolve_targets(
    instrument: Instrument, result: ScoreResult, targets: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Each dimension's target level: the explicit one, else one above the current level."""
    explicit = dict(targets or {})
    _check_targets(instrument, explicit)
    scale = sorted(level.number for level in instrument.levels)
    resolved = {}
    for dimension in instrument.dimensions:
        current = result.dimensions[dimension.id].level
        higher = [number for number in scale if number > current]
        resolved[dimension.id] = explicit.get(dimension.id, higher[0] if higher else scale[-1])
    return resolved


def _check_targets(instrument: Instrument, targets: Mapping[str, int]) -> None:
    scale = {level.number for level in instrument.levels}
    known = [d.id for d in instrument.dimensions]
    for dimension_id, level in targets.items():
        if dimension_id not in known:
            raise ValueError(
                f"target for unknown dimension {dimension_id!r} (dimensions: {', '.join(known)})"
            )
        if isinstance(level, bool) or not isinstance(level, int) or level not in scale:
            raise ValueError(
                f"target level {level!r} for dimension {dimension_id!r} is outside the scale "
                f"{min(scale)}-{max(scale)}"
            )


def _needed_practices(
    instrument: Instrument,
    answers: Answers,
    result: ScoreResult,
    targets: Mapping[str, int],
    result_profile: Profile | None,
) -> tuple[dict[str, Practice], ScoreResult]:
    """Every practice the roadmap must bring to met, and the figures once all are met."""
    top = instrument.top_level
    averaged = instrument.scoring.level_rule is LevelRule.AVERAGED
    profile = result_profile
    needed: dict[str, Practice] = {}
    current = result
    while True:
        outcomes = _outcomes(current)
        taken = _settled_requirements(outcomes, needed)
        pending = []
        for practice in instrument.practices():
            if practice.id in needed or not _needs_work(outcomes.get(practice.id)):
                continue
            if practice.kind is PracticeKind.BASELINE:
                pending.append(practice)  # an open obligation is always on the roadmap
            elif (
                result.dimensions[practice.dimension_id].level < top
                and current.dimensions[practice.dimension_id].level < targets[practice.dimension_id]
                and practice.level <= targets[practice.dimension_id]
                and _first_for_requirement(practice, taken)
            ):
                pending.append(practice)
        if not pending and averaged:
            pending = _next_above_target(instrument, current, outcomes, needed, targets)
        if not pending:
            return needed, current
        _add_with_dependencies(instrument, pending, outcomes, needed)
        current = score_assessment(instrument, _improved(answers, needed.values()), profile)


def _outcomes(result: ScoreResult) -> dict[str, PracticeOutcome]:
    """Outcomes of the maturity and baseline practices (screening questions are no actions)."""
    outcomes = {o.practice_id: o for d in result.dimensions.values() for o in d.practices}
    outcomes.update((o.practice_id, o) for o in result.baseline.practices)
    return outcomes


def _settled_requirements(
    outcomes: Mapping[str, PracticeOutcome], needed: Mapping[str, Practice]
) -> set[str]:
    """Requirements already met by an alternative, or with one alternative on the roadmap."""
    settled = {
        o.requirement for o in outcomes.values() if o.requirement and o.status is PracticeStatus.MET
    }
    settled.update(p.requirement for p in needed.values() if p.requirement)
    return settled


def _first_for_requirement(practice: Practice, taken: set[str]) -> bool:
    """One alternative per requirement goes on the roadmap: the first that needs work."""
    if practice.requirement is None:
        return True
    if practice.requirement in taken:
        return False
    taken.add(practice.requirement)
    return True


def _next_above_target(
    instrument: Instrument,
    current: ScoreResult,
    outcomes: Mapping[str, PracticeOutcome],
    needed: Mapping[str, Practice],
    targets: Mapping[str, int],
) -> list[Practice]:
    """Under the averaged rule: per dimension short of its target, its best next practice."""
    position = {p.id: index for index, p in enumerate(instrument.practices())}
    taken = _settled_requirements(outcomes, needed)
    chosen: list[Practice] = []
    for dimension in instrument.dimensions:
        if current.dimensions[dimension.id].level >= targets[dimension.id]:
            continue
        candidates = [
            p
            for p in dimension.practices
            if p.kind is PracticeKind.MATURITY
            and p.id not in needed
            and _needs_work(outcomes.get(p.id))
            and p.requirement not in taken
        ]
        if candidates:
            chosen.append(min(candidates, key=lambda p: _priority(p, position)))
    return chosen


def _add_with_dependencies(
    instrument: Instrument,
    pending: list[Practice],
    outcomes: Mapping[str, PracticeOutcome],
    needed: dict[str, Practice],
) -> None:
    """Add `pending` and, transitively, every dependency not yet met."""
    while pending:
        practice = pending.pop()
        if practice.id in needed:
            continue
        needed[practice.id] = practice
        for dependency_id in _advice(practice).depends_on:
            dependency = _dependency(instrument, practice, dependency_id)
            if _needs_work(outcomes[dependency_id]):
                pending.append(dependency)


def _improved(answers: Answers, practices: Iterable[Practice]) -> dict[str, Answer]:
    """The answers with each of `practices` answered with its best option."""
    improved = dict(answers)
    for practice in practices:
        improved[practice.id] = _best_answer(practice, answers.get(practice.id))
    return improved


def _priority(practice: Practice, position: Mapping[str, int]) -> tuple[int, float, int]:
    """Lower level first, then higher impact for effort, then instrument order."""
    recommendation = _advice(practice)
    ratio = recommendation.impact.weight / recommendation.effort.weight
    return (practice.level, -ratio, position[practice.id])


def _needs_work(outcome: PracticeOutcome | None) -> bool:
    return outcome is not None and outcome.is_open


def _dependency(instrument: Instrument, practice: Practice, dependency_id: str) -> Practice:
    dependency = instrument.practice(dependency_id)
    if dependency is None:
        raise ValueError(f"{practice.id} depends on unknown practice {dependency_id!r}")
    return dependency


def _needed_dependencies(practice: Practice, needed: Mapping[str, Practice]) -> tuple[str, ...]:
    return tuple(d for d in _advice(practice).depends_on if d in needed)


def _dependency_order(instrument: Instrument, needed: Mapping[str, Practice]) -> list[Practice]:
    """Needed practices, each after its dependencies, else by level, ratio, instrument order."""
    position = {p.id: index for index, p in enumerate(instrument.practices())}

    def priority(practice: Practice) -> tuple[bool, int, float, int]:
        return (not _is_quick_win(practice, needed), *_priority(practice, position))

    waiting = {pid: set(_needed_dependencies(p, needed)) for pid, p in needed.items()}
    dependents: dict[str, list[str]] = {pid: [] for pid in needed}
    for practice_id, dependencies in waiting.items():
        for dependency_id in dependencies:
            dependents[dependency_id].append(practice_id)
    ready = [(priority(needed[pid]), pid) for pid, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    ordered: list[Practice] = []
    while ready:
        _, practice_id = heapq.heappop(ready)
        ordered.append(needed[practice_id])
        for dependent_id in dependents[practice_id]:
            waiting[dependent_id].discard(practice_id)
            if not waiting[dependent_id]:
                heapq.heappush(ready, (priority(needed[dependent_id]), dependent_id))
    if len(ordered) < len(needed):
        stuck = sorted(pid for pid, deps in waiting.items() if deps)
        raise ValueError(f"recommendation dependencies form a cycle among: {', '.join(stuck)}")
    return ordered


def _phase_positions(
    instrument: Instrument, ordered: Iterable[Practice], needed: Mapping[str, Practice]
) -> dict[str, int]:
    """Practice id -> index into instrument.phases, never before a dependency's phase."""
    phase_index = {phase.id: index for index, phase in enumerate(instrument.phases)}
    positions: dict[str, int] = {}
    for practice in ordered:
        horizon = _advice(practice).horizon
        if horizon not in phase_index:
            raise ValueError(
                f"{practice.id}: recommendation horizon {horizon!r} is not a phase "
                f"(phases: {', '.join(phase_index)})"
            )
        earliest = 0 if _is_quick_win(practice, needed) else phase_index[horizon]
        positions[practice.id] = max(
            [earliest] + [positions[d] for d in _needed_dependencies(practice, needed)]
        )
    used = sorted(set(positions.values()))
    closed = {phase: index for index, phase in enumerate(used)}  # gaps closed, order kept
    return {practice_id: closed[phase] for practice_id, phase in positions.items()}


def _is_quick_win(practice: Practice, needed: Mapping[str, Practice]) -> bool:
    """Low effort and nothing the roadmap must do first."""
    return _advice(practice).effort is Rating.LOW and not _needed_dependencies(practice, needed)


def _roadmap_phases(
    instrument: Instrument,
    answers: Answers,
    ordered: list[Practice],
    needed: Mapping[str, Practice],
    phase_positions: Mapping[str, int],
    language: str | None,
    profile: Profile | None,
) -> tuple[RoadmapPhase, ...]:
    improved = dict(answers)
    phases: list[RoadmapPhase] = []
    for index, phase in enumerate(instrument.phases):
        in_phase = [p for p in ordered if phase_positions[p.id] == index]
        if not in_phase:
            continue
        for practice in in_phase:
            improved[practice.id] = _best_answer(practice, answers.get(practice.id))
        projected = score_assessment(instrument, improved, profile)
        phases.append(
            RoadmapPhase(
                phase_id=phase.id,
                title=_text(phase.title, language),
                start_month=phase.start_month,
                end_month=phase.end_month,
                actions=tuple(_action(p, needed, language) for p in in_phase),
                projected={
                    dimension_id: Projection(dimension.score, dimension.level, dimension.coverage)
                    for dimension_id, dimension in projected.dimensions.items()
                },
                projected_overall=Projection(
                    projected.overall.score, projected.overall.level, projected.overall.coverage
                ),
            )
        )
    return tuple(phases)


def _best_answer(practice: Practice, current: Answer | None) -> Answer:
    best = Answer(practice.id, option_id=practice.answer_set.best.id)
    return replace(best, comment=current.comment) if current is not None else best


def _action(
    practice: Practice, needed: Mapping[str, Practice], language: str | None
) -> RoadmapAction:
    recommendation = _advice(practice)
    return RoadmapAction(
        practice_id=practice.id,
        dimension_id=practice.dimension_id,
        level=practice.level,
        action=_text(recommendation.action, language),
        effort=recommendation.effort.value,
        impact=recommendation.impact.value,
        depends_on=_needed_dependencies(practice, needed),
        baseline=practice.kind is PracticeKind.BASELINE,
    )


def _advice(practice: Practice) -> Recommendation:
    """The practice's recommendation; screening questions have none and are never actions."""
    if practice.recommendation is None:
        raise ValueError(f"{practice.id} has no recommendation (a screening question?)")
    return practice.recommendation


def _text(text: Text, language: str | None) -> str:
    return text.get(language) if language else str(text)

"""Scoring: an instrument and an agency's answers become scores, levels and coverage.

How scoring works
-----------------
Visibility. A practice with a show-if condition is *hidden* unless the practice it refers
to is itself visible and answered with one of the listed options. An unanswered,
not-applicable or hidden referenced practice therefore hides it. A hidden practice counts
as not applicable, whatever answer it may still carry.

Applicability. A practice is *applicable* when it is visible and not answered not
applicable. Answer checking (`answer_check.py`) refuses not-applicable where the practice
does not allow it; scoring trusts its input, and an answer that is both not applicable and
names an option counts as not applicable.

Score (0-100). A dimension's score is `100 * sum(weight * credit) / sum(weight)` over its
applicable practices answered with an option; it is None when there are none. A theme's
score is the same over the practices tagged with the theme. An unanswered practice is not
"not applicable": it stays out of the score, but it lowers coverage and blocks gated levels.

Coverage. Answered applicable practices / applicable practices; 1.0 when nothing is
applicable.

Met. A practice is met when answered with an option whose credit is at least
`scoring.met_at`.

Level. With the *gated* rule (like C2M2) a dimension reaches the highest level L such that
every applicable practice at L and below is met; it stays at the floor when the first level
above the floor already fails, and reaches the top when nothing is applicable. With the
*averaged* rule the level is the scale level `floor(score / 100 * steps)` steps above the
floor, where `steps` is the number of steps between the scale's levels (on 1..5 that is
`floor + floor(score / 100 * (top - floor))`): rounded down, so 59.9 on 1..5 is level 3.
It is the floor when the score is None (nothing applicable answered, or nothing
applicable at all).

Blocking. The applicable practices, not met (unanswered included), at the next level and
below: what stands between the dimension and its next level. Empty at the top level. Under
the averaged rule they do not gate anything: they are the practices the next level is
about, and meeting them raises the score, which may or may not be enough for that level.

Overall. The score is the mean of the dimension scores that are not None, weighted by the
dimension weights (None when all are None). The level is the lowest dimension level
(`lowest`) or the weighted mean of the dimension levels rounded down to a scale level
(`weighted_mean`).
Coverage is answered applicable / applicable over the whole instrument.

Format 2. Baseline practices never enter a score, coverage, theme or level; they form
`ScoreResult.baseline` (met, not met, unanswered, not applicable per dimension). With
`scoring.baseline_cap`, a dimension with an open baseline practice (applicable, not met,
unanswered included) is at most at the cap; `capped_by` and `uncapped_level` say so, and
the open practices lead `blocking` when the next level is above the cap. Screening
questions are never scored: their answers (`ScoreResult.screening`) only feed conditions.
A condition may name a profile question (`profile` argument): it holds when the answer, or
one of a list's answers, is listed; without an answer the practice is hidden.
Alternatives (practices sharing a `requirement`) count once, through the best of them: met
before unmet, then higher credit, then unanswered, then not applicable. With gating
`critical`, only practices marked critical gate levels and appear in `blocking`. The
overall rule `none` keeps the lowest level as `overall.level` (the floor, stored) but the
headline shows no overall level.

Every practice leaves a `PracticeOutcome` (status, option, credit), so each figure can be
explained (`explain_dimension`). Results keep full floats; presentation rounds.

Scoring key. `scoring_key(instrument)` names the scoring a stored result was computed
with: the instrument, the version of these rules (`SCORING_RULES_VERSION`, raised whenever
this module changes a figure) and a digest of everything in the instrument that a figure
depends on (levels, weights, credits, conditions, themes, scoring rules; not the wording).
Stored results whose key differs from the current one are stale until rescored.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from assessment.domain.model.answers import Answer, Answers
from assessment.domain.model.instrument import (
    Gating,
    Instrument,
    LevelRule,
    OverallLevelRule,
    Practice,
    PracticeKind,
)
from assessment.domain.model.results import (
    NO_BASELINE,
    BaselineDimension,
    BaselineResult,
    DimensionResult,
    OverallResult,
    PracticeOutcome,
    PracticeStatus,
    ScoreResult,
    ThemeResult,
)

# Raise when a change to this module changes any figure, so stored results show as stale.
SCORING_RULES_VERSION = 1

Profile = Mapping[str, object]
"""An agency's profile answers by question id (str, number, bool, list of str or None)."""

# Scores such as 100 * 0.6 come out as 59.999...; a level must not drop a step for that.
_ROUNDING_SLACK = 1e-9


@dataclass(frozen=True)
class DimensionProgress:
    """How many of a dimension's visible practices are answered (not applicable included)."""

    dimension_id: str
    answered: int
    total: int

    @property
    def percent(self) -> float:
        """Answered share of the visible practices, 0-100; 100 when none is visible."""
        return _percent(self.answered, self.total)


@dataclass(frozen=True)
class Progress:
    """Answering progress per dimension and over the whole instrument."""

    dimensions: Mapping[str, DimensionProgress]
    answered: int
    total: int

    @property
    def percent(self) -> float:
        """Answered share of all visible practices, 0-100; 100 when none is visible."""
        return _percent(self.answered, self.total)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One possible outcome of a practice, with what it adds to the tallies."""

    outcome: PracticeOutcome
    applicable: bool
    scored: bool  # applicable and answered with an option
    met: bool
    weighted_credit: float
    blocks: bool  # applicable, not met and gating levels (see `Gating`)


@dataclass(frozen=True, slots=True)
class _PracticePlan:
    """A practice with every outcome it can have, built once per instrument."""

    practice: Practice
    position: int  # index in instrument order
    dimension_position: int
    theme_positions: tuple[int, ...]
    route: int  # _SCORED, _ALTERNATIVE, _BASELINE or _SCREENING
    group: int  # index of its requirement among the instrument's alternatives, else -1
    condition_practice_id: str | None
    condition_profile_id: str | None
    condition_options: frozenset[str]
    by_option: Mapping[str, _Entry]
    unanswered: _Entry
    not_applicable: _Entry
    hidden: _Entry


@dataclass(frozen=True)
class _Plan:
    """What scoring needs from an instrument, precomputed once and kept on the instrument."""

    practices: tuple[_PracticePlan, ...]  # instrument order
    evaluation_order: tuple[_PracticePlan, ...]  # referenced practices before dependents
    dimension_ids: tuple[str, ...]
    dimension_weights: tuple[float, ...]
    dimension_ranges: tuple[tuple[int, int], ...]  # slice of `practices` per dimension
    theme_ids: tuple[str, ...]
    theme_practice_ids: tuple[tuple[str, ...], ...]
    scale: tuple[int, ...]  # level numbers, ascending
    next_level: Mapping[int, int]  # level number -> the next one up
    group_count: int  # requirements met by alternatives
    has_baseline: bool
    baseline_cap: int | None
    positions: Mapping[str, int]  # practice id -> index in instrument order
    maturity_only: tuple[bool, ...]  # per dimension: no baseline or screening practice


# How a practice's outcome is counted.
_SCORED = 0  # a maturity practice of its own
_ALTERNATIVE = 1  # one of several practices that meet one requirement
_BASELINE = 2  # reported in the baseline, never in the score
_SCREENING = 3  # decides applicability only


class _Tally:
    """Running sums over the practices of one dimension or one theme."""

    __slots__ = ("applicable", "scored", "scored_weight", "unmet", "weighted_credit")

    def __init__(self) -> None:
        self.applicable = 0
        self.scored = 0
        self.weighted_credit = 0.0
        self.scored_weight = 0.0
        self.unmet: list[PracticeOutcome] = []

    def add(self, entry: _Entry) -> None:
        """Count one practice's outcome."""
        if not entry.applicable:
            return
        self.applicable += 1
        if entry.scored:
            self.scored += 1
            self.weighted_credit += entry.weighted_credit
            self.scored_weight += entry.outcome.weight
        if entry.blocks:
            self.unmet.append(entry.outcome)

    @property
    def score(self) -> float | None:
        """100 * weighted credit / weight of the scored practices, None when none."""
        if not self.scored:
            return None
        return 100.0 * (self.weighted_credit / self.scored_weight)

    @property
    def coverage(self) -> float:
        """Scored share of the applicable practices; 1.0 when nothing is applicable."""
        return self.scored / self.applicable if self.applicable else 1.0


def score_assessment(
    instrument: Instrument, answers: Answers, profile: Profile | None = None
) -> ScoreResult:
    """Score an agency's answers against an instrument (see the module docstring).

    `profile` holds the agency's profile answers, which conditions may refer to.
    """
    plan = _plan_for(instrument)
    dimension_tallies = [_Tally() for _ in plan.dimension_ids]
    theme_tallies = [_Tally() for _ in plan.theme_ids]
    outcomes: list[PracticeOutcome | None] = [None] * len(plan.practices)
    best: list[tuple[_PracticePlan, _Entry] | None] = [None] * plan.group_count
    screening: list[PracticeOutcome] = []
    for practice_plan, entry in _resolve(plan, answers, profile):
        route = practice_plan.route
        if route == _SCORED:
            dimension_tallies[practice_plan.dimension_position].add(entry)
            for theme_position in practice_plan.theme_positions:
                theme_tallies[theme_position].add(entry)
        elif route == _ALTERNATIVE:
            current = best[practice_plan.group]
            if current is None or _rank(entry) > _rank(current[1]):
                best[practice_plan.group] = (practice_plan, entry)
        elif route == _SCREENING:
            screening.append(entry.outcome)
        outcomes[practice_plan.position] = entry.outcome
    for chosen in best:
        if chosen is not None:
            practice_plan, entry = chosen
            dimension_tallies[practice_plan.dimension_position].add(entry)
            for theme_position in practice_plan.theme_positions:
                theme_tallies[theme_position].add(entry)
    baseline = _baseline_result(plan, outcomes) if plan.has_baseline else NO_BASELINE
    dimensions = {
        dimension_id: _dimension_result(instrument, plan, index, tally, outcomes, baseline)
        for index, (dimension_id, tally) in enumerate(
            zip(plan.dimension_ids, dimension_tallies, strict=True)
        )
    }
    themes = {
        theme_id: ThemeResult(theme_id, tally.score, tally.coverage, practice_ids)
        for theme_id, tally, practice_ids in zip(
            plan.theme_ids, theme_tallies, plan.theme_practice_ids, strict=True
        )
    }
    applicable = sum(tally.applicable for tally in dimension_tallies)
    scored = sum(tally.scored for tally in dimension_tallies)
    coverage = scored / applicable if applicable else 1.0
    overall = _overall_result(instrument, plan, dimensions, coverage)
    return ScoreResult(
        instrument.id,
        instrument.version,
        overall,
        dimensions,
        themes,
        baseline,
        tuple(sorted(screening, key=lambda o: plan_position(plan, o))),
    )


def plan_position(plan: _Plan, outcome: PracticeOutcome) -> int:
    """Instrument order of a practice outcome (screening outcomes come out of order)."""
    return plan.positions[outcome.practice_id]


def _rank(entry: _Entry) -> tuple[int, float]:
    """How well an alternative stands: met, then scored by credit, then unanswered, then not
    applicable; the best alternative speaks for its requirement."""
    if entry.scored:
        return (3 if entry.met else 2, entry.weighted_credit)
    return (1 if entry.applicable else 0, 0.0)


def _baseline_result(plan: _Plan, outcomes: list[PracticeOutcome | None]) -> BaselineResult:
    by_dimension: dict[str, list[PracticeOutcome]] = {}
    for practice_plan in plan.practices:
        outcome = outcomes[practice_plan.position]
        if practice_plan.route == _BASELINE and outcome is not None:
            by_dimension.setdefault(outcome.dimension_id, []).append(outcome)
    return BaselineResult(
        {
            dimension_id: BaselineDimension(dimension_id, tuple(by_dimension[dimension_id]))
            for dimension_id in plan.dimension_ids
            if dimension_id in by_dimension
        },
        plan.baseline_cap,
    )


def newly_not_applicable(
    instrument: Instrument,
    answers: Answers,
    old_profile: Profile | None,
    new_profile: Profile | None,
) -> tuple[str, ...]:
    """Answered practices that applied under `old_profile` and no longer do under
    `new_profile`, in instrument order. Their answers are kept (nothing is deleted); they
    simply stop counting while hidden, and count again if the profile changes back."""
    plan = _plan_for(instrument)
    before = _visible_ids(plan, answers, old_profile)
    after = _visible_ids(plan, answers, new_profile)
    return tuple(
        p.practice.id
        for p in plan.practices
        if p.practice.id in before
        and p.practice.id not in after
        and _is_answered(answers.get(p.practice.id))
    )


def scoring_key(instrument: Instrument) -> str:
    """`id@version/rN/digest`: the scoring a result is computed with (see the docstring)."""
    scored: dict[str, object] = {
        "rules": [instrument.scoring.met_at, instrument.scoring.level_rule.value],
        "overall": instrument.scoring.overall_level_rule.value,
        "levels": [level.number for level in instrument.levels],
        "themes": sorted(instrument.themes),
        "dimensions": [
            [dimension.id, dimension.weight, [_scored_practice(p) for p in dimension.practices]]
            for dimension in instrument.dimensions
        ],
    }
    if instrument.format >= 2:
        # Only format 2 adds these, so format 1 keys (and stored results) stay as they were.
        scored["format"] = instrument.format
        scored["gating"] = instrument.scoring.gating.value
        scored["baseline_cap"] = instrument.scoring.baseline_cap
        scored["format_2_practices"] = [
            [p.id, p.kind.value, p.critical, p.requirement, _profile_condition(p)]
            for p in instrument.practices()
        ]
    canonical = json.dumps(scored, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return f"{instrument.key}/r{SCORING_RULES_VERSION}/{digest}"


def _profile_condition(practice: Practice) -> list[object] | None:
    condition = practice.show_if
    if condition is None or condition.profile_id is None:
        return None
    return [condition.profile_id, list(condition.any_of)]


def _scored_practice(practice: Practice) -> list[object]:
    condition = practice.show_if
    return [
        practice.id,
        practice.level,
        practice.weight,
        [[option.id, option.credit] for option in practice.answer_set.options],
        practice.allow_not_applicable,
        [condition.practice_id, list(condition.any_of)] if condition else None,
        sorted(practice.themes),
    ]


def is_visible(
    practice: Practice,
    answers: Answers,
    instrument: Instrument | None = None,
    profile: Profile | None = None,
) -> bool:
    """Whether the practice's show-if condition holds for these answers (and profile).

    With the instrument, the referenced practice must itself be visible (conditions can
    chain); without it only the practice's own condition is checked.
    """
    if instrument is not None:
        return practice.id in _visible_ids(_plan_for(instrument), answers, profile)
    condition = practice.show_if
    if condition is None:
        return True
    if condition.profile_id is not None:
        return _profile_holds(profile, condition.profile_id, frozenset(condition.any_of))
    answer = answers.get(condition.practice_id or "")
    return _chosen_option(answer) in condition.any_of


def visible_practices(
    instrument: Instrument, answers: Answers, profile: Profile | None = None
) -> tuple[Practice, ...]:
    """The practices whose show-if conditions hold, in instrument order."""
    visible = _visible_ids(_plan_for(instrument), answers, profile)
    return tuple(p for p in instrument.practices() if p.id in visible)


def progress(instrument: Instrument, answers: Answers, profile: Profile | None = None) -> Progress:
    """Answered (option or not applicable) versus visible practices, per dimension and overall."""
    plan = _plan_for(instrument)
    visible = _visible_ids(plan, answers, profile)
    dimensions: dict[str, DimensionProgress] = {}
    for dimension_id, (start, stop) in zip(plan.dimension_ids, plan.dimension_ranges, strict=True):
        shown = [p.practice.id for p in plan.practices[start:stop] if p.practice.id in visible]
        answered = sum(1 for pid in shown if _is_answered(answers.get(pid)))
        dimensions[dimension_id] = DimensionProgress(dimension_id, answered, len(shown))
    return Progress(
        dimensions,
        answered=sum(d.answered for d in dimensions.values()),
        total=sum(d.total for d in dimensions.values()),
    )


def explain_dimension(result: ScoreResult, dimension_id: str) -> list[str]:
    """Human-readable lines showing how a dimension's score, coverage and level came about."""
    dimension = result.dimensions.get(dimension_id)
    if dimension is None:
        known = ", ".join(result.dimensions) or "none"
        raise ValueError(f"unknown dimension {dimension_id!r} (dimensions: {known})")
    lines = [_explain_score(dimension), _explain_coverage(dimension)]
    lines.extend(_explain_practice(outcome) for outcome in dimension.practices)
    if dimension.capped_by:
        lines.append(
            f"capped by the baseline at level {dimension.level} (level {dimension.uncapped_level}"
            f" without the cap): {', '.join(dimension.capped_by)} not met"
        )
    if dimension.blocking:
        blocking = ", ".join(dimension.blocking)
        lines.append(f"level {dimension.level}; in the way of the next level: {blocking}")
    else:
        lines.append(f"level {dimension.level}; nothing blocks the next level")
    return lines


def _counted(outcomes: tuple[PracticeOutcome, ...]) -> list[PracticeOutcome]:
    """The outcomes the figures count: of alternatives, only the best for its requirement."""
    best: dict[str, PracticeOutcome] = {}
    counted: list[PracticeOutcome] = []
    for outcome in outcomes:
        if outcome.requirement is None:
            counted.append(outcome)
            continue
        current = best.get(outcome.requirement)
        if current is None or _outcome_rank(outcome) > _outcome_rank(current):
            best[outcome.requirement] = outcome
    return counted + list(best.values())


def _outcome_rank(outcome: PracticeOutcome) -> tuple[int, float]:
    if outcome.credit is not None:
        return (3 if outcome.status is PracticeStatus.MET else 2, outcome.credit)
    return (1 if outcome.applicable else 0, 0.0)


def _explain_score(dimension: DimensionResult) -> str:
    scored = [o for o in _counted(dimension.practices) if o.applicable and o.credit is not None]
    if dimension.score is None:
        return f"{dimension.dimension_id}: no score (no applicable practice is answered)"
    weighted = sum(o.weight * (o.credit or 0.0) for o in scored)
    weight = sum(o.weight for o in scored)
    return (
        f"{dimension.dimension_id}: score {dimension.score:.1f} = 100 * {weighted:g} / {weight:g}"
        " (weighted credit / weight of the answered applicable practices)"
    )


def _explain_coverage(dimension: DimensionResult) -> str:
    applicable = [o for o in _counted(dimension.practices) if o.applicable]
    answered = sum(1 for o in applicable if o.credit is not None)
    return (
        f"coverage {dimension.coverage:.0%}: {answered} of {len(applicable)} applicable"
        " practices answered"
    )


def _explain_practice(outcome: PracticeOutcome) -> str:
    head = f"{outcome.practice_id} (level {outcome.level}, weight {outcome.weight:g})"
    if outcome.requirement is not None:
        head += f" [one of the alternatives for {outcome.requirement}; the best one counts]"
    if outcome.status in (PracticeStatus.MET, PracticeStatus.UNMET):
        return f"{head}: {outcome.option_id} = {outcome.credit:.2f}, {outcome.status.value}"
    descriptions = {
        PracticeStatus.UNANSWERED: "unanswered, not met",
        PracticeStatus.NOT_APPLICABLE: "not applicable, left out",
        PracticeStatus.HIDDEN: "hidden by its show-if condition, left out",
    }
    return f"{head}: {descriptions[outcome.status]}"


def _dimension_result(
    instrument: Instrument,
    plan: _Plan,
    index: int,
    tally: _Tally,
    outcomes: list[PracticeOutcome | None],
    baseline: BaselineResult,
) -> DimensionResult:
    start, stop = plan.dimension_ranges[index]
    dimension_id = plan.dimension_ids[index]
    score = tally.score
    if instrument.scoring.level_rule is LevelRule.GATED:
        level = _gated_level(plan.scale, tally.unmet)
    else:
        level = _averaged_level(plan.scale, score)
    uncapped = level
    capped_by: tuple[str, ...] = ()
    cap = plan.baseline_cap
    open_baseline = (
        baseline.dimensions[dimension_id].open if dimension_id in baseline.dimensions else ()
    )
    if cap is not None and open_baseline:
        level = min(level, cap)
        capped_by = open_baseline if level < uncapped else ()
    next_level = plan.next_level.get(level)
    blocking: tuple[str, ...] = ()
    if next_level is not None:
        blocking = tuple(o.practice_id for o in tally.unmet if o.level <= next_level)
        if cap is not None and next_level > cap:
            blocking = open_baseline + blocking
    if plan.maturity_only[index]:
        practices = tuple(o for o in outcomes[start:stop] if o is not None)
    else:
        practices = tuple(
            o
            for p, o in zip(plan.practices[start:stop], outcomes[start:stop], strict=True)
            if o is not None and p.route in (_SCORED, _ALTERNATIVE)
        )
    return DimensionResult(
        dimension_id,
        score,
        level,
        tally.coverage,
        blocking,
        practices,
        capped_by,
        uncapped if capped_by else None,
    )


def _gated_level(scale: tuple[int, ...], unmet: list[PracticeOutcome]) -> int:
    lowest_unmet = min((o.level for o in unmet), default=math.inf)
    reached = [number for number in scale if number < lowest_unmet]
    return reached[-1] if reached else scale[0]


def _averaged_level(scale: tuple[int, ...], score: float | None) -> int:
    """The scale level `floor(score / 100 * steps)` steps above the floor (steps between levels).

    Counting steps along the scale, not level numbers, keeps the level on a scale that
    skips numbers (1, 3, 5); on 1..5 it is `floor + floor(score / 100 * (top - floor))`.
    """
    if score is None:
        return scale[0]
    steps = math.floor(score / 100.0 * (len(scale) - 1) + _ROUNDING_SLACK)
    return scale[max(0, min(len(scale) - 1, steps))]


def _level_at_or_below(scale: tuple[int, ...], value: float) -> int:
    """The highest scale level not above `value` (the floor when all are above)."""
    reached = [number for number in scale if number <= value + _ROUNDING_SLACK]
    return reached[-1] if reached else scale[0]


def _overall_result(
    instrument: Instrument,
    plan: _Plan,
    dimensions: Mapping[str, DimensionResult],
    coverage: float,
) -> OverallResult:
    results = [dimensions[d] for d in plan.dimension_ids]
    scored = [
        (weight, result.score)
        for weight, result in zip(plan.dimension_weights, results, strict=True)
        if result.score is not None
    ]
    score = _weighted_mean(scored) if scored else None
    if not results:
        level = plan.scale[0]
    elif instrument.scoring.overall_level_rule is not OverallLevelRule.WEIGHTED_MEAN:
        # `none` keeps the lowest level as the floor, stored but never shown as "the" level.
        level = min(result.level for result in results)
    else:
        levels = [
            (weight, float(result.level))
            for weight, result in zip(plan.dimension_weights, results, strict=True)
        ]
        level = _level_at_or_below(plan.scale, _weighted_mean(levels))
    return OverallResult(score, level, coverage)


def _weighted_mean(pairs: list[tuple[float, float]]) -> float:
    total_weight = sum(weight for weight, _ in pairs)
    return sum(weight * value for weight, value in pairs) / total_weight


def _resolve(
    plan: _Plan, answers: Answers, profile: Profile | None, *, strict: bool = True
) -> Iterator[tuple[_PracticePlan, _Entry]]:
    """Each practice with its outcome, referenced practices before their dependents.

    An option outside the practice's answer set raises ValueError when `strict`; otherwise
    the practice counts as unanswered.
    """
    chosen: dict[str, str] = {}  # visible practice id -> option, for show-if conditions
    for practice_plan in plan.evaluation_order:
        condition_id = practice_plan.condition_practice_id
        if condition_id is not None and chosen.get(condition_id) not in (
            practice_plan.condition_options
        ):
            yield practice_plan, practice_plan.hidden
            continue
        profile_id = practice_plan.condition_profile_id
        if profile_id is not None and not _profile_holds(
            profile, profile_id, practice_plan.condition_options
        ):
            yield practice_plan, practice_plan.hidden
            continue
        answer = answers.get(practice_plan.practice.id)
        if answer is None or (answer.option_id is None and not answer.not_applicable):
            yield practice_plan, practice_plan.unanswered
        elif answer.not_applicable:
            yield practice_plan, practice_plan.not_applicable
        else:
            entry = practice_plan.by_option.get(answer.option_id or "") or _unknown_option(
                practice_plan, answer.option_id, strict
            )
            if entry.outcome.option_id is not None:
                chosen[practice_plan.practice.id] = entry.outcome.option_id
            yield practice_plan, entry


def _unknown_option(practice_plan: _PracticePlan, option_id: str | None, strict: bool) -> _Entry:
    if not strict:
        return practice_plan.unanswered
    valid = ", ".join(practice_plan.by_option)
    raise ValueError(
        f"{practice_plan.practice.id}: option {option_id!r} is not in answer set "
        f"{practice_plan.practice.answer_set.id!r} (valid: {valid})"
    )


def _visible_ids(plan: _Plan, answers: Answers, profile: Profile | None) -> set[str]:
    return {
        practice_plan.practice.id
        for practice_plan, entry in _resolve(plan, answers, profile, strict=False)
        if entry.outcome.status is not PracticeStatus.HIDDEN
    }


def _profile_holds(profile: Profile | None, question_id: str, any_of: frozenset[str]) -> bool:
    """A profile condition: the answer (or one of a list's answers) is among `any_of`."""
    value = (profile or {}).get(question_id)
    if isinstance(value, str):
        return value in any_of
    if isinstance(value, list):
        return any(item in any_of for item in value)
    return False


def _chosen_option(answer: Answer | None) -> str | None:
    if answer is None or answer.not_applicable:
        return None
    return answer.option_id


def _is_answered(answer: Answer | None) -> bool:
    return answer is not None and answer.is_answered


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 100.0


def _plan_for(instrument: Instrument) -> _Plan:
    """The instrument's scoring plan, built on first use and kept on the (frozen) instrument."""
    plan: _Plan | None = instrument.__dict__.get("_scoring_plan")
    if plan is None:
        plan = _build_plan(instrument)
        object.__setattr__(instrument, "_scoring_plan", plan)
    return plan


def _build_plan(instrument: Instrument) -> _Plan:
    scale = tuple(sorted(level.number for level in instrument.levels))
    if not scale:
        raise ValueError(f"instrument {instrument.key} has no levels")
    theme_ids = tuple(instrument.themes)
    theme_positions = {theme_id: index for index, theme_id in enumerate(theme_ids)}
    groups: dict[str, int] = {}
    for practice in instrument.practices():
        if practice.requirement is not None and practice.kind is PracticeKind.MATURITY:
            groups.setdefault(practice.requirement, len(groups))
    practices: list[_PracticePlan] = []
    ranges: list[tuple[int, int]] = []
    for dimension_position, dimension in enumerate(instrument.dimensions):
        start = len(practices)
        for practice in dimension.practices:
            practices.append(
                _practice_plan(
                    instrument,
                    practice,
                    len(practices),
                    dimension_position,
                    theme_positions,
                    groups,
                )
            )
        ranges.append((start, len(practices)))
    return _Plan(
        practices=tuple(practices),
        evaluation_order=_evaluation_order(practices),
        dimension_ids=tuple(d.id for d in instrument.dimensions),
        dimension_weights=tuple(d.weight for d in instrument.dimensions),
        dimension_ranges=tuple(ranges),
        theme_ids=theme_ids,
        theme_practice_ids=tuple(
            tuple(
                p.id
                for p in instrument.practices()
                if theme_id in p.themes and p.kind is PracticeKind.MATURITY
            )
            for theme_id in theme_ids
        ),
        scale=scale,
        next_level=dict(itertools.pairwise(scale)),
        group_count=len(groups),
        has_baseline=any(p.kind is PracticeKind.BASELINE for p in instrument.practices()),
        baseline_cap=instrument.scoring.baseline_cap,
        positions={p.practice.id: p.position for p in practices},
        maturity_only=tuple(
            all(p.kind is PracticeKind.MATURITY for p in d.practices) for d in instrument.dimensions
        ),
    )


def _route(practice: Practice, groups: Mapping[str, int]) -> tuple[int, int]:
    if practice.kind is PracticeKind.BASELINE:
        return _BASELINE, -1
    if practice.kind is PracticeKind.SCREENING:
        return _SCREENING, -1
    if practice.requirement is not None:
        return _ALTERNATIVE, groups[practice.requirement]
    return _SCORED, -1


def _practice_plan(
    instrument: Instrument,
    practice: Practice,
    position: int,
    dimension_position: int,
    theme_positions: Mapping[str, int],
    groups: Mapping[str, int],
) -> _PracticePlan:
    met_at = instrument.scoring.met_at
    route, group = _route(practice, groups)
    screening = route == _SCREENING
    gates = instrument.scoring.gating is Gating.ALL or practice.critical
    by_option: dict[str, _Entry] = {}
    for option in practice.answer_set.options:
        met = option.credit >= met_at and not screening
        if screening:
            status = PracticeStatus.ANSWERED
        else:
            status = PracticeStatus.MET if met else PracticeStatus.UNMET
        by_option[option.id] = _Entry(
            _outcome(practice, status, option.id, None if screening else option.credit),
            applicable=not screening,
            scored=not screening,
            met=met,
            weighted_credit=practice.weight * option.credit,
            blocks=not screening and not met and gates,
        )
    condition = practice.show_if
    return _PracticePlan(
        practice=practice,
        position=position,
        dimension_position=dimension_position,
        theme_positions=tuple(theme_positions[t] for t in practice.themes if t in theme_positions),
        route=route,
        group=group,
        condition_practice_id=condition.practice_id if condition else None,
        condition_profile_id=condition.profile_id if condition else None,
        condition_options=frozenset(condition.any_of) if condition else frozenset(),
        by_option=by_option,
        unanswered=_unscored_entry(
            practice, PracticeStatus.UNANSWERED, applicable=not screening, blocks=gates
        ),
        not_applicable=_unscored_entry(practice, PracticeStatus.NOT_APPLICABLE, applicable=False),
        hidden=_unscored_entry(practice, PracticeStatus.HIDDEN, applicable=False),
    )


def _unscored_entry(
    practice: Practice, status: PracticeStatus, *, applicable: bool, blocks: bool = False
) -> _Entry:
    return _Entry(
        _outcome(practice, status),
        applicable=applicable,
        scored=False,
        met=False,
        weighted_credit=0.0,
        blocks=applicable and blocks,
    )


def _outcome(
    practice: Practice,
    status: PracticeStatus,
    option_id: str | None = None,
    credit: float | None = None,
) -> PracticeOutcome:
    return PracticeOutcome(
        practice.id,
        practice.dimension_id,
        practice.level,
        practice.weight,
        status,
        option_id,
        credit,
        practice.requirement,
    )


def _evaluation_order(practices: list[_PracticePlan]) -> tuple[_PracticePlan, ...]:
    """Instrument order, except that a show-if target comes before the practice it shows."""
    by_id = {p.practice.id: p for p in practices}
    ordered: list[_PracticePlan] = []
    placed: set[str] = set()
    for practice_plan in practices:
        chain: list[str] = []
        current: _PracticePlan | None = practice_plan
        while current is not None and current.practice.id not in placed:
            if current.practice.id in chain:
                cycle = " -> ".join([*chain, current.practice.id])
                raise ValueError(f"show_if conditions form a cycle: {cycle}")
            chain.append(current.practice.id)
            target = current.condition_practice_id
            current = by_id.get(target) if target is not None else None
        for practice_id in reversed(chain):
            ordered.append(by_id[practice_id])
            placed.add(practice_id)
    return tuple(ordered)

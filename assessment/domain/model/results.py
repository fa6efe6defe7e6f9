"""What scoring produces: scores, levels, coverage and their explanation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

# The long frame of stored results (`assessment.queries.results.results_frame`) that
# benchmarks read: one row per submitted assessment and figure.
RESULT_FIGURE_COLUMNS = ("assessment_id", "scope", "key", "score", "level", "coverage")
RESULT_ASSESSMENT_COLUMNS = (
    "assessment_id",
    "agency_id",
    "agency",
    "country",
    "agency_type",
    "size_band",
    "round_id",
    "round",
    "instrument_id",
    "instrument_version",
)
# What a figure row carries: the assessment's columns, then the figure's own.
RESULT_COLUMNS = RESULT_ASSESSMENT_COLUMNS[1:] + RESULT_FIGURE_COLUMNS[1:]


class PracticeStatus(StrEnum):
    """How one practice counted."""

    MET = "met"  # answered, credit >= met_at
    UNMET = "unmet"  # answered, credit below met_at
    UNANSWERED = "unanswered"  # applicable, no answer yet (counts as not met for levels)
    NOT_APPLICABLE = "not_applicable"  # answered not applicable: leaves every denominator
    HIDDEN = "hidden"  # its show-if condition does not hold: counts as not applicable
    ANSWERED = "answered"  # a screening question's answer: decides what applies, unscored


@dataclass(frozen=True)
class PracticeOutcome:
    """The explanation of one practice's part in the figures."""

    practice_id: str
    dimension_id: str
    level: int
    weight: float
    status: PracticeStatus
    option_id: str | None
    credit: float | None  # None unless answered with an option
    requirement: str | None = None  # set on alternatives: any one of them meets it

    @property
    def applicable(self) -> bool:
        """Visible and not marked not applicable."""
        return self.status not in (PracticeStatus.NOT_APPLICABLE, PracticeStatus.HIDDEN)

    @property
    def is_open(self) -> bool:
        """Applicable and not met (unanswered included): for a baseline practice, an open
        legal or safety obligation."""
        return self.applicable and self.status is not PracticeStatus.MET


@dataclass(frozen=True)
class DimensionResult:
    """A dimension's score (0-100, None when nothing applicable is answered), level, coverage."""

    dimension_id: str
    score: float | None
    level: int
    coverage: float  # answered applicable / applicable; 1.0 when nothing is applicable
    blocking: tuple[str, ...]  # practice ids that stand between this level and the next
    practices: tuple[PracticeOutcome, ...]  # maturity practices only
    capped_by: tuple[str, ...] = ()  # open baseline practices that lowered the level
    uncapped_level: int | None = None  # the level without the baseline cap, when capped


@dataclass(frozen=True)
class ThemeResult:
    """A cross-cutting theme's score over the practices tagged with it."""

    theme_id: str
    score: float | None
    coverage: float
    practice_ids: tuple[str, ...]


@dataclass(frozen=True)
class OverallResult:
    """The agency's overall index (weighted mean of dimension scores) and level."""

    score: float | None
    level: int
    coverage: float


@dataclass(frozen=True)
class Figure:
    """A stored figure: score (None when nothing applicable is answered), level, coverage."""

    score: float | None
    level: int | None
    coverage: float


@dataclass(frozen=True)
class BaselineDimension:
    """The baseline (legal and safety obligations) of one dimension: met or not, apart."""

    dimension_id: str
    practices: tuple[PracticeOutcome, ...]

    @property
    def met(self) -> tuple[str, ...]:
        """Baseline practices met."""
        return _ids(self.practices, PracticeStatus.MET)

    @property
    def not_met(self) -> tuple[str, ...]:
        """Baseline practices answered and not met: an obligation is open."""
        return _ids(self.practices, PracticeStatus.UNMET)

    @property
    def unanswered(self) -> tuple[str, ...]:
        """Baseline practices that apply but are not answered yet (open until answered)."""
        return _ids(self.practices, PracticeStatus.UNANSWERED)

    @property
    def not_applicable(self) -> tuple[str, ...]:
        """Baseline practices that do not apply (answered so, or hidden by a condition)."""
        return tuple(o.practice_id for o in self.practices if not o.applicable)

    @property
    def open(self) -> tuple[str, ...]:
        """Not met or not answered: the obligations not shown to be met."""
        return tuple(o.practice_id for o in self.practices if o.is_open)


@dataclass(frozen=True)
class BaselineResult:
    """The baseline per dimension (only dimensions that have baseline practices)."""

    dimensions: Mapping[str, BaselineDimension]
    cap: int | None = None  # the level an open baseline practice caps its dimension at

    @property
    def practices(self) -> tuple[PracticeOutcome, ...]:
        """Every baseline practice's outcome, dimension by dimension."""
        return tuple(o for d in self.dimensions.values() for o in d.practices)

    @property
    def open(self) -> tuple[str, ...]:
        """Every baseline practice not shown to be met."""
        return tuple(o.practice_id for o in self.practices if o.is_open)

    @property
    def applicable(self) -> int:
        """How many baseline practices apply."""
        return sum(1 for o in self.practices if o.applicable)


def _ids(outcomes: tuple[PracticeOutcome, ...], status: PracticeStatus) -> tuple[str, ...]:
    return tuple(o.practice_id for o in outcomes if o.status is status)


NO_BASELINE = BaselineResult({})


@dataclass(frozen=True)
class ScoreResult:
    """Everything scoring an assessment gives, keyed by dimension and theme id."""

    instrument_id: str
    instrument_version: str
    overall: OverallResult
    dimensions: Mapping[str, DimensionResult]
    themes: Mapping[str, ThemeResult]
    baseline: BaselineResult = NO_BASELINE
    screening: tuple[PracticeOutcome, ...] = ()  # screening questions' answers


@dataclass(frozen=True)
class RoadmapAction:
    """One recommended action: a practice to bring to met."""

    practice_id: str
    dimension_id: str
    level: int
    action: str
    effort: str
    impact: str
    depends_on: tuple[str, ...]
    baseline: bool = False  # an open legal or safety obligation, not a step up a level


@dataclass(frozen=True)
class Projection:
    """A dimension's score and level once a phase (and all before it) is done.

    `coverage` is the share of applicable practices that would then be answered: the
    projection says nothing about the rest, so below 1.0 it must be read as partial.
    """

    score: float | None
    level: int
    coverage: float = 1.0


@dataclass(frozen=True)
class RoadmapPhase:
    """A roadmap phase with its actions and the figures it would reach."""

    phase_id: str
    title: str
    start_month: int
    end_month: int
    actions: tuple[RoadmapAction, ...]
    projected: Mapping[str, Projection]
    projected_overall: Projection


@dataclass(frozen=True)
class Roadmap:
    """Target levels and the phased actions that reach them."""

    targets: Mapping[str, int]
    phases: tuple[RoadmapPhase, ...]
    # Dimensions whose target the whole roadmap still does not reach -> the level it
    # reaches (e.g. nothing applicable is left to act on); never silently empty.
    unreached: Mapping[str, int] = field(default_factory=dict)


def with_figures(result: ScoreResult, figures: Mapping[tuple[str, str], Figure]) -> ScoreResult:
    """The result with its figures replaced by these, keyed (scope, key); others kept."""
    overall = figures.get(("overall", "overall"))
    dimensions = {
        key: _with_dimension_figure(d, figures.get(("dimension", key)))
        for key, d in result.dimensions.items()
    }
    themes = {
        key: _with_theme_figure(t, figures.get(("theme", key))) for key, t in result.themes.items()
    }
    return replace(
        result,
        overall=replace(
            result.overall,
            score=overall.score,
            level=overall.level if overall.level is not None else result.overall.level,
            coverage=overall.coverage,
        )
        if overall
        else result.overall,
        dimensions=dimensions,
        themes=themes,
    )


def _with_dimension_figure(dimension: DimensionResult, figure: Figure | None) -> DimensionResult:
    if figure is None:
        return dimension
    level = figure.level if figure.level is not None else dimension.level
    return replace(dimension, score=figure.score, level=level, coverage=figure.coverage)


def _with_theme_figure(theme: ThemeResult, figure: Figure | None) -> ThemeResult:
    return replace(theme, score=figure.score, coverage=figure.coverage) if figure else theme

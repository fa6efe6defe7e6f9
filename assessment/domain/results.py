"""What scoring produces: scores, levels, coverage and their explanation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class PracticeStatus(StrEnum):
    """How one practice counted."""

    MET = "met"  # answered, credit >= met_at
    UNMET = "unmet"  # answered, credit below met_at
    UNANSWERED = "unanswered"  # applicable, no answer yet (counts as not met for levels)
    NOT_APPLICABLE = "not_applicable"  # answered not applicable: leaves every denominator
    HIDDEN = "hidden"  # its show-if condition does not hold: counts as not applicable


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

    @property
    def applicable(self) -> bool:
        """Visible and not marked not applicable."""
        return self.status not in (PracticeStatus.NOT_APPLICABLE, PracticeStatus.HIDDEN)


@dataclass(frozen=True)
class DimensionResult:
    """A dimension's score (0-100, None when nothing applicable is answered), level, coverage."""

    dimension_id: str
    score: float | None
    level: int
    coverage: float  # answered applicable / applicable; 1.0 when nothing is applicable
    blocking: tuple[str, ...]  # practice ids that stand between this level and the next
    practices: tuple[PracticeOutcome, ...]


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
class ScoreResult:
    """Everything scoring an assessment gives, keyed by dimension and theme id."""

    instrument_id: str
    instrument_version: str
    overall: OverallResult
    dimensions: Mapping[str, DimensionResult]
    themes: Mapping[str, ThemeResult]


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


@dataclass(frozen=True)
class Projection:
    """A dimension's score and level once a phase (and all before it) is done."""

    score: float | None
    level: int


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

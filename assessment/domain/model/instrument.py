"""The instrument model: what a maturity questionnaire contains, as frozen values.

Pure data: no I/O, no web, ORM or PDF imports. `loader.py` builds these from YAML.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Text:
    """A text in one or more languages; `str()` gives the default language."""

    translations: Mapping[str, str]
    default_language: str = DEFAULT_LANGUAGE

    def __str__(self) -> str:
        return self.get(self.default_language)

    def get(self, language: str) -> str:
        """The text in `language`, falling back to the default language."""
        if language in self.translations:
            return self.translations[language]
        return self.translations.get(self.default_language) or next(
            iter(self.translations.values()), ""
        )

    @classmethod
    def plain(cls, text: str, language: str = DEFAULT_LANGUAGE) -> Text:
        """A text in one language."""
        return cls({language: text}, language)


class LevelRule(StrEnum):
    """How a dimension's level is derived from its practices."""

    GATED = "gated"  # highest L such that every applicable practice at L and below is met
    AVERAGED = "averaged"  # level follows the graded score


class OverallLevelRule(StrEnum):
    """How the overall level is derived from the dimension levels."""

    LOWEST = "lowest"  # the weakest dimension caps the agency
    WEIGHTED_MEAN = "weighted_mean"  # weighted mean of dimension levels, rounded down
    NONE = "none"  # no overall level is shown; the lowest level is kept as the floor


class Gating(StrEnum):
    """Which practices gate a level under the gated rule."""

    ALL = "all"  # every applicable practice at L and below must be met (C2M2)
    CRITICAL = "critical"  # only practices marked critical; the rest count in the score only


class PracticeKind(StrEnum):
    """What a practice is for (format 2; format 1 practices are all maturity practices)."""

    MATURITY = "maturity"  # scored, on the level ladder
    BASELINE = "baseline"  # a legal or safety obligation: met / not met, reported apart
    SCREENING = "screening"  # unscored; its answer only decides what applies


class Rating(StrEnum):
    """Effort and impact ratings of a recommendation."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def weight(self) -> int:
        """1 for low, 2 for medium, 3 for high."""
        return {"low": 1, "medium": 2, "high": 3}[self.value]


@dataclass(frozen=True)
class Level:
    """One step of the maturity scale."""

    number: int
    name: Text
    description: Text


@dataclass(frozen=True)
class Option:
    """One answer option, the credit (0..1) it earns and what it means (format 2)."""

    id: str
    label: Text
    credit: float
    definition: Text | None = None


@dataclass(frozen=True)
class AnswerSet:
    """A reusable list of answer options."""

    id: str
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def best(self) -> Option:
        """The option with the highest credit."""
        return max(self.options, key=lambda o: o.credit)


@dataclass(frozen=True)
class Source:
    """A cited source, defined once and referenced by key."""

    key: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class Theme:
    """A cross-cutting theme, shown beside the dimensions."""

    id: str
    title: Text
    description: Text


@dataclass(frozen=True)
class Phase:
    """A roadmap phase, e.g. 0-6 months."""

    id: str
    title: Text
    start_month: int
    end_month: int


@dataclass(frozen=True)
class Condition:
    """Show a practice only when another practice (or a profile question) is answered
    with one of `any_of`; `profile_id` is set instead of `practice_id` for the latter."""

    practice_id: str | None
    any_of: tuple[str, ...]
    profile_id: str | None = None


@dataclass(frozen=True)
class Recommendation:
    """What to do when a practice is not met."""

    action: Text
    effort: Rating
    impact: Rating
    horizon: str  # a Phase id
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Practice:
    """A scored question: a checkable statement about the agency."""

    id: str
    dimension_id: str
    level: int  # the floor for baseline and screening practices, which are off the ladder
    weight: float
    answer_set: AnswerSet
    text: Text
    guidance: Text
    recommendation: Recommendation | None  # None only for screening questions
    allow_not_applicable: bool = False
    show_if: Condition | None = None
    themes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kind: PracticeKind = PracticeKind.MATURITY
    critical: bool = False  # gates levels when the instrument's gating is `critical`
    requirement: str | None = None  # practices sharing one are alternatives (any one meets it)


@dataclass(frozen=True)
class Dimension:
    """A scored dimension with its practices and what each level means in it."""

    id: str
    title: Text
    description: Text
    weight: float
    level_descriptions: Mapping[int, Text]
    practices: tuple[Practice, ...]


@dataclass(frozen=True)
class ProfileQuestion:
    """An unscored question about the agency, used for peer groups."""

    id: str
    label: Text
    kind: str  # "choice" | "multi_choice" | "text" | "integer" | "country"
    options: tuple[Option, ...] = ()
    required: bool = False
    help: Text | None = None


@dataclass(frozen=True)
class ScoringRules:
    """How answers become scores and levels."""

    met_at: float = 0.75
    level_rule: LevelRule = LevelRule.GATED
    overall_level_rule: OverallLevelRule = OverallLevelRule.LOWEST
    gating: Gating = Gating.ALL
    baseline_cap: int | None = None  # an open baseline practice caps its dimension here


DEFAULT_PHASES = (
    Phase("short", Text.plain("0-6 months"), 0, 6),
    Phase("medium", Text.plain("6-18 months"), 6, 18),
    Phase("long", Text.plain("18-36 months"), 18, 36),
)


@dataclass(frozen=True)
class Instrument:
    """A versioned maturity questionnaire."""

    id: str
    version: str
    title: Text
    description: Text
    levels: tuple[Level, ...]
    answer_sets: Mapping[str, AnswerSet]
    dimensions: tuple[Dimension, ...]
    themes: Mapping[str, Theme] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    profile: tuple[ProfileQuestion, ...] = ()
    scoring: ScoringRules = ScoringRules()
    phases: tuple[Phase, ...] = DEFAULT_PHASES
    languages: tuple[str, ...] = ("en",)
    format: int = 1

    @property
    def key(self) -> str:
        """`id@version`, the instrument's unique name."""
        return f"{self.id}@{self.version}"

    @property
    def major_version(self) -> int:
        """The major part of the semantic version (results compare within one major)."""
        return int(self.version.split(".")[0])

    @property
    def floor_level(self) -> int:
        """The lowest level: every agency is at least here."""
        return min(level.number for level in self.levels)

    @property
    def top_level(self) -> int:
        """The highest level of the scale."""
        return max(level.number for level in self.levels)

    def level(self, number: int) -> Level:
        """The level with this number."""
        return next(level for level in self.levels if level.number == number)

    def practices(self) -> Iterator[Practice]:
        """All practices, dimension by dimension."""
        for dimension in self.dimensions:
            yield from dimension.practices

    def practice(self, practice_id: str) -> Practice | None:
        """The practice with this id, or None."""
        return self._practice_index.get(practice_id)

    def dimension(self, dimension_id: str) -> Dimension | None:
        """The dimension with this id, or None."""
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def profile_question(self, question_id: str) -> ProfileQuestion | None:
        """The profile question with this id, or None."""
        return next((q for q in self.profile if q.id == question_id), None)

    @property
    def _practice_index(self) -> Mapping[str, Practice]:
        index: dict[str, Practice] | None = self.__dict__.get("_index")
        if index is None:
            index = {p.id: p for p in self.practices()}
            object.__setattr__(self, "_index", index)
        return index

"""A report's view data: what it shows, as frozen values; templates only lay these out.

Numbers stay numbers (templates format them); texts are plain strings that the
autoescaping templates escape; charts are ready-made `Markup` from
`assessment.presentation.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from assessment.config import Branding
from assessment.presentation.headline_view import BaselineView, HeadlineView
from assessment.presentation.roadmap import RoadmapView
from assessment.presentation.text_blocks import TextBlock


@dataclass(frozen=True)
class LevelInfo:
    """A maturity level with what it means (in general or within one dimension)."""

    number: int
    name: str
    meaning: str


@dataclass(frozen=True)
class PeerFigure:
    """One figure over the peer group: median, quartiles from 2K, the agency's rank; or withheld."""

    n: int | None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    percentile_rank: float | None = None
    withheld_reason: str | None = None

    @property
    def withheld(self) -> bool:
        """True when the figure is not shown (too few peers or a differencing risk)."""
        return self.median is None


@dataclass(frozen=True)
class PracticeLine:
    """One practice as answered: its statement, the answer, the status and the comment."""

    practice_id: str
    dimension_id: str
    level: int
    text: str
    answer: str
    status: str  # met | unmet | unanswered | not_applicable | hidden
    status_label: str
    comment: str
    answered_by: str = ""  # "answered by lead@example.org on 3 March 2025", appendix only
    obligation: bool = False  # a baseline practice: a legal or safety obligation


@dataclass(frozen=True)
class DimensionFigure:
    """A dimension's score and level, for rankings and tables."""

    dimension_id: str
    title: str
    score: float | None
    level: int
    level_name: str


@dataclass(frozen=True)
class DimensionSection:
    """Everything the report says about one dimension."""

    dimension_id: str
    title: str
    description: str
    score: float | None
    previous_score: float | None
    coverage: float
    level: LevelInfo
    next_level: LevelInfo | None
    peer: PeerFigure
    peer_chart: Markup
    met: tuple[PracticeLine, ...]
    not_met: tuple[PracticeLine, ...]
    not_applicable: tuple[PracticeLine, ...]
    blocking: tuple[PracticeLine, ...]
    evidence: tuple[PracticeLine, ...]
    note: ConsultantNote | None = None
    cap: str | None = None  # said beside a level the baseline capped


@dataclass(frozen=True)
class ConsultantNote:
    """A consultant's commentary, attributed: its text blocks, author and date."""

    blocks: tuple[TextBlock, ...]
    author: str
    written_on: date


@dataclass(frozen=True)
class Summary:
    """The executive summary: overall figures, radar, dimensions by score, peer position."""

    overall_score: float | None
    overall_level: LevelInfo
    coverage: float
    radar: Markup | None  # None below three dimensions: the table says it all
    ranked: tuple[DimensionFigure, ...]  # scored dimensions, highest score first
    peer: PeerFigure
    peer_group: str
    previous_round: str | None
    previous_overall: float | None
    narrative: tuple[str, ...] = ()  # plain-sentence paragraphs, from presentation.narrative


@dataclass(frozen=True)
class ThemeLine:
    """A cross-cutting theme's score over the practices tagged with it."""

    theme_id: str
    title: str
    description: str
    score: float | None
    coverage: float
    practices: int
    peer_median: float | None


@dataclass(frozen=True)
class TrendRow:
    """Overall and dimension scores of one earlier (or the current) round."""

    round_name: str
    overall: float | None
    overall_level: int | None
    dimensions: tuple[float | None, ...]


@dataclass(frozen=True)
class TrendView:
    """Scores over rounds, oldest first, ending with the reported round."""

    dimension_titles: tuple[str, ...]
    rows: tuple[TrendRow, ...]
    chart: Markup


@dataclass(frozen=True)
class BaselineFigure:
    """A published figure about agencies that puts the scores in context: the year and
    country it describes, its source and sample, and whether it was checked at the source."""

    year: str
    country: str
    source: str
    sample: str
    figure: str
    verified: bool = True


@dataclass(frozen=True)
class SourceLine:
    """A source cited by the instrument."""

    key: str
    citation: str


@dataclass(frozen=True)
class Methodology:
    """How scores and levels come about, and what the peer figures rest on."""

    instrument_title: str
    instrument_id: str
    instrument_version: str
    practice_count: int
    met_at: float
    level_rule: str
    overall_rule: str
    levels: tuple[LevelInfo, ...]
    peer_group: str
    peer_count: int | None
    k: int
    disclosure: str  # the disclosure rule, in words
    baseline: tuple[BaselineFigure, ...]
    sources: tuple[SourceLine, ...]
    definitions: tuple[OptionDefinition, ...] = ()  # what each answer option means (format 2)
    references: tuple[str, ...] = ()  # the current European legal framework, "act: scope"


@dataclass(frozen=True)
class OptionDefinition:
    """An answer option and what it means."""

    label: str
    definition: str


@dataclass(frozen=True)
class AppendixDimension:
    """Every answer of one dimension, for the appendix."""

    title: str
    answers: tuple[PracticeLine, ...]


@dataclass(frozen=True)
class AgencyReport:
    """The agency report for one round."""

    agency_name: str
    agency_details: str
    round_name: str
    generated_on: date
    language: str
    confidentiality: str
    issuer: Branding
    stage: str  # "Final report, issued 3 December 2026" or "Draft"
    commentary: ConsultantNote | None
    headline: HeadlineView
    baseline_panel: BaselineView | None  # legal and safety obligations, shown first
    figures_note: str | None  # provisional or stale figures, said on the cover and summary
    summary: Summary
    dimensions: tuple[DimensionSection, ...]
    themes: tuple[ThemeLine, ...]
    roadmap: RoadmapView
    trend: TrendView | None
    methodology: Methodology
    appendix: tuple[AppendixDimension, ...]
    peer_note: str | None = None  # why a national force has no peers of its type at home
    synthetic_note: str | None = None  # a demo agency: said on the cover

    @property
    def title(self) -> str:
        """The document title."""
        return f"Social-media maturity report: {self.agency_name}, {self.round_name}"


@dataclass(frozen=True)
class DistributionLine:
    """One figure's distribution over the cohort, as a quartile chart."""

    title: str
    peer: PeerFigure
    chart: Markup
    levels: Markup | None


@dataclass(frozen=True)
class UnmetPractice:
    """A practice often not met in the cohort."""

    practice_id: str
    dimension_title: str
    level: int
    text: str
    unmet: int
    applicable: int

    @property
    def share(self) -> float:
        """Share (0-1) of the agencies to which it applies that do not meet it."""
        return self.unmet / self.applicable if self.applicable else 0.0


@dataclass(frozen=True)
class CohortReport:
    """The anonymised cohort report for a round and a peer group."""

    round_name: str
    group: str
    agency_count: int
    k: int
    generated_on: date
    language: str
    confidentiality: str
    issuer: Branding
    overall: DistributionLine
    dimensions: tuple[DistributionLine, ...]
    themes: tuple[DistributionLine, ...]
    medians_over_rounds: TrendView | None
    unmet: tuple[UnmetPractice, ...]
    methodology: Methodology
    synthetic_note: str | None = None  # the group holds demo agencies: said on the cover

    @property
    def title(self) -> str:
        """The document title."""
        return f"Social-media maturity cohort report: {self.group}, {self.round_name}"

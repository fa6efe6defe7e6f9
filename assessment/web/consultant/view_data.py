"""The consultant pages' view data, built from services (keeps the views thin)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from markupsafe import Markup
from sqlalchemy.orm import Session

from assessment.domain.rules.benchmark import (
    CellStatistics,
    GroupRefused,
    PeerGroup,
    PeerStatistics,
)
from assessment.domain.rules.trajectory import CohortRound, Trajectory, TrajectoryPoint
from assessment.presentation.charts import trend_chart
from assessment.presentation.labels import FigureNames, carried_over_axis
from assessment.presentation.peer_charts import (
    dimension_cells,
    level_chart,
    peer_bar,
    position_bars,
    trend_of,
)
from assessment.presentation.profiles import country_name, record_choices
from assessment.queries.agencies import (
    AgencyOverview,
    agencies_by_name,
    agencies_with_ids,
    agency_countries,
    agency_overview,
    get_agency,
)
from assessment.queries.answer_review import AnswerReview, answer_review
from assessment.queries.assessments import assessments_of_agency
from assessment.queries.results import submitted_assessment
from assessment.queries.rounds import get_round, latest_submitted_round, rounds_with_results
from assessment.services import benchmarking
from assessment.store.models import Agency, Assessment, AssessmentStatus, Round, User
from assessment.web.catalog import names_for, web_catalog
from assessment.web.consultant.forms import (
    AgencyListForm,
    BenchmarkForm,
    CompareForm,
    Pairs,
    select_choices,
)

SORTERS: dict[str, Callable[[AgencyOverview], Any]] = {
    "name": lambda row: row.name.lower(),
    "country": lambda row: row.country,
    "type": lambda row: row.agency_type,
    "size": lambda row: row.size_band,
    "score": lambda row: row.score,
    "level": lambda row: row.level,
    "change": lambda row: row.change,
}


class OffersGroupChoices(Protocol):
    """A form with country, type and size choices to fill (GroupFilters, BatchForm)."""

    def offer(self, countries: Pairs, types: Pairs, sizes: Pairs) -> None: ...


def offer_filters(session: Session, form: OffersGroupChoices) -> None:
    """Countries that occur, and the agency types and workforce bands of the record."""
    countries = agency_countries(session)
    form.offer(
        [(code, f"{country_name(code)} ({code})") for code in countries],
        record_choices("agency_type"),
        record_choices("size_band"),
    )


def agency_rows(session: Session, form: AgencyListForm | None) -> list[AgencyOverview]:
    """The agencies matching the form's filters, in its order (unscored figures last)."""
    rows = agency_overview(session, catalog=web_catalog())
    if form is None:
        return rows
    group = form.group()
    rows = [row for row in rows if group.admits(row.country, row.agency_type, row.size_band)]
    key = SORTERS[form.sort.data or "name"]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    present.sort(key=key, reverse=form.order.data == "desc")
    return present + missing


AGENCIES_PER_PAGE = 100


@dataclass(frozen=True)
class AgencyListPage:
    """One page of the agency list: its rows, where they stand among all matches."""

    rows: list[AgencyOverview]
    number: int
    pages: int
    total: int
    first: int  # 1-based position of the first row shown (0 when there is none)

    @classmethod
    def of(cls, rows: list[AgencyOverview], number: int) -> AgencyListPage:
        """Page `number` of `rows` (a number past the end shows the last page)."""
        pages = max(1, -(-len(rows) // AGENCIES_PER_PAGE))
        number = min(max(1, number), pages)
        start = (number - 1) * AGENCIES_PER_PAGE
        shown = rows[start : start + AGENCIES_PER_PAGE]
        return cls(shown, number, pages, len(rows), start + 1 if shown else 0)

    @property
    def last(self) -> int:
        """1-based position of the last row shown."""
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class AgencyPage:
    """Everything the agency page shows."""

    agency: Agency
    assessments: list[Assessment]
    trajectory: Trajectory
    latest: TrajectoryPoint | None
    latest_round: Round | None
    names: FigureNames
    trend: Markup | None
    benchmark: benchmarking.AgencyBenchmark | None
    bars: list[tuple[str, Markup]]


def agency_page(session: Session, viewer: User, agency_id: int, k: int) -> AgencyPage:
    """The agency's profile, rounds, trend, latest results and peer position."""
    agency = benchmarking.visible_agency(session, viewer, agency_id)
    assessments = benchmarking.agency_assessments(session, viewer=viewer, agency_id=agency_id)
    trajectory = benchmarking.agency_trajectory(
        session, viewer=viewer, agency_id=agency_id, catalog=web_catalog()
    )
    latest_round = latest_submitted_round(session, agency_id)
    names = names_for(latest_round) if latest_round else FigureNames(None)
    position = None
    if latest_round is not None:
        position = benchmarking.agency_benchmark(
            session,
            viewer=viewer,
            agency_id=agency_id,
            round_id=latest_round.id,
            k=k,
            groups=benchmarking.peer_groups_for(agency, names.instrument)[:2],
            catalog=web_catalog(),
        )
    return AgencyPage(
        agency=agency,
        assessments=assessments,
        trajectory=trajectory,
        latest=trajectory.latest,
        latest_round=latest_round,
        names=names,
        trend=trend_of(trajectory, names),
        benchmark=position,
        bars=position_bars(position.comparisons[0].position if position else None, names),
    )


@dataclass(frozen=True)
class AnswersPage:
    """A submitted round's answers and the agency's other submitted rounds to switch to."""

    review: AnswerReview
    rounds: list[Round]  # the agency's submitted rounds, oldest first

    @property
    def agency(self) -> Agency:
        """The agency whose answers these are."""
        return self.review.assessment.agency


def answers_page(session: Session, agency_id: int, round_id: int) -> AnswersPage:
    """The agency's submitted answers of the round (NotFound when not submitted), as its
    PDF report would show them, compared with the previous submitted round."""
    assessment = submitted_assessment(
        session, get_agency(session, agency_id), get_round(session, round_id)
    )
    rounds = [
        a.round
        for a in assessments_of_agency(session, agency_id)
        if a.status is AssessmentStatus.SUBMITTED
    ]
    return AnswersPage(answer_review(session, assessment, web_catalog()), rounds)


def offer_rounds(session: Session, form: BenchmarkForm | CompareForm) -> Round | None:
    """Offer the rounds with results, newest first and chosen by default; the newest."""
    rounds = rounds_with_results(session)
    form.round.choices = select_choices((r.id, r.name) for r in reversed(rounds))
    if form.round.data is None and rounds:
        form.round.data = rounds[-1].id
    return rounds[-1] if rounds else None


def offer_compare_choices(session: Session, form: CompareForm) -> Round | None:
    """Offer rounds and agencies; returns the latest round with results, if any."""
    agencies = agencies_by_name(session)
    form.agency.choices = select_choices((agency.id, agency.name) for agency in agencies)
    return offer_rounds(session, form)


@dataclass(frozen=True)
class ComparisonRow:
    """One figure across the compared agencies: (score, level) per agency, None if absent."""

    label: str
    values: list[tuple[float | None, int | None] | None]


@dataclass(frozen=True)
class ComparisonTable:
    """Agencies side by side in one round."""

    round: Round
    agencies: list[Agency]
    names: FigureNames
    rows: list[ComparisonRow]


def comparison(session: Session, form: CompareForm) -> ComparisonTable:
    """The chosen agencies' stored results in the chosen round, one row per figure."""
    round_ = get_round(session, form.round.data)
    chosen = list(form.agency.data or [])
    agencies = agencies_with_ids(session, chosen)
    ordered = [agencies[agency_id] for agency_id in chosen if agency_id in agencies]
    frame = benchmarking.round_frame(session, round_.id)
    frame = frame[frame["agency_id"].isin(chosen)]
    names = names_for(round_)
    return ComparisonTable(round_, ordered, names, _comparison_rows(frame, ordered, names))


def _comparison_rows(
    frame: pd.DataFrame, agencies: list[Agency], names: FigureNames
) -> list[ComparisonRow]:
    figures: dict[tuple[str, str], dict[int, tuple[float | None, int | None]]] = {}
    for row in frame.to_dict("records"):
        score = None if pd.isna(row["score"]) else float(row["score"])
        level = None if pd.isna(row["level"]) else int(row["level"])
        figures.setdefault((str(row["scope"]), str(row["key"])), {})[int(row["agency_id"])] = (
            score,
            level,
        )
    order = {"overall": 0, "dimension": 1, "theme": 2}
    dimension_order = {key: index for index, key in enumerate(names.dimension_ids())}
    keys = sorted(figures, key=lambda c: (order.get(c[0], 3), dimension_order.get(c[1], 99)))
    return [
        ComparisonRow(
            names.figure(*cell),
            [figures[cell].get(agency.id) for agency in agencies],
        )
        for cell in keys
    ]


@dataclass(frozen=True)
class BenchmarkView:
    """A round's statistics for one group, ready to show; `refused` explains a refusal."""

    round: Round
    statistics: PeerStatistics | None
    names: FigureNames
    overall: CellStatistics | None
    dimensions: list[CellStatistics]
    themes: list[CellStatistics]
    bars: list[tuple[CellStatistics, Markup]]
    levels_chart: Markup | None
    refused: str | None = None


def benchmark_view(round_: Round, statistics: PeerStatistics, names: FigureNames) -> BenchmarkView:
    """The statistics with a quartile bar per figure and the overall level chart."""
    overall = statistics.cell("overall", "overall")
    dimensions = dimension_cells(statistics, names)
    shown = [cell for cell in [overall, *dimensions] if cell is not None]
    return BenchmarkView(
        round=round_,
        statistics=statistics,
        names=names,
        overall=overall,
        dimensions=dimensions,
        themes=statistics.in_scope("theme"),
        bars=[(cell, peer_bar(cell, names.figure(cell.scope, cell.key))) for cell in shown],
        levels_chart=level_chart(overall, names, "Agencies by overall level", statistics.k),
    )


def benchmark_page(
    session: Session, round_id: int, group: PeerGroup, k: int
) -> tuple[BenchmarkView, CohortView]:
    """A round's statistics for a group (or why it is refused) and its medians over rounds."""
    round_ = get_round(session, round_id)
    names = names_for(round_)
    try:
        statistics = benchmarking.round_statistics(
            session, round_id=round_.id, group=group, k=k, catalog=web_catalog()
        )
    except GroupRefused as refused:
        view = refused_view(round_, str(refused))
    else:
        view = benchmark_view(round_, statistics, names)
    return view, cohort_view(
        benchmarking.cohort_trend(session, group=group, k=k, catalog=web_catalog()), names
    )


@dataclass(frozen=True)
class CohortView:
    """A group's medians per round: overall and dimensions, and a chart of the comparable ones."""

    rounds: tuple[CohortRound, ...]
    names: FigureNames
    figures: list[tuple[str, str]]
    chart: Markup | None


def cohort_view(cohort: tuple[CohortRound, ...], names: FigureNames) -> CohortView:
    """Rows per round; the chart draws only rounds comparable with the latest."""
    figures = [("overall", "overall")] + [("dimension", key) for key in names.dimension_ids()]
    comparable = [entry for entry in cohort if entry.comparable]
    chart = None
    if any(entry.statistics for entry in comparable):
        chart = trend_chart(
            [
                entry.round.name
                if entry.carried_share is None
                else carried_over_axis(entry.round.name)
                for entry in comparable
            ],
            [
                (names.figure(*figure), [entry.median(*figure) for entry in comparable])
                for figure in figures
            ],
            title="Group medians over rounds",
        )
    return CohortView(cohort, names, figures, chart)


def refused_view(round_: Round, explanation: str) -> BenchmarkView:
    """A benchmark page that explains why the group is not shown."""
    return BenchmarkView(round_, None, names_for(round_), None, [], [], [], None, explanation)

"""The consultant pages' view data, built from services (keeps the views thin)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd
from markupsafe import Markup
from sqlalchemy.orm import Session

from assessment.domain.rules.benchmark import (
    AnonymityError,
    CellStatistics,
    GroupRefused,
    PeerGroup,
    PeerStatistics,
)
from assessment.domain.rules.scoring import progress
from assessment.domain.rules.trajectory import CohortRound, Trajectory, TrajectoryPoint
from assessment.presentation.charts import MIN_RADAR_AXES, radar_chart, trend_chart
from assessment.presentation.headline_view import overall_level_words
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
    RoundWork,
    agencies_by_name,
    agencies_with_ids,
    agency_countries,
    agency_overview,
    get_agency,
    round_work,
)
from assessment.queries.answer_review import AnswerReview, answer_review
from assessment.queries.answers import stored_answers
from assessment.queries.assessments import assessments_of_agency
from assessment.queries.instruments import round_instrument
from assessment.queries.profiles import assessment_profiles
from assessment.queries.results import submitted_assessment
from assessment.queries.rounds import (
    get_round,
    latest_submitted_round,
    rounds_in_order,
    rounds_with_results,
)
from assessment.services import benchmarking
from assessment.store.models import Agency, Assessment, AssessmentStatus, Round, User
from assessment.web.catalog import names_for, web_catalog
from assessment.web.consultant.forms import (
    STATUS_CHOICES,
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


STATUS_LABELS = STATUS_CHOICES


@dataclass(frozen=True)
class OpenRoundState:
    """Where an agency stands in an open round."""

    round: Round
    status: str  # a key of STATUS_LABELS
    percent: float | None  # answered share of the visible questions, for drafts
    last_activity: datetime | None
    days_left: int | None  # to the round's deadline, the deadline included

    @property
    def label(self) -> str:
        """The status in words."""
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class PortfolioRow:
    """One agency of the portfolio: latest results and its state in each open round."""

    overview: AgencyOverview
    level_words: str | None  # the overall level as the results page words it
    rounds: list[OpenRoundState]

    @property
    def last_activity(self) -> datetime | None:
        """The latest change to any of its open-round assessments."""
        times = [state.last_activity for state in self.rounds if state.last_activity]
        return max(times) if times else None


AGENCIES_PER_PAGE = 100
Row = TypeVar("Row")


@dataclass(frozen=True)
class AgencyListPage(Generic[Row]):
    """One page of the agency list: its rows, where they stand among all matches."""

    rows: list[Row]
    number: int
    pages: int
    total: int
    first: int  # 1-based position of the first row shown (0 when there is none)

    @classmethod
    def of(cls, rows: list[Row], number: int) -> AgencyListPage[Row]:
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
class Portfolio:
    """The consultant's agency list: open rounds, status counts, one page of agencies."""

    open_rounds: list[Round]
    focus: Round | None  # the open round the status filter and counts are about
    counts: dict[str, int]  # per status in `focus`, over the agencies the other filters keep
    page: AgencyListPage[PortfolioRow]


def offer_open_rounds(session: Session, form: AgencyListForm) -> list[Round]:
    """Offer the open rounds, newest first, the newest chosen by default; them, oldest first."""
    open_rounds = [r for r in rounds_in_order(session) if r.is_open]
    form.round.choices = select_choices((r.id, r.name) for r in reversed(open_rounds))
    if form.round.data is None and open_rounds:
        form.round.data = open_rounds[-1].id
    form.round.validate_choice = bool(open_rounds)  # nothing to choose when none is open
    return open_rounds


def portfolio(session: Session, form: AgencyListForm | None, open_rounds: list[Round]) -> Portfolio:
    """The agencies matching the form's filters in its order (unknown values last), paged;
    the status counts cover every agency of the country, type and size filters."""
    overview = agency_overview(session, catalog=web_catalog())
    work = round_work(session, [r.id for r in open_rounds])
    focus = next((r for r in open_rounds if form and r.id == form.round.data), None)
    focus = focus or (open_rounds[-1] if open_rounds else None)
    if form is not None:
        group = form.group()
        overview = [r for r in overview if group.admits(r.country, r.agency_type, r.size_band)]

    def status(row: AgencyOverview, round_: Round | None) -> str:
        entry = work.get(row.agency_id, {}).get(round_.id) if round_ else None
        return _status_of(entry)

    counts = dict.fromkeys(STATUS_LABELS, 0)
    for row in overview:
        counts[status(row, focus)] += 1
    if form is not None and form.status.data and focus is not None:
        overview = [row for row in overview if status(row, focus) == form.status.data]
    if form is not None:
        overview = _sorted(overview, form, lambda row: status(row, focus), work)
    paged = AgencyListPage.of(overview, form.page_number if form is not None else 1)
    rows = _portfolio_rows(session, paged.rows, open_rounds, work)
    page = AgencyListPage(rows, paged.number, paged.pages, paged.total, paged.first)
    return Portfolio(open_rounds, focus, counts, page)


def _status_of(entry: RoundWork | None) -> str:
    if entry is None:
        return "not_started"
    if entry.status == AssessmentStatus.SUBMITTED:
        return "submitted"
    return "reopened" if entry.reopened else "draft"


STATUS_ORDER = {key: index for index, key in enumerate(STATUS_LABELS)}


def _sorted(
    rows: list[AgencyOverview],
    form: AgencyListForm,
    status: Callable[[AgencyOverview], str],
    work: dict[int, dict[int, RoundWork]],
) -> list[AgencyOverview]:
    """In the form's order; rows without the figure sorted on come last."""

    def activity(row: AgencyOverview) -> datetime | None:
        times = [entry.last_activity for entry in work.get(row.agency_id, {}).values()]
        return max(times) if times else None

    keys: dict[str, Callable[[AgencyOverview], Any]] = {
        **SORTERS,
        "status": lambda row: STATUS_ORDER[status(row)],
        "activity": activity,
    }
    key = keys[form.sort.data or "name"]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    present.sort(key=key, reverse=form.order.data == "desc")
    return present + missing


def _portfolio_rows(
    session: Session,
    shown: list[AgencyOverview],
    open_rounds: list[Round],
    work: dict[int, dict[int, RoundWork]],
) -> list[PortfolioRow]:
    """The page's rows, with the answered share of each draft as its lead sees it."""
    entries = {
        entry.assessment_id: entry
        for row in shown
        for entry in work.get(row.agency_id, {}).values()
        if entry.status == AssessmentStatus.DRAFT
    }
    instruments = {r.id: round_instrument(r, web_catalog()) for r in open_rounds}
    by_assessment = {
        aid: instrument
        for aid, entry in entries.items()
        if (instrument := instruments[entry.round_id]) is not None
    }
    answers = stored_answers(session, by_assessment) if by_assessment else {}
    profiles = assessment_profiles(session, by_assessment) if by_assessment else {}
    percents = {
        aid: progress(instrument, answers.get(aid, {}), profiles.get(aid)).percent
        for aid, instrument in by_assessment.items()
    }
    rows = []
    for row in shown:
        states = []
        for round_ in open_rounds:
            entry = work.get(row.agency_id, {}).get(round_.id)
            states.append(
                OpenRoundState(
                    round=round_,
                    status=_status_of(entry),
                    percent=percents.get(entry.assessment_id) if entry else None,
                    last_activity=entry.last_activity if entry else None,
                    days_left=round_.days_left,
                )
            )
        rows.append(PortfolioRow(row, _level_words(row), states))
    return rows


def _level_words(row: AgencyOverview) -> str | None:
    """The latest overall level worded as on the results page ("Floor: level 2 · ...")."""
    if row.latest_instrument is None or row.level is None:
        return None
    try:
        instrument = web_catalog().get(row.latest_instrument)
    except LookupError:
        return f"Level {row.level}"
    return overall_level_words(instrument, row.level)


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
    """Offer rounds, filters and agencies; returns the latest round with results, if any."""
    offer_filters(session, form)
    agencies = agencies_by_name(session)
    form.agency.choices = select_choices((agency.id, agency.name) for agency in agencies)
    return offer_rounds(session, form)


MAX_LISTED = 60  # agencies listed to tick at once; narrower filters show the rest


@dataclass(frozen=True)
class CompareChooser:
    """What the chooser shows: the chosen agencies and those matching the filters."""

    chosen: list[Agency]
    matches: list[Agency]  # the first MAX_LISTED matches, by name
    unlisted: int  # matches beyond those

    @property
    def chosen_elsewhere(self) -> list[Agency]:
        """Chosen agencies the list does not show (kept in the form as hidden fields)."""
        listed = {agency.id for agency in self.matches}
        return [agency for agency in self.chosen if agency.id not in listed]


def compare_chooser(session: Session, form: CompareForm) -> CompareChooser:
    """The chosen agencies and those of the form's country, type, size and name filters."""
    group = form.group()
    text = (form.name.data or "").strip().casefold()
    everyone = agencies_by_name(session)
    by_id = {agency.id: agency for agency in everyone}
    chosen = [by_id[i] for i in form.chosen_ids() if i in by_id]
    matches = [
        agency
        for agency in everyone
        if group.admits(agency.country, agency.agency_type, agency.size_band)
        and text in agency.name.casefold()
    ]
    return CompareChooser(chosen, matches[:MAX_LISTED], max(0, len(matches) - MAX_LISTED))


@dataclass(frozen=True)
class ComparisonRow:
    """One figure across the compared agencies: (score, level) per agency, None if absent."""

    label: str
    values: list[tuple[float | None, int | None] | None]
    median: float | None = None  # the peer median, when the disclosure rule publishes it


@dataclass(frozen=True)
class ComparisonTable:
    """Agencies side by side in one round, with the peer median where it may be shown."""

    round: Round
    agencies: list[Agency]
    names: FigureNames
    rows: list[ComparisonRow]
    radar: Markup | None
    median_note: str  # which peer median is drawn, or why none is


def comparison(session: Session, form: CompareForm, k: int) -> ComparisonTable:
    """The chosen agencies' stored results in the chosen round, one row per figure, and a
    radar of their dimension scores over the peer median of all agencies."""
    round_ = get_round(session, form.round.data)
    chosen = form.chosen_ids()
    agencies = agencies_with_ids(session, chosen)
    ordered = [agencies[agency_id] for agency_id in chosen if agency_id in agencies]
    frame = benchmarking.round_frame(session, round_.id)
    frame = frame[frame["agency_id"].isin(chosen)]
    names = names_for(round_)
    medians, note = _peer_medians(session, round_, k)
    rows = _comparison_rows(frame, ordered, names, medians)
    return ComparisonTable(round_, ordered, names, rows, _radar(rows, ordered, names), note)


def _peer_medians(
    session: Session, round_: Round, k: int
) -> tuple[dict[tuple[str, str], float], str]:
    """The medians over all agencies of the round that the disclosure rule publishes."""
    try:
        statistics = benchmarking.round_statistics(
            session, round_id=round_.id, group=PeerGroup(), k=k, catalog=web_catalog()
        )
    except (GroupRefused, AnonymityError) as refused:
        return {}, f"No peer median: {refused}."
    medians = {
        (cell.scope, cell.key): cell.summary.median
        for cell in statistics.cells
        if cell.summary is not None
    }
    if medians:
        n = statistics.n_agencies
        return medians, f"The peer median is that of all agencies of the round (n = {n})."
    if round_.is_open:
        return {}, (
            f"No peer median: round {round_.name} is open, and peer figures are published "
            "only for the submissions made before a round closes."
        )
    return {}, f"No peer median: fewer than {k} agencies have published figures in this round."


def _radar(rows: list[ComparisonRow], agencies: list[Agency], names: FigureNames) -> Markup | None:
    """The dimension scores of each agency and the peer median on one radar."""
    axes = [(key, names.figure("dimension", key)) for key in names.dimension_ids()]
    if len(axes) < MIN_RADAR_AXES:
        return None
    by_label = {row.label: row for row in rows}
    dimension_rows = [by_label.get(label) for _, label in axes]
    series: list[tuple[str, dict[str, float | None]]] = []
    for index, agency in enumerate(agencies):
        scores: dict[str, float | None] = {}
        for (key, _), row in zip(axes, dimension_rows, strict=True):
            value = row.values[index] if row is not None else None
            scores[key] = value[0] if value else None
        series.append((agency.name, scores))
    median = {
        key: row.median if row else None for (key, _), row in zip(axes, dimension_rows, strict=True)
    }
    if any(value is not None for value in median.values()):
        series.append(("Peer median", median))
    return radar_chart(series, axes, title="Dimension scores of the compared agencies")


def _comparison_rows(
    frame: pd.DataFrame,
    agencies: list[Agency],
    names: FigureNames,
    medians: dict[tuple[str, str], float],
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
            medians.get(cell),
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

"""The cohort report's view data: a round's peer group, anonymised, from stored data.

Reads only. Distributions come from the stored results through the benchmark engine (so
every figure obeys the anonymity threshold K), medians over rounds from the same group in
earlier rounds of the instrument lineage, and the practices most often unmet from the
stored answers of the group's submitted assessments, rescored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from assessment.config import Branding, branding
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import PracticeStatus, ScoreResult
from assessment.domain.rules.benchmark import (
    FILTERS,
    CellStatistics,
    GroupRefused,
    PeerGroup,
    PeerStatistics,
    peer_statistics,
)
from assessment.domain.rules.scoring import score_assessment
from assessment.presentation.charts import level_distribution, quartile_bar
from assessment.presentation.labels import carried_over_axis, carried_over_round, level_name
from assessment.presentation.profiles import SYNTHETIC_GROUP_NOTE, group_title
from assessment.queries.agencies import any_synthetic
from assessment.queries.answers import submitted_answers
from assessment.queries.carried import Carrier, carried_round_frame, instrument_key
from assessment.queries.instruments import instrument_for
from assessment.queries.profiles import assessment_profiles
from assessment.queries.rounds import get_round, round_info, rounds_with_results
from assessment.reporting import sections
from assessment.reporting.baseline import legal_references, published_baseline
from assessment.reporting.view_data import CohortReport, DistributionLine, TrendView, UnmetPractice
from assessment.services.benchmarking import round_frame
from assessment.services.errors import ServiceError
from assessment.store.models import Round

CONFIDENTIALITY = "Confidential: anonymised peer figures; no agency is named"
MOST_UNMET = 10
_NOT_MET = (PracticeStatus.UNMET, PracticeStatus.UNANSWERED)


class CohortUnavailable(ServiceError):
    """The group is too small, or its figures would expose agencies."""


@dataclass(frozen=True)
class PracticeTally:
    """How many of the group's agencies a practice applies to, and how many do not meet it."""

    applicable: int
    unmet: int


def build_cohort_report(
    session: Session,
    round_id: int,
    group: PeerGroup,
    k: int,
    *,
    catalog: InstrumentCatalog | None = None,
    generated_on: date | None = None,
    issuer: Branding | None = None,
) -> CohortReport:
    """The anonymised report of a peer group in a round; CohortUnavailable below K agencies."""
    round_ = get_round(session, round_id)
    instrument = instrument_for(round_.instrument_id, round_.instrument_version, catalog)
    levels = [level.number for level in instrument.levels]
    frame = round_frame(session, round_.id)
    statistics = _statistics(frame, group, k, levels, round_)
    members = _member_ids(frame, group)
    answers = submitted_answers(session, round_.id, members)
    profiles = assessment_profiles(session, dict.fromkeys(answers, instrument))
    results = [
        score_assessment(instrument, answers[assessment_id], profiles[assessment_id])
        for assessment_id in answers
    ]
    tallies = practice_tallies(results)
    return CohortReport(
        synthetic_note=SYNTHETIC_GROUP_NOTE if any_synthetic(session, members) else None,
        round_name=round_.name,
        group=group_title(instrument, group),
        agency_count=statistics.n_agencies or 0,
        k=k,
        generated_on=generated_on or date.today(),
        language=instrument.languages[0] if instrument.languages else "en",
        confidentiality=CONFIDENTIALITY,
        issuer=issuer or branding(),
        overall=distribution(instrument, "Overall index", statistics.cell("overall", "overall"), k),
        dimensions=tuple(
            distribution(instrument, str(d.title), statistics.cell("dimension", d.id), k)
            for d in instrument.dimensions
        ),
        themes=tuple(
            distribution(instrument, str(t.title), statistics.cell("theme", t_id), k, levels=False)
            for t_id, t in instrument.themes.items()
        ),
        medians_over_rounds=_medians_over_rounds(session, instrument, round_, group, k, catalog),
        unmet=most_unmet(instrument, tallies, typical_levels(results), k),
        methodology=sections.methodology(
            instrument,
            peer_group=group_title(instrument, group).lower(),
            peer_count=statistics.n_agencies,
            k=k,
            baseline=published_baseline(),
            references=legal_references(),
        ),
    )


def _statistics(
    frame: pd.DataFrame, group: PeerGroup, k: int, levels: Sequence[int], round_: Round
) -> PeerStatistics:
    try:
        statistics = peer_statistics(frame, group, k, levels=levels)
    except GroupRefused as refused:
        raise CohortUnavailable(str(refused)) from None
    if statistics.n_agencies is None:
        raise CohortUnavailable(
            f"{group.describe()} has fewer than {k} agencies with a submitted assessment in "
            f"round {round_.name}; a cohort report needs at least {k}"
        )
    return statistics


def distribution(
    instrument: Instrument,
    title: str,
    cell: CellStatistics | None,
    k: int,
    *,
    levels: bool = True,
) -> DistributionLine:
    """A figure's quartile chart and, for scored levels, its level distribution."""
    peer = sections.peer_figure(cell)
    chart = quartile_bar(
        sections.peer_quartiles(peer),
        None,
        title=f"{title}: distribution over the group",
        peer_count=peer.n,
        withheld_text=f"Withheld: {peer.withheld_reason or 'not enough agencies'}",
    )
    level_chart = None
    if levels and cell is not None and cell.levels:
        level_chart = level_distribution(
            [(level_name(instrument, c.level), c.count) for c in cell.levels],
            title=f"{title}: agencies per level",
            withheld_text=f"fewer than {k}",
        )
    return DistributionLine(title, peer, chart, level_chart)


def _member_ids(frame: pd.DataFrame, group: PeerGroup) -> list[int]:
    agencies = frame.drop_duplicates("agency_id")
    columns = (agencies[name].tolist() for name in ("agency_id", *FILTERS))
    return sorted(
        int(agency_id)
        for agency_id, country, agency_type, size_band in zip(*columns, strict=True)
        if group.admits(country, agency_type, size_band)
    )


def practice_tallies(results: Iterable[ScoreResult]) -> dict[str, PracticeTally]:
    """Per practice: to how many assessments it applies, and how many of those do not meet it."""
    applicable: Counter[str] = Counter()
    unmet: Counter[str] = Counter()
    for result in results:
        for figures in result.dimensions.values():
            for outcome in figures.practices:
                if outcome.applicable:
                    applicable[outcome.practice_id] += 1
                    if outcome.status in _NOT_MET:
                        unmet[outcome.practice_id] += 1
    return {pid: PracticeTally(applicable[pid], unmet[pid]) for pid in applicable}


def typical_levels(results: Sequence[ScoreResult]) -> dict[str, int]:
    """Each dimension's median level over the group (the lower middle of an even count)."""
    levels: dict[str, list[int]] = {}
    for result in results:
        for dimension_id, figures in result.dimensions.items():
            levels.setdefault(dimension_id, []).append(figures.level)
    return {d_id: sorted(values)[(len(values) - 1) // 2] for d_id, values in levels.items()}


def most_unmet(
    instrument: Instrument,
    tallies: Mapping[str, PracticeTally],
    typical: Mapping[str, int],
    k: int,
    limit: int = MOST_UNMET,
) -> tuple[UnmetPractice, ...]:
    """The practices to work on next: at or one level above the group's typical level of
    their dimension, most often not met first. A practice is left out when it applies to
    fewer than K agencies, or when fewer than K of them meet it or fail it (but some do):
    "5 of 6 do not" would say that exactly one agency does.
    """
    titles = {d.id: str(d.title) for d in instrument.dimensions}
    order = {p.id: index for index, p in enumerate(instrument.practices())}
    candidates = [
        UnmetPractice(
            practice_id=practice.id,
            dimension_title=titles[practice.dimension_id],
            level=practice.level,
            text=str(practice.text),
            unmet=tally.unmet,
            applicable=tally.applicable,
        )
        for practice in instrument.practices()
        if (tally := tallies.get(practice.id)) is not None
        and tally.applicable >= k
        and tally.unmet > 0
        and _disclosable(tally, k)
        and 0 <= practice.level - typical.get(practice.dimension_id, 0) <= 1
    ]
    candidates.sort(key=lambda item: (-item.share, -item.unmet, order[item.practice_id]))
    return tuple(candidates[:limit])


def _disclosable(tally: PracticeTally, k: int) -> bool:
    """Whether "unmet of applicable" singles out no fewer than K agencies on either side:
    as with level counts, a side below K is hidden (none meeting it says nothing of one)."""
    met = tally.applicable - tally.unmet
    return tally.unmet >= k and (met >= k or met == 0)


def _medians_over_rounds(
    session: Session,
    instrument: Instrument,
    round_: Round,
    group: PeerGroup,
    k: int,
    catalog: InstrumentCatalog | None = None,
) -> TrendView | None:
    """The group's medians in this and earlier rounds of the lineage where it had K agencies.

    An earlier round on another version that a crosswalk leads from counts on its answers
    carried to this round's questionnaire, named as such. None unless two rounds have figures.
    """
    carrier = Carrier(catalog)
    rows = []
    axis = []
    for earlier in rounds_with_results(session):
        name = axis_name = earlier.name
        info = round_info(earlier)
        same_lineage = info.lineage == (instrument.id, instrument.major_version)
        if not same_lineage and carrier.chain(instrument_key(info), instrument.key) is None:
            continue
        frame = round_frame(session, earlier.id)
        if not same_lineage:
            carried = carried_round_frame(session, frame, carrier, info, instrument.key)
            if carried is None:
                continue
            frame, name = carried[0], carried_over_round(earlier.name, carried[1])
            axis_name = carried_over_axis(earlier.name)
        statistics = _optional_statistics(frame, group, k)
        if statistics is not None:  # rounds where the group was below K say nothing
            rows.append(_median_row(instrument, name, statistics))
            axis.append(axis_name)
        if earlier.id == round_.id:
            break
    if len(rows) < 2:
        return None
    return sections.trend_view(instrument, rows, title="Group medians over rounds", axis_names=axis)


def _optional_statistics(frame: pd.DataFrame, group: PeerGroup, k: int) -> PeerStatistics | None:
    try:
        statistics = peer_statistics(frame, group, k)
    except GroupRefused:
        return None
    return statistics if statistics.n_agencies is not None else None


def _median_row(
    instrument: Instrument, name: str, statistics: PeerStatistics
) -> tuple[str, float | None, int | None, dict[str, float | None]]:
    def median(scope: str, key: str) -> float | None:
        cell = statistics.cell(scope, key)
        return cell.summary.median if cell is not None and cell.summary is not None else None

    return (
        name,
        median("overall", "overall"),
        None,
        {d.id: median("dimension", d.id) for d in instrument.dimensions},
    )

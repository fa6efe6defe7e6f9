"""The agency report's view data, gathered from stored data through services and queries.

Reads only. Every figure is a stored result (`assessment.queries.results`: the same
figures as the results page, the API and the export), flagged when stale; peer figures
come from the stored results of the round, and the trend from the agency's earlier rounds
of the same instrument lineage, compared with the previous comparable round. An earlier
round on another version that a crosswalk leads from joins the trend with its answers
carried over and scored on this round's questionnaire, and is named as such.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.benchmark import (
    FILTERS,
    GroupRefused,
    PeerPosition,
    agency_position,
)
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.trajectory import AlignedRound, align_rounds, comparable_base
from assessment.presentation.charts import short_label
from assessment.presentation.labels import carried_over_round
from assessment.presentation.roadmap import roadmap_view
from assessment.queries.agencies import get_agency
from assessment.queries.answers import assessment_answers
from assessment.queries.carried import agency_carry
from assessment.queries.instruments import instrument_of
from assessment.queries.results import (
    agency_progress,
    submitted_assessment,
)
from assessment.queries.rounds import get_round
from assessment.reporting import sections
from assessment.reporting.baseline import published_baseline
from assessment.reporting.view_data import AgencyReport, TrendView
from assessment.services.benchmarking import peer_groups_for, round_frame
from assessment.store.models import Agency

CONFIDENTIALITY = "Confidential: for the named agency and its assessors only"


@dataclass(frozen=True)
class PeerChoice:
    """The peer group an agency is compared with, and its position in it (None if too small)."""

    label: str
    position: PeerPosition | None
    count: int | None


def build_agency_report(
    session: Session,
    agency_id: int,
    round_id: int,
    k: int,
    *,
    catalog: InstrumentCatalog | None = None,
    generated_on: date | None = None,
) -> AgencyReport:
    """The agency's report for a round in which it submitted its assessment."""
    agency = get_agency(session, agency_id)
    round_ = get_round(session, round_id)
    assessment = submitted_assessment(session, agency, round_)
    instrument = instrument_of(assessment, catalog)
    answers = assessment_answers(assessment)
    progress = agency_progress(session, agency.id, catalog)
    index = next(i for i, (info, _) in enumerate(progress) if info.round_id == round_.id)
    results = progress[index][1]
    result = results.score
    aligned = align_rounds(
        [(info, r.score) for info, r in progress[: index + 1]],
        agency_carry(session, agency.id, catalog),
    )
    lineages = [entry.lineage for entry in aligned]
    earlier = [(_round_name(e), e.result) for e in aligned[:index] if e.lineage == lineages[index]]
    base = comparable_base(lineages, index)
    previous = (_round_name(aligned[base]), aligned[base].result) if base is not None else None
    peers = choose_peer_group(round_frame(session, round_.id), agency, k, _levels(instrument))
    label = short_label(agency.name)  # in chart legends and markers
    return AgencyReport(
        agency_name=agency.name,
        agency_details=f"{agency.country} · {agency.agency_type} · size {agency.size_band}",
        round_name=round_.name,
        generated_on=generated_on or date.today(),
        language=instrument.languages[0] if instrument.languages else "en",
        confidentiality=CONFIDENTIALITY,
        figures_note=results.status_note,
        summary=sections.summary(
            instrument,
            result,
            peers.position,
            agency_label=label,
            peer_group=peers.label,
            previous_round=previous[0] if previous else None,
            previous=_dimension_scores(previous[1]) if previous else None,
            previous_overall=previous[1].overall.score if previous else None,
        ),
        dimensions=sections.dimension_sections(
            instrument,
            result,
            answers,
            peers.position,
            _dimension_scores(previous[1]) if previous else None,
            agency_label="Agency",
        ),
        themes=sections.theme_lines(
            instrument, result, peers.position.statistics if peers.position else None
        ),
        roadmap=roadmap_view(instrument, result, build_roadmap(instrument, answers, result)),
        trend=_trend(instrument, [*earlier, (round_.name, result)]),
        methodology=sections.methodology(
            instrument,
            peer_group=peers.label,
            peer_count=peers.count,
            k=k,
            baseline=published_baseline(),
        ),
        appendix=sections.appendix(instrument, result, answers),
    )


def choose_peer_group(
    frame: pd.DataFrame, agency: Agency, k: int, levels: Sequence[int]
) -> PeerChoice:
    """The narrowest of the agency's peer groups (`peer_groups_for`) that is published."""
    profiles = frame.drop_duplicates("agency_id")[list(FILTERS)].itertuples(index=False)
    counts = Counter(tuple(profile) for profile in profiles)
    reason = f"fewer than {k} agencies in this round"
    for label, group in reversed(peer_groups_for(agency)):
        # Counting first spares the full statistics of groups that are too small anyway.
        if sum(n for profile, n in counts.items() if group.admits(*profile)) < k:
            continue
        try:
            position = agency_position(frame, group, agency.id, k, levels=levels)
        except GroupRefused:
            continue
        if position.statistics.n_agencies is not None:
            return PeerChoice(label, position, position.statistics.n_agencies)
        cells = position.statistics.cells
        reason = cells[0].withheld_reason or reason if cells else reason
    return PeerChoice(f"none ({reason})", None, None)


def _trend(instrument: Instrument, rounds: Sequence[tuple[str, ScoreResult]]) -> TrendView | None:
    """Scores over the rounds of one lineage, oldest first; None with a single round."""
    if len(rounds) < 2:
        return None
    rows = [
        (name, result.overall.score, result.overall.level, _dimension_scores(result))
        for name, result in rounds
    ]
    return sections.trend_view(instrument, rows)


def _round_name(entry: AlignedRound) -> str:
    """A round's name, saying when its figures were computed on carried-over answers."""
    if entry.carried_share is None:
        return entry.info.name
    return carried_over_round(entry.info.name, entry.carried_share)


def _dimension_scores(result: ScoreResult) -> dict[str, float | None]:
    return {key: figures.score for key, figures in result.dimensions.items()}


def _levels(instrument: Instrument) -> list[int]:
    return [level.number for level in instrument.levels]

"""The agency report's view-model, gathered from stored data through services and queries.

Reads only. The scores are recomputed from the stored answers (as the result pages do),
peer figures come from the stored results of the round, and the trend from the agency's
stored results in earlier rounds of the same instrument lineage.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.benchmark import (
    FILTERS,
    GroupRefused,
    PeerPosition,
    agency_position,
)
from assessment.domain.catalog import InstrumentCatalog
from assessment.domain.instrument import Instrument
from assessment.domain.results import ScoreResult
from assessment.domain.roadmap import build_roadmap
from assessment.domain.scoring import score_assessment
from assessment.domain.trajectory import major_version
from assessment.reporting import parts
from assessment.reporting.baseline import published_baseline
from assessment.reporting.viewmodel import AgencyReport, TrendView
from assessment.services.assessments import assessment_answers, instrument_of
from assessment.services.benchmarking import (
    get_round,
    peer_groups_for,
    round_frame,
    rounds_in_order,
)
from assessment.services.errors import NotFound
from assessment.store.models import Agency, Assessment, AssessmentStatus, Round
from assessment.store.queries import agency_results_frame

CONFIDENTIALITY = "Confidential: for the named agency and its assessors only"


@dataclass(frozen=True)
class PeerChoice:
    """The peer group an agency is compared with, and its position in it (None if too small)."""

    label: str
    position: PeerPosition | None
    count: int | None


@dataclass(frozen=True)
class EarlierRound:
    """The agency's stored figures in an earlier round."""

    name: str
    overall: float | None
    overall_level: int | None
    dimensions: dict[str, float | None]


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
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"there is no agency with id {agency_id}")
    round_ = get_round(session, round_id)
    assessment = submitted_assessment(session, agency, round_)
    instrument = instrument_of(assessment, catalog)
    answers = assessment_answers(assessment)
    result = score_assessment(instrument, answers)
    peers = choose_peer_group(round_frame(session, round_.id), agency, k, _levels(instrument))
    earlier = earlier_rounds(session, agency, round_, instrument)
    previous = earlier[-1] if earlier else None
    label = agency.name
    return AgencyReport(
        agency_name=agency.name,
        agency_details=f"{agency.country} · {agency.agency_type} · size {agency.size_band}",
        round_name=round_.name,
        generated_on=generated_on or date.today(),
        language=instrument.languages[0] if instrument.languages else "en",
        confidentiality=CONFIDENTIALITY,
        summary=parts.summary(
            instrument,
            result,
            peers.position,
            agency_label=label,
            peer_group=peers.label,
            previous_round=previous.name if previous else None,
            previous=previous.dimensions if previous else None,
            previous_overall=previous.overall if previous else None,
        ),
        dimensions=parts.dimension_sections(
            instrument,
            result,
            answers,
            peers.position,
            previous.dimensions if previous else None,
            agency_label="Agency",
        ),
        themes=parts.theme_lines(
            instrument, result, peers.position.statistics if peers.position else None
        ),
        roadmap=parts.roadmap_view(instrument, result, build_roadmap(instrument, answers, result)),
        trend=_trend(instrument, round_, result, earlier),
        methodology=parts.methodology(
            instrument,
            peer_group=peers.label,
            peer_count=peers.count,
            k=k,
            baseline=published_baseline(),
        ),
        appendix=parts.appendix(instrument, result, answers),
    )


def submitted_assessment(session: Session, agency: Agency, round_: Round) -> Assessment:
    """The agency's submitted assessment in the round, or NotFound saying what is missing."""
    assessment = session.scalar(
        select(Assessment).where(
            Assessment.agency_id == agency.id, Assessment.round_id == round_.id
        )
    )
    if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
        state = "has not started" if assessment is None else "has not submitted"
        raise NotFound(f"{agency.name} {state} its assessment in round {round_.name}")
    return assessment


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


def earlier_rounds(
    session: Session, agency: Agency, round_: Round, instrument: Instrument
) -> list[EarlierRound]:
    """The agency's stored figures in rounds before this one with the same lineage."""
    order = [r.id for r in rounds_in_order(session)]
    position = order.index(round_.id)
    frame = agency_results_frame(session, agency.id)
    if frame.empty:
        return []
    lineage = frame[
        (frame["instrument_id"] == instrument.id)
        & (frame["instrument_version"].map(major_version) == instrument.major_version)
        & frame["round_id"].map(lambda rid: order.index(rid) < position if rid in order else False)
    ]
    rounds = []
    for round_id in sorted(set(lineage["round_id"]), key=order.index):
        rows = lineage[lineage["round_id"] == round_id]
        overall = rows[rows["scope"] == "overall"]
        dimensions = rows[rows["scope"] == "dimension"]
        rounds.append(
            EarlierRound(
                name=str(rows["round"].iloc[0]),
                overall=_number(overall["score"].iloc[0]) if not overall.empty else None,
                overall_level=_whole(overall["level"].iloc[0]) if not overall.empty else None,
                dimensions={
                    str(key): _number(score)
                    for key, score in zip(dimensions["key"], dimensions["score"], strict=True)
                },
            )
        )
    return rounds


def _trend(
    instrument: Instrument, round_: Round, result: ScoreResult, earlier: Sequence[EarlierRound]
) -> TrendView | None:
    if not earlier:
        return None
    rows = [(e.name, e.overall, e.overall_level, e.dimensions) for e in earlier]
    current = {key: figures.score for key, figures in result.dimensions.items()}
    rows.append((round_.name, result.overall.score, result.overall.level, current))
    return parts.trend_view(instrument, rows)


def _levels(instrument: Instrument) -> list[int]:
    return [level.number for level in instrument.levels]


def _number(value: object) -> float | None:
    if isinstance(value, int | float | np.number) and not math.isnan(float(value)):
        return float(value)
    return None


def _whole(value: object) -> int | None:
    number = _number(value)
    return None if number is None else int(number)

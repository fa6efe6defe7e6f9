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
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from assessment.config import Branding, branding
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
from assessment.presentation.headline_view import baseline_view, cap_text, headline_view
from assessment.presentation.labels import carried_over_axis, carried_over_round
from assessment.presentation.narrative import PeerFacts, summary_sentences
from assessment.presentation.profiles import SYNTHETIC_NOTE, country_peers_note, profile_line
from assessment.presentation.roadmap import roadmap_view
from assessment.presentation.text_blocks import text_blocks
from assessment.queries.agencies import get_agency
from assessment.queries.answers import AnswerAuthor, answer_authors, assessment_answers
from assessment.queries.carried import agency_carry
from assessment.queries.commentary import Note, report_notes
from assessment.queries.instruments import instrument_of
from assessment.queries.results import (
    agency_progress,
    submitted_assessment,
)
from assessment.queries.rounds import get_round
from assessment.reporting import sections
from assessment.reporting.baseline import legal_references, published_baseline
from assessment.reporting.view_data import AgencyReport, ConsultantNote, TrendView
from assessment.services.benchmarking import peer_groups_for, round_frame
from assessment.store.models import OVERALL_SECTION, Agency

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
    issuer: Branding | None = None,
    with_commentary: bool = True,
    final: bool = False,
) -> AgencyReport:
    """The agency's report for a round in which it submitted its assessment.

    `with_commentary=False` leaves the consultants' notes out (an agency's own copy before
    the report is final); `final=True` marks the report as issued today.
    """
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
    earlier = [e for e in aligned[:index] if e.lineage == lineages[index]]
    base = comparable_base(lineages, index)
    previous = (_round_name(aligned[base]), aligned[base].result) if base is not None else None
    peers = choose_peer_group(round_frame(session, round_.id), agency, instrument, k)
    label = short_label(agency.name)  # in chart legends and markers
    today = generated_on or date.today()
    notes = report_notes(session, assessment.id) if with_commentary else {}
    summary = sections.summary(
        instrument,
        result,
        peers.position,
        agency_label=label,
        peer_group=peers.label,
        previous_round=previous[0] if previous else None,
        previous=_dimension_scores(previous[1]) if previous else None,
        previous_overall=previous[1].overall.score if previous else None,
    )
    plan = build_roadmap(instrument, answers, result, profile=results.profile)
    roadmap = roadmap_view(instrument, result, plan)
    return AgencyReport(
        agency_name=agency.name,
        agency_details=profile_line(
            instrument, agency.country, agency.agency_type, agency.size_band
        ),
        round_name=round_.name,
        generated_on=today,
        language=instrument.languages[0] if instrument.languages else "en",
        confidentiality=CONFIDENTIALITY,
        issuer=issuer or branding(),
        stage=_stage(today, with_commentary=with_commentary, final=final),
        commentary=_note(notes.get(OVERALL_SECTION)),
        headline=headline_view(instrument, result),
        baseline_panel=baseline_view(instrument, result),
        figures_note=results.status_note,
        summary=replace(
            summary,
            narrative=summary_sentences(
                instrument,
                agency.name,
                round_.name,
                result,
                roadmap,
                PeerFacts(
                    peers.label,
                    summary.peer.median,
                    summary.peer.percentile_rank,
                    _no_peers(peers) or summary.peer.withheld_reason,
                ),
                previous,
            ),
        ),
        dimensions=tuple(
            replace(
                section,
                note=_note(notes.get(section.dimension_id)),
                cap=cap_text(instrument, result.dimensions[section.dimension_id]),
            )
            for section in sections.dimension_sections(
                instrument,
                result,
                answers,
                peers.position,
                _dimension_scores(previous[1]) if previous else None,
                agency_label="Agency",
            )
        ),
        themes=sections.theme_lines(
            instrument, result, peers.position.statistics if peers.position else None
        ),
        roadmap=roadmap,
        trend=_trend(instrument, [*earlier, aligned[index]]),
        methodology=sections.methodology(
            instrument,
            peer_group=peers.label,
            peer_count=peers.count,
            k=k,
            baseline=published_baseline(),
            references=legal_references(),
        ),
        appendix=sections.appendix(
            instrument, result, answers, _authors(answer_authors(session, assessment.id))
        ),
        peer_note=country_peers_note(agency.country, agency.agency_type),
        synthetic_note=SYNTHETIC_NOTE if agency.synthetic else None,
    )


def choose_peer_group(
    frame: pd.DataFrame, agency: Agency, instrument: Instrument, k: int
) -> PeerChoice:
    """The narrowest of the agency's peer groups (`peer_groups_for`) that is published."""
    profiles = frame.drop_duplicates("agency_id")[list(FILTERS)].itertuples(index=False)
    counts = Counter(tuple(profile) for profile in profiles)
    reason = f"fewer than {k} agencies in this round"
    levels = [level.number for level in instrument.levels]
    for label, group in reversed(peer_groups_for(agency, instrument)):
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


def _trend(instrument: Instrument, rounds: Sequence[AlignedRound]) -> TrendView | None:
    """Scores over the rounds of one lineage, oldest first; None with a single round."""
    if len(rounds) < 2:
        return None
    rows = [
        (
            _round_name(entry),
            entry.result.overall.score,
            entry.result.overall.level,
            _dimension_scores(entry.result),
        )
        for entry in rounds
    ]
    axis = [
        entry.info.name if entry.carried_share is None else carried_over_axis(entry.info.name)
        for entry in rounds
    ]
    return sections.trend_view(instrument, rows, axis_names=axis)


def _stage(today: date, *, with_commentary: bool, final: bool) -> str:
    if final:
        return f"Final report, issued {today.strftime('%-d %B %Y')}"
    if not with_commentary:
        return "The agency's copy: the consultant's commentary comes with the final report"
    return "Draft: the commentary may still change until the report is marked final"


def _note(note: Note | None) -> ConsultantNote | None:
    if note is None:
        return None
    return ConsultantNote(text_blocks(note.body), note.author, note.updated_at.date())


def _no_peers(peers: PeerChoice) -> str | None:
    """Why no peer group is shown, from a label such as 'none (fewer than 5 agencies ...)'."""
    if peers.position is None and peers.label.startswith("none (") and peers.label.endswith(")"):
        return peers.label[len("none (") : -1]
    return None


def _authors(authors: dict[str, AnswerAuthor]) -> dict[str, str]:
    """'answered by email on 3 March 2025' per practice, for the appendix."""
    phrases = {}
    for practice_id, author in authors.items():
        day = author.answered_at.strftime("%-d %B %Y")
        phrases[practice_id] = (
            f"answered by {author.email} on {day}" if author.email else f"saved on {day}"
        )
    return phrases


def _round_name(entry: AlignedRound) -> str:
    """A round's name, saying when its figures were computed on carried-over answers."""
    if entry.carried_share is None:
        return entry.info.name
    return carried_over_round(entry.info.name, entry.carried_share)


def _dimension_scores(result: ScoreResult) -> dict[str, float | None]:
    return {key: figures.score for key, figures in result.dimensions.items()}

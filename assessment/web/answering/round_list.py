"""The lead's overview of rounds: every round that concerns the agency, its state, deadline
and days left, and where the agency stands in it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.rules.scoring import Progress
from assessment.queries.answers import assessment_answers
from assessment.queries.assessments import Reopening, last_reopening
from assessment.queries.instruments import instrument_of
from assessment.queries.profiles import assessment_profile
from assessment.queries.rounds import agency_rounds
from assessment.store.models import Assessment, AssessmentStatus, Round
from assessment.web.answering.view_data import answering_progress


@dataclass(frozen=True)
class RoundEntry:
    """One round on the overview, with the agency's assessment in it (if started)."""

    round: Round
    assessment: Assessment | None
    progress: Progress | None  # answered questions of a started assessment
    reopening: Reopening | None  # why a submitted assessment was opened again

    @property
    def submitted(self) -> bool:
        """The agency submitted its assessment in this round."""
        return self.assessment is not None and self.assessment.status == AssessmentStatus.SUBMITTED


def agency_round_entries(
    session: Session, agency_id: int, catalog: InstrumentCatalog
) -> list[RoundEntry]:
    """The overview's rounds in order: open, then scheduled, then closed ones taken part in."""
    entries = []
    for row in agency_rounds(session, agency_id):
        progress = None
        if row.assessment is not None:
            instrument = instrument_of(row.assessment, catalog)
            answers = assessment_answers(row.assessment)
            profile = assessment_profile(row.assessment, instrument)
            progress = answering_progress(instrument, answers, profile)
        reopening = reopening_of(session, row.assessment) if row.assessment else None
        entries.append(RoundEntry(row.round, row.assessment, progress, reopening))
    return entries


def reopening_of(session: Session, assessment: Assessment) -> Reopening | None:
    """Why an administrator reopened this draft, while it waits to be submitted again."""
    if assessment.status != AssessmentStatus.DRAFT:
        return None
    return last_reopening(session, assessment.id)

"""Answers: an assessment's stored answers as domain values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.services.errors import StoredAnswer
from assessment.store.models import Answer as AnswerRow
from assessment.store.models import Assessment, AssessmentStatus, User

# Ids per IN list: well below every driver's limit on bound parameters.
_CHUNK = 5000  # SQLite allows 32,766 bound parameters, PostgreSQL 65,535


def assessment_answers(assessment: Assessment) -> dict[str, Answer]:
    """The assessment's loaded answers as domain values, keyed by practice id."""
    return {row.practice_id: _domain_answer(row) for row in assessment.answers}


def carried_practices(assessment: Assessment) -> frozenset[str]:
    """The practices whose loaded answer was carried over and is not yet confirmed."""
    return frozenset(row.practice_id for row in assessment.answers if row.carried_over)


def stored_answers(session: Session, assessment_ids: Iterable[int]) -> dict[int, dict[str, Answer]]:
    """The stored answers of each assessment (empty when none), keyed by practice id."""
    ids = list(assessment_ids)
    grouped: dict[int, dict[str, Answer]] = defaultdict(dict)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(
                AnswerRow.assessment_id,
                AnswerRow.practice_id,
                AnswerRow.option_id,
                AnswerRow.not_applicable,
                AnswerRow.comment,
            ).where(AnswerRow.assessment_id.in_(ids[start : start + _CHUNK]))
        )
        for row in rows:
            grouped[row.assessment_id][row.practice_id] = Answer(
                row.practice_id, row.option_id, row.not_applicable, row.comment
            )
    return {assessment_id: grouped[assessment_id] for assessment_id in ids}


@dataclass(frozen=True)
class AnswerSheet:
    """An assessment's stored answers as a page shows them: each answer, its revision,
    and the carried-over answers not yet confirmed (all keyed by practice id)."""

    answers: dict[str, Answer]
    revisions: dict[str, int]
    carried: frozenset[str]


def answer_sheet(session: Session, assessment_id: int) -> AnswerSheet:
    """The assessment's answer sheet as stored now, in one query of plain rows (cheaper
    than loading the ORM objects; the questionnaire pages and saves read it each time)."""
    answers: dict[str, Answer] = {}
    revisions: dict[str, int] = {}
    carried: set[str] = set()
    rows = session.execute(
        select(
            AnswerRow.practice_id,
            AnswerRow.option_id,
            AnswerRow.not_applicable,
            AnswerRow.comment,
            AnswerRow.revision,
            AnswerRow.carried_over,
        ).where(AnswerRow.assessment_id == assessment_id)
    )
    for practice_id, option_id, not_applicable, comment, revision, carried_over in rows:
        answers[practice_id] = Answer(practice_id, option_id, not_applicable, comment)
        revisions[practice_id] = revision
        if carried_over:
            carried.add(practice_id)
    return AnswerSheet(answers, revisions, frozenset(carried))


def submitted_answers(
    session: Session, round_id: int, agency_ids: Collection[int]
) -> dict[int, dict[str, Answer]]:
    """The stored answers of these agencies' submitted assessments in the round, keyed by
    assessment id."""
    wanted = set(agency_ids)
    submitted = session.execute(
        select(Assessment.id, Assessment.agency_id).where(
            Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED
        )
    )
    ids = [assessment_id for assessment_id, agency_id in submitted if agency_id in wanted]
    return stored_answers(session, ids)


@dataclass(frozen=True)
class AnswerAuthor:
    """Who gave an answer (the account's email address; empty when unknown) and when."""

    email: str
    answered_at: datetime


def answer_authors(session: Session, assessment_id: int) -> dict[str, AnswerAuthor]:
    """Who last saved each of the assessment's answers, keyed by practice id."""
    rows = session.execute(
        select(AnswerRow.practice_id, User.email, AnswerRow.answered_at)
        .outerjoin(User, User.id == AnswerRow.answered_by_id)
        .where(AnswerRow.assessment_id == assessment_id)
    )
    return {
        practice_id: AnswerAuthor(email or "", answered_at)
        for practice_id, email, answered_at in rows
    }


def answer_revisions(assessment: Assessment) -> dict[str, int]:
    """The revision of each of the assessment's loaded answers, keyed by practice id."""
    return {row.practice_id: row.revision for row in assessment.answers}


def stored_answer_states(
    session: Session, assessment_id: int, practice_ids: Collection[str]
) -> dict[str, StoredAnswer]:
    """What each practice says now, with its revision, who saved it and when."""
    rows = session.execute(
        select(AnswerRow, User.email)
        .outerjoin(User, User.id == AnswerRow.answered_by_id)
        .where(
            AnswerRow.assessment_id == assessment_id, AnswerRow.practice_id.in_(list(practice_ids))
        )
    )
    found = {
        row.practice_id: StoredAnswer(
            row.practice_id, _domain_answer(row), row.revision, email or "", row.answered_at
        )
        for row, email in rows
    }
    return {pid: found.get(pid, StoredAnswer(pid, None, 0, "", None)) for pid in practice_ids}


def _domain_answer(row: AnswerRow) -> Answer:
    return Answer(row.practice_id, row.option_id, row.not_applicable, row.comment)

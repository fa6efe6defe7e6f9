"""An agency's assessment in a round: start, save answers, submit, reopen, rescore,
and start a draft from last round's answers (carried over until the lead confirms them).

Optimistic concurrency, per practice for answers: a save names, for every practice it
touches, the revision of the answer it was based on (0 for none). It first raises the
assessment's revision with one conditional UPDATE (`... WHERE status = 'draft'`), which
also queues concurrent saves of the same assessment one behind the other, then compares
each practice's stored revision: saves of different practices never conflict, and of two
saves of the same practice based on the same revision exactly one passes; the other gets
`AnswerConflict` with what is stored now. Submitting, the profile and starting from last
round name the assessment's revision (`... WHERE revision = :expected`) instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.answer_check import AnswerProblem, check_answers, check_profile
from assessment.domain.rules.record_profile import agency_answers
from assessment.domain.rules.scoring import (
    Profile,
    newly_not_applicable,
    score_assessment,
    scoring_key,
)
from assessment.queries.answers import stored_answer_states, stored_answers
from assessment.queries.assessments import assessment_in_round
from assessment.queries.carried import carry_source
from assessment.queries.instruments import instrument_for, instrument_of, round_instrument
from assessment.queries.profiles import (
    assessment_profile,
    assessment_profiles,
    effective_profile,
)
from assessment.services import audit
from assessment.services.carried_results import store_carried_results
from assessment.services.errors import (
    AnswerConflict,
    Conflict,
    Forbidden,
    InvalidAnswers,
    InvalidInput,
    Locked,
    NotFound,
    RoundClosed,
    ServiceError,
)
from assessment.services.permissions import (
    can_answer_dimension,
    can_answer_for_agency,
    can_edit_assessment,
    can_manage_accounts,
    is_admin,
    require,
    require_system_or,
)
from assessment.store.models import (
    MAX_REVISION,
    Agency,
    Assessment,
    AssessmentStatus,
    ResultScope,
    Role,
    Round,
    User,
    utcnow,
)
from assessment.store.models import Answer as AnswerRow
from assessment.store.models import Result as ResultRow

MAX_REASON_LENGTH = 2000


def start_assessment(
    session: Session,
    *,
    agency_id: int,
    round_id: int,
    actor: User | None,
    catalog: InstrumentCatalog | None = None,
) -> Assessment:
    """The agency's assessment in the round, created as a draft if it does not exist yet.

    Its profile starts from the agency's record (country, type, size) where the
    questionnaire asks those questions.
    """
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"there is no agency with id {agency_id}")
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    require_system_or(
        actor, can_answer_for_agency(actor, agency_id), "You cannot answer for this agency."
    )
    existing = assessment_in_round(session, agency_id, round_id)
    if existing is not None:
        return existing
    if not round_.is_open:
        raise RoundClosed(
            f"round {round_.name} is {round_.state.value}; no assessment can be started in it"
        )
    instrument = round_instrument(round_, catalog)
    assessment = Assessment(
        agency_id=agency_id,
        round_id=round_id,
        instrument_id=round_.instrument_id,
        instrument_version=round_.instrument_version,
        profile=agency_answers(instrument, agency.country, agency.agency_type, agency.size_band)
        if instrument is not None
        else {},
    )
    session.add(assessment)
    try:
        session.flush()
    except IntegrityError:
        # Started at the same moment elsewhere (another tab): use that one.
        session.rollback()
        found = assessment_in_round(session, agency_id, round_id)
        if found is None:
            raise
        return found
    audit.record(
        session,
        "assessment.started",
        actor=actor,
        agency_id=agency_id,
        assessment_id=assessment.id,
        round=round_.name,
    )
    session.commit()
    return assessment


def save_answers(
    session: Session,
    *,
    assessment_id: int,
    answers: Mapping[str, Answer],
    actor: User | None,
    based_on: Mapping[str, int] | None = None,
    clear: Collection[str] = (),
    confirm: Collection[str] = (),
    catalog: InstrumentCatalog | None = None,
) -> Assessment:
    """Store some answers (upsert) and remove those in `clear`; all of it or nothing.

    `based_on` gives, per practice, the revision of the answer the change was based on
    (a practice it leaves out was based on no answer: 0). Every saved answer is the
    actor's own; carried-over answers in `confirm` are confirmed as they stand (saving a
    page confirms the carried-over answers it shows unchanged).

    Refused with InvalidAnswers when any answer does not fit the instrument,
    AnswerConflict when a practice's answer changed since, Locked when submitted,
    RoundClosed when the round is closed.
    """
    assessment = _get(session, assessment_id)
    instrument = instrument_of(assessment, catalog)
    touched = {*answers, *clear, *confirm}
    dimension_ids = {p.dimension_id for pid in touched if (p := instrument.practice(pid))}
    _require_changeable(
        assessment,
        actor,
        all(can_answer_dimension(actor, assessment.agency_id, d) for d in dimension_ids),
    )
    problems = check_answers(instrument, answers) + _clear_problems(instrument, answers, clear)
    if problems:
        raise InvalidAnswers(problems)
    expected = {pid: (based_on or {}).get(pid, 0) for pid in touched}
    for practice_id, revision in expected.items():
        if not 0 <= revision <= MAX_REVISION:
            # Never sent to the database: PostgreSQL would fail on the overflow, not compare.
            raise Conflict(f"revision {revision} is not a revision of {practice_id}'s answer")
    _lock_draft(session, assessment)
    _check_answer_revisions(session, assessment.id, expected)
    _store_answers(session, assessment.id, answers, clear, actor)
    _confirm_carried_over(session, assessment.id, confirm, actor)
    audit.record_on(
        session,
        "assessment.saved",
        assessment,
        actor=actor,
        revision=assessment.revision,
        saved=sorted(answers),
        cleared=sorted(clear),
        **({"confirmed": sorted(confirm)} if confirm else {}),
    )
    session.commit()
    session.expire(assessment, ["answers"])
    return assessment


def _lock_draft(session: Session, assessment: Assessment) -> None:
    """Raise the draft's revision: one UPDATE that holds the assessment until the commit,
    so concurrent saves of it check their answers one after the other."""
    locked = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == AssessmentStatus.DRAFT)
        .values(revision=Assessment.revision + 1, updated_at=utcnow())
        .returning(Assessment.revision)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if locked is None:
        session.rollback()
        raise Locked("this assessment was submitted meanwhile; ask an administrator to reopen it")
    set_committed_value(assessment, "revision", locked)


def _check_answer_revisions(
    session: Session, assessment_id: int, expected: Mapping[str, int]
) -> None:
    """Refuse the save (AnswerConflict) when any practice's answer is not at the revision
    the change was based on."""
    if not expected:
        return
    rows = session.execute(
        select(AnswerRow.practice_id, AnswerRow.revision).where(
            AnswerRow.assessment_id == assessment_id,
            AnswerRow.practice_id.in_(list(expected)),
        )
    )
    current = {practice_id: revision for practice_id, revision in rows}
    stale = sorted(pid for pid, revision in expected.items() if current.get(pid, 0) != revision)
    if stale:
        found = stored_answer_states(session, assessment_id, stale)
        session.rollback()
        raise AnswerConflict([found[pid] for pid in stale])


def submit_assessment(
    session: Session,
    *,
    assessment_id: int,
    revision: int,
    actor: User | None,
    catalog: InstrumentCatalog | None = None,
) -> Assessment:
    """Score the stored answers, store the results and lock the assessment."""
    assessment = _changeable(session, assessment_id, actor)
    instrument = instrument_of(assessment, catalog)
    _claim_revision(session, assessment, revision, submit=True, actor=actor)
    answers = stored_answers(session, [assessment.id])[assessment.id]
    score = _score(instrument, answers, assessment_profile(assessment, instrument))
    _replace_results(session, {assessment.id: (score, scoring_key(instrument))})
    store_carried_results(session, agency_ids=[assessment.agency_id], catalog=catalog)
    unconfirmed = session.scalars(
        select(AnswerRow.practice_id).where(
            AnswerRow.assessment_id == assessment.id, AnswerRow.carried_over.is_(True)
        )
    ).all()
    audit.record_on(
        session,
        "assessment.submitted",
        assessment,
        actor=actor,
        revision=assessment.revision,
        overall_score=score.overall.score,
        overall_level=score.overall.level,
        unconfirmed_carried_over=sorted(unconfirmed),
    )
    session.commit()
    session.expire(assessment, ["answers", "results"])
    return assessment


@dataclass(frozen=True)
class ProfileChange:
    """What saving the profile changed."""

    changed: tuple[str, ...]  # profile question ids whose answer changed
    no_longer_applicable: tuple[str, ...]  # answered practices that stopped applying


def save_profile(
    session: Session,
    *,
    assessment_id: int,
    profile: Mapping[str, object],
    revision: int,
    actor: User | None,
    catalog: InstrumentCatalog | None = None,
) -> ProfileChange:
    """Replace the draft's profile answers; say which answered practices stop applying.

    Nothing is deleted: an answer that no longer applies is kept and counts again when
    the profile changes back. A question left empty falls back to the agency's record
    where there is one (see `queries.profiles`); a save that changes no answer writes
    nothing. Refused with InvalidInput (keyed by
    question id) when an answer does not fit its question, and like `save_answers`
    otherwise (Conflict, Locked, RoundClosed).
    """
    assessment = _changeable(session, assessment_id, actor)
    instrument = instrument_of(assessment, catalog)
    problems = check_profile(instrument, profile)
    if problems:
        raise InvalidInput({problem.question_id: problem.message for problem in problems})
    stored = {key: value for key, value in profile.items() if value not in (None, "", [])}
    agency = assessment.agency
    defaults = agency_answers(instrument, agency.country, agency.agency_type, agency.size_band)
    before = effective_profile(instrument, assessment.profile, defaults)
    if effective_profile(instrument, stored, defaults) == before:
        return ProfileChange((), ())  # nothing changes, so nothing is written
    _claim_revision(session, assessment, revision)
    session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(profile=stored)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(assessment, "profile", stored)
    after = assessment_profile(assessment, instrument)
    answers = stored_answers(session, [assessment.id])[assessment.id]
    gone = newly_not_applicable(instrument, answers, before, after)
    changed = tuple(q.id for q in instrument.profile if before.get(q.id) != after.get(q.id))
    audit.record_on(
        session,
        "assessment.profile_saved",
        assessment,
        actor=actor,
        revision=assessment.revision,
        changed={question_id: after.get(question_id) for question_id in changed},
        no_longer_applicable=list(gone),
    )
    session.commit()
    return ProfileChange(changed, gone)


def reopen_assessment(
    session: Session, *, assessment_id: int, actor: User, reason: str
) -> Assessment:
    """Unlock a submitted assessment for changes (admins only, with a reason; audited)."""
    require(is_admin(actor), "Only administrators reopen submitted assessments.")
    text = reason.strip()
    if not text or len(text) > MAX_REASON_LENGTH:
        raise InvalidInput({"reason": f"give a reason of 1 to {MAX_REASON_LENGTH} characters"})
    assessment = _get(session, assessment_id)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise Conflict("this assessment is not submitted, so there is nothing to reopen")
    if not assessment.round.is_open:
        raise RoundClosed(f"round {assessment.round.name} is closed; open the round first")
    reopened = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.status == AssessmentStatus.SUBMITTED)
        .values(
            status=AssessmentStatus.DRAFT,
            revision=Assessment.revision + 1,
            submitted_at=None,
            submitted_by_id=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(reopened) != 1:
        session.rollback()
        raise Conflict("this assessment was reopened elsewhere a moment ago")
    # Results describe submitted answers only; they come back at the next submission.
    session.execute(delete(ResultRow).where(ResultRow.assessment_id == assessment.id))
    assessment.scored_with = None
    audit.record_on(
        session,
        "assessment.reopened",
        assessment,
        actor=actor,
        reason=text,
    )
    session.commit()
    session.refresh(assessment)
    return assessment


def rescore_round(
    session: Session,
    *,
    round_id: int,
    actor: User | None,
    catalog: InstrumentCatalog | None = None,
) -> int:
    """Recompute the results of every submitted assessment of a round; returns how many."""
    require_system_or(actor, can_manage_accounts(actor), "Only administrators rescore rounds.")
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    submitted = session.execute(
        select(
            Assessment.id,
            Assessment.agency_id,
            Assessment.instrument_id,
            Assessment.instrument_version,
        ).where(Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED)
    ).all()
    answers = stored_answers(session, [row.id for row in submitted])
    instruments = {
        (row.instrument_id, row.instrument_version): instrument_for(
            row.instrument_id, row.instrument_version, catalog
        )
        for row in submitted
    }
    keys = {version: scoring_key(instrument) for version, instrument in instruments.items()}
    of_assessment = {
        row.id: instruments[row.instrument_id, row.instrument_version] for row in submitted
    }
    profiles = assessment_profiles(session, of_assessment)
    scores = {}
    for row in submitted:
        version = (row.instrument_id, row.instrument_version)
        score = _score(instruments[version], answers[row.id], profiles[row.id])
        scores[row.id] = (score, keys[version])
    _replace_results(session, scores)
    agency_ids = sorted({row.agency_id for row in submitted})
    store_carried_results(session, agency_ids=agency_ids, catalog=catalog)
    audit.record(session, "round.rescored", actor=actor, round_id=round_id, assessments=len(scores))
    session.commit()
    return len(scores)


def result_rows(score: ScoreResult) -> list[dict[str, Any]]:
    """The stored form of a score: one row for overall, each dimension and each theme."""
    overall = score.overall
    rows = [_row(ResultScope.OVERALL, "overall", overall.score, overall.level, overall.coverage)]
    rows += [
        _row(ResultScope.DIMENSION, key, d.score, d.level, d.coverage)
        for key, d in score.dimensions.items()
    ]
    rows += [
        _row(ResultScope.THEME, key, t.score, None, t.coverage) for key, t in score.themes.items()
    ]
    return rows


def _row(
    scope: ResultScope, key: str, score: float | None, level: int | None, coverage: float
) -> dict[str, Any]:
    return {"scope": scope, "key": key, "score": score, "level": level, "coverage": coverage}


def _get(session: Session, assessment_id: int) -> Assessment:
    # populate_existing: a long-lived session must not decide on a stale status.
    assessment = session.get(Assessment, assessment_id, populate_existing=True)
    if assessment is None:
        raise NotFound(f"there is no assessment with id {assessment_id}")
    return assessment


def _changeable(session: Session, assessment_id: int, actor: User | None) -> Assessment:
    assessment = _get(session, assessment_id)
    _require_changeable(assessment, actor, can_edit_assessment(actor, assessment))
    return assessment


def _require_changeable(assessment: Assessment, actor: User | None, allowed: bool) -> None:
    """Refuse unless the actor is `allowed`, the draft is not submitted and its round open."""
    require_system_or(
        actor,
        allowed,
        "You cannot change these answers: a contributor answers only the dimensions "
        "assigned to them."
        if actor is not None and actor.role == Role.CONTRIBUTOR
        else "You cannot change this assessment.",
    )
    if assessment.status == AssessmentStatus.SUBMITTED:
        raise Locked("this assessment is submitted and locked; ask an administrator to reopen it")
    if not assessment.round.is_open:
        raise RoundClosed(
            f"round {assessment.round.name} is {assessment.round.state.value}, so nothing "
            "was saved: it takes no answers now"
        )


def _clear_problems(
    instrument: Instrument, answers: Mapping[str, Answer], clear: Collection[str]
) -> list[AnswerProblem]:
    problems = []
    for practice_id in clear:
        if instrument.practice(practice_id) is None:
            problems.append(
                AnswerProblem(practice_id, f"unknown practice (not in {instrument.key})")
            )
        elif practice_id in answers:
            problems.append(AnswerProblem(practice_id, "both answered and cleared in one save"))
    return problems


def _claim_revision(
    session: Session,
    assessment: Assessment,
    expected: int,
    *,
    submit: bool = False,
    actor: User | None = None,
) -> None:
    """Move the draft from `expected` to the next revision, or refuse (one atomic UPDATE)."""
    if not 0 <= expected <= MAX_REVISION:
        # Never sent to the database: PostgreSQL would fail on the overflow, not compare.
        raise Conflict(f"revision {expected} is not a revision of this assessment")
    now = utcnow()
    values: dict[str, Any] = {"revision": Assessment.revision + 1, "updated_at": now}
    if submit:
        values |= {
            "status": AssessmentStatus.SUBMITTED,
            "submitted_at": now,
            "submitted_by_id": actor.id if actor is not None else None,
        }
    claimed = session.execute(
        update(Assessment)
        .where(
            Assessment.id == assessment.id,
            Assessment.revision == expected,
            Assessment.status == AssessmentStatus.DRAFT,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(claimed) != 1:
        session.rollback()
        raise _refusal(session, assessment.id, expected)
    for name, value in values.items():
        set_committed_value(assessment, name, expected + 1 if name == "revision" else value)


def _refusal(session: Session, assessment_id: int, expected: int) -> ServiceError:
    current = session.execute(
        select(Assessment.status, Assessment.revision).where(Assessment.id == assessment_id)
    ).one()
    if current.status == AssessmentStatus.SUBMITTED:
        return Locked("this assessment was submitted meanwhile; ask an administrator to reopen it")
    return Conflict(
        f"these answers were changed elsewhere (revision {current.revision}, "
        f"yours {expected}); reload the page to see the latest answers"
    )


def _store_answers(
    session: Session,
    assessment_id: int,
    answers: Mapping[str, Answer],
    clear: Collection[str],
    actor: User | None,
    *,
    carried_over: bool = False,
) -> None:
    """Upsert `answers` (each saved answer is the lead's own unless `carried_over`)."""
    now = utcnow()
    existing = {
        row.practice_id: row
        for row in session.scalars(
            select(AnswerRow).where(
                AnswerRow.assessment_id == assessment_id, AnswerRow.practice_id.in_(list(answers))
            )
        )
    }
    for practice_id, answer in answers.items():
        row = existing.get(practice_id)
        if row is None:
            row = AnswerRow(assessment_id=assessment_id, practice_id=practice_id)
            session.add(row)
        row.option_id = None if answer.not_applicable else answer.option_id
        row.not_applicable = answer.not_applicable
        row.comment = answer.comment
        row.answered_by_id = actor.id if actor is not None else None
        row.answered_at = now
        row.carried_over = carried_over
        row.revision = row.revision + 1 if row.revision else 1
    if clear:
        session.execute(
            delete(AnswerRow)
            .where(AnswerRow.assessment_id == assessment_id, AnswerRow.practice_id.in_(list(clear)))
            .execution_options(synchronize_session=False)
        )


def _score(instrument: Instrument, answers: Mapping[str, Answer], profile: Profile) -> ScoreResult:
    try:
        return score_assessment(instrument, answers, profile)
    except ValueError as error:
        raise ServiceError(f"the stored answers do not fit {instrument.key}: {error}") from None


def _replace_results(session: Session, scores: Mapping[int, tuple[ScoreResult, str]]) -> None:
    """Store each assessment's figures with the scoring key they were computed with."""
    ids = list(scores)
    for start in range(0, len(ids), 500):
        session.execute(
            delete(ResultRow).where(ResultRow.assessment_id.in_(ids[start : start + 500]))
        )
    rows = [
        {"assessment_id": assessment_id, **row}
        for assessment_id, (score, _) in scores.items()
        for row in result_rows(score)
    ]
    if rows:
        session.execute(insert(ResultRow), rows)
    by_key: dict[str, list[int]] = defaultdict(list)
    for assessment_id, (_, key) in scores.items():
        by_key[key].append(assessment_id)
    for key, keyed in by_key.items():
        for start in range(0, len(keyed), 500):
            chunk = keyed[start : start + 500]
            session.execute(
                update(Assessment).where(Assessment.id.in_(chunk)).values(scored_with=key)
            )


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count


@dataclass(frozen=True)
class Prefill:
    """What starting a draft from last round's answers filled in."""

    round_name: str  # the round the answers came from
    carried: tuple[str, ...]  # the practices filled in, all flagged carried over
    equivalent_share: float  # share of this questionnaire that had an equivalent
    from_questionnaire: str  # id@version the answers were given to


def prefill_from_previous(
    session: Session,
    *,
    assessment_id: int,
    revision: int,
    actor: User,
    catalog: InstrumentCatalog | None = None,
) -> Prefill:
    """Fill the draft's untouched practices from the agency's previous submitted answers.

    Only a lead of the agency may do this. The answers travel through the crosswalks when
    the questionnaire version changed (`queries.carried.carry_source`); a practice that
    already has an answer or a comment keeps it. Every filled answer is flagged carried
    over until the lead saves or confirms it.
    """
    assessment = _changeable(session, assessment_id, actor)
    if actor.role != Role.LEAD or actor.agency_id != assessment.agency_id:
        raise Forbidden("Only the agency's lead can start from last round's answers.")
    source = carry_source(session, assessment, catalog)
    if source is None:
        raise NotFound("this agency has no earlier submitted assessment to start from")
    instrument = instrument_of(assessment, catalog)
    current = stored_answers(session, [assessment.id])[assessment.id]
    fill = {
        practice_id: answer
        for practice_id, answer in source.carried.answers.items()
        if practice_id not in current and not check_answers(instrument, {practice_id: answer})
    }
    _claim_revision(session, assessment, revision)
    _store_answers(session, assessment.id, fill, (), actor, carried_over=True)
    audit.record_on(
        session,
        "assessment.prefilled",
        assessment,
        actor=actor,
        revision=assessment.revision,
        from_round=source.round_name,
        from_assessment_id=source.assessment_id,
        from_questionnaire=source.instrument,
        carried_over=sorted(fill),
        equivalent_share=source.carried.equivalent_share,
    )
    session.commit()
    session.expire(assessment, ["answers"])
    return Prefill(
        source.round_name,
        tuple(sorted(fill)),
        source.carried.equivalent_share,
        source.instrument,
    )


def _confirm_carried_over(
    session: Session, assessment_id: int, practice_ids: Collection[str], actor: User | None
) -> None:
    """Carried-over answers confirmed as they stand: they become the lead's own answers."""
    ids = list(practice_ids)
    if not ids:
        return
    session.execute(
        update(AnswerRow)
        .where(
            AnswerRow.assessment_id == assessment_id,
            AnswerRow.practice_id.in_(ids),
            AnswerRow.carried_over.is_(True),
        )
        .values(
            carried_over=False,
            answered_by_id=actor.id if actor is not None else None,
            answered_at=utcnow(),
            revision=AnswerRow.revision + 1,
        )
        .execution_options(synchronize_session=False)
    )

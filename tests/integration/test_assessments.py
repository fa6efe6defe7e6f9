"""Assessments through the services: start, partial saves, conflicts, submit, reopen, rescore."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.scoring import score_assessment
from assessment.queries.answers import assessment_answers
from assessment.queries.instruments import default_catalog
from assessment.queries.results import assessment_results
from assessment.services import assessments
from assessment.services.errors import (
    AnswerConflict,
    Conflict,
    Forbidden,
    InvalidAnswers,
    InvalidInput,
    Locked,
    RoundClosed,
)
from assessment.store.db import Database
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Result,
    ResultScope,
    Role,
    Round,
    User,
)
from assessment.store.models import Answer as AnswerRow
from tests.conftest import BUNDLED_QUESTIONNAIRE

WRITTEN_POLICY = "policy.written-policy"
REGISTER = "policy.account-register"


@pytest.fixture
def instrument() -> Instrument:
    return default_catalog().get(BUNDLED_QUESTIONNAIRE)


@pytest.fixture
def lead(create_user: Callable[..., User]) -> User:
    return create_user(role=Role.LEAD)


@pytest.fixture
def admin(create_user: Callable[..., User]) -> User:
    return create_user(role=Role.ADMIN)


@pytest.fixture
def draft(session: Session, lead: User, create_round: Callable[..., Round]) -> Assessment:
    assert lead.agency_id is not None
    round_ = create_round("2026")
    return assessments.start_assessment(
        session, agency_id=lead.agency_id, round_id=round_.id, actor=lead
    )


def answer(practice_id: str, option_id: str | None = "fully", **extra: Any) -> Answer:
    return Answer(practice_id, option_id, **extra)


def every_practice_answered(
    instrument: Instrument, option_id: str = "largely"
) -> dict[str, Answer]:
    return {
        p.id: answer(p.id, option_id if p.answer_set.option(option_id) else p.answer_set.best.id)
        for p in instrument.practices()
    }


def stored(session: Session, assessment_id: int) -> tuple[int, dict[str, tuple[Any, ...]]]:
    """The assessment's revision and its answer rows, read fresh from the database."""
    session.expire_all()
    revision = session.scalar(select(Assessment.revision).where(Assessment.id == assessment_id))
    rows = session.scalars(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id))
    assert revision is not None
    return revision, {r.practice_id: (r.option_id, r.not_applicable, r.comment) for r in rows}


def stored_results(session: Session, assessment_id: int) -> dict[tuple[str, str], tuple[Any, ...]]:
    rows = session.scalars(select(Result).where(Result.assessment_id == assessment_id))
    return {(r.scope.value, r.key): (r.score, r.level, r.coverage) for r in rows}


def test_start_assessment_is_get_or_create(
    session: Session, draft: Assessment, lead: User, instrument: Instrument
) -> None:
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.revision == 0
    assert (draft.instrument_id, draft.instrument_version) == (instrument.id, instrument.version)
    assert lead.agency_id is not None
    again = assessments.start_assessment(
        session, agency_id=lead.agency_id, round_id=draft.round_id, actor=lead
    )
    assert again.id == draft.id
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.started"))


def test_only_admins_and_the_agencys_lead_can_start(
    session: Session,
    create_user: Callable[..., User],
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
) -> None:
    round_ = create_round()
    agency = create_agency()
    for outsider in (create_user(role=Role.CONSULTANT), create_user(role=Role.LEAD)):
        with pytest.raises(Forbidden):
            assessments.start_assessment(
                session, agency_id=agency.id, round_id=round_.id, actor=outsider
            )
    started = assessments.start_assessment(
        session, agency_id=agency.id, round_id=round_.id, actor=create_user(role=Role.ADMIN)
    )
    assert started.agency_id == agency.id


def test_no_new_assessment_in_a_closed_round(
    session: Session, lead: User, create_round: Callable[..., Round]
) -> None:
    closed = create_round("2024", is_open=False)
    assert lead.agency_id is not None
    with pytest.raises(RoundClosed, match="round 2024 is closed"):
        assessments.start_assessment(
            session, agency_id=lead.agency_id, round_id=closed.id, actor=lead
        )


def test_partial_saves_upsert_and_clear(session: Session, draft: Assessment, lead: User) -> None:
    saved = assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={WRITTEN_POLICY: answer(WRITTEN_POLICY, "partial", comment="draft v2")},
        actor=lead,
    )
    assert saved.revision == 1
    saved = assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={
            WRITTEN_POLICY: answer(WRITTEN_POLICY, "fully"),
            REGISTER: answer(REGISTER, "not"),
        },
        based_on={WRITTEN_POLICY: 1},
        actor=lead,
    )
    assert stored(session, draft.id) == (
        2,
        {WRITTEN_POLICY: ("fully", False, ""), REGISTER: ("not", False, "")},
    )
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={},
        clear=[REGISTER],
        based_on={REGISTER: 1},
        actor=lead,
    )
    assert stored(session, draft.id) == (3, {WRITTEN_POLICY: ("fully", False, "")})
    assert assessment_answers(saved) == {WRITTEN_POLICY: answer(WRITTEN_POLICY)}
    answered_by = session.scalar(select(AnswerRow.answered_by_id))
    assert answered_by == lead.id


def test_not_applicable_is_stored_without_an_option(
    session: Session, draft: Assessment, lead: User
) -> None:
    practice_id = "staffing.dark-web-investigators"
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={practice_id: Answer(practice_id, not_applicable=True, comment="no remit")},
        actor=lead,
    )
    assert stored(session, draft.id)[1] == {practice_id: (None, True, "no remit")}


def test_a_stale_revision_is_refused_and_overwrites_nothing(
    session: Session, draft: Assessment, lead: User
) -> None:
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={WRITTEN_POLICY: answer(WRITTEN_POLICY, "fully")},
        actor=lead,
    )
    with pytest.raises(AnswerConflict, match=r"\(policy.written-policy\) were changed") as refused:
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={
                WRITTEN_POLICY: answer(WRITTEN_POLICY, "not"),
                REGISTER: answer(REGISTER, "not"),
            },
            based_on={WRITTEN_POLICY: 0},
            actor=lead,
        )
    [conflict] = refused.value.stored
    assert (conflict.practice_id, conflict.revision) == (WRITTEN_POLICY, 1)
    assert conflict.answer == answer(WRITTEN_POLICY, "fully")
    assert conflict.answered_by == lead.email and conflict.answered_at is not None
    # Nothing of the refused save was stored, not even the practice without a conflict.
    assert stored(session, draft.id) == (1, {WRITTEN_POLICY: ("fully", False, "")})


def test_saves_of_different_practices_never_conflict(
    session: Session, draft: Assessment, lead: User
) -> None:
    # Two pages loaded before either saved: each names only its own practice's revision.
    for practice_id in (WRITTEN_POLICY, REGISTER):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={practice_id: answer(practice_id, "fully")},
            based_on={practice_id: 0},
            actor=lead,
        )
    assert stored(session, draft.id) == (
        2,
        {WRITTEN_POLICY: ("fully", False, ""), REGISTER: ("fully", False, "")},
    )
    revisions = dict(session.execute(select(AnswerRow.practice_id, AnswerRow.revision)).all())
    assert revisions == {WRITTEN_POLICY: 1, REGISTER: 1}


def test_clearing_an_answer_changed_meanwhile_is_a_conflict(
    session: Session, draft: Assessment, lead: User
) -> None:
    assessments.save_answers(
        session, assessment_id=draft.id, answers={REGISTER: answer(REGISTER)}, actor=lead
    )
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={REGISTER: answer(REGISTER, "partial")},
        based_on={REGISTER: 1},
        actor=lead,
    )
    with pytest.raises(AnswerConflict):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={},
            clear=[REGISTER],
            based_on={REGISTER: 1},
            actor=lead,
        )
    assert stored(session, draft.id)[1] == {REGISTER: ("partial", False, "")}


@pytest.mark.parametrize("revision", [-1, 2**31, 999_999_999_999_999_999])
def test_a_revision_out_of_the_columns_range_is_a_conflict_before_any_query(
    session: Session, draft: Assessment, lead: User, revision: int
) -> None:
    # PostgreSQL's INTEGER overflows at 2**31: the UPDATE must never be sent.
    with pytest.raises(Conflict, match=rf"revision {revision} is not"):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={WRITTEN_POLICY: answer(WRITTEN_POLICY, "fully")},
            based_on={WRITTEN_POLICY: revision},
            actor=lead,
        )
    with pytest.raises(Conflict):
        assessments.submit_assessment(
            session, assessment_id=draft.id, revision=revision, actor=lead
        )
    assert stored(session, draft.id) == (0, {})


def test_two_sessions_racing_with_the_same_revision_one_wins(
    database: Database, draft: Assessment, lead: User
) -> None:
    racers = 4
    # Every racer has passed its reads and answer checks before any UPDATE runs.
    at_update = threading.Barrier(racers, timeout=10)

    arrivals: list[int] = []

    def wait_at_revision_update(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE ASSESSMENT SET REVISION"):
            arrivals.append(at_update.wait())

    outcomes: list[str] = []

    def race(option_id: str) -> None:
        with database.session() as own:
            try:
                assessments.save_answers(
                    own,
                    assessment_id=draft.id,
                    answers={WRITTEN_POLICY: answer(WRITTEN_POLICY, option_id)},
                    actor=lead,
                )
                outcomes.append(f"saved {option_id}")
            except Conflict:
                outcomes.append("conflict")

    event.listen(database.engine, "before_cursor_execute", wait_at_revision_update)
    options = ["not", "partial", "largely", "fully"]
    threads = [threading.Thread(target=race, args=(option,)) for option in options]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    event.remove(database.engine, "before_cursor_execute", wait_at_revision_update)

    winners = [outcome for outcome in outcomes if outcome.startswith("saved")]
    assert sorted(arrivals) == list(range(racers))
    assert len(outcomes) == racers
    assert len(winners) == 1 and outcomes.count("conflict") == racers - 1
    with database.session() as check:
        revision, rows = stored(check, draft.id)
    assert revision == 1
    assert rows == {WRITTEN_POLICY: (winners[0].removeprefix("saved "), False, "")}


def test_racing_saves_of_different_practices_all_win(
    database: Database, draft: Assessment, lead: User, instrument: Instrument
) -> None:
    # Colleagues on different dimensions, each page loaded before anyone saved.
    practice_ids = [dimension.practices[0].id for dimension in instrument.dimensions[:4]]
    at_update = threading.Barrier(len(practice_ids), timeout=10)

    def wait_at_revision_update(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE ASSESSMENT SET REVISION"):
            at_update.wait()

    outcomes: list[str] = []

    def race(practice_id: str) -> None:
        with database.session() as own:
            try:
                assessments.save_answers(
                    own,
                    assessment_id=draft.id,
                    answers={practice_id: answer(practice_id, "fully")},
                    based_on={practice_id: 0},
                    actor=lead,
                )
                outcomes.append("saved")
            except Conflict as refused:
                outcomes.append(str(refused))

    event.listen(database.engine, "before_cursor_execute", wait_at_revision_update)
    threads = [threading.Thread(target=race, args=(pid,)) for pid in practice_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    event.remove(database.engine, "before_cursor_execute", wait_at_revision_update)

    assert outcomes == ["saved"] * len(practice_ids)
    with database.session() as check:
        revision, rows = stored(check, draft.id)
    assert revision == len(practice_ids)
    assert rows == {pid: ("fully", False, "") for pid in practice_ids}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (answer("policy.no-such-practice"), "unknown practice"),
        (answer(WRITTEN_POLICY, "maybe"), "option 'maybe' is not one of"),
        (answer(WRITTEN_POLICY, comment="x" * (MAX_COMMENT_LENGTH + 1)), "comment is 10,001"),
        (Answer(WRITTEN_POLICY, not_applicable=True), "not applicable"),
    ],
)
def test_bad_answers_store_nothing_of_the_save(
    session: Session, draft: Assessment, lead: User, bad: Answer, message: str
) -> None:
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={REGISTER: answer(REGISTER, "partial")},
        actor=lead,
    )
    before = stored(session, draft.id)
    good = answer("policy.strategy", "fully")
    with pytest.raises(InvalidAnswers, match=message) as refused:
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={good.practice_id: good, bad.practice_id: bad},
            clear=[REGISTER],
            actor=lead,
        )
    assert [p.practice_id for p in refused.value.problems] == [bad.practice_id]
    assert stored(session, draft.id) == before


def test_clearing_an_unknown_practice_is_refused(
    session: Session, draft: Assessment, lead: User
) -> None:
    with pytest.raises(InvalidAnswers, match=r"policy\.nope: unknown practice"):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={},
            clear=["policy.nope"],
            actor=lead,
        )


def test_consultants_cannot_change_answers(
    session: Session, draft: Assessment, create_user: Callable[..., User]
) -> None:
    with pytest.raises(Forbidden):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={WRITTEN_POLICY: answer(WRITTEN_POLICY)},
            actor=create_user(role=Role.CONSULTANT),
        )


def test_submit_stores_exactly_what_the_engine_scores_and_locks(
    session: Session, draft: Assessment, lead: User, instrument: Instrument
) -> None:
    answers = every_practice_answered(instrument)
    answers["policy.review-cycle"] = answer("policy.review-cycle", "not")
    answers["staffing.dark-web-investigators"] = Answer(
        "staffing.dark-web-investigators", not_applicable=True
    )
    assessments.save_answers(session, assessment_id=draft.id, answers=answers, actor=lead)
    submitted = assessments.submit_assessment(
        session, assessment_id=draft.id, revision=1, actor=lead
    )
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.submitted_by_id == lead.id and submitted.submitted_at is not None

    expected = score_assessment(instrument, answers)
    results = stored_results(session, draft.id)
    assert results[("overall", "overall")] == (
        expected.overall.score,
        expected.overall.level,
        expected.overall.coverage,
    )
    for key, dimension in expected.dimensions.items():
        assert results[("dimension", key)] == (dimension.score, dimension.level, dimension.coverage)
    for key, theme in expected.themes.items():
        assert results[("theme", key)] == (theme.score, None, theme.coverage)
    assert len(results) == 1 + len(expected.dimensions) + len(expected.themes)
    assert expected.dimensions["policy"].level == 2  # review-cycle (level 3) is not met

    with pytest.raises(Locked):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={WRITTEN_POLICY: answer(WRITTEN_POLICY, "not")},
            actor=lead,
        )
    with pytest.raises(Locked):
        assessments.submit_assessment(session, assessment_id=draft.id, revision=2, actor=lead)
    assert stored(session, draft.id)[1][WRITTEN_POLICY] == ("largely", False, "")


def test_submit_with_a_stale_revision_is_a_conflict(
    session: Session, draft: Assessment, lead: User
) -> None:
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={WRITTEN_POLICY: answer(WRITTEN_POLICY)},
        actor=lead,
    )
    with pytest.raises(Conflict):
        assessments.submit_assessment(session, assessment_id=draft.id, revision=0, actor=lead)
    assert session.scalar(select(Assessment.status)) == AssessmentStatus.DRAFT
    assert stored_results(session, draft.id) == {}


def test_reopen_is_for_admins_with_a_reason_and_is_audited(
    session: Session, draft: Assessment, lead: User, admin: User
) -> None:
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={WRITTEN_POLICY: answer(WRITTEN_POLICY)},
        actor=lead,
    )
    assessments.submit_assessment(session, assessment_id=draft.id, revision=1, actor=lead)
    with pytest.raises(Forbidden):
        assessments.reopen_assessment(session, assessment_id=draft.id, actor=lead, reason="typo")
    with pytest.raises(InvalidInput, match="reason"):
        assessments.reopen_assessment(session, assessment_id=draft.id, actor=admin, reason="  ")

    reopened = assessments.reopen_assessment(
        session, assessment_id=draft.id, actor=admin, reason="wrong option for the policy"
    )
    assert (reopened.status, reopened.revision) == (AssessmentStatus.DRAFT, 3)
    assert reopened.submitted_at is None
    assert stored_results(session, draft.id) == {}
    event_row = session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.reopened"))
    assert event_row is not None and event_row.actor_id == admin.id
    assert event_row.detail == {"reason": "wrong option for the policy"}
    with pytest.raises(Conflict, match="not submitted"):
        assessments.reopen_assessment(session, assessment_id=draft.id, actor=admin, reason="again")

    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers={WRITTEN_POLICY: answer(WRITTEN_POLICY, "partial")},
        based_on={WRITTEN_POLICY: 1},
        actor=lead,
    )
    assessments.submit_assessment(session, assessment_id=draft.id, revision=4, actor=lead)
    assert stored_results(session, draft.id)[("dimension", "policy")][1] == 1


def test_a_closed_round_refuses_saves(
    session: Session, draft: Assessment, lead: User, admin: User
) -> None:
    from assessment.services.rounds import set_round_open

    set_round_open(session, round_id=draft.round_id, is_open=False, actor=admin)
    with pytest.raises(RoundClosed):
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers={WRITTEN_POLICY: answer(WRITTEN_POLICY)},
            actor=lead,
        )


def test_rescoring_a_round_gives_identical_results(
    session: Session,
    instrument: Instrument,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
    admin: User,
) -> None:
    round_ = create_round("2025")
    submitted_ids = []
    for option_id in ("not", "partial", "largely", "fully"):
        lead = create_user(role=Role.LEAD)
        assert lead.agency_id is not None
        started = assessments.start_assessment(
            session, agency_id=lead.agency_id, round_id=round_.id, actor=lead
        )
        assessments.save_answers(
            session,
            assessment_id=started.id,
            answers=every_practice_answered(instrument, option_id),
            actor=lead,
        )
        assessments.submit_assessment(session, assessment_id=started.id, revision=1, actor=lead)
        submitted_ids.append(started.id)
    before = {i: stored_results(session, i) for i in submitted_ids}

    assert assessments.rescore_round(session, round_id=round_.id, actor=admin) == 4
    session.expire_all()
    assert {i: stored_results(session, i) for i in submitted_ids} == before
    overall = [before[i][("overall", "overall")][0] for i in submitted_ids]
    assert overall == sorted(overall) and overall[0] != overall[-1]


def test_a_draft_is_scored_live_and_provisional(
    session: Session, draft: Assessment, lead: User, instrument: Instrument
) -> None:
    answers = {WRITTEN_POLICY: answer(WRITTEN_POLICY), REGISTER: answer(REGISTER, "partial")}
    assessments.save_answers(session, assessment_id=draft.id, answers=answers, actor=lead)
    results = assessment_results(session, draft)
    assert results.score == score_assessment(instrument, answers)
    assert results.provisional and not results.stale
    assert session.scalar(select(Result.id).where(Result.scope == ResultScope.OVERALL)) is None

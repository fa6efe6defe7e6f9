"""Property: carried-over answers never count as confirmed, whatever the lead saves after."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.carry import confirmed_practices, unconfirmed_practices
from assessment.queries.answers import stored_answers
from assessment.queries.instruments import default_catalog
from assessment.services import assessments, rounds
from assessment.store.models import Agency, AuditEvent, Round, User
from assessment.store.models import Answer as AnswerRow
from tests.conftest import BUNDLED_QUESTIONNAIRE
from tests.peer_data import submit

INSTRUMENT = default_catalog().get(BUNDLED_QUESTIONNAIRE)
# Practices that are always shown, so any answer to them is a valid one.
UNCONDITIONAL = [p for p in INSTRUMENT.practices() if p.show_if is None]


def answer_to(instrument: Instrument, practice_id: str) -> st.SearchStrategy[Answer]:
    """Any valid answer to one practice: an option, or not applicable where allowed."""
    practice = instrument.practice(practice_id)
    assert practice is not None
    choices = [Answer(practice_id, o.id, comment="c") for o in practice.answer_set.options]
    if practice.allow_not_applicable:
        choices.append(Answer(practice_id, not_applicable=True))
    return st.sampled_from(choices)


def some_answers(ids: list[str]) -> st.SearchStrategy[dict[str, Answer]]:
    """Answers to a subset of `ids`."""
    return st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)).flatmap(
        lambda chosen: st.fixed_dictionaries({pid: answer_to(INSTRUMENT, pid) for pid in chosen})
    )


def round_named(session: Session, name: str) -> Round:
    """The round of this name on the bundled instrument, made on first use."""
    found = session.scalar(select(Round).where(Round.name == name))
    if found is not None:
        return found
    instrument_id, _, version = BUNDLED_QUESTIONNAIRE.partition("@")
    return rounds.create_round(
        session, name=name, instrument_id=instrument_id, instrument_version=version
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_carried_answers_never_count_as_confirmed(
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
    data: st.DataObject,
) -> None:
    ids = [p.id for p in UNCONDITIONAL]
    earlier = data.draw(some_answers(ids), label="last round")
    given_before = data.draw(some_answers(ids), label="answered before prefilling")
    agency = create_agency()
    lead = create_user("lead", agency=agency)
    submit(session, agency, round_named(session, "P1"), earlier)
    draft = assessments.start_assessment(
        session, agency_id=agency.id, round_id=round_named(session, "P2").id, actor=None
    )
    revision = draft.revision
    if given_before:
        assessments.save_answers(session, assessment_id=draft.id, answers=given_before, actor=lead)
        revision += 1

    done = assessments.prefill_from_previous(
        session, assessment_id=draft.id, revision=revision, actor=lead
    )
    revision += 1
    prefilled = set(done.carried)
    assert prefilled == set(earlier) - set(given_before)
    touched = data.draw(
        st.lists(st.sampled_from(sorted(prefilled)), unique=True) if prefilled else st.just([]),
        label="saved after prefilling",
    )
    if touched:
        changed = {pid: data.draw(answer_to(INSTRUMENT, pid)) for pid in touched}
        assessments.save_answers(
            session,
            assessment_id=draft.id,
            answers=changed,
            based_on=dict.fromkeys(touched, 1),  # as carried over
            actor=lead,
        )
        revision += 1

    session.expire_all()
    flagged = set(
        session.scalars(
            select(AnswerRow.practice_id).where(
                AnswerRow.assessment_id == draft.id, AnswerRow.carried_over.is_(True)
            )
        )
    )
    answers = stored_answers(session, [draft.id])[draft.id]
    assert flagged == prefilled - set(touched)
    assert not confirmed_practices(answers, flagged) & flagged
    assert unconfirmed_practices(answers, flagged) == flagged
    for pid in flagged:  # untouched carried answers are last round's, as they were
        assert answers[pid] == earlier[pid]
    for pid, answer in given_before.items():  # what the lead had given stays
        assert answers[pid] == answer

    assessments.submit_assessment(session, assessment_id=draft.id, revision=revision, actor=lead)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "assessment.submitted", AuditEvent.assessment_id == draft.id
        )
    ).one()
    assert event.detail["unconfirmed_carried_over"] == sorted(flagged)

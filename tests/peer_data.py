"""Submitted assessments for benchmark tests, made through the real services."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, Practice
from assessment.queries.instruments import default_catalog
from assessment.services.assessments import save_answers, start_assessment, submit_assessment
from assessment.services.rounds import set_round_open
from assessment.store.models import Agency, Assessment, Round, User


def instrument_of_round(round_: Round, catalog: InstrumentCatalog | None = None) -> Instrument:
    """The instrument version a round uses."""
    return (catalog or default_catalog()).get(f"{round_.instrument_id}@{round_.instrument_version}")


def worst_option(practice: Practice) -> str:
    """The option with the lowest credit."""
    return min(practice.answer_set.options, key=lambda option: option.credit).id


def answers_up_to(
    instrument: Instrument, cap: int, *, flipped: Iterable[str] = ()
) -> dict[str, Answer]:
    """Every practice answered: the best option up to level `cap`, the worst above it.

    Practices in `flipped` get the other one, to vary agencies at the same cap.
    """
    flip = set(flipped)
    answers = {}
    for practice in instrument.practices():
        best = (practice.level <= cap) != (practice.id in flip)
        option = practice.answer_set.best.id if best else worst_option(practice)
        answers[practice.id] = Answer(practice.id, option)
    return answers


def submit(
    session: Session,
    agency: Agency,
    round_: Round,
    answers: dict[str, Answer],
    catalog: InstrumentCatalog | None = None,
    answered_by: User | None = None,
) -> Assessment:
    """Start, answer (as `answered_by`, if given) and submit the agency's assessment."""
    assessment = start_assessment(session, agency_id=agency.id, round_id=round_.id, actor=None)
    assessment = save_answers(
        session,
        assessment_id=assessment.id,
        answers=answers,
        actor=answered_by,
        catalog=catalog,
    )
    return submit_assessment(
        session,
        assessment_id=assessment.id,
        revision=assessment.revision,
        actor=None,
        catalog=catalog,
    )


def submit_at(
    session: Session,
    agency: Agency,
    round_: Round,
    cap: int,
    *,
    flipped: Iterable[str] = (),
    catalog: InstrumentCatalog | None = None,
) -> Assessment:
    """Submit the agency's assessment answered with `answers_up_to(cap)`."""
    instrument = instrument_of_round(round_, catalog)
    return submit(session, agency, round_, answers_up_to(instrument, cap, flipped=flipped), catalog)


def close(session: Session, round_: Round) -> Round:
    """Close the round: only closed rounds publish peer statistics."""
    return set_round_open(session, round_id=round_.id, is_open=False, actor=None)

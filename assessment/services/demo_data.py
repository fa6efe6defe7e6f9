"""Load the synthetic demo population into an empty database, in one transaction.

The rounds before the latest are on the questionnaire's first bundled version, the latest
round on its newest (the same one while only one version is bundled), so a demo shows a
round compared with earlier ones through the crosswalk between the versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from assessment.domain.demo.synthetic import (
    DEFAULT_SEED,
    SyntheticPopulation,
    synthetic_population,
)
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.record_profile import agency_answers
from assessment.domain.rules.schedule import RoundState, Schedule
from assessment.domain.rules.scoring import Profile, score_assessment, scoring_key
from assessment.queries.instruments import default_catalog
from assessment.services import audit
from assessment.services.accounts import check_password
from assessment.services.assessments import result_rows
from assessment.services.carried_results import store_carried_results
from assessment.services.errors import Conflict, InvalidInput, NotFound
from assessment.store.models import (
    Agency,
    Answer,
    Assessment,
    AssessmentStatus,
    Result,
    Role,
    Round,
    User,
    utc_today,
    utcnow,
)

DEFAULT_AGENCIES = 60
DEFAULT_PASSWORD = "demo-password-2026"
DEFAULT_QUESTIONNAIRE = "sm-policing-maturity"
ADMIN_EMAIL = "admin@example.org"
CONSULTANT_EMAIL = "consultant@example.org"
LEAD_EMAIL = "lead@example.org"
DEMO_DAYS_LEFT = timedelta(days=60)
"""The demo's open round closes this long after the data is loaded (or on its own date)."""


@dataclass(frozen=True)
class DemoSummary:
    """What was loaded, and who can sign in."""

    agencies: int
    rounds: tuple[str, ...]
    submitted: int
    drafts: int
    lead_agency: str
    logins: tuple[tuple[str, str], ...]  # (role, email)


def database_is_empty(session: Session) -> bool:
    """True when there are no agencies and no rounds yet."""
    agencies = session.scalar(select(func.count()).select_from(Agency))
    rounds = session.scalar(select(func.count()).select_from(Round))
    return not agencies and not rounds


def load_demo_data(
    session: Session,
    *,
    seed: int = DEFAULT_SEED,
    agencies: int = DEFAULT_AGENCIES,
    password: str = DEFAULT_PASSWORD,
    questionnaire: str = DEFAULT_QUESTIONNAIRE,
    catalog: InstrumentCatalog | None = None,
) -> DemoSummary:
    """Fill an empty database with the synthetic population, three rounds and demo logins."""
    if agencies < 1:
        raise InvalidInput({"agencies": "give at least 1 agency"})
    check_password(password)
    if not database_is_empty(session):
        raise Conflict("the database already holds agencies or rounds; demo data needs it empty")
    first, newest = _instruments(questionnaire, catalog)
    population = synthetic_population(first, agencies=agencies, seed=seed, latest=newest)
    agency_ids = _insert_agencies(session, population)
    round_ids = _insert_rounds(session, population)
    assessment_ids = _insert_assessments(session, population, agency_ids, round_ids)
    _insert_answers(session, population, assessment_ids)
    _insert_results(session, population, assessment_ids)
    store_carried_results(session, catalog=catalog)
    lead_agency = population.agencies[population.lead_agency_number - 1]
    logins = _insert_users(session, password, agency_ids[lead_agency.number])
    audit.record(session, "demo_data.loaded", actor=None, seed=seed, agencies=agencies)
    session.commit()
    submitted = sum(1 for a in population.assessments if a.submitted)
    return DemoSummary(
        agencies=len(population.agencies),
        rounds=tuple(r.name for r in population.rounds),
        submitted=submitted,
        drafts=len(population.assessments) - submitted,
        lead_agency=lead_agency.name,
        logins=logins,
    )


def _instruments(
    questionnaire: str, catalog: InstrumentCatalog | None
) -> tuple[Instrument, Instrument]:
    """The first and the newest version of the questionnaire (`ID`, or `ID@VERSION` for one)."""
    catalog = catalog or default_catalog()
    try:
        chosen = catalog.get(questionnaire)
    except LookupError as error:
        raise NotFound(str(error)) from None
    if "@" in questionnaire:
        return chosen, chosen
    versions = [i for i in catalog.all() if i.id == chosen.id]
    return versions[0], versions[-1]


def _insert_agencies(session: Session, population: SyntheticPopulation) -> dict[int, int]:
    rows = [
        {
            "name": a.name,
            "country": a.country,
            "agency_type": a.agency_type,
            "size_band": a.size_band,
            "policing_model": a.policing_model,
            "profile": a.profile,
            "synthetic": True,
        }
        for a in population.agencies
    ]
    ids = _insert_returning_ids(session, Agency, rows)
    return {a.number: agency_id for a, agency_id in zip(population.agencies, ids, strict=True)}


def _insert_rounds(session: Session, population: SyntheticPopulation) -> dict[str, int]:
    today = utc_today()
    rows = []
    for r in population.rounds:
        # The open round stays open for a while after loading, so the demo lead sees a deadline.
        ends_on = max(r.ends_on, today + DEMO_DAYS_LEFT) if r.is_open else r.ends_on
        wanted = RoundState.OPEN if r.is_open else RoundState.CLOSED
        decided = None if Schedule(r.starts_on, ends_on).state(today) == wanted else wanted
        rows.append(
            {
                "name": r.name,
                "starts_on": r.starts_on,
                "ends_on": ends_on,
                "instrument_id": r.instrument.id,
                "instrument_version": r.instrument.version,
                "decided_state": decided,
                "decided_at": utcnow() if decided is not None else None,
                "created_at": _moment(r.starts_on),
            }
        )
    ids = _insert_returning_ids(session, Round, rows)
    return {r.name: round_id for r, round_id in zip(population.rounds, ids, strict=True)}


def _insert_assessments(
    session: Session,
    population: SyntheticPopulation,
    agency_ids: dict[int, int],
    round_ids: dict[str, int],
) -> list[int]:
    rounds = {r.name: r for r in population.rounds}
    rows = []
    for a in population.assessments:
        instrument = rounds[a.round_name].instrument
        ends = _moment(rounds[a.round_name].ends_on)
        rows.append(
            {
                "agency_id": agency_ids[a.agency_number],
                "round_id": round_ids[a.round_name],
                "instrument_id": instrument.id,
                "instrument_version": instrument.version,
                "status": AssessmentStatus.SUBMITTED if a.submitted else AssessmentStatus.DRAFT,
                "revision": 2 if a.submitted else 1,
                "updated_at": ends,
                "submitted_at": ends if a.submitted else None,
                "scored_with": scoring_key(instrument) if a.submitted else None,
                "profile": _profile(population, a.agency_number, instrument),
            }
        )
    return _insert_returning_ids(session, Assessment, rows)


def _insert_answers(
    session: Session, population: SyntheticPopulation, assessment_ids: list[int]
) -> None:
    rows = [
        {
            "assessment_id": assessment_id,
            "practice_id": answer.practice_id,
            "option_id": answer.option_id,
            "not_applicable": answer.not_applicable,
            "comment": answer.comment,
        }
        for assessment, assessment_id in zip(population.assessments, assessment_ids, strict=True)
        for answer in assessment.answers.values()
    ]
    _insert(session, Answer, rows)


def _insert_results(
    session: Session, population: SyntheticPopulation, assessment_ids: list[int]
) -> None:
    rounds = {r.name: r for r in population.rounds}
    rows: list[dict[str, Any]] = []
    for assessment, assessment_id in zip(population.assessments, assessment_ids, strict=True):
        if not assessment.submitted:
            continue
        instrument = rounds[assessment.round_name].instrument
        profile = _profile(population, assessment.agency_number, instrument)
        result = score_assessment(instrument, assessment.answers, profile)
        rows.extend({"assessment_id": assessment_id, **row} for row in result_rows(result))
    _insert(session, Result, rows)


def _profile(population: SyntheticPopulation, number: int, instrument: Instrument) -> Profile:
    """A synthetic agency's profile answers to the instrument, as a draft starts with."""
    a = population.agencies[number - 1]
    return agency_answers(instrument, a.country, a.agency_type, a.size_band)


def _insert_users(
    session: Session, password: str, lead_agency_id: int
) -> tuple[tuple[str, str], ...]:
    logins = (
        (Role.ADMIN, ADMIN_EMAIL, None),
        (Role.CONSULTANT, CONSULTANT_EMAIL, None),
        (Role.LEAD, LEAD_EMAIL, lead_agency_id),
    )
    for role, email, agency_id in logins:
        session.add(
            User(
                email=email,
                password_hash=generate_password_hash(password),
                role=role,
                agency_id=agency_id,
            )
        )
    session.flush()
    return tuple((role.value, email) for role, email, _ in logins)


def _insert_returning_ids(
    session: Session, model: type[Any], rows: list[dict[str, Any]]
) -> list[int]:
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    # A Core insert on the table: the ORM's bulk path splits the rows into a new batch
    # whenever a nullable value turns None (theme levels, not-applicable options).
    if rows:
        session.execute(model.__table__.insert(), rows)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)

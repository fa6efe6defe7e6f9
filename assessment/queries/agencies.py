"""Agencies: lookups, lists for pages and select boxes, and the overview with latest results."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.rules.scoring import Profile, scoring_key
from assessment.domain.rules.trajectory import comparable_base, major_version
from assessment.queries.answers import stored_answers
from assessment.queries.carried import Carrier
from assessment.queries.rounds import round_order
from assessment.services.errors import NotFound
from assessment.store.ids import id_from_text
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    CarriedResult,
    Result,
    ResultScope,
    Round,
    User,
)


@dataclass(frozen=True)
class AgencyRow:
    """An agency with how many lead accounts it has."""

    agency: Agency
    lead_count: int


def get_agency(session: Session, agency_id: int) -> Agency:
    """The agency with this id, or NotFound."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"there is no agency with id {agency_id}")
    return agency


def agency_by_reference(session: Session, reference: str) -> Agency:
    """The agency with this exact name, or else this id; NotFound naming the reference."""
    text = reference.strip()
    found = session.scalar(select(Agency).where(Agency.name == text))
    agency_id = id_from_text(text)
    if found is None and agency_id is not None:
        found = session.get(Agency, agency_id)
    if found is None:
        raise NotFound(f"there is no agency named {text!r} (give its name or id)")
    return found


def agencies_by_name(session: Session) -> list[Agency]:
    """Every agency, by name."""
    return list(session.scalars(select(Agency).order_by(Agency.name)))


def agencies_with_ids(session: Session, agency_ids: Sequence[int]) -> dict[int, Agency]:
    """The agencies among these ids, by id (unknown ids are left out)."""
    query = select(Agency).where(Agency.id.in_(list(agency_ids)))
    return {agency.id: agency for agency in session.scalars(query)}


def submitted_agencies(session: Session, round_id: int) -> list[Agency]:
    """The agencies that submitted their assessment in the round, by name."""
    query = (
        select(Agency)
        .join(Assessment, Assessment.agency_id == Agency.id)
        .where(Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(Agency.name)
    )
    return list(session.scalars(query))


def agency_countries(session: Session) -> list[str]:
    """The countries agencies are in, in code order."""
    return list(session.scalars(select(Agency.country).distinct().order_by(Agency.country)))


def agencies_with_leads(session: Session, *, synthetic: bool | None = None) -> list[AgencyRow]:
    """Agencies by name, each with its number of lead accounts; `synthetic` True or False
    keeps only the synthetic (demo) or only the real ones."""
    leads = (
        select(User.agency_id, func.count(User.id).label("leads"))
        .where(User.agency_id.is_not(None))
        .group_by(User.agency_id)
        .subquery()
    )
    query = (
        select(Agency, func.coalesce(leads.c.leads, 0))
        .outerjoin(leads, leads.c.agency_id == Agency.id)
        .order_by(Agency.name)
    )
    if synthetic is not None:
        query = query.where(Agency.synthetic.is_(synthetic))
    return [AgencyRow(agency, int(count)) for agency, count in session.execute(query)]


def agency_counts(session: Session) -> dict[bool, int]:
    """How many agencies are synthetic (True) and real (False)."""
    query = select(Agency.synthetic, func.count(Agency.id)).group_by(Agency.synthetic)
    rows = session.execute(query)
    counts = {False: 0, True: 0}
    counts.update({bool(synthetic): int(count) for synthetic, count in rows})
    return counts


def agency_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every agency for select boxes: real ones by name, then synthetic ones,
    marked as such."""
    query = select(Agency.id, Agency.name, Agency.synthetic).order_by(Agency.synthetic, Agency.name)
    return [
        (agency_id, f"{name} (synthetic)" if synthetic else name)
        for agency_id, name, synthetic in session.execute(query)
    ]


@dataclass(frozen=True)
class AgencyOverview:
    """An agency with its latest submitted overall result and the change since the one before."""

    agency_id: int
    name: str
    country: str
    agency_type: str
    size_band: str
    synthetic: bool
    latest_round: str | None
    score: float | None
    level: int | None
    change: float | None  # None when there is no comparable earlier round
    change_comparable: bool  # False when every earlier round used another major version
    # Set when the change is measured against answers carried over through a crosswalk:
    # the share of the latest questionnaire that had an equivalent.
    change_carried_share: float | None = None
    latest_instrument: str | None = None  # id@version of the latest submitted round


@dataclass(frozen=True)
class _Submission:
    round_name: str
    lineage: tuple[str, int]
    score: float | None
    level: int | None
    assessment_id: int
    instrument: str  # id@version
    stamp: tuple[object, ...] = ()  # what its carried figures depend on besides the versions


@dataclass(frozen=True)
class CarriedOverall:
    """An earlier submission's overall score with its answers carried to a later
    questionnaire and scored there, and the share of that questionnaire that had an
    equivalent (both None when no crosswalk leads there)."""

    score: float | None
    equivalent_share: float | None


@dataclass(frozen=True)
class CarriedEntry:
    """A carried figure as stored: the earlier assessment, the version carried to and the
    digest of what it was computed from."""

    assessment_id: int
    target: str
    basis: str
    figure: CarriedOverall


# Carried figures of earlier submissions, per catalog, by database, assessment, what it was
# when carried (revision, last change, the agency's record) and the target version: read
# from the database (`carried_result`) or, failing that, carried and scored once per
# process, not per request.
_CARRIED: WeakKeyDictionary[InstrumentCatalog, dict[tuple[object, ...], CarriedEntry]]
_CARRIED = WeakKeyDictionary()
_CARRIED_LIMIT = 200_000
_CHUNK = 5000  # ids per IN list, well below every driver's limit on bound parameters


def agency_overview(
    session: Session,
    *,
    agency_ids: Sequence[int] | None = None,
    catalog: InstrumentCatalog | None = None,
) -> list[AgencyOverview]:
    """Every agency (or those listed) by name, with latest overall figures.

    One query, plus, when some agency's previous round used another version that a
    crosswalk leads from and was not read in this process before, one for the stored
    carried figures and, for those not stored (or stored from other inputs), two more
    for the answers and profiles of those rounds (carried over and scored).
    """
    agencies = _submissions(session, agency_ids)
    carrier = Carrier(catalog)
    pairs = {agency_id: _compared(carrier, entry[1]) for agency_id, entry in agencies.items()}
    carried = {
        entry.assessment_id: entry.figure
        for entry in _carried_entries(session, carrier, list(pairs.values()))
    }
    return [
        _overview(agency_id, profile, submissions, *pairs[agency_id], carried)
        for agency_id, (profile, submissions) in agencies.items()
    ]


def unstored_carried_results(
    session: Session,
    *,
    agency_ids: Sequence[int] | None = None,
    catalog: InstrumentCatalog | None = None,
) -> list[CarriedEntry]:
    """The carried figures the agency list needs (for these agencies, or all) that the
    database does not hold, or holds from other inputs: what storing them should write."""
    agencies = _submissions(session, agency_ids)
    carrier = Carrier(catalog)
    pairs = [_compared(carrier, submissions) for _, submissions in agencies.values()]
    entries = _carried_entries(session, carrier, pairs)
    stored = _stored_carried(session, [entry.assessment_id for entry in entries])
    return [
        entry
        for entry in entries
        if stored.get((entry.assessment_id, entry.target), ("", None))[0] != entry.basis
    ]


_Profile = tuple[str, str, str, str, bool]


def _submissions(
    session: Session, agency_ids: Sequence[int] | None
) -> dict[int, tuple[_Profile, list[_Submission]]]:
    """Each agency (by name) with its record and submissions, oldest round first."""
    submitted = and_(
        Assessment.agency_id == Agency.id, Assessment.status == AssessmentStatus.SUBMITTED
    )
    query = (
        select(
            Agency.id,
            Agency.name,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Agency.synthetic,
            Round.name,
            Round.instrument_id,
            Round.instrument_version,
            Result.score,
            Result.level,
            Assessment.id,
            Assessment.instrument_id,
            Assessment.instrument_version,
            Assessment.revision,
            Assessment.updated_at,
        )
        .outerjoin(Assessment, submitted)
        .outerjoin(Round, Round.id == Assessment.round_id)
        .outerjoin(
            Result,
            and_(Result.assessment_id == Assessment.id, Result.scope == ResultScope.OVERALL),
        )
        .order_by(Agency.name, Agency.id, *round_order())
    )
    if agency_ids is not None:
        query = query.where(Agency.id.in_(list(agency_ids)))
    agencies: dict[int, tuple[_Profile, list[_Submission]]] = {}
    for row in session.execute(query):
        profile = (row[1], row[2], row[3], row[4], bool(row[5]))
        _, submissions = agencies.setdefault(row[0], (profile, []))
        if row[6] is not None:
            lineage = (row[7], major_version(row[8]))
            instrument = f"{row[12]}@{row[13]}"
            stamp = (row[14], row[15], row[2], row[3], row[4])
            submission = _Submission(row[6], lineage, row[9], row[10], row[11], instrument, stamp)
            submissions.append(submission)
    return agencies


_Pair = tuple[_Submission | None, _Submission | None]


def _compared(carrier: Carrier, submissions: list[_Submission]) -> _Pair:
    """The latest submission and the earlier one its change is measured against."""
    latest = submissions[-1] if submissions else None
    lineages = [s.lineage for s in submissions]
    if latest and any(lineage != latest.lineage for lineage in lineages):
        # An earlier version a crosswalk leads from counts as the latest one's lineage.
        lineages = [
            latest.lineage
            if s.lineage == latest.lineage
            or carrier.chain(s.instrument, latest.instrument) is not None
            else s.lineage
            for s in submissions
        ]
    base = comparable_base(lineages, len(submissions) - 1)
    return latest, submissions[base] if base is not None else None


def _carried_entries(session: Session, carrier: Carrier, pairs: list[_Pair]) -> list[CarriedEntry]:
    """For each earlier submission on another version, its answers carried to the latest
    version and scored there: from this process's memory, else from the database when
    stored from the same inputs, else computed (two queries for all agencies)."""
    crossing = [
        (latest, previous)
        for latest, previous in pairs
        if latest and previous and previous.lineage != latest.lineage
    ]
    if not crossing:
        return []
    memo = _CARRIED.setdefault(carrier.catalog, {})
    database = str(session.get_bind().engine.url)

    def key(latest: _Submission, previous: _Submission) -> tuple[object, ...]:
        return (database, previous.assessment_id, *previous.stamp, latest.instrument)

    missing = [
        (latest, previous) for latest, previous in crossing if key(latest, previous) not in memo
    ]
    if missing:
        if len(memo) + len(missing) > _CARRIED_LIMIT:
            memo.clear()
        stored = _stored_carried(session, [previous.assessment_id for _, previous in missing])
        digests: dict[tuple[str, str], str] = {}
        to_compute: list[tuple[_Submission, _Submission, str]] = []
        for latest, previous in missing:
            route = (previous.instrument, latest.instrument)
            if route not in digests:
                digests[route] = _route_digest(carrier, *route)
            basis = _basis(digests[route], previous.stamp)
            found = stored.get((previous.assessment_id, latest.instrument))
            if found is not None and found[0] == basis:
                entry = CarriedEntry(previous.assessment_id, latest.instrument, basis, found[1])
                memo[key(latest, previous)] = entry
            else:
                to_compute.append((latest, previous, basis))
        for latest, previous, basis, figure in _carry_and_score(session, carrier, to_compute):
            entry = CarriedEntry(previous.assessment_id, latest.instrument, basis, figure)
            memo[key(latest, previous)] = entry
    return [memo[key(latest, previous)] for latest, previous in crossing]


def _carry_and_score(
    session: Session, carrier: Carrier, wanted: list[tuple[_Submission, _Submission, str]]
) -> list[tuple[_Submission, _Submission, str, CarriedOverall]]:
    if not wanted:
        return []
    answers = stored_answers(session, [previous.assessment_id for _, previous, _ in wanted])
    profiles: dict[int, Profile] = {}
    for target in {latest.instrument for latest, _, _ in wanted}:
        ids = [p.assessment_id for latest, p, _ in wanted if latest.instrument == target]
        profiles.update(carrier.profiles(session, ids, target))
    computed = []
    for latest, previous, basis in wanted:
        figures = carrier.figures(
            answers[previous.assessment_id],
            previous.instrument,
            latest.instrument,
            profiles.get(previous.assessment_id),
        )
        figure = (
            CarriedOverall(figures.result.overall.score, figures.equivalent_share)
            if figures is not None
            else CarriedOverall(None, None)
        )
        computed.append((latest, previous, basis, figure))
    return computed


def _stored_carried(
    session: Session, assessment_ids: list[int]
) -> dict[tuple[int, str], tuple[str, CarriedOverall]]:
    found: dict[tuple[int, str], tuple[str, CarriedOverall]] = {}
    for start in range(0, len(assessment_ids), _CHUNK):
        rows = session.execute(
            select(
                CarriedResult.assessment_id,
                CarriedResult.target,
                CarriedResult.basis,
                CarriedResult.score,
                CarriedResult.equivalent_share,
            ).where(CarriedResult.assessment_id.in_(assessment_ids[start : start + _CHUNK]))
        )
        for assessment_id, target, basis, score, share in rows:
            found[assessment_id, target] = (basis, CarriedOverall(score, share))
    return found


def _route_digest(carrier: Carrier, source: str, target: str) -> str:
    """What carrying from `source` to `target` depends on in the catalog: both
    questionnaires' scoring and the crosswalks between them."""
    instruments = carrier.instruments()
    parts = [
        scoring_key(instruments[key]) if key in instruments else key for key in (source, target)
    ]
    text = repr((parts, carrier.chain(source, target)))
    return hashlib.sha256(text.encode()).hexdigest()


def _basis(route_digest: str, stamp: tuple[object, ...]) -> str:
    """The digest of a carried figure's inputs: the route and the earlier assessment's
    revision, last change and the agency's record (its profile answers' defaults)."""
    stamped = tuple(value.isoformat() if isinstance(value, datetime) else value for value in stamp)
    return hashlib.sha256(f"{route_digest}|{stamped!r}".encode()).hexdigest()


def _overview(
    agency_id: int,
    profile: _Profile,
    submissions: list[_Submission],
    latest: _Submission | None,
    previous: _Submission | None,
    carried_figures: dict[int, CarriedOverall],
) -> AgencyOverview:
    previous_score = previous.score if previous else None
    share = None
    if previous and previous.assessment_id in carried_figures:
        carried = carried_figures[previous.assessment_id]
        previous_score, share = carried.score, carried.equivalent_share
    change = None
    if latest and previous and latest.score is not None and previous_score is not None:
        change = latest.score - previous_score
    return AgencyOverview(
        agency_id,
        *profile,
        latest_round=latest.round_name if latest else None,
        score=latest.score if latest else None,
        level=latest.level if latest else None,
        change=change,
        change_comparable=previous is not None or len(submissions) < 2,
        change_carried_share=share,
        latest_instrument=latest.instrument if latest else None,
    )


def any_synthetic(session: Session, agency_ids: Iterable[int]) -> bool:
    """True when one of the agencies is synthetic (demonstration data)."""
    ids = list(agency_ids)
    if not ids:
        return False
    query = select(Agency.id).where(Agency.id.in_(ids), Agency.synthetic.is_(True)).limit(1)
    return session.scalar(query) is not None


REOPENED_ACTION = "assessment.reopened"


@dataclass(frozen=True)
class RoundWork:
    """An agency's assessment in a round: its state, when it last changed."""

    assessment_id: int
    agency_id: int
    round_id: int
    status: AssessmentStatus
    reopened: bool  # an administrator reopened it at least once
    last_activity: datetime


def round_work(session: Session, round_ids: Sequence[int]) -> dict[int, dict[int, RoundWork]]:
    """The assessments of these rounds by agency id, then round id (one statement); an
    agency without an entry for a round has not started it."""
    if not round_ids:
        return {}
    reopened = select(AuditEvent.assessment_id).where(
        AuditEvent.action == REOPENED_ACTION, AuditEvent.assessment_id.is_not(None)
    )
    query = select(
        Assessment.id,
        Assessment.agency_id,
        Assessment.round_id,
        Assessment.status,
        Assessment.id.in_(reopened).label("reopened"),
        Assessment.updated_at,
    ).where(Assessment.round_id.in_(list(round_ids)))
    found: dict[int, dict[int, RoundWork]] = {}
    for row in session.execute(query):
        work = RoundWork(row[0], row[1], row[2], row[3], bool(row[4]), row[5])
        found.setdefault(work.agency_id, {})[work.round_id] = work
    return found

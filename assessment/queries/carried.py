"""Figures of earlier rounds carried to a later round's instrument through crosswalks.

Comparisons across instrument versions (trajectories, change since the previous round,
cohort medians over rounds) re-express an earlier round in the later instrument: the
earlier round's stored answers are carried through the crosswalk chain of the catalog
(`domain.rules.carry`) and scored live there. They are marked as computed on
carried-over answers, with the share of the later instrument that had an equivalent. The
agency list's overall figures are also stored (`carried_result`, see
`services.carried_results`); a round's figures for cohort medians are kept per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.loading.loader import InstrumentError
from assessment.domain.model.answers import Answer
from assessment.domain.model.crosswalk import Crosswalk
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.carry import CarriedAnswers, carry_answers
from assessment.domain.rules.scoring import Profile, score_assessment
from assessment.domain.rules.trajectory import CarriedFigures, CarryFigures, RoundInfo
from assessment.queries.answers import stored_answers
from assessment.queries.instruments import default_catalog, instrument_of
from assessment.queries.profiles import assessment_profile, assessment_profiles
from assessment.queries.rounds import round_order
from assessment.services.errors import NotFound
from assessment.store.models import Agency, Assessment, AssessmentStatus, Round

_FigureRow = tuple[str, str, float | None, int | None, float]
_RoundFigures = tuple[tuple[_FigureRow, ...], float]

# A round's figures carried to a later version, per catalog, by database, assessment, what
# it was when carried (revision, last change, the agency's record) and the target version:
# each submitted assessment is carried and scored once per process, not on every request
# of the benchmark page. Cleared when it would hold more than the limit.
_ROUND_FIGURES: WeakKeyDictionary[InstrumentCatalog, dict[tuple[object, ...], _RoundFigures | None]]
_ROUND_FIGURES = WeakKeyDictionary()
_ROUND_FIGURES_LIMIT = 50_000


def instrument_key(info: RoundInfo) -> str:
    """The `id@version` of the round's instrument."""
    return f"{info.instrument_id}@{info.instrument_version}"


class Carrier:
    """Carries answers between the versions of one catalog, finding each chain once."""

    def __init__(self, catalog: InstrumentCatalog | None = None) -> None:
        self.catalog = catalog or default_catalog()
        self._chains: dict[tuple[str, str], tuple[Crosswalk, ...] | None] = {}
        self._instruments: dict[str, Instrument] | None = None

    def chain(self, source: str, target: str) -> tuple[Crosswalk, ...] | None:
        """The crosswalks from `source` to `target` (id@version), None when none leads there."""
        if (source, target) not in self._chains:
            try:
                self._chains[source, target] = self.catalog.crosswalk_chain(source, target)
            except InstrumentError as error:
                raise NotFound(f"the questionnaires cannot be read: {error}") from None
        return self._chains[source, target]

    def instruments(self) -> Mapping[str, Instrument]:
        """The catalog's instruments by id@version."""
        if self._instruments is None:
            self._instruments = {i.key: i for i in self.catalog.all()}
        return self._instruments

    def carry(
        self, answers: Mapping[str, Answer], source: str, target: str
    ) -> CarriedAnswers | None:
        """`answers` to `source` carried to `target`, None when no crosswalk path leads there."""
        chain = self.chain(source, target)
        instruments = self.instruments()
        if chain is None or source not in instruments:
            return None
        return carry_answers(answers, instruments[source], chain, instruments)

    def figures(
        self,
        answers: Mapping[str, Answer],
        source: str,
        target: str,
        profile: Profile | None = None,
    ) -> CarriedFigures | None:
        """The figures of `answers` carried to `target` and scored there under `profile`."""
        carried = self.carry(answers, source, target)
        if carried is None:
            return None
        result = score_assessment(self.instruments()[target], carried.answers, profile)
        return CarriedFigures(result, carried.equivalent_share)

    def profiles(
        self, session: Session, assessment_ids: Iterable[int], target: str
    ) -> dict[int, Profile]:
        """The profiles of earlier assessments, read against the `target` questionnaire
        their answers are carried to (its profile questions decide what applies there)."""
        instrument = self.instruments().get(target)
        if instrument is None:
            return {}
        return assessment_profiles(session, dict.fromkeys(assessment_ids, instrument))


def agency_carry(
    session: Session, agency_id: int, catalog: InstrumentCatalog | None = None
) -> CarryFigures:
    """How one agency's submitted rounds are carried to a later round's instrument."""
    carrier = Carrier(catalog)

    def carry(earlier: RoundInfo, later: RoundInfo) -> CarriedFigures | None:
        source, target = instrument_key(earlier), instrument_key(later)
        if carrier.chain(source, target) is None:
            return None
        assessment_id = session.scalar(
            select(Assessment.id).where(
                Assessment.agency_id == agency_id,
                Assessment.round_id == earlier.round_id,
                Assessment.status == AssessmentStatus.SUBMITTED,
            )
        )
        if assessment_id is None:
            return None
        answers = stored_answers(session, [assessment_id])[assessment_id]
        profile = carrier.profiles(session, [assessment_id], target).get(assessment_id)
        return carrier.figures(answers, source, target, profile)

    return carry


def carried_round_frame(
    session: Session, frame: pd.DataFrame, carrier: Carrier, source: RoundInfo, target: str
) -> tuple[pd.DataFrame, float] | None:
    """A round's results frame with each agency's figures carried to `target` (id@version).

    The agency's columns (profile, submission order, release) are kept, the figures
    replaced by those of its stored answers carried over and scored; None with no path.
    """
    source_key = instrument_key(source)
    if carrier.chain(source_key, target) is None:
        return None
    figures = _round_figures(session, carrier, source, target)
    agencies = frame.drop_duplicates("agency_id").set_index("agency_id")
    rows: list[dict[str, object]] = []
    share = 1.0
    for agency_id, columns in agencies.iterrows():
        carried = figures.get(int(str(agency_id)))
        if carried is None:
            continue
        figure_rows, share = carried
        base: dict[str, object] = {str(k): v for k, v in columns.items()}
        base["agency_id"] = agency_id
        rows.extend({**base, **dict(zip(_FIGURE_COLUMNS, row, strict=True))} for row in figure_rows)
    if not rows:
        return frame.iloc[0:0], share
    return pd.DataFrame(rows, columns=list(frame.columns)).astype(frame.dtypes.to_dict()), share


_FIGURE_COLUMNS = ("scope", "key", "score", "level", "coverage")


def _round_figures(
    session: Session, carrier: Carrier, source: RoundInfo, target: str
) -> dict[int, _RoundFigures]:
    """The figures of each submitted assessment of the `source` round carried to `target`,
    by agency id: from this process's memory, else carried and scored (two queries for
    all those not carried before)."""
    found = session.execute(
        select(
            Assessment.agency_id,
            Assessment.id,
            Assessment.revision,
            Assessment.updated_at,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
        )
        .join(Agency, Agency.id == Assessment.agency_id)
        .where(
            Assessment.round_id == source.round_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
    ).all()
    memo = _ROUND_FIGURES.setdefault(carrier.catalog, {})
    database = str(session.get_bind().engine.url)
    keys = {row[1]: (database, *row[1:], target) for row in found}
    missing = [assessment_id for assessment_id, key in keys.items() if key not in memo]
    if missing:
        if len(memo) + len(missing) > _ROUND_FIGURES_LIMIT:
            memo.clear()
        source_key = instrument_key(source)
        answers = stored_answers(session, missing)
        profiles = carrier.profiles(session, missing, target)
        for assessment_id in missing:
            computed = carrier.figures(
                answers[assessment_id], source_key, target, profiles.get(assessment_id)
            )
            memo[keys[assessment_id]] = (
                (_figure_rows(computed.result), computed.equivalent_share) if computed else None
            )
    figures: dict[int, _RoundFigures] = {}
    for agency_id, assessment_id, *_ in found:
        kept = memo[keys[assessment_id]]
        if kept is not None:
            figures[agency_id] = kept
    return figures


def _figure_rows(result: ScoreResult) -> tuple[_FigureRow, ...]:
    """A result's figures as rows of the results frame (scope, key, score, level, coverage)."""
    overall = result.overall
    return (
        ("overall", "overall", overall.score, overall.level, overall.coverage),
        *(("dimension", key, d.score, d.level, d.coverage) for key, d in result.dimensions.items()),
        *(("theme", key, t.score, None, t.coverage) for key, t in result.themes.items()),
    )


@dataclass(frozen=True)
class CarrySource:
    """The agency's previous submitted assessment that a draft can start from."""

    assessment_id: int
    round_name: str
    instrument: str  # id@version
    carried: CarriedAnswers  # its answers, carried to the draft's instrument


def carry_source(
    session: Session, assessment: Assessment, catalog: InstrumentCatalog | None = None
) -> CarrySource | None:
    """The latest earlier submitted assessment of the agency that can be carried to this one.

    Earlier means an earlier round in round order; it qualifies when it used the same
    questionnaire version or a crosswalk path leads from its version to this one's.
    """
    carrier = Carrier(catalog)
    target = f"{assessment.instrument_id}@{assessment.instrument_version}"
    rows = session.execute(
        select(
            Assessment.id,
            Assessment.status,
            Round.name,
            Assessment.instrument_id,
            Assessment.instrument_version,
        )
        .join(Round, Round.id == Assessment.round_id)
        .where(Assessment.agency_id == assessment.agency_id)
        .order_by(*round_order())
    ).all()
    ids = [row[0] for row in rows]
    earlier = rows[: ids.index(assessment.id)] if assessment.id in ids else rows
    for assessment_id, status, round_name, instrument_id, version in reversed(earlier):
        if status != AssessmentStatus.SUBMITTED:
            continue
        source = f"{instrument_id}@{version}"
        answers = stored_answers(session, [assessment_id])[assessment_id]
        carried = carrier.carry(answers, source, target)
        if carried is not None:
            return CarrySource(assessment_id, round_name, source, carried)
    return None


def previous_round_score(
    session: Session, assessment: Assessment, catalog: InstrumentCatalog | None = None
) -> tuple[str, ScoreResult] | None:
    """The agency's latest earlier submitted answers (see `carry_source`), carried to this
    assessment's questionnaire and scored with its profile: (round name, figures)."""
    source = carry_source(session, assessment, catalog)
    if source is None:
        return None
    instrument = instrument_of(assessment, catalog)
    try:
        score = score_assessment(
            instrument, source.carried.answers, assessment_profile(assessment, instrument)
        )
    except ValueError:
        return None  # carried answers that no longer fit: nothing to compare with
    return source.round_name, score

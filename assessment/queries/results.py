"""Results: one source for every figure of an assessment.

The rule, used by every page, report, API answer, export and command:

- A **submitted** assessment's figures (overall, dimension and theme score, level and
  coverage) are the stored Result rows written at submission or by `round rescore`, and
  nothing else. The explanation beside them (which practices are met, blocking, the
  roadmap) is derived from the locked answers.
- A **draft** is scored live from its answers so far; its figures are *provisional*.
- Stored results carry the scoring key they were computed with
  (`domain.scoring.scoring_key`). When the instrument's current key differs (its weights,
  credits, levels or conditions changed, or the scoring rules did), the results are
  *stale*: they are still the figures shown, flagged, until the round is rescored.

Results of many agencies are read set-wise straight into a DataFrame: benchmarks never
load ORM objects or raw answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, String, select, type_coerce
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.results import (
    RESULT_ASSESSMENT_COLUMNS,
    RESULT_COLUMNS,
    RESULT_FIGURE_COLUMNS,
    Figure,
    ScoreResult,
    with_figures,
)
from assessment.domain.rules.scoring import Profile, score_assessment, scoring_key
from assessment.domain.rules.trajectory import RoundInfo
from assessment.queries.answers import stored_answers
from assessment.queries.instruments import instrument_for, instrument_of
from assessment.queries.profiles import assessment_profile
from assessment.queries.rounds import round_info, round_order
from assessment.services.errors import NotFound, ServiceError
from assessment.store.models import Agency, Assessment, AssessmentStatus, Result, Round


@dataclass(frozen=True)
class AssessmentResults:
    """An assessment's figures with their explanation, and where the figures come from."""

    score: ScoreResult  # stored figures when submitted, live ones for a draft
    provisional: bool  # a draft, scored live from its answers so far
    stale: bool  # stored under another scoring key than the instrument's current one
    scored_with: str | None  # the scoring key of the stored figures
    profile: Profile  # the profile answers the figures were computed under

    @property
    def status_note(self) -> str | None:
        """What a reader must know about these figures, or None when they are final."""
        if self.provisional:
            return "Provisional figures: a draft, scored from the answers given so far."
        if self.stale:
            return (
                "These figures were computed with an earlier scoring of this questionnaire; "
                "an administrator can rescore the round to bring them up to date."
            )
        return None


def assessment_results(
    session: Session, assessment: Assessment, catalog: InstrumentCatalog | None = None
) -> AssessmentResults:
    """The assessment's results under the rule of this module's docstring."""
    instrument = instrument_of(assessment, catalog)
    answers = stored_answers(session, [assessment.id])[assessment.id]
    profile = assessment_profile(assessment, instrument)
    try:
        live = score_assessment(instrument, answers, profile)
    except ValueError as error:
        raise ServiceError(f"the stored answers do not fit {instrument.key}: {error}") from None
    if assessment.status != AssessmentStatus.SUBMITTED:
        return AssessmentResults(live, True, False, None, profile)
    stored = with_figures(live, stored_figures(session, assessment.id))
    stale = assessment.scored_with != scoring_key(instrument)
    return AssessmentResults(stored, False, stale, assessment.scored_with, profile)


def stored_figures(session: Session, assessment_id: int) -> dict[tuple[str, str], Figure]:
    """The stored figures of one assessment, keyed by (scope, key)."""
    rows = session.execute(
        select(
            type_coerce(Result.scope, String),
            Result.key,
            Result.score,
            Result.level,
            Result.coverage,
        ).where(Result.assessment_id == assessment_id)
    )
    return {
        (scope, key): Figure(score, level, coverage) for scope, key, score, level, coverage in rows
    }


def submitted_assessment(session: Session, agency: Agency, round_: Round) -> Assessment:
    """The agency's submitted assessment in the round, or NotFound saying what is missing."""
    assessment = session.scalar(
        select(Assessment).where(
            Assessment.agency_id == agency.id, Assessment.round_id == round_.id
        )
    )
    if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
        state = "has not started" if assessment is None else "has not submitted"
        raise NotFound(f"{agency.name} {state} its assessment in round {round_.name}")
    return assessment


def agency_progress(
    session: Session, agency_id: int, catalog: InstrumentCatalog | None = None
) -> list[tuple[RoundInfo, AssessmentResults]]:
    """The agency's submitted assessments, oldest round first, with their results."""
    assessments = session.scalars(
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(Assessment.agency_id == agency_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(*round_order())
    ).all()
    return [(round_info(a.round), assessment_results(session, a, catalog)) for a in assessments]


def results_select() -> Select[*tuple[Any, ...]]:
    """The long form in one joined statement (for SQL users; the frame loads it faster)."""
    return (
        select(
            Agency.id.label("agency_id"),
            Agency.name.label("agency"),
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Round.id.label("round_id"),
            Round.name.label("round"),
            Assessment.instrument_id,
            Assessment.instrument_version,
            # Plain strings, not enum members: cheaper and what a frame wants.
            type_coerce(Result.scope, String).label("scope"),
            Result.key,
            Result.score,
            Result.level,
            Result.coverage,
        )
        .join(Assessment, Result.assessment_id == Assessment.id)
        .join(Agency, Assessment.agency_id == Agency.id)
        .join(Round, Assessment.round_id == Round.id)
        .where(Assessment.status == AssessmentStatus.SUBMITTED)
    )


def round_results_frame(session: Session, round_id: int) -> pd.DataFrame:
    """Every stored figure of the round's submitted assessments, one row per figure."""
    return results_frame(session, Assessment.round_id == round_id)


def agency_results_frame(session: Session, agency_id: int) -> pd.DataFrame:
    """Every stored figure of an agency's submitted assessments, over all rounds."""
    return results_frame(session, Assessment.agency_id == agency_id)


def results_frame(session: Session, *where: ColumnElement[bool]) -> pd.DataFrame:
    """Figures of the submitted assessments matching `where`, as a typed long frame.

    Two set-based statements instead of the one joined `results_select()`: the figures
    (narrow, many rows) and their assessments (wide, one row each), joined in pandas.
    Repeating the agency columns on every figure row tripled the load time.
    """
    submitted = (Assessment.status == AssessmentStatus.SUBMITTED.value, *where)
    figures = _fetch(
        session,
        select(
            Result.assessment_id,
            type_coerce(Result.scope, String),
            Result.key,
            Result.score,
            Result.level,
            Result.coverage,
        )
        .join(Assessment, Result.assessment_id == Assessment.id)
        .where(*submitted)
        .order_by(Result.assessment_id, Result.id),
        RESULT_FIGURE_COLUMNS,
    )
    assessments = _fetch(
        session,
        select(
            Assessment.id,
            Agency.id,
            Agency.name,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Round.id,
            Round.name,
            Assessment.instrument_id,
            Assessment.instrument_version,
        )
        .join(Agency, Assessment.agency_id == Agency.id)
        .join(Round, Assessment.round_id == Round.id)
        # Drafts too: one submitted between the two statements still finds its agency.
        .where(*where),
        RESULT_ASSESSMENT_COLUMNS,
    )
    return _joined(assessments, figures)


def _fetch(
    session: Session, statement: Select[*tuple[Any, ...]], names: tuple[str, ...]
) -> pd.DataFrame:
    """Run a statement on the session's DBAPI cursor and give its rows as a frame.

    The driver's plain tuples skip SQLAlchemy's row objects, which cost as much again as
    the fetch; the statements bind plain values only, so no type processing is lost.
    """
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    parameters: Any = compiled.params
    if compiled.positional:
        parameters = tuple(compiled.params[name] for name in compiled.positiontup or ())
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), parameters)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=list(names), coerce_float=True)


def _joined(assessments: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """The assessment columns repeated onto each figure row, in RESULT_COLUMNS order."""
    # Typed before repeating: converting 10,000 assessment rows is cheaper than 130,000.
    assessments = assessments.astype(_ASSESSMENT_DTYPES)
    figures = figures.astype(_FIGURE_DTYPES)
    positions = pd.Index(assessments["assessment_id"]).get_indexer(figures["assessment_id"])
    found = positions >= 0
    repeated = assessments.iloc[positions[found]].reset_index(drop=True)
    values = figures[found].drop(columns="assessment_id").reset_index(drop=True)
    frame: pd.DataFrame = pd.concat([repeated, values], axis=1)[list(RESULT_COLUMNS)]
    return frame


_ASSESSMENT_DTYPES = {
    **dict.fromkeys(RESULT_ASSESSMENT_COLUMNS, "str"),
    **dict.fromkeys(("assessment_id", "agency_id", "round_id"), "int64"),
}
_FIGURE_DTYPES = {
    "assessment_id": "int64",
    "scope": "str",
    "key": "str",
    "score": "float64",
    "level": "Int64",
    "coverage": "float64",
}


def stale_rounds(
    session: Session, catalog: InstrumentCatalog | None = None
) -> list[tuple[Round, int]]:
    """Rounds whose submitted results were computed under another scoring, oldest first.

    Each with how many of its submitted assessments are stale: stored before results named
    their scoring, or under another scoring key than the instrument's current one (its
    weights, credits, levels or conditions changed, or the scoring rules did). An instrument
    version the catalog no longer has counts as stale; rescoring it says what is missing.
    """
    rows = session.execute(
        select(
            Assessment.round_id,
            Assessment.instrument_id,
            Assessment.instrument_version,
            Assessment.scored_with,
        ).where(Assessment.status == AssessmentStatus.SUBMITTED)
    ).all()
    keys: dict[tuple[str, str], str | None] = {}
    counts: dict[int, int] = {}
    for round_id, instrument_id, version, scored_with in rows:
        if (instrument_id, version) not in keys:
            try:
                keys[instrument_id, version] = scoring_key(
                    instrument_for(instrument_id, version, catalog)
                )
            except NotFound:
                keys[instrument_id, version] = None
        if scored_with is None or scored_with != keys[instrument_id, version]:
            counts[round_id] = counts.get(round_id, 0) + 1
    if not counts:
        return []
    found = session.scalars(
        select(Round).where(Round.id.in_(list(counts))).order_by(*round_order())
    )
    return [(round_, counts[round_.id]) for round_ in found]

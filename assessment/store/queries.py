"""Read helpers: stored results as pandas frames, lookups used by several areas.

Results are read set-wise straight into a DataFrame: benchmarks over many agencies never
load ORM objects or raw answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, String, select, type_coerce
from sqlalchemy.orm import Session

from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Result,
    Round,
)

_FIGURE_COLUMNS = ("assessment_id", "scope", "key", "score", "level", "coverage")
_ASSESSMENT_COLUMNS = (
    "assessment_id",
    "agency_id",
    "agency",
    "country",
    "agency_type",
    "size_band",
    "round_id",
    "round",
    "instrument_id",
    "instrument_version",
)
# What a figure row carries: the assessment's columns, then the figure's own.
RESULT_COLUMNS = _ASSESSMENT_COLUMNS[1:] + _FIGURE_COLUMNS[1:]


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


def round_submissions(session: Session, round_id: int) -> list[tuple[int, datetime | None]]:
    """The round's submitted agencies and when they submitted, in order (time, then id)."""
    rows = session.execute(
        select(Assessment.agency_id, Assessment.submitted_at)
        .where(
            Assessment.round_id == round_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .order_by(Assessment.submitted_at, Assessment.id)
    )
    return [(agency_id, submitted_at) for agency_id, submitted_at in rows]


def round_closings(session: Session, round_id: int) -> list[datetime]:
    """When the round was closed, oldest first, from the audit trail.

    A reopening counts too: only a closed round can be reopened, so it marks a closing
    at the latest (rounds loaded closed have no closing event of their own).
    """
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("round.closed", "round.opened")))
        .order_by(AuditEvent.at)
    )
    return [event.at for event in events if (event.detail or {}).get("round_id") == round_id]


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
        _FIGURE_COLUMNS,
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
        _ASSESSMENT_COLUMNS,
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
    **dict.fromkeys(_ASSESSMENT_COLUMNS, "str"),
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

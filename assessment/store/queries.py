"""Read helpers: stored results as pandas frames, lookups used by several areas.

Results are read in one SQL statement straight into a DataFrame: benchmarks over many
agencies never load ORM objects or raw answers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session

from assessment.store.models import Agency, Assessment, AssessmentStatus, Result, Round

RESULT_COLUMNS = (
    "agency_id",
    "agency",
    "country",
    "agency_type",
    "size_band",
    "round_id",
    "round",
    "instrument_id",
    "instrument_version",
    "scope",
    "key",
    "score",
    "level",
    "coverage",
)


def results_select() -> Select[*tuple[Any, ...]]:
    """Stored results of submitted assessments in long form (one row per figure)."""
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
    return results_frame(session, results_select().where(Assessment.round_id == round_id))


def agency_results_frame(session: Session, agency_id: int) -> pd.DataFrame:
    """Every stored figure of an agency's submitted assessments, over all rounds."""
    return results_frame(session, results_select().where(Assessment.agency_id == agency_id))


def results_frame(session: Session, statement: Select[*tuple[Any, ...]]) -> pd.DataFrame:
    """Run a `results_select()` (possibly narrowed) and give the rows as a typed frame."""
    rows = session.execute(statement.order_by(Assessment.id, Result.id)).all()
    frame = pd.DataFrame.from_records(rows, columns=list(RESULT_COLUMNS))
    return frame.astype(
        {
            "agency_id": "int64",
            "round_id": "int64",
            "score": "float64",
            "level": "Int64",
            "coverage": "float64",
        }
    )

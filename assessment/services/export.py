"""A round's results as a table: one row per agency, stable column names.

Columns: agency, country, agency_type, size_band, round, status, overall_score,
overall_level, then `<dimension>_score` and `<dimension>_level` for each dimension of the
round's instrument in instrument order. Drafts have empty figures: results exist only for
submitted assessments. The command line writes CSV or JSON; the web adds XLSX from the
same rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.queries.instruments import instrument_for
from assessment.services.errors import NotFound
from assessment.store.models import Agency, Assessment, Result, ResultScope, Round

BASE_COLUMNS = (
    "agency",
    "country",
    "agency_type",
    "size_band",
    "round",
    "status",
    "overall_score",
    "overall_level",
)
FIGURES = ("score", "level")
SCORE_DECIMALS = 2
Cell = str | int | float | None


@dataclass(frozen=True)
class RoundExport:
    """The rows of a round's export and their column names, in order."""

    round_name: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, Cell], ...]


def round_export(
    session: Session, round_id: int, catalog: InstrumentCatalog | None = None
) -> RoundExport:
    """One row per agency with an assessment in the round, sorted by agency name."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    instrument = instrument_for(round_.instrument_id, round_.instrument_version, catalog)
    dimension_ids = [d.id for d in instrument.dimensions]
    columns = BASE_COLUMNS + tuple(
        f"{dimension_id}_{figure}" for dimension_id in dimension_ids for figure in FIGURES
    )
    figures = _figures(session, round_id)
    rows = tuple(
        _row(columns, round_.name, agency_row, figures.get(agency_row.assessment_id, {}))
        for agency_row in _agencies(session, round_id)
    )
    return RoundExport(round_.name, columns, rows)


def write_csv(export: RoundExport, stream: TextIO) -> None:
    """Write the export as CSV with a header row; empty cells for missing figures."""
    writer = csv.DictWriter(stream, fieldnames=export.columns, lineterminator="\n")
    writer.writeheader()
    for row in export.rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})


def to_json(export: RoundExport) -> str:
    """The export as a JSON array of row objects (keys in column order; null when missing)."""
    return json.dumps([dict(row) for row in export.rows], indent=2, ensure_ascii=False) + "\n"


def _agencies(session: Session, round_id: int) -> list[Any]:
    return list(
        session.execute(
            select(
                Assessment.id.label("assessment_id"),
                Assessment.status,
                Agency.name,
                Agency.country,
                Agency.agency_type,
                Agency.size_band,
            )
            .join(Agency, Assessment.agency_id == Agency.id)
            .where(Assessment.round_id == round_id)
            .order_by(Agency.name, Agency.id)
        )
    )


def _figures(session: Session, round_id: int) -> dict[int, dict[str, Cell]]:
    """Stored overall and dimension figures by assessment, keyed like the export columns."""
    rows = session.execute(
        select(Result.assessment_id, Result.scope, Result.key, Result.score, Result.level)
        .join(Assessment, Result.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_id, Result.scope != ResultScope.THEME)
    )
    figures: dict[int, dict[str, Cell]] = {}
    for row in rows:
        prefix = "overall" if row.scope == ResultScope.OVERALL else row.key
        cells = figures.setdefault(row.assessment_id, {})
        cells[f"{prefix}_score"] = None if row.score is None else round(row.score, SCORE_DECIMALS)
        cells[f"{prefix}_level"] = row.level
    return figures


def _row(
    columns: tuple[str, ...], round_name: str, agency: Any, figures: Mapping[str, Cell]
) -> dict[str, Cell]:
    known: dict[str, Cell] = {
        "agency": agency.name,
        "country": agency.country,
        "agency_type": agency.agency_type,
        "size_band": agency.size_band,
        "round": round_name,
        "status": str(agency.status.value),
    }
    return {column: known.get(column, figures.get(column)) for column in columns}

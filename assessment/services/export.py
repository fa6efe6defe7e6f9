"""A round's results as a table: one row per agency, stable column names.

Columns: agency, country, agency_type, size_band, round, status, overall_score,
overall_level, then `<dimension>_score` and `<dimension>_level` for each dimension of the
round's instrument in instrument order, for an instrument with baseline practices
`baseline_met` and `baseline_open` (legal and safety obligations, counted apart from the
scores), then `profile_<question>` for each profile question that a condition of the
instrument refers to (the answers that decided what applied; a list of options joined by
"; "), and last `scoring`: "current", or "stale" when the stored figures were computed
with an earlier scoring of the instrument (rescore the round).
Drafts have empty figures: results exist only for submitted assessments. The command line
writes CSV or JSON; the web also offers XLSX.

Spreadsheet writers (CSV, XLSX) pass every cell through `spreadsheet_cell`: text that a
spreadsheet would evaluate as a formula (OWASP CSV injection) gets a leading single
quote. JSON keeps the stored text unchanged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.instrument import Instrument, PracticeKind
from assessment.domain.rules.scoring import Profile, score_assessment, scoring_key
from assessment.queries.answers import answer_authors, stored_answers
from assessment.queries.instruments import instrument_for
from assessment.queries.profiles import assessment_profiles
from assessment.services.errors import NotFound
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    Result,
    ResultScope,
    Round,
)

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
SCORING_COLUMN = "scoring"
BASELINE_COLUMNS = ("baseline_met", "baseline_open")  # format-2 instruments with a baseline
PROFILE_PREFIX = "profile_"
SCORE_DECIMALS = 2
Cell = str | int | float | bool | None
# What makes a spreadsheet read a text cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit


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
    has_baseline = any(p.kind is PracticeKind.BASELINE for p in instrument.practices())
    deciding = _deciding_questions(instrument)
    columns = (
        *BASE_COLUMNS,
        *(f"{dimension_id}_{figure}" for dimension_id in dimension_ids for figure in FIGURES),
        *(BASELINE_COLUMNS if has_baseline else ()),
        *(PROFILE_PREFIX + question_id for question_id in deciding),
        SCORING_COLUMN,
    )
    figures = _figures(session, round_id)
    agencies = _agencies(session, round_id)
    profiles = assessment_profiles(session, {row.assessment_id: instrument for row in agencies})
    if has_baseline:
        baseline = _baseline_cells(session, instrument, figures, profiles)
        for assessment_id, cells in baseline.items():
            figures.setdefault(assessment_id, {}).update(cells)
    for assessment_id, profile in profiles.items():
        cells = figures.setdefault(assessment_id, {})
        for question_id in deciding:
            cells[PROFILE_PREFIX + question_id] = _profile_cell(profile.get(question_id))
    current = scoring_key(instrument)
    rows = tuple(
        _row(columns, round_.name, agency_row, figures.get(agency_row.assessment_id, {}), current)
        for agency_row in agencies
    )
    return RoundExport(round_.name, columns, rows)


def _deciding_questions(instrument: Instrument) -> list[str]:
    """The profile questions that some practice's condition refers to, in profile order."""
    referred = {
        practice.show_if.profile_id
        for practice in instrument.practices()
        if practice.show_if is not None and practice.show_if.profile_id is not None
    }
    return [question.id for question in instrument.profile if question.id in referred]


def _profile_cell(value: object) -> Cell:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


ANSWER_COLUMNS = (
    "dimension",
    "practice_id",
    "question",
    "level",
    "answer",
    "option_id",
    "not_applicable",
    "comment",
    "answered_by",
    "answered_at",
)


def answers_export(
    session: Session, assessment: Assessment, catalog: InstrumentCatalog | None = None
) -> RoundExport:
    """One row per question of the assessment's instrument, in instrument order: the
    question text, the answer chosen (empty when unanswered), the evidence comment, and
    who saved it when. The same table as CSV or JSON for the agency's own records.
    """
    instrument = instrument_for(assessment.instrument_id, assessment.instrument_version, catalog)
    stored = {row.practice_id: row for row in assessment.answers}
    authors = answer_authors(session, assessment.id)
    rows: list[Mapping[str, Cell]] = []
    for dimension in instrument.dimensions:
        for practice in dimension.practices:
            answer = stored.get(practice.id)
            option = (
                practice.answer_set.option(answer.option_id)
                if answer is not None and answer.option_id
                else None
            )
            author = authors.get(practice.id)
            rows.append(
                {
                    "dimension": str(dimension.title),
                    "practice_id": practice.id,
                    "question": str(practice.text),
                    "level": practice.level,
                    "answer": str(option.label) if option is not None else None,
                    "option_id": option.id if option is not None else None,
                    "not_applicable": bool(answer.not_applicable) if answer else False,
                    "comment": answer.comment if answer is not None else "",
                    "answered_by": (author.email or None) if author is not None else None,
                    "answered_at": author.answered_at.isoformat() if author else None,
                }
            )
    return RoundExport(assessment.round.name, ANSWER_COLUMNS, tuple(rows))


def spreadsheet_cell(value: Cell) -> Cell:
    """The value as a spreadsheet should hold it: text that would run as a formula is quoted.

    Numbers stay numbers (a negative score is not text); only strings are prefixed.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def spreadsheet_rows(export: RoundExport) -> Iterator[list[Cell]]:
    """The header row, then one row per agency, every cell made safe for spreadsheets."""
    yield [spreadsheet_cell(column) for column in export.columns]
    for row in export.rows:
        yield [spreadsheet_cell(row.get(column)) for column in export.columns]


def write_csv(export: RoundExport, stream: TextIO) -> None:
    """Write the export as CSV with a header row; empty cells for missing figures."""
    writer = csv.writer(stream, lineterminator="\n")
    for row in spreadsheet_rows(export):
        writer.writerow(["" if value is None else value for value in row])


def xlsx_bytes(export: RoundExport) -> bytes:
    """The export as an XLSX workbook: one sheet named after the round, a bold header row.

    Every text cell is typed as text, so that no string becomes a formula or an error value
    (openpyxl reads "=..." as a formula and "#N/A" as an error unless told otherwise).
    Control characters that XLSX cannot hold become U+FFFD instead of failing the export.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = f"Round {export.round_name}"[:MAX_SHEET_TITLE]
    for row in spreadsheet_rows(export):
        sheet.append([_xlsx_text(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_text(value: Cell) -> Cell:
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def to_json(export: RoundExport) -> str:
    """The export as a JSON array of row objects (keys in column order; null when missing)."""
    return json.dumps([dict(row) for row in export.rows], indent=2, ensure_ascii=False) + "\n"


def _agencies(session: Session, round_id: int) -> list[Any]:
    return list(
        session.execute(
            select(
                Assessment.id.label("assessment_id"),
                Assessment.status,
                Assessment.scored_with,
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


def _baseline_cells(
    session: Session,
    instrument: Instrument,
    figures: Mapping[int, Mapping[str, Cell]],
    profiles: Mapping[int, Profile],
) -> dict[int, dict[str, Cell]]:
    """Baseline obligations met and open per submitted assessment (those with figures),
    derived from the locked answers under the assessment's profile, as on the results
    page."""
    cells: dict[int, dict[str, Cell]] = {}
    for assessment_id, answers in stored_answers(session, figures).items():
        baseline = score_assessment(instrument, answers, profiles.get(assessment_id)).baseline
        met = sum(len(d.met) for d in baseline.dimensions.values())
        cells[assessment_id] = {"baseline_met": met, "baseline_open": len(baseline.open)}
    return cells


def _row(
    columns: tuple[str, ...],
    round_name: str,
    agency: Any,
    figures: Mapping[str, Cell],
    current_key: str,
) -> dict[str, Cell]:
    submitted = agency.status == AssessmentStatus.SUBMITTED
    known: dict[str, Cell] = {
        SCORING_COLUMN: ("current" if agency.scored_with == current_key else "stale")
        if submitted
        else None,
        "agency": agency.name,
        "country": agency.country,
        "agency_type": agency.agency_type,
        "size_band": agency.size_band,
        "round": round_name,
        "status": str(agency.status.value),
    }
    return {column: known.get(column, figures.get(column)) for column in columns}

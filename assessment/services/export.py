"""A round's results as a table: one row per agency, stable column names.

Columns: agency, country, agency_type, size_band, round, status, overall_score,
overall_level, then `<dimension>_score` and `<dimension>_level` for each dimension of the
round's instrument in instrument order, `<theme>_score` for each cross-cutting theme (themes
have no level), for an instrument with baseline practices
`baseline_met` and `baseline_open` (legal and safety obligations, counted apart from the
scores), then `profile_<question>` for each profile question that a condition of the
instrument refers to (the answers that decided what applied; a list of options joined by
"; "), and last `scoring`: "current", or "stale" when the stored figures were computed
with an earlier scoring of the instrument (rescore the round).
Drafts have empty figures: results exist only for submitted assessments.

Beside it, `answers_export_long` is the round's per-question table: one row per stored
answer (agency, round, instrument version, practice, option, credit, not applicable, who
answered and when; the evidence comment only when asked for, since it may be sensitive).
Both take a peer group (country, type, size), so an export started from a filtered page
holds that page's agencies. `COLUMN_DEFINITIONS` says what every column means; the XLSX
workbook carries one sheet per table and a sheet of those definitions.

Spreadsheet writers (CSV, XLSX) pass every cell through `spreadsheet_cell`: text that a
spreadsheet would evaluate as a formula (OWASP CSV injection) gets a leading single
quote. JSON keeps the stored text unchanged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
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
from assessment.domain.rules.benchmark import PeerGroup
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
    User,
)
from assessment.store.models import Answer as AnswerRow

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
    session: Session,
    round_id: int,
    catalog: InstrumentCatalog | None = None,
    group: PeerGroup | None = None,
    agency_ids: Sequence[int] | None = None,
) -> RoundExport:
    """One row per agency of `group` (default all; or of `agency_ids`) with an assessment in
    the round, by name."""
    round_ = _round(session, round_id)
    instrument = instrument_for(round_.instrument_id, round_.instrument_version, catalog)
    dimension_ids = [d.id for d in instrument.dimensions]
    theme_ids = list(instrument.themes)
    has_baseline = any(p.kind is PracticeKind.BASELINE for p in instrument.practices())
    deciding = _deciding_questions(instrument)
    columns = (
        *BASE_COLUMNS,
        *(f"{dimension_id}_{figure}" for dimension_id in dimension_ids for figure in FIGURES),
        *(f"{theme_id}_score" for theme_id in theme_ids),
        *(BASELINE_COLUMNS if has_baseline else ()),
        *(PROFILE_PREFIX + question_id for question_id in deciding),
        SCORING_COLUMN,
    )
    figures = _figures(session, round_id)
    agencies = _agencies(session, round_id, group or PeerGroup(), agency_ids)
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


def _round(session: Session, round_id: int) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound(f"there is no round with id {round_id}")
    return round_


def _in_group(group: PeerGroup) -> list[Any]:
    """SQL conditions keeping the agencies of the group."""
    columns = {
        "country": Agency.country,
        "agency_type": Agency.agency_type,
        "size_band": Agency.size_band,
    }
    return [columns[name] == value for name, value in group.filters.items()]


LONG_COLUMNS = (
    "agency",
    "country",
    "agency_type",
    "size_band",
    "round",
    "instrument_version",
    "status",
    "dimension",
    "practice_id",
    "option_id",
    "option",
    "credit",
    "not_applicable",
    "answered_by",
    "answered_at",
)
COMMENT_COLUMN = "comment"


def answers_export_long(
    session: Session,
    round_id: int,
    catalog: InstrumentCatalog | None = None,
    group: PeerGroup | None = None,
    *,
    comments: bool = False,
) -> RoundExport:
    """Every stored answer of the round's assessments (of `group`), one row each, by agency
    name and then instrument order; the evidence comment only when `comments` is set."""
    round_ = _round(session, round_id)
    query = (
        select(
            Agency.name,
            Agency.country,
            Agency.agency_type,
            Agency.size_band,
            Assessment.id.label("assessment_id"),
            Assessment.instrument_id,
            Assessment.instrument_version,
            Assessment.status,
            AnswerRow.practice_id,
            AnswerRow.option_id,
            AnswerRow.not_applicable,
            AnswerRow.comment,
            AnswerRow.answered_at,
            User.email,
        )
        .join(Assessment, AnswerRow.assessment_id == Assessment.id)
        .join(Agency, Assessment.agency_id == Agency.id)
        .outerjoin(User, User.id == AnswerRow.answered_by_id)
        .where(Assessment.round_id == round_id, *_in_group(group or PeerGroup()))
        .order_by(Agency.name, Agency.id, AnswerRow.id)
    )
    instruments: dict[tuple[str, str], Instrument] = {}
    positions: dict[tuple[str, str], dict[str, int]] = {}
    rows: list[tuple[tuple[str, int, int], dict[str, Cell]]] = []
    for row in session.execute(query):
        version = (row.instrument_id, row.instrument_version)
        if version not in instruments:
            instruments[version] = instrument_for(*version, catalog)
            order = {p.id: i for i, p in enumerate(instruments[version].practices())}
            positions[version] = order
        instrument = instruments[version]
        practice = instrument.practice(row.practice_id)
        option = (
            practice.answer_set.option(row.option_id)
            if practice is not None and row.option_id
            else None
        )
        cells: dict[str, Cell] = {
            "agency": row.name,
            "country": row.country,
            "agency_type": row.agency_type,
            "size_band": row.size_band,
            "round": round_.name,
            "instrument_version": f"{row.instrument_id}@{row.instrument_version}",
            "status": str(row.status.value),
            "dimension": practice.dimension_id if practice is not None else None,
            "practice_id": row.practice_id,
            "option_id": row.option_id,
            "option": str(option.label) if option is not None else None,
            "credit": option.credit if option is not None else None,
            "not_applicable": bool(row.not_applicable),
            "answered_by": row.email,
            "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        }
        if comments:
            cells[COMMENT_COLUMN] = row.comment or ""
        position = positions[version].get(row.practice_id, len(positions[version]))
        rows.append(((row.name, row.assessment_id, position), cells))
    rows.sort(key=lambda entry: entry[0])
    columns = (*LONG_COLUMNS, COMMENT_COLUMN) if comments else LONG_COLUMNS
    return RoundExport(round_.name, columns, tuple(cells for _, cells in rows))


COLUMN_DEFINITIONS: dict[str, str] = {
    "agency": "The agency's name.",
    "country": "The agency's country (ISO 3166-1 alpha-2 code).",
    "agency_type": "The agency's type, as the questionnaire's profile options name it.",
    "size_band": "The agency's size band (number of staff), as the profile options name it.",
    "round": "The assessment round.",
    "status": "draft (being answered, no stored figures) or submitted (locked, figures stored).",
    "overall_score": "Overall index 0-100: weighted mean of the dimension scores (2 decimals).",
    "overall_level": "Overall maturity level under the instrument's overall level rule.",
    "baseline_met": "Baseline (legal and safety) obligations met; never part of a score.",
    "baseline_open": "Baseline obligations not met or not answered.",
    SCORING_COLUMN: "current, or stale when the stored figures predate the instrument's "
    "current scoring (rescore the round); empty for drafts.",
    "instrument_version": "The questionnaire and version the assessment was answered on.",
    "dimension": "The id of the dimension the practice belongs to.",
    "practice_id": "The stable id of the practice (question).",
    "option_id": "The id of the option chosen; empty when not applicable or not chosen.",
    "option": "The label of the option chosen.",
    "credit": "The credit (0-1) the option earns toward the score.",
    "not_applicable": "TRUE when the agency marked the practice as not applicable.",
    "answered_by": "The e-mail of the account that last saved the answer (empty if removed).",
    "answered_at": "When the answer was last saved (UTC, ISO 8601).",
    COMMENT_COLUMN: "The evidence comment given with the answer (may be sensitive).",
}


def column_definition(column: str) -> str:
    """What an export column holds, including the per-dimension, theme and profile ones."""
    if column in COLUMN_DEFINITIONS:
        return COLUMN_DEFINITIONS[column]
    if column.startswith(PROFILE_PREFIX):
        question = column.removeprefix(PROFILE_PREFIX)
        return f"The profile answer to '{question}' that decided which practices applied."
    subject, _, figure = column.rpartition("_")
    if figure == "score":
        return f"Score 0-100 of dimension or theme '{subject}' (2 decimals)."
    if figure == "level":
        return f"Maturity level of dimension '{subject}'."
    return "See the product documentation."


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
    """The export as an XLSX workbook: one sheet named after the round, a bold header row."""
    return workbook_bytes({f"Round {export.round_name}": export}, definitions=False)


DEFINITIONS_SHEET = "Columns"


def workbook_bytes(tables: Mapping[str, RoundExport], *, definitions: bool = True) -> bytes:
    """An XLSX workbook with one sheet per table (bold header, frozen first row) and, with
    `definitions`, a last sheet defining every column of every table.

    Every text cell is typed as text, so that no string becomes a formula or an error value
    (openpyxl reads "=..." as a formula and "#N/A" as an error unless told otherwise).
    Control characters that XLSX cannot hold become U+FFFD instead of failing the export.
    """
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new workbook always has one sheet
    workbook.remove(first)
    for title, table in tables.items():
        _fill_sheet(workbook.create_sheet(title[:MAX_SHEET_TITLE]), spreadsheet_rows(table))
    if definitions:
        rows = [["sheet", "column", "definition"]]
        for title, table in tables.items():
            rows += [[title, column, column_definition(column)] for column in table.columns]
        safe = ([spreadsheet_cell(value) for value in row] for row in rows)
        _fill_sheet(workbook.create_sheet(DEFINITIONS_SHEET), safe)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_sheet(sheet: Any, rows: Iterator[list[Cell]]) -> None:
    for row in rows:
        sheet.append([_xlsx_text(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _xlsx_text(value: Cell) -> Cell:
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def to_json(export: RoundExport) -> str:
    """The export as a JSON array of row objects (keys in column order; null when missing)."""
    return json.dumps([dict(row) for row in export.rows], indent=2, ensure_ascii=False) + "\n"


def _agencies(
    session: Session, round_id: int, group: PeerGroup, agency_ids: Sequence[int] | None
) -> list[Any]:
    chosen = [] if agency_ids is None else [Agency.id.in_(list(agency_ids))]
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
            .where(Assessment.round_id == round_id, *_in_group(group), *chosen)
            .order_by(Agency.name, Agency.id)
        )
    )


def _figures(session: Session, round_id: int) -> dict[int, dict[str, Cell]]:
    """Stored overall, dimension and theme figures by assessment, keyed like the columns."""
    rows = session.execute(
        select(Result.assessment_id, Result.scope, Result.key, Result.score, Result.level)
        .join(Assessment, Result.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_id)
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


EXPORT_TABLES = ("results", "answers")


def round_tables(
    session: Session,
    round_id: int,
    catalog: InstrumentCatalog | None = None,
    group: PeerGroup | None = None,
    *,
    comments: bool = False,
) -> dict[str, RoundExport]:
    """The round's results and per-question answers of `group`, by table name."""
    return {
        "results": round_export(session, round_id, catalog, group),
        "answers": answers_export_long(session, round_id, catalog, group, comments=comments),
    }


def workbook_of(tables: Mapping[str, RoundExport]) -> bytes:
    """The tables as one workbook: a sheet per table ('results 2026'), then the columns."""
    return workbook_bytes({f"{name} {table.round_name}": table for name, table in tables.items()})

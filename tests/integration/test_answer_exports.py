"""The per-question export, peer-group filters on exports, and the workbook of tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.domain.model.answers import Answer
from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries.instruments import default_catalog
from assessment.services import assessments, export
from assessment.store.models import Agency, Round, User
from assessment.store.models import Answer as AnswerRow
from tests.conftest import BUNDLED_QUESTIONNAIRE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_COMMENT = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def answered_round(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
    create_user: Callable[..., User],
) -> Round:
    """Three agencies: a Belgian local one submitted (every practice answered, one with a
    hostile comment), a Dutch national draft with two answers, a Belgian one not started."""
    instrument = default_catalog().get(BUNDLED_QUESTIONNAIRE)
    round_ = create_round("2026")
    brugge = create_agency(name="Politie Brugge", country="BE", agency_type="local")
    haaglanden = create_agency(name="Politie Haaglanden", country="NL", agency_type="national")
    create_agency(name="Politie Gent", country="BE", agency_type="local")
    lead = create_user(role="lead", agency=brugge)
    chosen = {p.id: Answer(p.id, p.answer_set.best.id) for p in instrument.practices()}
    chosen["policy.written-policy"] = Answer(
        "policy.written-policy", chosen["policy.written-policy"].option_id, False, HOSTILE_COMMENT
    )
    done = assessments.start_assessment(
        session, agency_id=brugge.id, round_id=round_.id, actor=None
    )
    assessments.save_answers(session, assessment_id=done.id, answers=chosen, actor=lead)
    assessments.submit_assessment(session, assessment_id=done.id, revision=1, actor=None)
    draft = assessments.start_assessment(
        session, agency_id=haaglanden.id, round_id=round_.id, actor=None
    )
    two = {key: chosen[key] for key in ("policy.written-policy", "training.operator-training")}
    assessments.save_answers(session, assessment_id=draft.id, answers=two, actor=None)
    return round_


def test_every_stored_answer_appears_once(session: Session, answered_round: Round) -> None:
    table = export.answers_export_long(session, answered_round.id)
    stored = session.scalar(select(func.count(AnswerRow.id)))
    assert len(table.rows) == stored
    keys = [(row["agency"], row["practice_id"]) for row in table.rows]
    assert len(set(keys)) == len(keys)
    stored_keys = {
        (name, practice)
        for name, practice in session.execute(
            select(Agency.name, AnswerRow.practice_id)
            .select_from(AnswerRow)
            .join_from(AnswerRow, AnswerRow.assessment)
            .join(Agency)
        )
    }
    assert set(keys) == stored_keys
    brugge = [row for row in table.rows if row["agency"] == "Politie Brugge"]
    first = brugge[0]
    assert first["instrument_version"] == BUNDLED_QUESTIONNAIRE
    assert first["credit"] == 1.0 and first["option"] and first["status"] == "submitted"
    assert first["answered_by"] and str(first["answered_by"]).endswith("@example.org")
    assert first["answered_at"] and export.COMMENT_COLUMN not in table.columns


def test_comments_only_when_asked_and_then_neutralised(
    session: Session, answered_round: Round
) -> None:
    plain = export.answers_export_long(session, answered_round.id)
    assert all(HOSTILE_COMMENT not in str(value) for row in plain.rows for value in row.values())
    with_comments = export.answers_export_long(session, answered_round.id, comments=True)
    assert with_comments.columns[-1] == "comment"
    stream = io.StringIO()
    export.write_csv(with_comments, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert f"'{HOSTILE_COMMENT}" in [row["comment"] for row in rows]
    cells = [cell for row in csv.reader(io.StringIO(stream.getvalue())) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


def test_filters_apply_to_both_tables(session: Session, answered_round: Round) -> None:
    dutch = export.round_tables(session, answered_round.id, group=PeerGroup(country="NL"))
    assert {row["agency"] for row in dutch["results"].rows} == {"Politie Haaglanden"}
    assert {row["agency"] for row in dutch["answers"].rows} == {"Politie Haaglanden"}
    assert len(dutch["answers"].rows) == 2
    local = export.round_tables(
        session, answered_round.id, group=PeerGroup(country="BE", agency_type="local")
    )
    assert {row["agency"] for row in local["answers"].rows} == {"Politie Brugge"}
    nobody = export.round_tables(session, answered_round.id, group=PeerGroup(country="FR"))
    assert not nobody["results"].rows and not nobody["answers"].rows


def test_workbook_has_a_sheet_per_table_and_defines_every_column(
    session: Session, answered_round: Round
) -> None:
    tables = export.round_tables(session, answered_round.id, comments=True)
    book = load_workbook(io.BytesIO(export.workbook_of(tables)))
    assert book.sheetnames == ["results 2026", "answers 2026", "Columns"]
    answers = list(book["answers 2026"].iter_rows(values_only=True))
    assert len(answers) == 1 + len(tables["answers"].rows)
    assert f"'{HOSTILE_COMMENT}" in [row[-1] for row in answers]
    defined = {
        (sheet, column): text
        for sheet, column, text in book["Columns"].iter_rows(min_row=2, values_only=True)
    }
    for sheet, table in (("results 2026", tables["results"]), ("answers 2026", tables["answers"])):
        for column in table.columns:
            assert defined[(sheet, column)], column
            assert defined[(sheet, column)] != "See the product documentation.", column
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value]
    assert not [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    assert {c.data_type for c in cells if isinstance(c.value, str)} == {"s"}


def test_cli_exports_answers_of_a_group_and_a_workbook(
    answered_round: Round, database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["export", "--round", "2026", "--database-url", database_url]
    result = runner.invoke(main, [*base, "--table", "answers", "--country", "NL"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["agency"] for row in rows} == {"Politie Haaglanden"} and len(rows) == 2
    assert "comment" not in rows[0]
    refused = runner.invoke(main, [*base, "--format", "xlsx"])
    assert refused.exit_code != 0 and "-o FILE.xlsx" in refused.output
    target = tmp_path / "round.xlsx"
    written = runner.invoke(main, [*base, "--format", "xlsx", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert load_workbook(target).sheetnames == ["results 2026", "answers 2026", "Columns"]

"""The database commands, run through Click against real databases."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from assessment.cli import main
from assessment.store.db import Database
from assessment.store.migrate import current_revision, head_revision
from assessment.store.models import Agency, Role, Round, User


def run(*args: str, database_url: str | None = None, stdin: str | None = None) -> Result:
    env = {"DATABASE_URL": database_url} if database_url else {}
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def test_init_creates_the_schema_and_is_safe_twice(empty_database_url: str) -> None:
    first = run("init", "--database-url", empty_database_url)
    assert first.exit_code == 0, first.output
    assert "Database ready" in first.output and f"schema {head_revision()}" in first.output
    second = run("init", database_url=empty_database_url)
    assert second.exit_code == 0, second.output
    database = Database(empty_database_url)
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()


def test_init_defaults_to_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ASSESSMENT_INSTANCE", raising=False)
    result = run("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "instance" / "assessment.db").is_file()


def test_commands_on_an_uninitialised_database_say_so(empty_database_url: str) -> None:
    result = run("export", "--round", "2026", database_url=empty_database_url)
    assert result.exit_code == 2
    assert "run `assessment init` first" in result.output
    assert "Traceback" not in result.output


def test_demo_data_if_empty_and_export(database_url: str, tmp_path: Path) -> None:
    loaded = run("demo-data", "--agencies", "12", "--seed", "3", database_url=database_url)
    assert loaded.exit_code == 0, loaded.output
    assert "12 agencies, rounds 2024, 2025, 2026" in loaded.output
    assert "admin@example.org" in loaded.output and "demo-password-2026" in loaded.output

    skipped = run("demo-data", "--if-empty", database_url=database_url)
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    refused = run("demo-data", database_url=database_url)
    assert refused.exit_code == 2 and "needs it empty" in refused.output

    target = tmp_path / "2025.csv"
    written = run("export", "--round", "2025", "-o", str(target), database_url=database_url)
    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert 9 <= len(rows) <= 12 and {row["round"] for row in rows} == {"2025"}
    assert list(rows[0])[:8] == [
        "agency",
        "country",
        "agency_type",
        "size_band",
        "round",
        "status",
        "overall_score",
        "overall_level",
    ]
    as_json = run("export", "--round", "2025", "--format", "json", database_url=database_url)
    assert as_json.exit_code == 0
    parsed = json.loads(as_json.output)
    assert [row["agency"] for row in parsed] == [row["agency"] for row in rows]
    assert [str(row["overall_level"] or "") for row in parsed] == [
        row["overall_level"] for row in rows
    ]


def test_export_of_an_unknown_round(database_url: str) -> None:
    result = run("export", "--round", "1999", database_url=database_url)
    assert result.exit_code == 2
    assert "there is no round '1999'" in result.output


def test_user_and_round_commands(database_url: str) -> None:
    created = run(
        "round", "create", "2026", "--questionnaire", "sm-policing-maturity@1.0.0",
        database_url=database_url,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    admin = run(
        "user", "create", "--email", "Chief@Example.org", "--role", "admin",
        database_url=database_url, stdin="a long enough password\na long enough password\n",
    )  # fmt: skip
    assert admin.exit_code == 0, admin.output
    closed = run("round", "close", "2026", database_url=database_url)
    assert closed.exit_code == 0 and "closed" in closed.output

    database = Database(database_url)
    try:
        with database.session() as session:
            round_ = session.scalar(select(Round))
            assert round_ is not None and not round_.is_open
            user = session.scalar(select(User))
            assert user is not None and (user.email, user.role) == ("chief@example.org", Role.ADMIN)
            assert session.scalar(select(func.count()).select_from(Agency)) == 0
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["round", "create", "2027", "--questionnaire", "sm-policing-maturity"], "ID@VERSION"),
        (["round", "create", "2027", "--questionnaire", "nope@1.0.0"], "no instrument 'nope'"),
        (
            [
                "user",
                "create",
                "--email",
                "x@example.org",
                "--role",
                "lead",
                "--password",
                "p" * 12,
            ],
            "agency-id: a lead needs an agency",
        ),
        (
            ["user", "create", "--email", "x@example.org", "--role", "lead", "--agency", "Nope"],
            "there is no agency named 'Nope'",
        ),
        (
            [
                "user",
                "create",
                "--email",
                "x@example.org",
                "--role",
                "admin",
                "--password",
                "short",
            ],
            "password: use at least 12 characters",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(database_url: str, args: list[str], message: str) -> None:
    result = run(*args, database_url=database_url, stdin="p" * 12 + "\n" + "p" * 12 + "\n")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_bad_database_url_exits_2() -> None:
    result = run("init", "--database-url", "not a url")
    assert result.exit_code == 2
    assert "not a database URL" in result.output

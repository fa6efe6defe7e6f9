"""Every command with bad arguments: exit status 2 (1 where documented) and one message line.

Bad input is a missing or broken database, an unknown round, agency, user or
questionnaire, an unreadable or invalid file, a bad option value. Whatever it is, the
command must end with `Error: ...` (or, for files, `FILE:LINE: ...` lines) and never with
a traceback. Click's own usage errors add their "Usage:" and "Try ..." hint lines.

Arguments may name places prepared by the fixtures: {db} the test database's URL (with a
round 2025, agency North Police and a consultant), {empty} a database that was never set
up, {tmp} a fresh folder, {file} an ordinary file, and {answers}, {bad_json}, {deep_json},
{binary}, {bad_yaml}, {deep_yaml} files with the content their name says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.store.models import Agency, Role, Round, User
from tests.conftest import sqlite_url

NESTING = 100_000
ANSWERS = '{"questionnaire": {"id": "sm-policing-maturity", "version": "1.0.0"}, "answers": {}}'
USAGE_HINTS = ("Usage:", "Try '")


@dataclass(frozen=True)
class Case:
    """A command line, the exit status it must end with and a fragment of its message."""

    args: tuple[str, ...]
    says: str
    status: int = 2
    database_url: str | None = None  # DATABASE_URL, for commands that take no option

    def label(self) -> str:
        """A readable test id."""
        return " ".join(self.args)[:90]


def case(line: str, says: str, status: int = 2, database_url: str | None = None) -> Case:
    """A case from a command line written with `|` between arguments."""
    return Case(tuple(line.split("|")), says, status, database_url)


DATABASE_CASES = [
    # The database itself
    case("export|--round|2025|--database-url|not a url", "not a database URL"),
    case("export|--round|2025|--database-url|nosuchdb://x/y", "nosuchdb"),
    case("export|--round|2025|--database-url|{empty}", "run `assessment init` first"),
    case("export|--round|2025|--database-url|sqlite:///{file}/x.db", "cannot create the folder"),
    case("export|--round|2025|--database-url|sqlite:///{tmp}", "database error"),
    case("export|--round|2025|--database-url|sqlite:///{binary}", "database error"),
    case(
        "export|--round|2025|--database-url|postgresql+psycopg://nobody@127.0.0.1:1/none",
        "database error",
    ),
    case("init|--database-url|sqlite:///{file}/x.db", "cannot create the folder"),
    case("init|--database-url|sqlite:///{binary}", "cannot set up"),
    # Unknown rounds
    case("export|--round|2099|--database-url|{db}", "there is no round '2099'; rounds: 2025"),
    case("export|--round|99999999999999999999|--database-url|{db}", "there is no round"),
    case("export|--round|²|--database-url|{db}", "there is no round '²'"),
    case("benchmark|--round|2099|--database-url|{db}", "there is no round '2099'"),
    case("round|open|2099|--database-url|{db}", "there is no round '2099'"),
    case("round|close|-1|--database-url|{db}", "No such option '-1'"),
    case("round|close|--database-url|{db}|--|-1", "there is no round '-1'"),
    case("round|rescore|2099|--database-url|{db}", "there is no round '2099'"),
    case("report|agency|North Police|--round|2099|-o|{tmp}/a.pdf|--database-url|{db}", "2099"),
    case("report|cohort|--round|2099|-o|{tmp}/c.pdf|--database-url|{db}", "2099"),
    case("report|batch|--round|2099|-o|{tmp}/out|--database-url|{db}", "2099"),
    # Unknown agencies, users and questionnaires
    case("report|agency|Nope|--round|2025|-o|{tmp}/a.pdf|--database-url|{db}", "'Nope'"),
    case(
        "report|agency|99999999999999999999|--round|2025|-o|{tmp}/a.pdf|--database-url|{db}",
        "no agency named '99999999999999999999'",
    ),
    case(
        "user|create|--email|x@example.org|--role|lead|--agency|Nope|--password|"
        "a long enough password|--database-url|{db}",
        "agency: there is no agency named 'Nope'",
    ),
    case(
        "user|create|--email|x@example.org|--role|lead|--agency|²|--password|"
        "a long enough password|--database-url|{db}",
        "no agency named '²'",
    ),
    case("token|create|--email|nobody@example.org|--name|x|--database-url|{db}", "no active"),
    case(
        "round|create|2026|--questionnaire|nope@9|--database-url|{db}",
        "questionnaire nope@9 is not available",
    ),
    case("round|create|2026|--questionnaire|nope|--database-url|{db}", "ID@VERSION"),
    case(
        "round|create|2025|--questionnaire|sm-policing-maturity@1.0.0|--database-url|{db}",
        "already exists",
    ),
    # Bad option values
    case("export|--round|2025|--format|xml|--database-url|{db}", "'xml' is not one of"),
    case("export|--round|2025|-o|{tmp}|--database-url|{db}", "is a directory"),
    case("export|--round|2025|-o|{file}/out.csv|--database-url|{db}", "cannot write"),
    case("benchmark|--round|2025|--format|xml|--database-url|{db}", "'xml' is not one of"),
    case("benchmark|--round|2025|--k|2|--database-url|{db}", "--k"),
    case("benchmark|--round|2025|--k|five|--database-url|{db}", "'five' is not a valid integer"),
    case("report|cohort|--round|2025|--k|1|-o|{tmp}/c.pdf|--database-url|{db}", "--k"),
    case("report|agency|North Police|--round|2025|-o|{tmp}/no/a.pdf|--database-url|{db}", "folder"),
    case("report|batch|--round|2025|-o|{file}|--database-url|{db}", "--output"),
    case("report|batch|--round|2025|-o|{tmp}/out|--jobs|-1|--database-url|{db}", "--jobs"),
    case("report|batch|--round|2025|-o|{tmp}/out|--database-url|{db}", "no agency has submitted"),
    case("demo-data|--agencies|0|--database-url|{db}", "--agencies"),
    case("demo-data|--database-url|{db}", "empty"),
    case(
        "round|create|2026|--questionnaire|sm-policing-maturity@1.0.0|--starts-on|2026-13-01"
        "|--database-url|{db}",
        "--starts-on",
    ),
    case(
        "user|create|--email|x@example.org|--role|king|--password|a long enough password"
        "|--database-url|{db}",
        "--role",
    ),
    case(
        "user|create|--email|x@example.org|--role|admin|--password|short|--database-url|{db}",
        "password",
    ),
    case("export|--database-url|{db}", "Missing option '--round'"),
    case("no-such-command", "No such command"),
]

FILE_CASES = [
    case("score|--questionnaire|sm-policing-maturity|--answers|{tmp}/none.json", "none.json"),
    case("score|--questionnaire|sm-policing-maturity|--answers|{tmp}", "is a directory"),
    case("score|--questionnaire|sm-policing-maturity|--answers|{bad_json}", "invalid JSON"),
    case("score|--questionnaire|sm-policing-maturity|--answers|{deep_json}", "deep.json"),
    case("score|--questionnaire|sm-policing-maturity|--answers|{binary}", "binary"),
    case("score|--questionnaire|nope|--answers|{answers}", "--questionnaire"),
    case("score|--questionnaire|{bad_yaml}|--answers|{answers}", "--questionnaire"),
    case("score|--questionnaire|{deep_yaml}|--answers|{answers}", "--questionnaire"),
    case(
        "score|--questionnaire|sm-policing-maturity|--answers|{answers}|--format|xml",
        "'xml' is not one of",
    ),
    case(
        "score|--questionnaire|sm-policing-maturity|--answers|{answers}|--targets|policy=²",
        "--targets: 'policy=²' is not DIMENSION=LEVEL",
    ),
    case(
        "score|--questionnaire|sm-policing-maturity|--answers|{answers}|--targets|policy=99",
        "--targets",
    ),
    case("questionnaire|show|nope", "nope"),
    case("questionnaire|show|sm-policing-maturity|--format|xml", "'xml' is not one of"),
    case("questionnaire|show|{deep_yaml}", "deep.yaml"),
    case("questionnaire|show|{binary}", "binary"),
    case("questionnaire|list|--directory|{file}", "is a file"),
    case("questionnaire|list|--directory|{tmp}/none", "does not exist"),
    case("questionnaire|show|sm-policing-maturity|--directory|{tmp}/none", "does not exist"),
    case("serve|--port|70000", "70000"),
    # Documented in tests/web/test_serve.py: serve refuses its database with status 1.
    case("serve", "run `assessment init` first", 1, database_url="{empty}"),
    case("serve", "not a database URL", 1, database_url="not a url"),
    case("serve", "not a database URL", 1, database_url="nosuchdb://x/y"),
    case("serve", "cannot open the database", 1, database_url="sqlite:///{binary}"),
    case(
        "serve",
        "cannot open the database",
        1,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
    ),
]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    """Files and folders the cases name, each with the content its name says."""
    files = {
        "file": "just text\n",
        "answers": ANSWERS,
        "bad_json": '{"questionnaire": {"id": "x"},\n "answers": {,}}',
        "deep_json": "[" * NESTING + "]" * NESTING,
        "bad_yaml": "id: [unclosed\nversion: 1.0.0\n",
        "deep_yaml": "[" * NESTING + "]" * NESTING,
    }
    suffixes = {"answers": "json", "bad_json": "json", "deep_json": "json"}
    names = {"deep_json": "deep", "deep_yaml": "deep"}
    made = {"tmp": str(tmp_path)}
    for key, text in files.items():
        path = tmp_path / f"{names.get(key, key)}.{suffixes.get(key, 'yaml')}"
        path.write_text(text, encoding="utf-8")
        made[key] = str(path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01" * 64)
    made["binary"] = str(binary)
    (tmp_path / "empty.db").touch()
    made["empty"] = sqlite_url(tmp_path / "empty.db")
    return made


def run(case_: Case, values: Mapping[str, str]) -> Result:
    """Invoke the command of `case_` in-process; exceptions are kept, not raised."""
    args = [arg.format(**values) for arg in case_.args]
    url = case_.database_url.format(**values) if case_.database_url is not None else None
    return CliRunner().invoke(main, args, env={"DATABASE_URL": url}, catch_exceptions=True)


def problems_with(result: Result, case_: Case) -> list[str]:
    """What is wrong with how the command ended (empty when it ended well)."""
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"raised {type(result.exception).__name__}: {result.exception}")
    if result.exit_code != case_.status:
        problems.append(f"exit status {result.exit_code}, expected {case_.status}")
    if "Traceback" in result.output:
        problems.append("printed a traceback")
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith(USAGE_HINTS)
    ]
    if len(lines) != 1:
        problems.append(f"{len(lines)} message lines instead of one: {lines[:5]}")
    if case_.says not in result.stderr:
        problems.append(f"the message does not say {case_.says!r}")
    return problems


@pytest.fixture
def database_places(
    database_url: str,
    places: dict[str, str],
    session: Session,
    create_round: Callable[..., Round],
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
) -> dict[str, str]:
    """The places, and {db}: the test database with a round, an agency and a consultant."""
    create_round("2025")
    create_agency(name="North Police")
    create_user(Role.CONSULTANT, email="consultant@example.org")
    return places | {"db": database_url}


@pytest.mark.parametrize("case_", DATABASE_CASES, ids=Case.label)
def test_database_commands_refuse_bad_arguments_in_one_line(
    database_places: dict[str, str], case_: Case
) -> None:
    result = run(case_, database_places)
    assert not problems_with(result, case_), (problems_with(result, case_), result.output)


@pytest.mark.parametrize("case_", FILE_CASES, ids=Case.label)
def test_file_commands_refuse_bad_arguments_in_one_line(
    places: dict[str, str], case_: Case
) -> None:
    result = run(case_, places)
    assert not problems_with(result, case_), (problems_with(result, case_), result.output)


def test_invalid_questionnaire_files_name_file_and_line(places: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["questionnaire", "validate", places["bad_yaml"], places["deep_yaml"]]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines, "no problems printed"
    for line in lines:
        assert line.startswith((f"{places['bad_yaml']}:", f"{places['deep_yaml']}:")), line
    assert any(line.startswith(f"{places['bad_yaml']}:2:") for line in lines), lines
    assert "Traceback" not in result.output

"""`assessment questionnaire validate | list | show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assessment.cli import main
from assessment.resources import questionnaires_dir
from tests.unit.instrument_yaml import MINIMAL_YAML, edit, line_of, write_instrument


def run(*args: str) -> Result:
    """Run `assessment questionnaire ARGS...`."""
    return CliRunner().invoke(main, ["questionnaire", *args])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A catalog folder with mini 1.0.0 and 1.2.0."""
    write_instrument(tmp_path, "mini", "1.0.0")
    write_instrument(tmp_path, "mini", "1.2.0")
    return tmp_path


# ----------------------------------------------------------------------------- validate


def test_validate_prints_ok_with_counts(folder: Path) -> None:
    path = folder / "mini-1.0.0.yaml"
    result = run("validate", str(path))

    assert result.exit_code == 0
    assert result.stdout == f"OK {path} (mini@1.0.0: 2 dimensions, 3 practices)\n"
    assert result.stderr == ""


def test_validate_prints_each_problem_on_stderr_and_exits_2(folder: Path) -> None:
    good = folder / "mini-1.0.0.yaml"
    bad = folder / "bad.yaml"
    text = edit(MINIMAL_YAML, "answer_set: implementation", "answer_set: implemntation")
    text = edit(text, "effort: low", "effort: lo")
    bad.write_text(text, encoding="utf-8")

    result = run("validate", str(bad), str(good))

    assert result.exit_code == 2
    assert result.stdout == f"OK {good} (mini@1.0.0: 2 dimensions, 3 practices)\n"
    assert result.stderr.splitlines() == [
        f"{bad}:{line_of(text, 'implemntation')}: dimensions[0].practices[0].answer_set: "
        "unknown answer set 'implemntation' (did you mean 'implementation'?)",
        f"{bad}:{line_of(text, 'effort: lo')}: dimensions[0].practices[0].recommendation.effort: "
        "'lo' is not one of: low, medium, high (did you mean 'low'?)",
    ]


def test_validate_missing_file_exits_2_with_a_message(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    result = run("validate", str(missing))

    assert result.exit_code == 2
    assert result.stderr == f"{missing}:1: top level: no such file\n"


def test_validate_needs_a_path() -> None:
    result = run("validate")

    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.stderr


def test_validate_bundled_instruments() -> None:
    paths = sorted(str(path) for path in questionnaires_dir().glob("*.yaml"))
    result = run("validate", *paths)

    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(paths)


# ----------------------------------------------------------------------------- list


def test_list_shows_id_version_counts_and_title(folder: Path) -> None:
    result = run("list", "--directory", str(folder))

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "ID    VERSION  DIMENSIONS  PRACTICES  THEMES  TITLE",
        "mini  1.0.0    2           3          1       Mini instrument",
        "mini  1.2.0    2           3          1       Mini instrument",
    ]


def test_list_of_an_empty_folder(tmp_path: Path) -> None:
    result = run("list", "--directory", str(tmp_path))

    assert result.exit_code == 0
    assert result.stdout == f"no instruments in {tmp_path}\n"


def test_list_reports_a_broken_instrument(folder: Path) -> None:
    (folder / "broken-1.0.0.yaml").write_text("id: [\n", encoding="utf-8")
    result = run("list", "--directory", str(folder))

    assert result.exit_code == 2
    assert result.stderr.startswith(f"{folder / 'broken-1.0.0.yaml'}:2: syntax: ")


def test_list_defaults_to_the_bundled_instruments() -> None:
    result = run("list")

    assert result.exit_code == 0, result.stderr
    assert any(line.startswith("sm-policing-maturity ") for line in result.stdout.splitlines())


# ----------------------------------------------------------------------------- show


def test_show_text_outline(folder: Path) -> None:
    result = run("show", "mini", "--directory", str(folder))

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Mini instrument (mini@1.2.0)"
    for expected in [
        "  2  Developing: Documented.",
        "  implementation: not (0), partial (0.5), fully (1)",
        "  short: 0-6 months (months 0-6)",
        "  policy: Policy (weight 1, 2 practices)",
        "    level 2: A written policy.",
        "    - policy.written (level 2, weight 1, implementation)",
        "      A written policy exists.",
        "      themes: ethics",
        "  staffing: Staffing (weight 0.5, 1 practice)",
        "  ethics: Ethics (1 practice)",
        "  country: Country (country; required)",
        "  agency_type: Agency type (choice; options local, national)",
    ]:
        assert expected in lines


def test_show_json_is_the_normalised_instrument(folder: Path) -> None:
    result = run("show", "mini@1.0.0", "--format", "json", "--directory", str(folder))

    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == [
        "id",
        "version",
        "title",
        "description",
        "languages",
        "levels",
        "answer_sets",
        "format",
        "scoring",
        "phases",
        "themes",
        "sources",
        "profile",
        "dimensions",
    ]
    assert data["version"] == "1.0.0"
    assert data["scoring"] == {
        "met_at": 0.75,
        "level_rule": "gated",
        "overall_level_rule": "lowest",
    }
    assert data["dimensions"][0]["practices"][1]["show_if"] == {
        "practice": "policy.written",
        "any_of": ["partial", "fully"],
    }


def test_show_json_in_one_language(folder: Path) -> None:
    args = ["show", "mini", "--format", "json", "--language", "en", "--directory", str(folder)]
    data = json.loads(run(*args).stdout)

    assert data["title"] == "Mini instrument"


def test_show_a_file_path(folder: Path) -> None:
    result = run("show", str(folder / "mini-1.0.0.yaml"))

    assert result.exit_code == 0
    assert result.stdout.startswith("Mini instrument (mini@1.0.0)\n")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("nope", "error: no instrument 'nope'; available: mini@1.0.0, mini@1.2.0\n"),
        ("mini@9.9.9", "error: no version 9.9.9 of 'mini'; versions: 1.0.0, 1.2.0\n"),
    ],
)
def test_show_unknown_instrument_exits_2(folder: Path, ref: str, message: str) -> None:
    result = run("show", ref, "--directory", str(folder))

    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_show_bundled_instrument() -> None:
    result = run("show", "sm-policing-maturity")

    assert result.exit_code == 0, result.stderr
    assert "(sm-policing-maturity@" in result.stdout.splitlines()[0]

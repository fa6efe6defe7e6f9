"""`assessment score` on the bundled instrument and the example answer files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assessment.cli import main
from assessment.domain.formats.answer_file import load_answers_file
from assessment.domain.formats.serialize import score_to_dict
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import score_assessment
from assessment.queries.instruments import default_catalog
from assessment.resources import questionnaires_dir
from tests.unit.instrument_yaml import MINIMAL_YAML

INSTRUMENT_ID = "sm-policing-maturity"
EXAMPLE = questionnaires_dir() / "examples" / "mid-level-agency.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["score", *args])


def run_example(*args: str) -> Result:
    return run("--questionnaire", INSTRUMENT_ID, "--answers", str(EXAMPLE), *args)


def write_answers(tmp_path: Path, answers: dict[str, Any], **top: Any) -> Path:
    document = {"questionnaire": {"id": INSTRUMENT_ID, "version": "1.0.0"}, "answers": answers}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**document, **top}), encoding="utf-8")
    return path


def assert_refused(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, never a traceback
    for fragment in fragments:
        assert fragment in result.stderr


def test_text_report_shows_each_dimension_theme_and_the_roadmap() -> None:
    instrument = default_catalog().get(f"{INSTRUMENT_ID}@1.0.0")
    answers = load_answers_file(EXAMPLE).answers
    expected = score_assessment(instrument, answers)

    result = run_example()

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for dimension in instrument.dimensions:
        figures = expected.dimensions[dimension.id]
        (row,) = [line for line in lines if line.startswith(f"{dimension.title} ")]
        level_name = instrument.level(figures.level).name
        assert f"{figures.score:.1f}  {figures.level} {level_name}" in row
        assert all(practice_id in row for practice_id in figures.blocking)
    assert any(line.startswith("Overall ") for line in lines)
    assert all(str(theme.title) in result.output for theme in instrument.themes.values())
    assert "ROADMAP (targets: policy 4," in result.output
    assert "0-6 months (months 0-6)" in result.output
    assert "projected overall:" in result.output


def test_json_output_is_the_serialised_score_and_roadmap() -> None:
    instrument = default_catalog().get(f"{INSTRUMENT_ID}@1.0.0")
    answers_file = load_answers_file(EXAMPLE)
    scored = score_assessment(instrument, answers_file.answers)
    roadmap = build_roadmap(instrument, answers_file.answers, scored, {"policy": 5})

    result = run_example("--format", "json", "--targets", "policy=5")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == {"agency": answers_file.agency, **score_to_dict(scored, roadmap, instrument)}
    assert data["questionnaire"] == {
        "id": INSTRUMENT_ID,
        "version": "1.0.0",
        "title": str(instrument.title),
    }
    assert data["targets"]["policy"] == 5
    assert {"phase", "actions", "projected"} <= set(data["roadmap"][0])


def test_questionnaire_given_as_a_yaml_path() -> None:
    path = questionnaires_dir() / f"{INSTRUMENT_ID}-1.0.0.yaml"

    by_path = run("--questionnaire", str(path), "--answers", str(EXAMPLE), "--format", "json")

    assert by_path.exit_code == 0, by_path.output
    assert by_path.output == run_example("--format", "json").output


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("policy", "--targets: 'policy' is not DIMENSION=LEVEL"),
        ("policy=high", "--targets: 'policy=high' is not DIMENSION=LEVEL"),
        ("policy=²", "--targets: 'policy=²' is not DIMENSION=LEVEL"),
        ("policy=3,policy=4", "--targets: dimension 'policy' is given twice"),
        ("budgett=3", "--targets: target for unknown dimension 'budgett'"),
        ("policy=9", "--targets: target level 9 for dimension 'policy' is outside the scale 1-5"),
    ],
)
def test_bad_targets_are_refused(targets: str, message: str) -> None:
    assert_refused(run_example("--targets", targets), message)


def test_invalid_answers_are_refused_naming_each_practice(tmp_path: Path) -> None:
    path = write_answers(
        tmp_path,
        {"policy.written-policy": "sometimes", "policy.no-such-practice": "fully"},
    )

    result = run("--questionnaire", INSTRUMENT_ID, "--answers", str(path))

    assert_refused(
        result,
        "2 answers are not valid for sm-policing-maturity@1.0.0",
        f"{path}: answers.policy.written-policy: option 'sometimes' is not one of:",
        f"{path}: answers.policy.no-such-practice: unknown practice",
    )


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (
            {"contry": "NL"},
            "profile.contry: unknown profile question (not in "
            "sm-policing-maturity@1.0.0) (did you mean 'country'?)",
        ),
        ({"agency_type": "federal"}, "profile.agency_type: 'federal' is not one of: national,"),
        ({"agency_type": 3}, "profile.agency_type: 3 is not one of: national,"),
        ({"country": "Netherlands"}, "profile.country: must be a two-letter country code"),
        ({"population_served": "many"}, "profile.population_served: must be a whole number"),
        ({"population_served": True}, "profile.population_served: must be a whole number"),
        ({"platforms": "facebook"}, "profile.platforms: must be a list of option ids"),
        ({"platforms": ["myspace"]}, "profile.platforms: 'myspace' is not one of:"),
    ],
)
def test_profile_answers_are_checked_against_the_questions(
    tmp_path: Path, profile: dict[str, Any], message: str
) -> None:
    path = write_answers(tmp_path, {}, profile=profile)

    assert_refused(
        run("--questionnaire", INSTRUMENT_ID, "--answers", str(path)), f"{path}: {message}"
    )


def test_a_null_profile_answer_is_not_answered_yet(tmp_path: Path) -> None:
    path = write_answers(tmp_path, {}, profile={"country": None, "platforms": None})

    assert run("--questionnaire", INSTRUMENT_ID, "--answers", str(path)).exit_code == 0


def test_a_flood_of_unknown_practices_is_listed_up_to_a_cap(tmp_path: Path) -> None:
    answers = {f"policy.unknown-{n}": "fully" for n in range(300_000)}
    path = write_answers(tmp_path, answers)

    result = run("--questionnaire", INSTRUMENT_ID, "--answers", str(path))

    assert_refused(
        result,
        "300,000 answers are not valid for sm-policing-maturity@1.0.0",
        f"{path}: answers.policy.unknown-19: unknown practice",
        "... and 299,980 more",
    )
    assert "unknown-20:" not in result.stderr
    assert len(result.stderr) < 5_000


def test_answers_for_another_instrument_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"questionnaire": {"id": "other-survey"}, "answers": {}}')

    result = run("--questionnaire", INSTRUMENT_ID, "--answers", str(path))

    assert_refused(
        result,
        "the answers are for other-survey, but --questionnaire gives sm-policing-maturity@2.0.0",
    )


def test_answers_for_another_version_are_refused(tmp_path: Path) -> None:
    path = write_answers(tmp_path, {}, questionnaire={"id": INSTRUMENT_ID, "version": "0.9.0"})

    explicit = run("--questionnaire", f"{INSTRUMENT_ID}@1.0.0", "--answers", str(path))
    by_id = run("--questionnaire", INSTRUMENT_ID, "--answers", str(path))

    assert_refused(explicit, "the answers are for sm-policing-maturity@0.9.0, but")
    assert_refused(by_id, "--questionnaire: no version 0.9.0 of 'sm-policing-maturity'")


def test_unknown_questionnaire_is_refused() -> None:
    result = run("--questionnaire", "no-such-survey", "--answers", str(EXAMPLE))

    assert_refused(result, "--questionnaire: no instrument 'no-such-survey'")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the answers file"),
        ('{"questionnaire": {"id": "x"},\n "answers": [}', ":2:"),
        ('{"questionnaire": {"id": "x"}, "answers": {"a": 3}}', "answers.a: must be an option id"),
    ],
)
def test_unreadable_or_malformed_answers_file_is_refused(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "agency.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    result = run("--questionnaire", INSTRUMENT_ID, "--answers", str(path))

    assert_refused(result, str(path), message)


def test_fully_met_agency_gets_an_empty_roadmap(tmp_path: Path) -> None:
    instrument = default_catalog().get(f"{INSTRUMENT_ID}@1.0.0")
    answers = {p.id: p.answer_set.best.id for p in instrument.practices()}
    path = write_answers(tmp_path, answers)

    result = run("--questionnaire", INSTRUMENT_ID, "--answers", str(path))

    assert result.exit_code == 0, result.output
    assert "nothing to do: every target is reached" in result.output
    assert "5 Optimising" in result.output


def test_an_unreachable_target_and_a_partial_projection_are_said(tmp_path: Path) -> None:
    instrument = tmp_path / "mini-1.0.0.yaml"
    instrument.write_text(
        MINIMAL_YAML.replace("dimensions:\n", "scoring:\n  level_rule: averaged\ndimensions:\n", 1),
        encoding="utf-8",
    )
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "questionnaire": {"id": "mini", "version": "1.0.0"},
                "answers": {"policy.written": "not", "staffing.owner": {"not_applicable": True}},
            }
        ),
        encoding="utf-8",
    )

    result = run("--questionnaire", str(instrument), "--answers", str(answers))

    assert result.exit_code == 0, result.output
    # policy.reviewed is hidden until policy.written is met; then it applies, unanswered.
    assert "  projected: policy 100.0 (level 3, over 50% answered), staffing - (level 1)" in (
        result.stdout.splitlines()
    )
    assert (
        "  not reached: staffing stays at level 1 of target 2 (nothing applicable is left to "
        "act on)" in result.stdout.splitlines()
    )

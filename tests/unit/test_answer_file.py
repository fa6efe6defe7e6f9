"""The answers file: parsing real files and naming the file and key on every error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assessment.domain.formats.answer_file import (
    AnswersFileError,
    load_answers_file,
    parse_answers_file,
)
from assessment.domain.model.answers import Answer


def write(tmp_path: Path, document: object, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_full_file_is_parsed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "questionnaire": {"id": "sm-policing-maturity", "version": "1.0.0"},
            "agency": "Example Police",
            "profile": {"country": "NL", "officers": 1200, "platforms": ["x", "facebook"]},
            "answers": {
                "policy.written-policy": "fully",
                "policy.review-cycle": {"option": "partial", "comment": "evidence"},
                "staffing.x": {"not_applicable": True, "comment": "why"},
                "staffing.y": None,
            },
        },
    )

    parsed = load_answers_file(path)

    assert (parsed.questionnaire_id, parsed.questionnaire_version) == (
        "sm-policing-maturity",
        "1.0.0",
    )
    assert parsed.agency == "Example Police"
    assert parsed.profile == {"country": "NL", "officers": 1200, "platforms": ["x", "facebook"]}
    assert parsed.answers == {
        "policy.written-policy": Answer("policy.written-policy", "fully"),
        "policy.review-cycle": Answer("policy.review-cycle", "partial", comment="evidence"),
        "staffing.x": Answer("staffing.x", not_applicable=True, comment="why"),
    }


def test_minimal_file_needs_only_questionnaire_id_and_answers() -> None:
    parsed = parse_answers_file('{"questionnaire": {"id": "q"}, "answers": {}}')

    assert (parsed.questionnaire_version, parsed.agency, parsed.profile) == (None, None, {})
    assert parsed.answers == {}


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "questionnaire": {"id": "q"},\n  "answers": {"a": "b",}\n}\n')

    with pytest.raises(AnswersFileError, match=r"broken.json:3:\d+: invalid JSON"):
        load_answers_file(path)


def test_missing_file_is_an_answers_file_error(tmp_path: Path) -> None:
    with pytest.raises(AnswersFileError, match=r"missing.json: cannot read the answers file"):
        load_answers_file(tmp_path / "missing.json")


def test_file_that_is_not_utf8_is_an_answers_file_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"agency": "Polic\u00eda"}'.encode("latin-1"))

    with pytest.raises(AnswersFileError, match=r"latin1\.json: cannot read"):
        load_answers_file(path)


BASE = {"questionnaire": {"id": "q"}, "answers": {}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], r"the top level must be a JSON object"),
        ({**BASE, "extra": 1}, r"the top level: unknown key 'extra'"),
        ({"answers": {}}, r"questionnaire: must be an object"),
        ({**BASE, "questionnaire": {"id": ""}}, r"questionnaire.id: must be a non-empty string"),
        ({**BASE, "questionnaire": {"id": "q", "v": 1}}, r"questionnaire: unknown key 'v'"),
        (
            {**BASE, "questionnaire": {"id": "q", "version": 1}},
            r"questionnaire.version: must be a string, not a number",
        ),
        ({**BASE, "agency": ["a"]}, r"agency: must be a string, not a list"),
        ({**BASE, "profile": "NL"}, r"profile: must be an object, not a string"),
        ({**BASE, "profile": {"size": {"n": 1}}}, r"profile.size: must be a string, number"),
        ({"questionnaire": {"id": "q"}}, r"answers: must be an object .* not null"),
        ({**BASE, "answers": {"": "fully"}}, r"answers: a practice id is empty"),
        ({**BASE, "answers": {"policy.a": 1}}, r"answers.policy.a: must be an option id"),
        (
            {**BASE, "answers": {"policy.a": {"choice": "x"}}},
            r"answers.policy.a: unknown key 'choice' \(allowed: comment, not_applicable, option\)",
        ),
        (
            {**BASE, "answers": {"policy.a": {"option": 1}}},
            r"answers.policy.a.option: must be a string, not a number",
        ),
        (
            {**BASE, "answers": {"policy.a": {"not_applicable": "yes"}}},
            r"answers.policy.a.not_applicable: must be true or false, not a string",
        ),
        (
            {**BASE, "answers": {"policy.a": {"option": "x", "comment": None}}},
            r"answers.policy.a.comment: must be a string, not null",
        ),
    ],
)
def test_wrong_shapes_name_the_file_and_the_key(
    tmp_path: Path, document: object, message: str
) -> None:
    path = write(tmp_path, document, "agency.json")

    with pytest.raises(AnswersFileError, match=message) as raised:
        load_answers_file(path)

    assert str(raised.value).startswith(f"{path}: ")


def test_duplicate_practice_is_an_error_not_a_silent_overwrite() -> None:
    text = '{"questionnaire": {"id": "q"}, "answers": {"policy.a": "not", "policy.a": "fully"}}'

    with pytest.raises(AnswersFileError, match=r"f.json: key 'policy.a' appears twice"):
        parse_answers_file(text, source="f.json")


def test_nan_is_refused() -> None:
    with pytest.raises(AnswersFileError, match="NaN is not a valid JSON number"):
        parse_answers_file('{"questionnaire": {"id": "q"}, "answers": {}, "profile": {"x": NaN}}')


def test_answers_file_error_is_a_value_error() -> None:
    assert issubclass(AnswersFileError, ValueError)

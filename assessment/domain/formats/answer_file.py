"""The answers file: one agency's answers to one instrument, as JSON.

```json
{"questionnaire": {"id": "sm-policing-maturity", "version": "1.0.0"},
 "agency": "Example Police", "profile": {"country": "NL"},
 "answers": {"policy.written-policy": "fully",
             "policy.review-cycle": {"option": "partial", "comment": "evidence"},
             "staffing.x": {"not_applicable": true, "comment": "why"}}}
```

Only `questionnaire.id` and `answers` are required. An answer is an option id, an object
with `option`, `not_applicable` and `comment`, or null (not answered yet). This module
checks shapes only; `answer_check.check_answers` checks answers against the instrument.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assessment.domain.model.answers import Answer

ProfileValue = str | int | float | bool | list[str] | None

_TOP_KEYS = frozenset({"questionnaire", "agency", "profile", "answers"})
_QUESTIONNAIRE_KEYS = frozenset({"id", "version"})
_ANSWER_KEYS = frozenset({"option", "not_applicable", "comment"})


class AnswersFileError(ValueError):
    """An answers file that cannot be read or has the wrong shape; names file and key."""


@dataclass(frozen=True)
class AnswersFile:
    """The contents of an answers file."""

    questionnaire_id: str
    questionnaire_version: str | None
    agency: str | None
    profile: Mapping[str, ProfileValue] = field(default_factory=dict)
    answers: Mapping[str, Answer] = field(default_factory=dict)


def load_answers_file(path: str | Path) -> AnswersFile:
    """Read and parse an answers file; AnswersFileError names the file and what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AnswersFileError(f"{path}: cannot read the answers file: {error}") from error
    return parse_answers_file(text, source=str(path))


def parse_answers_file(text: str, source: str = "<answers>") -> AnswersFile:
    """Parse answers-file JSON; `source` names the file in error messages."""
    document = _decode(text, source)
    if not isinstance(document, dict):
        raise AnswersFileError(f"{source}: the top level must be a JSON object")
    _reject_unknown_keys(document, _TOP_KEYS, source, "the top level")
    questionnaire_id, version = _questionnaire(document.get("questionnaire"), source)
    return AnswersFile(
        questionnaire_id=questionnaire_id,
        questionnaire_version=version,
        agency=_optional_string(document.get("agency"), source, "agency"),
        profile=_profile(document.get("profile", {}), source),
        answers=_answers(document.get("answers"), source),
    )


def _decode(text: str, source: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise AnswersFileError(
            f"{source}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"
        ) from error
    except _ContentError as error:
        raise AnswersFileError(f"{source}: {error}") from error
    except RecursionError:
        raise AnswersFileError(f"{source}: invalid JSON: nested too deeply") from None


class _ContentError(ValueError):
    """Valid JSON syntax that the format still refuses: a repeated key, NaN or Infinity."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _ContentError(f"key {key!r} appears twice in the same object")
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise _ContentError(f"{name} is not a valid JSON number")


def _reject_unknown_keys(
    document: Mapping[str, object], allowed: frozenset[str], source: str, where: str
) -> None:
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise AnswersFileError(
            f"{source}: {where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _questionnaire(value: object, source: str) -> tuple[str, str | None]:
    if not isinstance(value, dict):
        raise AnswersFileError(
            f'{source}: questionnaire: must be an object like {{"id": "...", "version": "..."}}'
        )
    _reject_unknown_keys(value, _QUESTIONNAIRE_KEYS, source, "questionnaire")
    questionnaire_id = value.get("id")
    if not isinstance(questionnaire_id, str) or not questionnaire_id:
        raise AnswersFileError(f"{source}: questionnaire.id: must be a non-empty string")
    return questionnaire_id, _optional_string(value.get("version"), source, "questionnaire.version")


def _optional_string(value: object, source: str, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise AnswersFileError(f"{source}: {where}: must be a string, not {_json_type(value)}")


def _profile(value: object, source: str) -> dict[str, ProfileValue]:
    if not isinstance(value, dict):
        raise AnswersFileError(f"{source}: profile: must be an object, not {_json_type(value)}")
    return {key: _profile_value(item, source, key) for key, item in value.items()}


def _profile_value(value: object, source: str, key: str) -> ProfileValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    raise AnswersFileError(
        f"{source}: profile.{key}: must be a string, number, true/false, null or a list of strings"
    )


def _answers(value: object, source: str) -> dict[str, Answer]:
    if not isinstance(value, dict):
        raise AnswersFileError(
            f"{source}: answers: must be an object mapping practice ids to answers, "
            f"not {_json_type(value)}"
        )
    answers = {}
    for practice_id, item in value.items():
        if not practice_id:
            raise AnswersFileError(f"{source}: answers: a practice id is empty")
        if item is not None:
            answers[practice_id] = _answer(practice_id, item, source)
    return answers


def _answer(practice_id: str, value: object, source: str) -> Answer:
    where = f"{source}: answers.{practice_id}"
    if isinstance(value, str):
        return Answer(practice_id, option_id=value)
    if not isinstance(value, dict):
        raise AnswersFileError(
            f"{where}: must be an option id or an object with option, not_applicable, "
            f"comment; not {_json_type(value)}"
        )
    _reject_unknown_keys(value, _ANSWER_KEYS, source, f"answers.{practice_id}")
    option = value.get("option")
    not_applicable = value.get("not_applicable", False)
    comment = value.get("comment", "")
    if option is not None and not isinstance(option, str):
        raise AnswersFileError(f"{where}.option: must be a string, not {_json_type(option)}")
    if not isinstance(not_applicable, bool):
        raise AnswersFileError(
            f"{where}.not_applicable: must be true or false, not {_json_type(not_applicable)}"
        )
    if not isinstance(comment, str):
        raise AnswersFileError(f"{where}.comment: must be a string, not {_json_type(comment)}")
    return Answer(practice_id, option_id=option, not_applicable=not_applicable, comment=comment)


def _json_type(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string"}
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return names.get(type(value), type(value).__name__)

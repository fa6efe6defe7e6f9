"""The instrument JSON Schema, and its failures turned into readable problems."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import jsonschema

from assessment.domain.loading.instrument_problems import (
    PathKey,
    ProblemReport,
    describe_value,
    quote_hint,
    show_value,
    suggestion,
)
from assessment.resources import questionnaires_dir

SCHEMA_FILENAME = "instrument.schema.json"


@cache
def instrument_schema() -> dict[str, Any]:
    """The instrument JSON Schema, as shipped beside the bundled instruments."""
    schema: dict[str, Any] = json.loads(
        (questionnaires_dir() / SCHEMA_FILENAME).read_text(encoding="utf-8")
    )
    return schema


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = instrument_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def check_schema(data: dict[str, Any], report: ProblemReport) -> None:
    """Report every way `data` breaks the instrument JSON Schema."""
    for error in _schema_validator().iter_errors(data):
        _report_schema_error(error, report)


def _report_schema_error(error: jsonschema.ValidationError, report: ProblemReport) -> None:
    path: PathKey = tuple(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path:
        # The failing instance is a key of the mapping at `path`.
        key_path = (*path, str(_instance(error)))
        report.add(key_path, _invalid_pattern(error), at_key=True)
        return
    handler = _SCHEMA_MESSAGES.get(str(error.validator))
    if handler is None:
        report.add(path, error.message)
        return
    handler(error, path, report)


def _instance(error: jsonschema.ValidationError) -> Any:
    """The value that failed (typed loosely: it is plain YAML data)."""
    return error.instance


def _rule(error: jsonschema.ValidationError) -> Any:
    """The value of the schema keyword that failed, e.g. the list of required keys."""
    return error.validator_value


def _schema_keyword(error: jsonschema.ValidationError, keyword: str) -> Any:
    """A keyword of the schema that failed, or None."""
    return error.schema.get(keyword) if isinstance(error.schema, Mapping) else None


def _unknown_keys(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    allowed = list(_schema_keyword(error, "properties") or {})
    for key in _instance(error):
        if key not in allowed:
            hint = suggestion(key, allowed, list_all=True)
            report.add((*path, key), f"unknown key '{key}'{hint}", at_key=True)


def _missing_keys(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    for key in _rule(error):
        if key not in _instance(error):
            report.add(path, f"missing required key '{key}'")


def _wrong_type(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    expected = _TYPE_NAMES.get(str(_rule(error)), str(_rule(error)))
    message = f"expected {expected}, got {describe_value(_instance(error))}"
    report.add(path, message + quote_hint(_instance(error), expected, path, report))


def _not_a_text(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    if isinstance(_instance(error), dict):
        # The mapping branch of the text schema explains what is wrong inside it.
        for sub_error in error.context or []:
            if sub_error.relative_schema_path[0] == 1:
                _report_schema_error(sub_error, report)
        return
    if _instance(error) == "":
        report.add(path, "must not be empty")
        return
    expected = "a text (a string, or a mapping from language code to string)"
    message = f"expected {expected}, got {describe_value(_instance(error))}"
    report.add(path, message + quote_hint(_instance(error), "a string", path, report))


def _not_in_enum(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    choices = ", ".join(str(choice) for choice in _rule(error))
    hint = suggestion(str(_instance(error)), [str(c) for c in _rule(error)], list_all=False)
    report.add(path, f"{show_value(_instance(error))} is not one of: {choices}{hint}")


def _bad_pattern(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    report.add(path, _invalid_pattern(error))


def _invalid_pattern(error: jsonschema.ValidationError) -> str:
    expected = _schema_keyword(error, "description") or f"text matching {_rule(error)}"
    return f"{show_value(_instance(error))} is not valid: expected {expected}"


def _bound(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    wording = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "greater than",
        "exclusiveMaximum": "less than",
    }[str(error.validator)]
    message = f"must be {wording} {_rule(error)}, got {show_value(_instance(error))}"
    report.add(path, message)


def _too_few(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    count = int(_rule(error))
    if error.validator == "minProperties":
        noun = "entry" if count == 1 else "entries"
    else:
        noun = "item" if count == 1 else "items"
    report.add(path, f"must have at least {count} {noun}")


def _not_empty(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    report.add(path, "must not be empty")


def _duplicates(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    seen: list[Any] = []
    repeated: list[str] = []
    for item in _instance(error):
        if item in seen and show_value(item) not in repeated:
            repeated.append(show_value(item))
        seen.append(item)
    report.add(path, f"lists {', '.join(repeated)} more than once")


def _forbidden(error: jsonschema.ValidationError, path: PathKey, report: ProblemReport) -> None:
    message = str(_schema_keyword(error, "description") or error.message)
    # `not: {required: [key]}` forbids a key: the problem is on that key's line.
    rule, instance = _rule(error), _instance(error)
    forbidden = rule.get("required") if isinstance(rule, dict) else None
    present = [key for key in forbidden or [] if isinstance(instance, dict) and key in instance]
    if present:
        for key in present:
            report.add((*path, key), message, at_key=True)
        return
    report.add(path, message)


_SchemaHandler = Callable[[jsonschema.ValidationError, PathKey, ProblemReport], None]
_SCHEMA_MESSAGES: dict[str, _SchemaHandler] = {
    "additionalProperties": _unknown_keys,
    "required": _missing_keys,
    "type": _wrong_type,
    "anyOf": _not_a_text,
    "enum": _not_in_enum,
    "pattern": _bad_pattern,
    "minimum": _bound,
    "maximum": _bound,
    "exclusiveMinimum": _bound,
    "exclusiveMaximum": _bound,
    "minItems": _too_few,
    "minProperties": _too_few,
    "minLength": _not_empty,
    "uniqueItems": _duplicates,
    "not": _forbidden,
}
_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of keys",
    "array": "a list",
}


def report_schema_error(error: jsonschema.ValidationError, report: ProblemReport) -> None:
    """Report one JSON Schema failure as a readable problem (also for crosswalk files)."""
    _report_schema_error(error, report)

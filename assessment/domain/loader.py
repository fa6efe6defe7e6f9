"""Read an instrument YAML file into the frozen model of `instrument.py`, or explain why not.

Four passes, each collecting every problem it can find before the file is rejected:
YAML syntax and duplicate keys (on the node tree, which keeps line numbers), the JSON
Schema `questionnaires/instrument.schema.json`, cross-references and cycles, and
finally construction of the dataclasses, which only runs on a file with no problems.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from assessment.domain.instrument import (
    DEFAULT_PHASES,
    AnswerSet,
    Condition,
    Dimension,
    Instrument,
    Level,
    LevelRule,
    Option,
    OverallLevelRule,
    Phase,
    Practice,
    ProfileQuestion,
    Rating,
    Recommendation,
    ScoringRules,
    Source,
    Text,
    Theme,
)
from assessment.resources import questionnaires_dir

SCHEMA_FILENAME = "instrument.schema.json"
ROOT_PATH = "top level"
# Aliases let a small file expand enormously; no real instrument comes near this.
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TEXT_SCALAR_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COMPOSE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instrument file, located by line and by key path."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class InstrumentError(ValueError):
    """An instrument file that cannot be used; `problems` lists everything found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def load_instrument(path: Path) -> Instrument:
    """Read and validate the instrument YAML file at `path`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InstrumentError([Problem(str(path), 1, ROOT_PATH, "no such file")]) from None
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start})"
        raise InstrumentError([Problem(str(path), 1, ROOT_PATH, message)]) from None
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        raise InstrumentError([Problem(str(path), 1, ROOT_PATH, message)]) from None
    return parse_instrument(text, str(path))


def parse_instrument(text: str, filename: str) -> Instrument:
    """Validate YAML `text` (named `filename` in problems) and build the instrument."""
    report = _Report(filename)
    document = _read_yaml(text, report)
    if document is None:
        raise InstrumentError(report.problems)
    if not isinstance(document.data, dict):
        report.add((), f"the top level must be a mapping of keys, got {_describe(document.data)}")
        raise InstrumentError(report.problems)
    _check_schema(document.data, report)
    _check_references(document.data, report)
    if report.problems:
        raise InstrumentError(sorted(report.problems, key=lambda p: p.line))
    try:
        return _build(document.data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # pragma: no cover
        # The checks above should make this unreachable; keep the no-traceback promise.
        report.add((), f"cannot build the instrument: {exc!r}")
        raise InstrumentError(report.problems) from exc


def format_path(path: PathKey) -> str:
    """`('dimensions', 2, 'id')` as `dimensions[2].id`; the empty path is the top level."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or ROOT_PATH


# ----------------------------------------------------------------------------- YAML


@dataclass
class _Document:
    """Plain data from YAML with the line of every value and of every mapping key."""

    data: Any = None
    value_lines: dict[PathKey, int] = field(default_factory=dict)
    key_lines: dict[PathKey, int] = field(default_factory=dict)
    scalar_sources: dict[PathKey, str] = field(default_factory=dict)


@dataclass
class _Report:
    """Collects problems, turning key paths into line numbers."""

    filename: str
    document: _Document = field(default_factory=_Document)
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: PathKey, message: str, *, at_key: bool = False) -> None:
        """Record a problem at `path` (on the line of its key when `at_key`)."""
        self.add_at_line(self.line(path, at_key=at_key), format_path(path), message)

    def add_at_line(self, line: int, path: str, message: str) -> None:
        """Record a problem whose line is known but whose key path is not."""
        problem = Problem(self.filename, line, path, message)
        # Some schema rules fail once per missing key but describe them all.
        if problem not in self.problems:
            self.problems.append(problem)

    def line(self, path: PathKey, *, at_key: bool = False) -> int:
        """The line of `path`, or of its nearest located ancestor."""
        if at_key and path in self.document.key_lines:
            return self.document.key_lines[path]
        for end in range(len(path), -1, -1):
            line = self.document.value_lines.get(path[:end])
            if line is not None:
                return line
        return 1


def _read_yaml(text: str, report: _Report) -> _Document | None:
    """The document of `text`, or None after reporting why there is none."""
    try:
        node = yaml.compose(text, Loader=_COMPOSE_LOADER)
    except yaml.YAMLError:
        _report_yaml_error(text, report)
        return None
    if node is None:
        report.add_at_line(1, ROOT_PATH, "the file is empty")
        return None
    document = _Document()
    report.document = document
    converter = _NodeConverter(document, report)
    document.data = converter.convert(node, ())
    return None if converter.aborted else document


def _report_yaml_error(text: str, report: _Report) -> None:
    """Report a YAML syntax error, re-parsing in pure Python for its clearer messages."""
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            context_line = exc.context_mark.line + 1 if exc.context_mark else line
            message += f" ({exc.context} started on line {context_line})"
        if mark:
            message += f", column {mark.column + 1}"
        report.add_at_line(line, "syntax", message)
        return
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"character {exc.character!r} is not allowed: {exc.reason}"
        report.add_at_line(line, "syntax", message)
        return
    except yaml.YAMLError as exc:
        report.add_at_line(1, "syntax", f"invalid YAML: {exc}")
        return
    report.add_at_line(1, "syntax", "invalid YAML")  # pragma: no cover - both parsers agree


class _NodeConverter:
    """Turns a YAML node tree into plain data, recording lines and duplicate keys."""

    def __init__(self, document: _Document, report: _Report) -> None:
        self.document = document
        self.report = report
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()
        self.nodes_seen = 0
        self.aborted = False

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        """The plain value of `node`, found at `path`."""
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            if not self.aborted:
                self.report.add_at_line(1, ROOT_PATH, "the file is too large (alias expansion)")
            self.aborted = True
            return None
        self.document.value_lines[path] = node.start_mark.line + 1
        if id(node) in self.active:
            self.report.add(path, "an alias refers to a node that contains it")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            self.report.add(path, "unsupported YAML node")  # pragma: no cover
            return None
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        self.document.scalar_sources[path] = node.value
        if node.tag in _TEXT_SCALAR_TAGS:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            self.report.add(path, f"unsupported YAML tag {node.tag!r}")
            return node.value  # reported once here, not again as a wrong type
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:  # pragma: no cover - resolver-checked
            self.report.add(path, f"unreadable value {node.value!r}: {exc}")
            return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        self._report_duplicate_keys(node, path)
        try:
            self.constructor.flatten_mapping(node)
        except yaml.YAMLError as exc:
            self.report.add(path, f"invalid merge key: {getattr(exc, 'problem', exc)}")
            return {}
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                self.report.add_at_line(line, format_path(path), "keys must be plain words")
                continue
            # Keys are kept as written so that `no:` or `1:` stay the strings they look like.
            key_path = (*path, key_node.value)
            self.document.key_lines[key_path] = key_node.start_mark.line + 1
            result[key_node.value] = self.convert(value_node, key_path)
        return result

    def _report_duplicate_keys(self, node: yaml.MappingNode, path: PathKey) -> None:
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in first_lines:
                first_line = first_lines[key_node.value]
                message = f"duplicate key '{key_node.value}' (first on line {first_line})"
                self.report.add_at_line(line, format_path((*path, key_node.value)), message)
            else:
                first_lines[key_node.value] = line


# ----------------------------------------------------------------------------- schema


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


def _check_schema(data: dict[str, Any], report: _Report) -> None:
    for error in _schema_validator().iter_errors(data):
        _report_schema_error(error, report)


def _report_schema_error(error: jsonschema.ValidationError, report: _Report) -> None:
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


def _unknown_keys(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    allowed = list(_schema_keyword(error, "properties") or {})
    for key in _instance(error):
        if key not in allowed:
            hint = _suggestion(key, allowed, list_all=True)
            report.add((*path, key), f"unknown key '{key}'{hint}", at_key=True)


def _missing_keys(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    for key in _rule(error):
        if key not in _instance(error):
            report.add(path, f"missing required key '{key}'")


def _wrong_type(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    expected = _TYPE_NAMES.get(str(_rule(error)), str(_rule(error)))
    message = f"expected {expected}, got {_describe(_instance(error))}"
    report.add(path, message + _quote_hint(_instance(error), expected, path, report))


def _not_a_text(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
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
    message = f"expected {expected}, got {_describe(_instance(error))}"
    report.add(path, message + _quote_hint(_instance(error), "a string", path, report))


def _not_in_enum(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    choices = ", ".join(str(choice) for choice in _rule(error))
    hint = _suggestion(str(_instance(error)), [str(c) for c in _rule(error)], list_all=False)
    report.add(path, f"{_show(_instance(error))} is not one of: {choices}{hint}")


def _bad_pattern(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    report.add(path, _invalid_pattern(error))


def _invalid_pattern(error: jsonschema.ValidationError) -> str:
    expected = _schema_keyword(error, "description") or f"text matching {_rule(error)}"
    return f"{_show(_instance(error))} is not valid: expected {expected}"


def _bound(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    wording = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "greater than",
        "exclusiveMaximum": "less than",
    }[str(error.validator)]
    message = f"must be {wording} {_rule(error)}, got {_show(_instance(error))}"
    report.add(path, message)


def _too_few(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    count = int(_rule(error))
    if error.validator == "minProperties":
        noun = "entry" if count == 1 else "entries"
    else:
        noun = "item" if count == 1 else "items"
    report.add(path, f"must have at least {count} {noun}")


def _not_empty(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    report.add(path, "must not be empty")


def _duplicates(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    seen: list[Any] = []
    repeated: list[str] = []
    for item in _instance(error):
        if item in seen and _show(item) not in repeated:
            repeated.append(_show(item))
        seen.append(item)
    report.add(path, f"lists {', '.join(repeated)} more than once")


def _forbidden(error: jsonschema.ValidationError, path: PathKey, report: _Report) -> None:
    report.add(path, str(_schema_keyword(error, "description") or error.message))


_SchemaHandler = Callable[[jsonschema.ValidationError, PathKey, _Report], None]
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


def _describe(value: Any) -> str:
    """A short description of a value of the wrong type."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _quote_hint(value: Any, expected: str, path: PathKey, report: _Report) -> str:
    """Advice for YAML's habit of reading `no`, `1.0` or `~` as something else."""
    source = report.document.scalar_sources.get(path)
    if expected != "a string" or source is None or isinstance(value, str):
        return ""
    return f' (write it in quotes: "{source}")'


def _suggestion(word: str, known: Collection[str], *, list_all: bool = True) -> str:
    """`(did you mean 'x'?)`, or the list of known names when it is short."""
    close = difflib.get_close_matches(word, list(known), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if list_all and known and len(known) <= 15:
        return f" (known: {', '.join(sorted(known))})"
    return ""


# ----------------------------------------------------------------------------- references


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings of a list, with their index; anything malformed is skipped."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _entries(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The mapping values of a mapping, with their key; anything malformed is skipped."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                yield key, item


def _strings(value: Any) -> Iterator[tuple[int, str]]:
    """The strings of a list, with their index; anything malformed is skipped."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class _Context:
    """What the reference checks know about the instrument so far."""

    languages: list[str]
    scale: list[int]
    met_at: float
    answer_options: dict[str, list[str]]
    phase_ids: list[str]
    theme_ids: list[str]
    source_keys: list[str]
    practices: dict[str, tuple[PathKey, dict[str, Any]]] = field(default_factory=dict)


def _check_references(data: dict[str, Any], report: _Report) -> None:
    context = _Context(
        languages=[lang for _, lang in _strings(data.get("languages"))] or ["en"],
        scale=_check_levels(data, report),
        met_at=_met_at(data),
        answer_options=_check_answer_sets(data, report),
        phase_ids=_check_phases(data, report),
        theme_ids=list(data["themes"]) if isinstance(data.get("themes"), dict) else [],
        source_keys=list(data["sources"]) if isinstance(data.get("sources"), dict) else [],
    )
    _check_answer_credit(data, context, report)
    _check_profile(data, report)
    _check_dimensions(data, context, report)
    _check_practices(context, report)
    _check_cycles(context, report, "show_if", _condition_target, "show_if conditions form a cycle")
    _check_cycles(context, report, "depends_on", _dependencies, "dependency cycle")
    for path, value in _texts(data):
        _check_text(path, value, context.languages, report)


def _check_unique(
    items: Iterable[tuple[PathKey, Any]], what: str, report: _Report
) -> dict[Any, PathKey]:
    """Report repeated values; return the first path of each value."""
    first: dict[Any, PathKey] = {}
    for path, value in items:
        if value is None or isinstance(value, dict | list):
            continue
        if value in first:
            line = report.line(first[value])
            report.add(path, f"duplicate {what} {_show(value)} (first on line {line})")
        else:
            first[value] = path
    return first


def _check_levels(data: dict[str, Any], report: _Report) -> list[int]:
    numbers = (
        (("levels", index, "number"), _whole_number(level.get("number")))
        for index, level in _dicts(data.get("levels"))
    )
    return sorted(_check_unique(numbers, "level number", report))


def _met_at(data: dict[str, Any]) -> float:
    scoring = data.get("scoring")
    met_at = scoring.get("met_at") if isinstance(scoring, dict) else None
    if isinstance(met_at, int | float) and not isinstance(met_at, bool):
        return float(met_at)
    return ScoringRules.met_at


def _check_answer_sets(data: dict[str, Any], report: _Report) -> dict[str, list[str]]:
    options_by_set: dict[str, list[str]] = {}
    for set_id, answer_set in _entries(data.get("answer_sets")):
        ids = (
            (("answer_sets", set_id, "options", index, "id"), option.get("id"))
            for index, option in _dicts(answer_set.get("options"))
        )
        options_by_set[set_id] = list(_check_unique(ids, "option id", report))
    return options_by_set


def _check_answer_credit(data: dict[str, Any], context: _Context, report: _Report) -> None:
    for set_id, answer_set in _entries(data.get("answer_sets")):
        credits = [
            option["credit"]
            for _, option in _dicts(answer_set.get("options"))
            if isinstance(option.get("credit"), int | float)
        ]
        if credits and max(credits) < context.met_at:
            message = (
                f"no option earns the met_at credit {context.met_at}, "
                "so a practice using this set can never be met"
            )
            report.add(("answer_sets", set_id), message, at_key=True)


def _check_phases(data: dict[str, Any], report: _Report) -> list[str]:
    if "phases" not in data:
        return [phase.id for phase in DEFAULT_PHASES]
    phases = list(_dicts(data.get("phases")))
    for index, phase in phases:
        start, end = _whole_number(phase.get("start_month")), _whole_number(phase.get("end_month"))
        if start is not None and end is not None and end <= start:
            message = f"end_month {end} must be after start_month {start}"
            report.add(("phases", index, "end_month"), message)
    ids = ((("phases", index, "id"), phase.get("id")) for index, phase in phases)
    return list(_check_unique(ids, "phase id", report))


def _check_profile(data: dict[str, Any], report: _Report) -> None:
    questions = list(_dicts(data.get("profile")))
    ids = ((("profile", index, "id"), question.get("id")) for index, question in questions)
    _check_unique(ids, "profile question id", report)
    for index, question in questions:
        option_ids = (
            (("profile", index, "options", option_index, "id"), option.get("id"))
            for option_index, option in _dicts(question.get("options"))
        )
        _check_unique(option_ids, "option id", report)


def _check_dimensions(data: dict[str, Any], context: _Context, report: _Report) -> None:
    dimensions = list(_dicts(data.get("dimensions")))
    ids = ((("dimensions", index, "id"), dimension.get("id")) for index, dimension in dimensions)
    _check_unique(ids, "dimension id", report)
    scale = ", ".join(str(n) for n in context.scale)
    for index, dimension in dimensions:
        levels = dimension.get("levels")
        for key in levels if isinstance(levels, dict) else {}:
            if key.isdigit() and context.scale and int(key) not in context.scale:
                path = ("dimensions", index, "levels", key)
                report.add(path, f"level {key} is not on the scale ({scale})", at_key=True)
        for practice_index, practice in _dicts(dimension.get("practices")):
            _register_practice(
                ("dimensions", index, "practices", practice_index), practice, context, report
            )


def _register_practice(
    path: PathKey, practice: dict[str, Any], context: _Context, report: _Report
) -> None:
    practice_id = practice.get("id")
    if not isinstance(practice_id, str):
        return
    if practice_id in context.practices:
        line = report.line((*context.practices[practice_id][0], "id"))
        report.add((*path, "id"), f"duplicate practice id '{practice_id}' (first on line {line})")
        return
    context.practices[practice_id] = (path, practice)


def _check_practices(context: _Context, report: _Report) -> None:
    for practice_id, (path, practice) in context.practices.items():
        _check_practice_level(path, practice, context, report)
        _check_known(
            (*path, "answer_set"),
            practice.get("answer_set"),
            context.answer_options,
            "answer set",
            report,
        )
        for index, theme in _strings(practice.get("themes")):
            _check_known((*path, "themes", index), theme, context.theme_ids, "theme", report)
        for index, source in _strings(practice.get("sources")):
            _check_known((*path, "sources", index), source, context.source_keys, "source", report)
        _check_condition(practice_id, path, practice, context, report)
        recommendation = practice.get("recommendation")
        if isinstance(recommendation, dict):
            _check_recommendation((*path, "recommendation"), recommendation, context, report)


def _check_practice_level(
    path: PathKey, practice: dict[str, Any], context: _Context, report: _Report
) -> None:
    level = _whole_number(practice.get("level"))
    if level is None or not context.scale:
        return
    scale = ", ".join(str(n) for n in context.scale)
    if level not in context.scale:
        report.add((*path, "level"), f"level {level} is not on the scale ({scale})")
    elif level == context.scale[0]:
        message = f"level {level} is the floor of the scale; practices belong to a higher level"
        report.add((*path, "level"), message)


def _check_known(
    path: PathKey, value: Any, known: Collection[str], what: str, report: _Report
) -> bool:
    """Report `value` unless it names one of `known`; True when it does."""
    if not isinstance(value, str):
        return False
    if value in known:
        return True
    report.add(path, f"unknown {what} '{value}'{_suggestion(value, known)}")
    return False


def _check_condition(
    practice_id: str, path: PathKey, practice: dict[str, Any], context: _Context, report: _Report
) -> None:
    condition = practice.get("show_if")
    if not isinstance(condition, dict):
        return
    target = condition.get("practice")
    target_path = (*path, "show_if", "practice")
    if target == practice_id:
        report.add(target_path, "show_if refers to the practice itself")
        return
    if not _check_known(target_path, target, context.practices, "practice", report):
        return
    set_id = context.practices[str(target)][1].get("answer_set")
    options = context.answer_options.get(set_id) if isinstance(set_id, str) else None
    if options is None:
        return
    for index, option in _strings(condition.get("any_of")):
        if option not in options:
            message = (
                f"option '{option}' is not in answer set '{set_id}' of practice '{target}'"
                f" (options: {', '.join(options)})"
            )
            report.add((*path, "show_if", "any_of", index), message)


def _check_recommendation(
    path: PathKey, recommendation: dict[str, Any], context: _Context, report: _Report
) -> None:
    horizon = recommendation.get("horizon")
    _check_known((*path, "horizon"), horizon, context.phase_ids, "phase", report)
    for index, dependency in _strings(recommendation.get("depends_on")):
        _check_known(
            (*path, "depends_on", index), dependency, context.practices, "practice", report
        )


def _condition_target(practice: dict[str, Any]) -> list[str]:
    condition = practice.get("show_if")
    target = condition.get("practice") if isinstance(condition, dict) else None
    return [target] if isinstance(target, str) else []


def _dependencies(practice: dict[str, Any]) -> list[str]:
    recommendation = practice.get("recommendation")
    if not isinstance(recommendation, dict):
        return []
    return [dependency for _, dependency in _strings(recommendation.get("depends_on"))]


def _check_cycles(
    context: _Context,
    report: _Report,
    key: str,
    edges_of: Callable[[dict[str, Any]], list[str]],
    what: str,
) -> None:
    """Report each cycle in the graph practice -> `edges_of(practice)`, once."""
    graph = {
        practice_id: [
            target
            for target in edges_of(practice)
            if target in context.practices and (key == "depends_on" or target != practice_id)
        ]
        for practice_id, (_, practice) in context.practices.items()
    }
    for cycle in _find_cycles(graph):
        path, _ = context.practices[cycle[0]]
        location = (*path, "recommendation", "depends_on") if key == "depends_on" else (*path, key)
        report.add(location, f"{what}: {' -> '.join(cycle)}")


def _find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """The distinct cycles met by a depth-first walk, each closed on its first node."""
    state: dict[str, int] = {}  # 1 while on the walk's stack, 2 when finished
    stack: list[str] = []
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    found.append([*cycle, target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return found


def _texts(data: dict[str, Any]) -> Iterator[tuple[PathKey, Any]]:
    """Every text field of the instrument with its path."""
    yield ("title",), data.get("title")
    yield ("description",), data.get("description")
    for index, level in _dicts(data.get("levels")):
        yield ("levels", index, "name"), level.get("name")
        yield ("levels", index, "description"), level.get("description")
    for set_id, answer_set in _entries(data.get("answer_sets")):
        for index, option in _dicts(answer_set.get("options")):
            yield ("answer_sets", set_id, "options", index, "label"), option.get("label")
    for theme_id, theme in _entries(data.get("themes")):
        yield ("themes", theme_id, "title"), theme.get("title")
        yield ("themes", theme_id, "description"), theme.get("description")
    for index, phase in _dicts(data.get("phases")):
        yield ("phases", index, "title"), phase.get("title")
    for index, question in _dicts(data.get("profile")):
        yield ("profile", index, "label"), question.get("label")
        yield ("profile", index, "help"), question.get("help")
        for option_index, option in _dicts(question.get("options")):
            yield ("profile", index, "options", option_index, "label"), option.get("label")
    for index, dimension in _dicts(data.get("dimensions")):
        yield from _dimension_texts(("dimensions", index), dimension)


def _dimension_texts(path: PathKey, dimension: dict[str, Any]) -> Iterator[tuple[PathKey, Any]]:
    yield (*path, "title"), dimension.get("title")
    yield (*path, "description"), dimension.get("description")
    levels = dimension.get("levels")
    for key, text in levels.items() if isinstance(levels, dict) else ():
        yield (*path, "levels", key), text
    for index, practice in _dicts(dimension.get("practices")):
        practice_path = (*path, "practices", index)
        yield (*practice_path, "text"), practice.get("text")
        yield (*practice_path, "guidance"), practice.get("guidance")
        recommendation = practice.get("recommendation")
        if isinstance(recommendation, dict):
            yield (*practice_path, "recommendation", "action"), recommendation.get("action")


def _check_text(path: PathKey, value: Any, languages: list[str], report: _Report) -> None:
    if not isinstance(value, dict) or not value:
        return
    for language in value:
        if language not in languages:
            message = f"language '{language}' is not in languages ({', '.join(languages)})"
            report.add((*path, language), message, at_key=True)
    if languages[0] not in value:
        report.add(path, f"missing the default language '{languages[0]}'")


# ----------------------------------------------------------------------------- build


def _build(data: dict[str, Any]) -> Instrument:
    """The instrument of data that passed every check."""
    languages = tuple(data.get("languages", ("en",)))
    text = _text_builder(languages[0])
    answer_sets = {
        set_id: AnswerSet(set_id, tuple(_option(option, text) for option in answer_set["options"]))
        for set_id, answer_set in data["answer_sets"].items()
    }
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=text(data["title"]),
        description=text(data["description"]),
        levels=tuple(
            Level(level["number"], text(level["name"]), text(level["description"]))
            for level in data["levels"]
        ),
        answer_sets=answer_sets,
        dimensions=tuple(_dimension(d, answer_sets, text) for d in data["dimensions"]),
        themes={
            theme_id: Theme(theme_id, text(theme["title"]), text(theme["description"]))
            for theme_id, theme in data.get("themes", {}).items()
        },
        sources={
            key: Source(key, source["citation"], source.get("url"))
            for key, source in data.get("sources", {}).items()
        },
        profile=tuple(_profile_question(q, text) for q in data.get("profile", [])),
        scoring=_scoring(data.get("scoring", {})),
        phases=tuple(_phase(p, text) for p in data["phases"])
        if "phases" in data
        else DEFAULT_PHASES,
        languages=languages,
    )


_TextBuilder = Callable[[str | dict[str, str]], Text]


def _text_builder(default_language: str) -> _TextBuilder:
    def build(value: str | dict[str, str]) -> Text:
        if isinstance(value, str):
            return Text.plain(value, default_language)
        return Text(dict(value), default_language)

    return build


def _option(option: dict[str, Any], text: _TextBuilder) -> Option:
    return Option(option["id"], text(option["label"]), float(option["credit"]))


def _phase(phase: dict[str, Any], text: _TextBuilder) -> Phase:
    return Phase(phase["id"], text(phase["title"]), phase["start_month"], phase["end_month"])


def _scoring(scoring: dict[str, Any]) -> ScoringRules:
    defaults = ScoringRules()
    return ScoringRules(
        met_at=float(scoring.get("met_at", defaults.met_at)),
        level_rule=LevelRule(scoring.get("level_rule", defaults.level_rule.value)),
        overall_level_rule=OverallLevelRule(
            scoring.get("overall_level_rule", defaults.overall_level_rule.value)
        ),
    )


def _profile_question(question: dict[str, Any], text: _TextBuilder) -> ProfileQuestion:
    return ProfileQuestion(
        id=question["id"],
        label=text(question["label"]),
        kind=question["kind"],
        # Profile options are unscored; the credit is never read.
        options=tuple(
            Option(option["id"], text(option["label"]), 0.0)
            for option in question.get("options", [])
        ),
        required=question.get("required", False),
        help=text(question["help"]) if "help" in question else None,
    )


def _dimension(
    dimension: dict[str, Any], answer_sets: Mapping[str, AnswerSet], text: _TextBuilder
) -> Dimension:
    return Dimension(
        id=dimension["id"],
        title=text(dimension["title"]),
        description=text(dimension["description"]),
        weight=float(dimension.get("weight", 1)),
        level_descriptions={
            int(number): text(value) for number, value in dimension.get("levels", {}).items()
        },
        practices=tuple(
            _practice(practice, dimension["id"], answer_sets, text)
            for practice in dimension["practices"]
        ),
    )


def _practice(
    practice: dict[str, Any],
    dimension_id: str,
    answer_sets: Mapping[str, AnswerSet],
    text: _TextBuilder,
) -> Practice:
    condition = practice.get("show_if")
    return Practice(
        id=practice["id"],
        dimension_id=dimension_id,
        level=practice["level"],
        weight=float(practice.get("weight", 1)),
        answer_set=answer_sets[practice["answer_set"]],
        text=text(practice["text"]),
        guidance=text(practice["guidance"]),
        recommendation=_recommendation(practice["recommendation"], text),
        allow_not_applicable=practice.get("allow_not_applicable", False),
        show_if=(
            Condition(condition["practice"], tuple(condition["any_of"])) if condition else None
        ),
        themes=tuple(practice.get("themes", ())),
        sources=tuple(practice["sources"]),
    )


def _recommendation(recommendation: dict[str, Any], text: _TextBuilder) -> Recommendation:
    return Recommendation(
        action=text(recommendation["action"]),
        effort=Rating(recommendation["effort"]),
        impact=Rating(recommendation["impact"]),
        horizon=recommendation["horizon"],
        depends_on=tuple(recommendation.get("depends_on", ())),
    )

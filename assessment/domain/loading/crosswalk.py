"""Read a crosswalk YAML file into the model of `model/crosswalk.py`, or explain why not.

The same passes as an instrument: YAML syntax and duplicate keys, the JSON Schema
`questionnaires/crosswalk.schema.json`, then checks against the two instruments it maps
(given by the caller, normally the catalog of the folder the file lives in). Every
problem is reported as FILE:LINE: PATH: MESSAGE; a file with any problem is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from assessment.domain.loading.instrument_problems import (
    ROOT_PATH,
    InstrumentError,
    PathKey,
    Problem,
    ProblemReport,
    describe_value,
    suggestion,
)
from assessment.domain.loading.instrument_schema import report_schema_error
from assessment.domain.loading.yaml_source import read_yaml
from assessment.domain.model.crosswalk import NO_EQUIVALENT, CombineRule, Crosswalk, PracticeLink
from assessment.domain.model.instrument import Instrument, Practice
from assessment.resources import questionnaires_dir

CROSSWALK_SCHEMA_FILENAME = "crosswalk.schema.json"
CROSSWALK_SUFFIXES = (".crosswalk.yaml", ".crosswalk.yml")
_RULES = {rule.value for rule in CombineRule}


def is_crosswalk_file(path: Path) -> bool:
    """True for a file named `*.crosswalk.yaml` (or `.yml`)."""
    return path.name.endswith(CROSSWALK_SUFFIXES)


@cache
def crosswalk_schema() -> dict[str, Any]:
    """The crosswalk JSON Schema, as shipped beside the bundled instruments."""
    schema: dict[str, Any] = json.loads(
        (questionnaires_dir() / CROSSWALK_SCHEMA_FILENAME).read_text(encoding="utf-8")
    )
    return schema


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = crosswalk_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def load_crosswalk(path: Path, instruments: Mapping[str, Instrument]) -> Crosswalk:
    """Read and check the crosswalk file at `path`; `instruments` maps id@version to instrument."""
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
    return parse_crosswalk(text, str(path), instruments)


def parse_crosswalk(text: str, filename: str, instruments: Mapping[str, Instrument]) -> Crosswalk:
    """Check crosswalk YAML `text` (named `filename` in problems) and build the crosswalk."""
    report = ProblemReport(filename)
    source = read_yaml(text, report)
    if source is None:
        raise InstrumentError(report.problems)
    data = source.data
    if not isinstance(data, dict):
        report.add((), f"the top level must be a mapping of keys, got {describe_value(data)}")
        raise InstrumentError(report.problems)
    for error in _schema_validator().iter_errors(data):
        _report(error, report)
    crosswalk = _Checker(data, instruments, report).check()
    if report.problems or crosswalk is None:
        raise InstrumentError(sorted(report.problems, key=lambda p: p.line))
    return crosswalk


def _report(error: jsonschema.ValidationError, report: ProblemReport) -> None:
    """A schema failure; an unmatched alternative is explained by the branch that fits its type."""
    if error.validator != "anyOf":
        report_schema_error(error, report)
        return
    leaves = _branch_failures(error)
    if leaves:
        for leaf in leaves:
            report_schema_error(leaf, report)
        return
    expected = (
        f"a practice id, '{NO_EQUIVALENT}', a mapping with 'to' (and 'options') or a list of them"
    )
    message = f"expected {expected}, got {describe_value(error.instance)}"
    report.add(tuple(error.absolute_path), message)


def _branch_failures(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The failures inside the alternatives of the instance's own type (not type mismatches)."""
    leaves = []
    for sub_error in error.context or []:
        if sub_error.validator == "anyOf":
            leaves.extend(_branch_failures(sub_error))
        elif sub_error.validator not in ("type", "const"):
            leaves.append(sub_error)
    return leaves


@dataclass(frozen=True)
class _Target:
    """One target as written, with where it was written."""

    practice: str
    options: Mapping[str, Any] | None
    path: PathKey


class _Checker:
    """Checks a crosswalk's data against its two instruments, collecting every problem."""

    def __init__(
        self, data: dict[str, Any], instruments: Mapping[str, Instrument], report: ProblemReport
    ) -> None:
        self.data = data
        self.instruments = instruments
        self.report = report

    def check(self) -> Crosswalk | None:
        old = self._instrument("from")
        new = self._instrument("to")
        if old and new and old.key == new.key:
            self.report.add(("to",), "a crosswalk maps one instrument version to another")
        practices = self.data.get("practices")
        if not (old and new and isinstance(practices, dict)):
            return None
        links: list[PracticeLink] = []
        first_sources: dict[str, tuple[str, PathKey]] = {}
        combine = self.data.get("combine")
        combine = combine if isinstance(combine, dict) else {}
        for source_id, mapping in practices.items():
            old_practice = old.practice(source_id)
            if old_practice is None:
                known = [p.id for p in old.practices()]
                hint = suggestion(source_id, known, list_all=False)
                message = f"unknown practice '{source_id}' of {old.key}{hint}"
                self.report.add(("practices", source_id), message, at_key=True)
                continue
            for target in self._targets(source_id, mapping):
                link = self._link(old_practice, target, new)
                if link is None:
                    continue
                first = first_sources.setdefault(link.target, (source_id, target.path))
                if first[0] != source_id and link.target not in combine:
                    line = self.report.line(first[1])
                    message = (
                        f"'{link.target}' is also mapped from '{first[0]}' (line {line}); "
                        f"say how to combine them under combine: {link.target}: highest | lowest"
                    )
                    self.report.add(target.path, message)
                links.append(link)
        self._check_complete(old, practices)
        self._check_combine(combine, new, links)
        return Crosswalk(
            source=old.key,
            target=new.key,
            links=tuple(links),
            combine={t: CombineRule(rule) for t, rule in combine.items() if rule in _RULES},
            description=str(self.data.get("description", "")),
        )

    def _instrument(self, key: str) -> Instrument | None:
        ref = self.data.get(key)
        pattern = crosswalk_schema()["$defs"]["instrument_ref"]["pattern"]
        if not isinstance(ref, str) or not re.match(pattern, ref):
            return None  # the schema check has said what is wrong
        instrument = self.instruments.get(ref)
        if instrument is None:
            instrument_id = ref.partition("@")[0]
            versions = sorted(i.version for i in self.instruments.values() if i.id == instrument_id)
            known = f"versions: {', '.join(versions)}" if versions else "no version of it"
            self.report.add((key,), f"no instrument {ref} in the catalog ({known})")
        return instrument

    def _targets(self, source_id: str, mapping: Any) -> list[_Target]:
        path: PathKey = ("practices", source_id)
        if mapping == NO_EQUIVALENT:
            return []
        if isinstance(mapping, list):
            items, item_paths = mapping, [(*path, i) for i in range(len(mapping))]
        else:
            items, item_paths = [mapping], [path]
        targets = []
        seen: dict[str, PathKey] = {}
        for item, item_path in zip(items, item_paths, strict=True):
            if isinstance(item, str) and item != NO_EQUIVALENT:
                target = _Target(item, None, item_path)
            elif isinstance(item, dict) and isinstance(item.get("to"), str):
                options = item.get("options")
                target = _Target(
                    item["to"], options if isinstance(options, dict) else None, (*item_path, "to")
                )
            else:
                continue  # malformed: the schema check has said so
            if target.practice in seen:
                line = self.report.line(seen[target.practice])
                message = f"'{target.practice}' is listed twice (first on line {line})"
                self.report.add(target.path, message)
                continue
            seen[target.practice] = target.path
            targets.append(target)
        return targets

    def _link(self, old: Practice, target: _Target, new: Instrument) -> PracticeLink | None:
        new_practice = new.practice(target.practice)
        if new_practice is None:
            known = [p.id for p in new.practices()]
            hint = suggestion(target.practice, known, list_all=False)
            self.report.add(target.path, f"unknown practice '{target.practice}' of {new.key}{hint}")
            return None
        old_ids = [o.id for o in old.answer_set.options]
        new_ids = [o.id for o in new_practice.answer_set.options]
        if target.options is None:
            missing = [option for option in old_ids if option not in new_ids]
            if missing:
                message = (
                    f"options {', '.join(missing)} of '{old.id}' are not options of "
                    f"'{new_practice.id}' ({', '.join(new_ids)}); map them under options:"
                )
                self.report.add(target.path, message)
                return None
            return PracticeLink(old.id, new_practice.id, {option: option for option in old_ids})
        options_path = (*target.path[:-1], "options")
        mapped: dict[str, str] = {}
        for old_option, new_option in target.options.items():
            if old_option not in old_ids:
                message = f"'{old_option}' is not an option of '{old.id}' ({', '.join(old_ids)})"
                self.report.add((*options_path, old_option), message, at_key=True)
            elif new_option not in new_ids:
                message = (
                    f"'{new_option}' is not an option of '{new_practice.id}' ({', '.join(new_ids)})"
                )
                self.report.add((*options_path, old_option), message)
            else:
                mapped[old_option] = new_option
        unmapped = [option for option in old_ids if option not in target.options]
        if unmapped:
            message = f"options {', '.join(unmapped)} of '{old.id}' are not mapped"
            self.report.add(options_path, message)
        return PracticeLink(old.id, new_practice.id, mapped)

    def _check_complete(self, old: Instrument, practices: Mapping[str, Any]) -> None:
        missing = [p.id for p in old.practices() if p.id not in practices]
        for practice_id in missing:
            message = (
                f"practice '{practice_id}' of {old.key} is not listed: "
                f"map it, or write {practice_id}: {NO_EQUIVALENT}"
            )
            self.report.add(("practices",), message, at_key=True)

    def _check_combine(
        self, combine: Mapping[str, Any], new: Instrument, links: list[PracticeLink]
    ) -> None:
        for target in combine:
            sources = [link.source for link in links if link.target == target]
            if new.practice(target) is None:
                hint = suggestion(target, [p.id for p in new.practices()], list_all=False)
                message = f"unknown practice '{target}' of {new.key}{hint}"
                self.report.add(("combine", target), message, at_key=True)
            elif len(sources) < 2:
                message = f"only one practice maps to '{target}': nothing to combine"
                self.report.add(("combine", target), message, at_key=True)

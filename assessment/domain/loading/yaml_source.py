"""YAML text as plain data with the line of every value and key (a `SourceMap`).

Works on PyYAML's node tree, which keeps positions and shows repeated keys that
`yaml.safe_load` would silently overwrite.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from assessment.domain.loading.instrument_problems import (
    ROOT_PATH,
    PathKey,
    ProblemReport,
    SourceMap,
    format_path,
)

# Aliases let a small file expand enormously; no real instrument comes near this.
MAX_NODES = 200_000
# Real instruments nest about eight levels; deeper files would exhaust the stack.
MAX_DEPTH = 50
TOO_DEEP = "the file is nested too deeply to read"

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TEXT_SCALAR_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
_COMPOSE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, report: ProblemReport) -> SourceMap | None:
    """The source map of `text`, or None after reporting why there is none."""
    try:
        node = yaml.compose(text, Loader=_COMPOSE_LOADER)
    except yaml.YAMLError as error:
        _report_yaml_error(text, report, error)
        return None
    except RecursionError:
        report.add_at_line(1, ROOT_PATH, TOO_DEEP)
        return None
    if node is None:
        report.add_at_line(1, ROOT_PATH, "the file is empty")
        return None
    source_map = SourceMap()
    report.source_map = source_map
    converter = _NodeConverter(source_map, report)
    source_map.data = converter.convert(node, ())
    return None if converter.aborted else source_map


def _report_yaml_error(text: str, report: ProblemReport, error: yaml.YAMLError) -> None:
    """Report a YAML syntax error, re-parsing in pure Python for its clearer messages.

    The pure-Python parser accepts a few things the C parser refuses (a lone surrogate
    escape such as "\\ud800"); then the C parser's own error is reported.
    """
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        _report_marked_error(exc, report)
        return
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"character {exc.character!r} is not allowed: {exc.reason}"
        report.add_at_line(line, "syntax", message)
        return
    except yaml.YAMLError as exc:
        report.add_at_line(1, "syntax", f"invalid YAML: {exc}")
        return
    except RecursionError:
        report.add_at_line(1, "syntax", TOO_DEEP)
        return
    if isinstance(error, yaml.MarkedYAMLError):
        _report_marked_error(error, report)
        return
    report.add_at_line(1, "syntax", f"invalid YAML: {error}")  # pragma: no cover


def _report_marked_error(exc: yaml.MarkedYAMLError, report: ProblemReport) -> None:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    message = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        context_line = exc.context_mark.line + 1 if exc.context_mark else line
        message += f" ({exc.context} started on line {context_line})"
    if mark:
        message += f", column {mark.column + 1}"
    report.add_at_line(line, "syntax", message)


class _NodeConverter:
    """Turns a YAML node tree into plain data, recording lines and duplicate keys."""

    def __init__(self, source_map: SourceMap, report: ProblemReport) -> None:
        self.source_map = source_map
        self.report = report
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()
        self.checked: set[int] = set()  # mappings whose keys were checked for repeats
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
        if len(path) > MAX_DEPTH:
            if not self.aborted:
                line = node.start_mark.line + 1
                self.report.add_at_line(line, ROOT_PATH, f"{TOO_DEEP} ({MAX_DEPTH} levels at most)")
            self.aborted = True
            return None
        self.source_map.value_lines[path] = node.start_mark.line + 1
        if id(node) in self.active:
            self.report.add(path, "an alias refers to a node that contains it")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:
            # Reported once here; the contents are still read as plain data.
            self.report.add(path, f"unsupported YAML tag {node.tag!r}")
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
        self.source_map.scalar_sources[path] = node.value
        if node.tag in _TEXT_SCALAR_TAGS:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            self.report.add(path, f"unsupported YAML tag {node.tag!r}")
            return node.value  # reported once here, not again as a wrong type
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:  # pragma: no cover - resolver-checked
            self.report.add(path, f"unreadable value {node.value!r}: {exc}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.report.add(path, f"numbers must be finite, got {node.value!r}")
        return value

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        """The mapping's keys, merged mappings (`<<`) first so that its own keys win.

        The node is never changed, so a mapping reused through an alias reads the same
        each time, and its repeated keys are reported once, at the mapping itself.
        """
        if id(node) not in self.checked:
            self.checked.add(id(node))
            self._report_duplicate_keys(node, path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE_TAG:
                result.update(self._merged(value_node, path, result))
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                key_line = key_node.start_mark.line + 1
                self.report.add_at_line(key_line, format_path(path), "keys must be plain words")
                continue
            if key_node.tag == _MERGE_TAG:
                continue
            # Keys are kept as written so that `no:` or `1:` stay the strings they look like.
            key_path = (*path, key_node.value)
            self.source_map.key_lines[key_path] = key_node.start_mark.line + 1
            result[key_node.value] = self.convert(value_node, key_path)
        # Merged mappings were read at this path too; the mapping's own line wins.
        self.source_map.value_lines[path] = node.start_mark.line + 1
        return result

    def _merged(
        self, value_node: yaml.Node, path: PathKey, before: dict[str, Any]
    ) -> dict[str, Any]:
        """The keys a merge key adds: of one mapping, or of a list of them (first wins)."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        merged: dict[str, Any] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                line = source.start_mark.line + 1
                message = "invalid merge key: '<<' takes a mapping or a list of mappings"
                self.report.add_at_line(line, format_path(path), message)
                continue
            value = self.convert(source, path)
            if isinstance(value, dict):
                for key, item in value.items():
                    if key not in merged and key not in before:
                        merged[key] = item
        return merged

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

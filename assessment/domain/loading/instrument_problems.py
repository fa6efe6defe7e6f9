"""Problems found in an instrument file, located by line and by key path."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

ROOT_PATH = "top level"

PathKey = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


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


@dataclass
class SourceMap:
    """Plain data from YAML with the line of every value and of every mapping key."""

    data: Any = None
    value_lines: dict[PathKey, int] = field(default_factory=dict)
    key_lines: dict[PathKey, int] = field(default_factory=dict)
    scalar_sources: dict[PathKey, str] = field(default_factory=dict)


@dataclass
class ProblemReport:
    """Collects problems, turning key paths into line numbers."""

    filename: str
    source_map: SourceMap = field(default_factory=SourceMap)
    problems: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False)

    def add(self, path: PathKey, message: str, *, at_key: bool = False) -> None:
        """Record a problem at `path` (on the line of its key when `at_key`)."""
        self.add_at_line(self.line(path, at_key=at_key), format_path(path), message)

    def add_at_line(self, line: int, path: str, message: str) -> None:
        """Record a problem whose line is known but whose key path is not."""
        problem = Problem(self.filename, line, path, message)
        # Some schema rules fail once per missing key but describe them all.
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def line(self, path: PathKey, *, at_key: bool = False) -> int:
        """The line of `path`, or of its nearest located ancestor."""
        if at_key and path in self.source_map.key_lines:
            return self.source_map.key_lines[path]
        for end in range(len(path), -1, -1):
            line = self.source_map.value_lines.get(path[:end])
            if line is not None:
                return line
        return 1


def describe_value(value: Any) -> str:
    """A short description of a value of the wrong type."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {show_value(value)}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def show_value(value: Any) -> str:
    """A value as it appears in a message, shortened when long."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def quote_hint(value: Any, expected: str, path: PathKey, report: ProblemReport) -> str:
    """Advice for YAML's habit of reading `no`, `1.0` or `~` as something else."""
    source = report.source_map.scalar_sources.get(path)
    if expected != "a string" or not source or isinstance(value, str):
        return ""
    return f' (write it in quotes: "{source}")'


def suggestion(word: str, known: Collection[str], *, list_all: bool = True) -> str:
    """`(did you mean 'x'?)`, or the list of known names when it is short."""
    close = difflib.get_close_matches(word, list(known), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if list_all and known and len(known) <= 15:
        return f" (known: {', '.join(sorted(known))})"
    return ""

"""What report methodology sections cite besides the instrument: published survey figures
(reports/baseline.yaml) and the current European legal framework (reports/references.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from assessment.reporting.view_data import BaselineFigure
from assessment.resources import reports_dir

BASELINE_FILE = "baseline.yaml"
REFERENCES_FILE = "references.yaml"
_FIELDS = ("year", "country", "source", "sample", "figure")


class BaselineError(ValueError):
    """The baseline file is missing a field or is not a list of figures."""


def load_baseline(path: Path) -> tuple[BaselineFigure, ...]:
    """The figures in a baseline YAML file, or BaselineError naming the faulty entry."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: expected a list of figures")
    figures = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise BaselineError(f"{path}: entry {index} is not a mapping")
        missing = [name for name in _FIELDS if not str(entry.get(name) or "").strip()]
        if missing:
            raise BaselineError(f"{path}: entry {index} lacks {', '.join(missing)}")
        verified = entry.get("verified", True)
        if not isinstance(verified, bool):
            raise BaselineError(f"{path}: entry {index}: verified must be true or false")
        words = {name: " ".join(str(entry[name]).split()) for name in _FIELDS}
        figures.append(BaselineFigure(**words, verified=verified))
    return tuple(figures)


@cache
def published_baseline() -> tuple[BaselineFigure, ...]:
    """The bundled baseline figures."""
    return load_baseline(reports_dir() / BASELINE_FILE)


def load_references(path: Path) -> tuple[str, ...]:
    """The acts of a references file as "act: scope" lines, or BaselineError naming the entry."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: expected a list of acts")
    lines = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not all(
            str(entry.get(name) or "").strip() for name in ("act", "scope")
        ):
            raise BaselineError(f"{path}: entry {index} needs an act and a scope")
        lines.append(
            f"{' '.join(str(entry['act']).split())}: {' '.join(str(entry['scope']).split())}"
        )
    return tuple(lines)


@cache
def legal_references() -> tuple[str, ...]:
    """The bundled European legal references."""
    return load_references(reports_dir() / REFERENCES_FILE)

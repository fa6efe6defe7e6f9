"""Published survey figures shown in report methodology sections (reports/baseline.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from assessment.reporting.view_data import BaselineFigure
from assessment.resources import reports_dir

BASELINE_FILE = "baseline.yaml"
_FIELDS = ("year", "source", "sample", "figure")


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
        figures.append(BaselineFigure(*(" ".join(str(entry[name]).split()) for name in _FIELDS)))
    return tuple(figures)


@cache
def published_baseline() -> tuple[BaselineFigure, ...]:
    """The bundled baseline figures."""
    return load_baseline(reports_dir() / BASELINE_FILE)

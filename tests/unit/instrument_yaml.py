"""A minimal valid instrument as YAML text, and helpers to break it on purpose."""

from __future__ import annotations

from pathlib import Path

from assessment.domain.loading.loader import InstrumentError, parse_instrument
from assessment.domain.model.instrument import Instrument

FILENAME = "questionnaires/x.yaml"

MINIMAL_YAML = """\
id: mini
version: 1.0.0
title: Mini instrument
description: A tiny instrument for tests.
levels:
  - number: 1
    name: Initial
    description: Ad hoc.
  - number: 2
    name: Developing
    description: Documented.
  - number: 3
    name: Defined
    description: Institutionalised.
answer_sets:
  implementation:
    options:
      - {id: not, label: Not implemented, credit: 0}
      - {id: partial, label: Partially implemented, credit: 0.5}
      - {id: fully, label: Fully implemented, credit: 1}
  yes_no:
    options:
      - {id: "no", label: "No", credit: 0}
      - {id: "yes", label: "Yes", credit: 1}
sources:
  SRC-A:
    citation: First source, 2010
    url: https://example.org/a
  SRC-B:
    citation: Second source, 2014
themes:
  ethics:
    title: Ethics
    description: Privacy and ethics.
profile:
  - id: country
    label: Country
    kind: country
    required: true
  - id: agency_type
    label: Agency type
    kind: choice
    options:
      - {id: local, label: Local}
      - {id: national, label: National}
dimensions:
  - id: policy
    title: Policy
    description: Written rules.
    levels:
      1: No written rules.
      2: A written policy.
    practices:
      - id: policy.written
        level: 2
        answer_set: implementation
        text: A written policy exists.
        guidance: The policy document.
        themes: [ethics]
        sources: [SRC-A]
        recommendation:
          action: Write a policy.
          effort: low
          impact: high
          horizon: short
      - id: policy.reviewed
        level: 3
        weight: 2
        answer_set: yes_no
        text: The policy is reviewed every year.
        guidance: Review minutes.
        show_if:
          practice: policy.written
          any_of: [partial, fully]
        sources: [SRC-A, SRC-B]
        recommendation:
          action: Review the policy yearly.
          effort: low
          impact: medium
          horizon: medium
          depends_on: [policy.written]
  - id: staffing
    title: Staffing
    description: People and roles.
    weight: 0.5
    practices:
      - id: staffing.owner
        level: 2
        answer_set: yes_no
        text: Every account has a named owner.
        guidance: The account register.
        allow_not_applicable: true
        sources: [SRC-B]
        recommendation:
          action: Name an owner for every account.
          effort: low
          impact: medium
          horizon: short
"""


def edit(text: str, old: str, new: str) -> str:
    """`text` with the first `old` replaced by `new`; `old` must be there."""
    assert old in text, f"{old!r} is not in the text"
    return text.replace(old, new, 1)


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """The 1-based line on which `snippet` appears for the `occurrence`-th time."""
    index = -1
    for _ in range(occurrence):
        index = text.find(snippet, index + 1)
        assert index >= 0, f"{snippet!r} is not {occurrence} times in the text"
    return text[:index].count("\n") + 1


def parse(text: str = MINIMAL_YAML) -> Instrument:
    """The instrument of `text`, named FILENAME."""
    return parse_instrument(text, FILENAME)


def problems(text: str) -> list[str]:
    """Every problem reported for `text`, as printed."""
    try:
        parse(text)
    except InstrumentError as error:
        return [str(problem) for problem in error.problems]
    raise AssertionError("the text was accepted")


def write_instrument(folder: Path, instrument_id: str = "mini", version: str = "1.0.0") -> Path:
    """Write the minimal instrument with this id and version as `<id>-<version>.yaml`."""
    text = edit(
        MINIMAL_YAML, "id: mini\nversion: 1.0.0", f"id: {instrument_id}\nversion: {version}"
    )
    path = folder / f"{instrument_id}-{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path

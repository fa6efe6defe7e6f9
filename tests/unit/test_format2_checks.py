"""Every format-2 rule the validator checks, each with the file and line of the problem."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from assessment.domain.loading.loader import instrument_schema
from tests.unit.instrument_yaml import FILENAME, MINIMAL_YAML, edit, line_of, problems

F = FILENAME
FORMAT_2 = (Path(__file__).parents[1] / "data" / "format2" / "fmt2-mini-2.0.0.yaml").read_text(
    encoding="utf-8"
)
DESK = "dimensions[1].practices[1]"
CONTROL_ROOM = "dimensions[1].practices[2]"


def test_the_test_instrument_is_valid() -> None:
    with pytest.raises(AssertionError, match="accepted"):
        problems(FORMAT_2)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        (
            "credit: 0.5}",
            "credit: 0.5, definition: Half.}",
            "answer_sets.implementation.options[1].definition",
        ),
        (
            "    practices:\n      - id: policy.written\n",
            "    practices:\n      - id: policy.written\n        kind: maturity\n",
            "dimensions[0].practices[0].kind",
        ),
        (
            "        level: 2\n        answer_set: implementation\n",
            "        level: 2\n        critical: true\n        answer_set: implementation\n",
            "dimensions[0].practices[0].critical",
        ),
        (
            "        level: 2\n        answer_set: implementation\n",
            "        level: 2\n        requirement: r\n        answer_set: implementation\n",
            "dimensions[0].practices[0].requirement",
        ),
        ("themes:\n  ethics", "scoring:\n  gating: critical\nthemes:\n  ethics", "scoring.gating"),
        (
            "themes:\n  ethics",
            "scoring:\n  overall_level_rule: none\nthemes:\n  ethics",
            "scoring.overall_level_rule",
        ),
    ],
)
def test_format_2_keys_need_format_2(old: str, new: str, path: str) -> None:
    text = edit(MINIMAL_YAML, old, new)
    key = path.rsplit(".", 1)[1]
    added = [row for row in new.splitlines() if row not in old.splitlines()][-1]
    line = line_of(text, added.strip())

    assert f"{F}:{line}: {path}: '{key}' needs format: 2 (add 'format: 2' at the top)" in problems(
        text
    )


def test_every_option_is_defined_in_format_2() -> None:
    text = edit(FORMAT_2, ", definition: Complete and checked by evidence.}", "}")

    assert problems(text) == [
        f"{F}:{line_of(text, '- {id: fully')}: answer_sets.implementation.options[3]: "
        "missing required key 'definition' (format 2 defines every option)"
    ]


def test_a_profile_condition_names_a_known_choice_question_and_its_options() -> None:
    unknown = edit(
        FORMAT_2, "{profile: jurisdiction, any_of: [eu]}", "{profile: jurisdictoin, any_of: [eu]}"
    )
    option = edit(
        FORMAT_2, "{profile: jurisdiction, any_of: [eu]}", "{profile: jurisdiction, any_of: [de]}"
    )
    both = edit(
        FORMAT_2,
        "{profile: jurisdiction, any_of: [eu]}",
        "{profile: jurisdiction, practice: legal.review, any_of: [eu]}",
    )

    assert problems(unknown) == [
        f"{F}:{line_of(unknown, 'jurisdictoin')}: dimensions[0].practices[2].show_if.profile: "
        "unknown profile question 'jurisdictoin' (did you mean 'jurisdiction'?)"
    ]
    assert problems(option) == [
        f"{F}:{line_of(option, 'any_of: [de]')}: dimensions[0].practices[2].show_if.any_of[0]: "
        "option 'de' is not an option of profile question 'jurisdiction' (options: eu, uk, other)"
    ]
    assert problems(both) == [
        f"{F}:{line_of(both, 'practice: legal.review, any_of')}: "
        "dimensions[0].practices[2].show_if.profile: give practice or profile, not both"
    ]


def test_a_profile_condition_needs_a_choice_question() -> None:
    text = edit(
        FORMAT_2,
        "  - id: agency_type\n    label: Type of agency\n",
        "  - id: force_name\n    label: Name\n    kind: text\n"
        "  - id: agency_type\n    label: Type of agency\n",
    )
    text = edit(
        text, "{profile: agency_type, any_of: [local]}", "{profile: force_name, any_of: [local]}"
    )

    assert problems(text) == [
        f"{F}:{line_of(text, 'profile: force_name')}: dimensions[1].practices[3].show_if.profile: "
        "profile question 'force_name' is not a choice; conditions need its options"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "        level: 3\n        critical: true\n        requirement: round-the-clock\n"
            "        answer_set: implementation\n        text: The control",
            "        level: 4\n        critical: true\n        requirement: round-the-clock\n"
            "        answer_set: implementation\n        text: The control",
            "alternatives for requirement 'round-the-clock' must share their dimension and level",
        ),
        (
            "        requirement: round-the-clock\n        answer_set: implementation\n      "
            "  text: The control",
            "        requirement: round-the-clock\n        weight: 2\n        answer_set: "
            "implementation\n        text: The control",
            "alternatives for requirement 'round-the-clock' must share their weight",
        ),
    ],
)
def test_alternatives_must_be_alike(old: str, new: str, message: str) -> None:
    text = edit(FORMAT_2, old, new)
    first = line_of(text, "- id: staffing.desk-24-7")

    assert problems(text) == [
        f"{F}:{line_of(text, 'requirement: round-the-clock', 2)}: {CONTROL_ROOM}.requirement: "
        f"{message} (first alternative on line {first})"
    ]


def test_a_requirement_needs_two_alternatives() -> None:
    text = edit(
        FORMAT_2,
        "        requirement: round-the-clock\n        answer_set: implementation\n      "
        "  text: The control",
        "        answer_set: implementation\n        text: The control",
    )

    assert problems(text) == [
        f"{F}:{line_of(text, 'requirement: round-the-clock')}: {DESK}.requirement: "
        "requirement 'round-the-clock' has one practice; alternatives need two or more"
    ]


def test_baseline_and_screening_practices_are_off_the_ladder() -> None:
    baseline = edit(
        FORMAT_2,
        "        kind: baseline\n        answer_set: obligation\n        text: Each",
        "        kind: baseline\n        level: 2\n        answer_set: obligation\n      "
        "  text: Each",
    )
    screening = edit(
        FORMAT_2,
        "        guidance: The agency's own account of its work.\n",
        "        guidance: The agency's own account of its work.\n        "
        "recommendation: {action: X, effort: low, impact: low, horizon: short}\n",
    )
    no_level = edit(
        FORMAT_2, "      - id: legal.review\n        level: 3\n", "      - id: legal.review\n"
    )

    assert problems(baseline) == [
        f"{F}:{line_of(baseline, 'level: 2')}: dimensions[0].practices[1].level: level is only "
        "for maturity practices: baseline and screening practices are off the level ladder"
    ]
    assert problems(screening) == [
        f"{F}:{line_of(screening, 'recommendation: {action: X')}: "
        "dimensions[0].practices[0].recommendation: "
        "a screening question has no recommendation: it is never an action"
    ]
    assert problems(no_level) == [
        f"{F}:{line_of(no_level, '- id: legal.review')}: dimensions[0].practices[5]: "
        "missing required key 'level'"
    ]


def test_a_screening_question_is_no_dependency_and_the_cap_is_on_the_scale() -> None:
    text = edit(
        FORMAT_2,
        "{action: Review yearly., effort: low, impact: medium, horizon: medium}",
        "{action: Review yearly., effort: low, impact: medium, horizon: medium, "
        "depends_on: [legal.covert-screen]}",
    )
    text = edit(text, "  baseline_cap: 1", "  baseline_cap: 7")

    assert problems(text) == [
        f"{F}:{line_of(text, 'baseline_cap: 7')}: scoring.baseline_cap: "
        "level 7 is not on the scale (1, 2, 3, 4)",
        f"{F}:{line_of(text, 'depends_on: [legal.covert-screen]')}: "
        "dimensions[0].practices[5].recommendation.depends_on[0]: "
        "'legal.covert-screen' is a screening question, never an action to depend on",
    ]


def test_unknown_kind_and_gating_values() -> None:
    text = edit(FORMAT_2, "        kind: screening\n", "        kind: screen\n")
    text = edit(text, "  gating: critical", "  gating: critcal")

    found = problems(text)
    assert (
        f"{F}:{line_of(text, 'gating: critcal')}: scoring.gating: 'critcal' is not one "
        "of: all, critical (did you mean 'critical'?)" in found
    )
    assert (
        f"{F}:{line_of(text, 'kind: screen')}: dimensions[0].practices[0].kind: 'screen' "
        "is not one of: maturity, baseline, screening (did you mean 'screening'?)" in found
    )


def test_the_schema_alone_accepts_the_format_2_test_instrument() -> None:
    """Editors that only read the JSON Schema agree with the validator."""
    data = json.loads(json.dumps(yaml.safe_load(FORMAT_2), default=str))

    jsonschema.Draft202012Validator(instrument_schema()).validate(data)


def test_gating_by_critical_practices_needs_one() -> None:
    text = FORMAT_2.replace("        critical: true\n", "")

    assert problems(text) == [
        f"{F}:{line_of(text, 'gating: critical')}: scoring.gating: "
        "gating is critical, but no practice is marked critical: nothing would gate"
    ]

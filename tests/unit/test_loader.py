"""The instrument loader: what it builds from YAML and how it explains a bad file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest
import yaml

from assessment.domain.loading.crosswalk import is_crosswalk_file
from assessment.domain.loading.loader import (
    InstrumentError,
    Problem,
    instrument_schema,
    load_instrument,
    parse_instrument,
)
from assessment.domain.model.instrument import (
    DEFAULT_PHASES,
    LevelRule,
    OverallLevelRule,
    Rating,
    ScoringRules,
    Text,
)
from assessment.resources import questionnaires_dir
from tests.unit.instrument_yaml import FILENAME, MINIMAL_YAML, edit, line_of, parse, problems

F = FILENAME
PRACTICE_0 = "dimensions[0].practices[0]"
PRACTICE_1 = "dimensions[0].practices[1]"


# ----------------------------------------------------------------------------- building


def test_minimal_instrument_builds_the_model() -> None:
    instrument = parse()

    assert instrument.key == "mini@1.0.0"
    assert [level.number for level in instrument.levels] == [1, 2, 3]
    assert instrument.level(2).name == Text.plain("Developing")
    assert [d.id for d in instrument.dimensions] == ["policy", "staffing"]
    assert [p.id for p in instrument.practices()] == [
        "policy.written",
        "policy.reviewed",
        "staffing.owner",
    ]
    assert instrument.dimensions[1].weight == 0.5
    assert instrument.dimensions[0].level_descriptions == {
        1: Text.plain("No written rules."),
        2: Text.plain("A written policy."),
    }
    assert instrument.sources["SRC-A"].url == "https://example.org/a"
    assert instrument.sources["SRC-B"].url is None
    assert instrument.themes["ethics"].title == Text.plain("Ethics")


def test_practices_know_their_dimension_and_answer_set() -> None:
    instrument = parse()
    written, reviewed, owner = instrument.practices()

    assert owner.dimension_id == "staffing"
    assert written.answer_set is instrument.answer_sets["implementation"]
    assert [o.credit for o in written.answer_set.options] == [0.0, 0.5, 1.0]
    assert reviewed.show_if is not None
    assert reviewed.show_if.practice_id == "policy.written"
    assert reviewed.show_if.any_of == ("partial", "fully")
    assert reviewed.recommendation.depends_on == ("policy.written",)
    assert reviewed.recommendation.effort is Rating.LOW
    assert reviewed.sources == ("SRC-A", "SRC-B")
    assert written.themes == ("ethics",)


def test_optional_fields_take_their_defaults() -> None:
    instrument = parse()
    written, reviewed, owner = instrument.practices()

    assert instrument.scoring == ScoringRules(0.75, LevelRule.GATED, OverallLevelRule.LOWEST)
    assert instrument.phases == DEFAULT_PHASES
    assert instrument.languages == ("en",)
    assert written.weight == 1.0
    assert reviewed.weight == 2.0
    assert not written.allow_not_applicable
    assert owner.allow_not_applicable
    assert written.show_if is None
    assert written.recommendation.depends_on == ()
    assert instrument.dimensions[0].weight == 1.0
    assert instrument.dimensions[1].level_descriptions == {}


def test_scoring_and_phases_are_read_when_given() -> None:
    text = edit(
        MINIMAL_YAML,
        "dimensions:\n",
        "scoring: {met_at: 0.5, level_rule: averaged, overall_level_rule: weighted_mean}\n"
        "phases:\n"
        "  - {id: short, title: Now, start_month: 0, end_month: 3}\n"
        "  - {id: medium, title: Later, start_month: 3, end_month: 12}\n"
        "dimensions:\n",
    )
    instrument = parse(text)

    assert instrument.scoring == ScoringRules(
        0.5, LevelRule.AVERAGED, OverallLevelRule.WEIGHTED_MEAN
    )
    assert [(p.id, str(p.title), p.start_month, p.end_month) for p in instrument.phases] == [
        ("short", "Now", 0, 3),
        ("medium", "Later", 3, 12),
    ]


def test_profile_questions_are_read() -> None:
    country, agency_type = parse().profile

    assert (country.id, country.kind, country.required, country.options) == (
        "country",
        "country",
        True,
        (),
    )
    assert agency_type.required is False
    assert [(o.id, str(o.label)) for o in agency_type.options] == [
        ("local", "Local"),
        ("national", "National"),
    ]


def test_translated_texts_use_the_first_language_as_default() -> None:
    text = edit(MINIMAL_YAML, "title: Mini instrument", "title: {nl: Mini-instrument, en: Mini}")
    text = edit(text, "description: A tiny", "languages: [nl, en]\ndescription: A tiny")
    text = text.replace("title: Policy", "title: {nl: Beleid, en: Policy}")
    instrument = parse(text)

    assert instrument.languages == ("nl", "en")
    assert str(instrument.title) == "Mini-instrument"
    assert instrument.title.get("en") == "Mini"
    assert instrument.dimensions[0].title.get("nl") == "Beleid"
    # A plain string is in the default language.
    assert instrument.description == Text.plain("A tiny instrument for tests.", "nl")


def test_yaml_merge_keys_and_anchors_are_supported() -> None:
    text = edit(
        MINIMAL_YAML,
        "        recommendation:\n          action: Write a policy.\n",
        "        recommendation: &quick\n          action: Write a policy.\n",
    )
    text = edit(
        text,
        "        recommendation:\n          action: Name an owner for every account.\n"
        "          effort: low\n          impact: medium\n          horizon: short\n",
        "        recommendation:\n          <<: *quick\n          action: Name an owner.\n",
    )
    owner = parse(text).practice("staffing.owner")

    assert owner is not None
    assert str(owner.recommendation.action) == "Name an owner."
    assert owner.recommendation.impact is Rating.HIGH


def test_load_instrument_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mini-1.0.0.yaml"
    path.write_text(MINIMAL_YAML, encoding="utf-8")

    assert load_instrument(path).key == "mini@1.0.0"


# ----------------------------------------------------------------------------- problem shape


def test_problem_prints_file_line_path_message() -> None:
    problem = Problem("questionnaires/x.yaml", 42, "dimensions[2].id", "bad")

    assert str(problem) == "questionnaires/x.yaml:42: dimensions[2].id: bad"


def test_instrument_error_is_a_value_error_listing_every_problem() -> None:
    text = edit(MINIMAL_YAML, "effort: low", "effort: lo")
    text = edit(text, "horizon: medium", "horizon: later")

    with pytest.raises(ValueError, match="effort") as caught:
        parse(text)
    assert isinstance(caught.value, InstrumentError)
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]
    assert len(caught.value.problems) == 2


def test_all_problems_of_a_file_are_reported_in_line_order() -> None:
    text = edit(MINIMAL_YAML, "horizon: medium", "horizon: later")
    text = edit(text, "version: 1.0.0", "version: one")
    text = edit(text, "credit: 0.5", "credit: 5")
    text = edit(text, "answer_set: yes_no", "answer_set: yesno")

    lines = [int(problem.split(":")[1]) for problem in problems(text)]

    assert len(lines) == 4
    assert lines == sorted(lines)


# ----------------------------------------------------------------------------- YAML level


def test_invalid_yaml_reports_the_parser_line() -> None:
    text = edit(MINIMAL_YAML, "guidance: Review minutes.", "guidance: Review: minutes.")

    assert problems(text) == [
        f"{F}:{line_of(text, 'Review:')}: syntax: mapping values are not allowed here, column 25"
    ]


def test_unclosed_bracket_names_where_the_list_started() -> None:
    text = edit(MINIMAL_YAML, "sources: [SRC-A, SRC-B]", "sources: [SRC-A, SRC-B")

    (problem,) = problems(text)
    started = line_of(text, "SRC-B\n")
    assert problem.startswith(f"{F}:{started + 1}: syntax: expected ',' or ']'")
    assert f"(while parsing a flow sequence started on line {started})" in problem


def test_tab_indentation_is_a_syntax_error_with_its_line() -> None:
    text = edit(MINIMAL_YAML, "    title: Staffing", "\ttitle: Staffing")

    (problem,) = problems(text)
    assert problem.startswith(f"{F}:{line_of(text, chr(9))}: syntax: ")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_is_reported(text: str) -> None:
    assert problems(text) == [f"{F}:1: top level: the file is empty"]


@pytest.mark.parametrize(
    ("text", "got"), [("- a\n- b\n", "a list"), ("just words\n", "the string 'just words'")]
)
def test_top_level_must_be_a_mapping(text: str, got: str) -> None:
    assert problems(text) == [
        f"{F}:1: top level: the top level must be a mapping of keys, got {got}"
    ]


def test_duplicate_yaml_keys_are_errors() -> None:
    text = edit(MINIMAL_YAML, "    title: Staffing\n", "    title: Staffing\n    title: People\n")

    assert problems(text) == [
        f"{F}:{line_of(text, 'title: People')}: dimensions[1].title: "
        f"duplicate key 'title' (first on line {line_of(text, 'title: Staffing')})"
    ]


def test_duplicate_theme_and_answer_set_ids_are_duplicate_keys() -> None:
    text = edit(
        MINIMAL_YAML,
        "profile:\n",
        "  ethics:\n    title: Again\n    description: Again.\nprofile:\n",
    )
    text = edit(
        text,
        "sources:\n",
        "  yes_no:\n    options: [{id: a, label: A, credit: 0}, {id: b, label: B, credit: 1}]\n"
        "sources:\n",
    )

    sets = line_of(text, "  yes_no:"), line_of(text, "  yes_no:", 2)
    themes = line_of(text, "  ethics:"), line_of(text, "  ethics:", 2)
    assert problems(text) == [
        f"{F}:{sets[1]}: answer_sets.yes_no: duplicate key 'yes_no' (first on line {sets[0]})",
        f"{F}:{themes[1]}: themes.ethics: duplicate key 'ethics' (first on line {themes[0]})",
    ]


def test_unsupported_yaml_tags_are_refused() -> None:
    text = edit(MINIMAL_YAML, "title: Mini instrument", "title: !!python/object:os.system x")

    assert problems(text) == [
        f"{F}:3: title: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'"
    ]


def test_recursive_alias_is_refused() -> None:
    text = edit(MINIMAL_YAML, "themes: [ethics]", "themes: &loop [ethics, *loop]")

    assert problems(text)[0] == (
        f"{F}:{line_of(text, '&loop')}: {PRACTICE_0}.themes[1]: "
        "an alias refers to a node that contains it"
    )


def test_each_missing_key_is_reported_once() -> None:
    assert problems("a: 1\n") == [
        f"{F}:1: a: unknown key 'a' (known: answer_sets, description, dimensions, format, id, "
        "languages, levels, phases, profile, scoring, sources, themes, title, version)",
        *(
            f"{F}:1: top level: missing required key '{key}'"
            for key in (
                "id",
                "version",
                "title",
                "description",
                "levels",
                "answer_sets",
                "dimensions",
            )
        ),
    ]


def test_alias_expansion_bomb_is_stopped() -> None:
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    text = "\n".join(layers) + "\n"

    assert problems(text) == [f"{F}:1: top level: the file is too large (alias expansion)"]


def test_a_merged_mapping_reused_through_an_alias_is_not_a_duplicate() -> None:
    text = edit(
        MINIMAL_YAML,
        "        recommendation:\n          action: Write a policy.\n"
        "          effort: low\n          impact: high\n          horizon: short\n",
        "        recommendation: &b\n"
        "          <<: {action: X, effort: low, impact: high, horizon: short}\n"
        "          action: Write a policy.\n",
    )
    text = edit(
        text,
        "        recommendation:\n          action: Name an owner for every account.\n"
        "          effort: low\n          impact: medium\n          horizon: short\n",
        "        recommendation: *b\n",
    )
    owner = parse(text).practice("staffing.owner")

    assert owner is not None
    assert str(owner.recommendation.action) == "Write a policy."
    assert owner.recommendation.impact is Rating.HIGH


def test_a_repeated_key_in_an_aliased_mapping_is_reported_once() -> None:
    text = "x: &x {a: 1, a: 2}\ny: [*x, *x, *x]\n"

    duplicates = [p for p in problems(text) if "duplicate key" in p]
    assert duplicates == [f"{F}:1: x.a: duplicate key 'a' (first on line 1)"]


def test_a_merge_key_bomb_is_stopped_quickly_with_one_message() -> None:
    layers = ["x0: &x0 {<<: {k: 1}, k: 2}"]
    layers += [f"x{i}: &x{i} [*x{i - 1}, *x{i - 1}]" for i in range(1, 18)]
    started = time.perf_counter()

    found = problems("\n".join(layers) + "\n" + MINIMAL_YAML)

    assert time.perf_counter() - started < 5
    assert found == [f"{F}:1: top level: the file is too large (alias expansion)"]


def test_a_merge_key_needs_mappings() -> None:
    effort = "          effort: low\n"
    text = edit(MINIMAL_YAML, effort, "          <<: [1]\n" + effort)

    assert problems(text)[0] == (
        f"{F}:{line_of(text, '<<: [1]')}: {PRACTICE_0}.recommendation: "
        "invalid merge key: '<<' takes a mapping or a list of mappings"
    )


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("sources:\n", "sources: !!python/object:os.system\n", "sources"),
        ("themes: [ethics]", "themes: !!python/tuple [ethics]", f"{PRACTICE_0}.themes"),
    ],
)
def test_python_tags_on_mappings_and_sequences_are_refused(old: str, new: str, path: str) -> None:
    text = edit(MINIMAL_YAML, old, new)
    tag = new.split("!!")[1].split()[0]

    assert problems(text) == [
        f"{F}:{line_of(text, '!!python')}: {path}: unsupported YAML tag 'tag:yaml.org,2002:{tag}'"
    ]


@pytest.mark.parametrize("number", [".nan", ".inf", "-.inf", ".NaN"])
@pytest.mark.parametrize(
    ("old", "path"),
    [
        ("credit: 0.5", "answer_sets.implementation.options[1].credit"),
        ("    weight: 0.5\n", "dimensions[1].weight"),
        ("        weight: 2\n", "dimensions[0].practices[1].weight"),
    ],
)
def test_numbers_must_be_finite(number: str, old: str, path: str) -> None:
    new = old.replace(old.strip().split(": ")[1], number)
    text = edit(MINIMAL_YAML, old, new)

    found = problems(text)
    assert f"{F}:{line_of(text, new.strip())}: {path}: numbers must be finite, got '{number}'" in (
        found
    )
    assert all("finite" in p or "must be" in p for p in found)


def test_met_at_must_be_finite() -> None:
    text = MINIMAL_YAML + "scoring:\n  met_at: .nan\n"

    assert f"{F}:{line_of(text, 'met_at')}: scoring.met_at: numbers must be finite, got '.nan'" in (
        problems(text)
    )


def test_a_lone_surrogate_escape_is_reported_on_its_line() -> None:
    text = edit(MINIMAL_YAML, "title: Mini instrument", 'title: "Mini \\ud800 instrument"')

    assert problems(text) == [
        f"{F}:3: syntax: found invalid Unicode character escape code "
        "(while parsing a quoted scalar started on line 3), column 16"
    ]


# ----------------------------------------------------------------------------- schema


def test_unknown_key_names_the_key_and_suggests_the_right_one() -> None:
    text = edit(MINIMAL_YAML, "        recommendation:\n", "        recomendation:\n")

    assert problems(text) == [
        f"{F}:{line_of(text, '- id: policy.written')}: {PRACTICE_0}: "
        "missing required key 'recommendation'",
        f"{F}:{line_of(text, 'recomendation')}: {PRACTICE_0}.recomendation: "
        "unknown key 'recomendation' (did you mean 'recommendation'?)",
    ]


def test_unknown_top_level_key_lists_the_allowed_keys_when_nothing_is_close() -> None:
    text = MINIMAL_YAML + "zzz: 1\n"

    (problem,) = problems(text)
    assert problem.startswith(f"{F}:{line_of(text, 'zzz')}: zzz: unknown key 'zzz' (known: answer_")
    assert "answer_sets" in problem


def test_missing_key_is_reported_on_the_line_of_the_enclosing_mapping() -> None:
    text = edit(MINIMAL_YAML, "        guidance: The account register.\n", "")

    assert problems(text) == [
        f"{F}:{line_of(text, '- id: staffing.owner')}: dimensions[1].practices[0]: "
        "missing required key 'guidance'"
    ]


def test_missing_top_level_key() -> None:
    text = edit(MINIMAL_YAML, "description: A tiny instrument for tests.\n", "")

    assert problems(text) == [f"{F}:1: top level: missing required key 'description'"]


def test_wrong_type_explains_yaml_reading_of_unquoted_values() -> None:
    text = edit(MINIMAL_YAML, 'id: "no"', "id: no")

    assert problems(text) == [
        f"{F}:{line_of(text, 'id: no,')}: answer_sets.yes_no.options[0].id: "
        'expected a string, got the boolean false (write it in quotes: "no")'
    ]


def test_version_must_be_a_semantic_version() -> None:
    assert problems(edit(MINIMAL_YAML, "version: 1.0.0", "version: 1.0")) == [
        f'{F}:2: version: expected a string, got the number 1.0 (write it in quotes: "1.0")'
    ]
    assert problems(edit(MINIMAL_YAML, "version: 1.0.0", "version: v1.0.0")) == [
        f"{F}:2: version: 'v1.0.0' is not valid: expected a semantic version "
        "MAJOR.MINOR.PATCH such as 1.0.0, written without a leading v"
    ]


def test_ids_must_follow_their_pattern() -> None:
    text = edit(MINIMAL_YAML, "- id: policy\n", "- id: Policy Area\n")

    assert problems(text) == [
        f"{F}:{line_of(text, 'Policy Area')}: dimensions[0].id: 'Policy Area' is not valid: "
        "expected lowercase letters and digits in groups joined by single dashes or "
        "underscores, e.g. privacy-ethics or yes_no"
    ]


def test_source_url_must_be_a_web_address() -> None:
    text = edit(MINIMAL_YAML, "url: https://example.org/a", "url: example.org")

    assert problems(text) == [
        f"{F}:{line_of(text, 'url:')}: sources.SRC-A.url: 'example.org' is not valid: "
        "expected a web address starting with http:// or https://"
    ]


def test_mapping_keys_are_checked_against_their_pattern_on_their_own_line() -> None:
    text = edit(MINIMAL_YAML, "  ethics:\n", "  Ethics Theme:\n")
    text = edit(text, "themes: [ethics]", "themes: []")

    assert problems(text) == [
        f"{F}:{line_of(text, 'Ethics Theme')}: themes['Ethics Theme']: 'Ethics Theme' is not "
        "valid: expected lowercase letters and digits in groups joined by single dashes or "
        "underscores, e.g. privacy-ethics or yes_no"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("credit: 0.5", "credit: 1.5", "must be at most 1, got 1.5"),
        ("credit: 0.5", "credit: -0.5", "must be at least 0, got -0.5"),
    ],
)
def test_credit_must_be_between_zero_and_one(old: str, new: str, message: str) -> None:
    text = edit(MINIMAL_YAML, old, new)

    assert problems(text) == [
        f"{F}:{line_of(text, new)}: answer_sets.implementation.options[1].credit: {message}"
    ]


@pytest.mark.parametrize("weight", ["0", "-1"])
def test_weight_must_be_positive(weight: str) -> None:
    text = edit(MINIMAL_YAML, "weight: 2", f"weight: {weight}")

    assert problems(text) == [
        f"{F}:{line_of(text, f'weight: {weight}')}: {PRACTICE_1}.weight: "
        f"must be greater than 0, got {weight}"
    ]


def test_bad_enum_values_are_listed_with_the_choices() -> None:
    text = edit(MINIMAL_YAML, "effort: low", "effort: hihg")
    text = edit(text, "dimensions:\n", "scoring: {level_rule: staged}\ndimensions:\n")

    assert problems(text) == [
        f"{F}:{line_of(text, 'staged')}: scoring.level_rule: 'staged' is not one of: "
        "gated, averaged",
        f"{F}:{line_of(text, 'hihg')}: {PRACTICE_0}.recommendation.effort: 'hihg' is not one "
        "of: low, medium, high (did you mean 'high'?)",
    ]


def test_texts_must_be_strings_or_language_mappings() -> None:
    text = edit(MINIMAL_YAML, "text: A written policy exists.", "text: [A, list]")
    text = edit(text, "title: Ethics", "title: {en: 5}")
    text = edit(text, "guidance: Review minutes.", "guidance: ''")
    empty_line = line_of(text, "guidance: ''")

    assert problems(text) == [
        f"{F}:{line_of(text, '{en: 5}')}: themes.ethics.title.en: "
        'expected a string, got the number 5 (write it in quotes: "5")',
        f"{F}:{line_of(text, '[A, list]')}: {PRACTICE_0}.text: "
        "expected a text (a string, or a mapping from language code to string), got a list",
        f"{F}:{empty_line}: {PRACTICE_1}.guidance: must not be empty",
    ]


def test_empty_value_is_null_without_quoting_advice() -> None:
    text = edit(MINIMAL_YAML, "title: Mini instrument", "title:")

    assert problems(text) == [
        f"{F}:3: title: expected a text (a string, or a mapping from language code to string), "
        "got nothing (null)"
    ]


def test_lists_have_minimum_sizes_and_unique_items() -> None:
    text = edit(MINIMAL_YAML, "sources: [SRC-A]", "sources: []")
    text = edit(text, "sources: [SRC-A, SRC-B]", "sources: [SRC-A, SRC-A]")

    assert problems(text) == [
        f"{F}:{line_of(text, 'sources: []')}: {PRACTICE_0}.sources: must have at least 1 item",
        f"{F}:{line_of(text, 'SRC-A, SRC-A')}: {PRACTICE_1}.sources: lists 'SRC-A' more than once",
    ]


def test_choice_questions_need_options_and_others_refuse_them() -> None:
    text = edit(
        MINIMAL_YAML,
        "    kind: country\n",
        "    kind: country\n    options: [{id: nl, label: NL}]\n",
    )
    text = edit(
        text,
        "    options:\n      - {id: local, label: Local}\n"
        "      - {id: national, label: National}\n",
        "",
    )

    assert problems(text) == [
        f"{F}:{line_of(text, 'options: [{id: nl')}: profile[0].options: "
        "options are allowed only when kind is choice or multi_choice",
        f"{F}:{line_of(text, '- id: agency_type')}: profile[1]: missing required key 'options'",
    ]


# ----------------------------------------------------------------------------- duplicate ids


def test_duplicate_dimension_id() -> None:
    text = edit(MINIMAL_YAML, "- id: staffing\n", "- id: policy\n")

    first, second = line_of(text, "- id: policy\n"), line_of(text, "- id: policy\n", 2)
    assert problems(text) == [
        f"{F}:{second}: dimensions[1].id: duplicate dimension id 'policy' (first on line {first})"
    ]


def test_duplicate_practice_id_across_dimensions() -> None:
    text = edit(MINIMAL_YAML, "- id: staffing.owner", "- id: policy.written")

    first, second = line_of(text, "- id: policy.written"), line_of(text, "- id: policy.written", 2)
    assert problems(text) == [
        f"{F}:{second}: dimensions[1].practices[0].id: "
        f"duplicate practice id 'policy.written' (first on line {first})"
    ]


def test_duplicate_option_id_within_a_set() -> None:
    text = edit(MINIMAL_YAML, "{id: not, label: Not", "{id: partial, label: Not")

    assert problems(text) == [
        f"{F}:{line_of(text, '{id: partial, label: Partially')}: "
        "answer_sets.implementation.options[1].id: duplicate option id 'partial' "
        f"(first on line {line_of(text, '{id: partial, label: Not')})"
    ]


def test_duplicate_profile_question_and_profile_option_ids() -> None:
    text = edit(MINIMAL_YAML, "- id: agency_type", "- id: country")
    text = edit(text, "{id: national, label: National}", "{id: local, label: National}")

    first, second = line_of(text, "- id: country"), line_of(text, "- id: country", 2)
    assert problems(text) == [
        f"{F}:{second}: profile[1].id: "
        f"duplicate profile question id 'country' (first on line {first})",
        f"{F}:{line_of(text, '{id: local, label: National}')}: profile[1].options[1].id: "
        f"duplicate option id 'local' (first on line {line_of(text, '{id: local')})",
    ]


def test_duplicate_level_number() -> None:
    text = edit(MINIMAL_YAML, "  - number: 3\n", "  - number: 2\n")
    text = edit(text, "level: 3", "level: 2")

    first, second = line_of(text, "number: 2"), line_of(text, "number: 2", 2)
    assert problems(text) == [
        f"{F}:{second}: levels[2].number: duplicate level number 2 (first on line {first})"
    ]


def test_duplicate_phase_id_and_empty_phase() -> None:
    text = edit(
        MINIMAL_YAML,
        "dimensions:\n",
        "phases:\n"
        "  - {id: short, title: Now, start_month: 0, end_month: 6}\n"
        "  - {id: short, title: Later, start_month: 6, end_month: 6}\n"
        "  - {id: medium, title: Even later, start_month: 6, end_month: 12}\n"
        "dimensions:\n",
    )

    assert problems(text) == [
        f"{F}:{line_of(text, 'title: Later')}: phases[1].end_month: "
        "end_month 6 must be after start_month 6",
        f"{F}:{line_of(text, 'title: Later')}: phases[1].id: "
        f"duplicate phase id 'short' (first on line {line_of(text, 'title: Now')})",
    ]


# ----------------------------------------------------------------------------- references


def test_unknown_answer_set() -> None:
    text = edit(MINIMAL_YAML, "answer_set: implementation", "answer_set: implemntation")

    assert problems(text) == [
        f"{F}:{line_of(text, 'implemntation')}: {PRACTICE_0}.answer_set: "
        "unknown answer set 'implemntation' (did you mean 'implementation'?)"
    ]


def test_unknown_theme_and_source_keys() -> None:
    text = edit(MINIMAL_YAML, "themes: [ethics]", "themes: [privacy]")
    text = edit(text, "sources: [SRC-A, SRC-B]", "sources: [SRC-A, XYZ]")

    assert problems(text) == [
        f"{F}:{line_of(text, '[privacy]')}: {PRACTICE_0}.themes[0]: "
        "unknown theme 'privacy' (known: ethics)",
        f"{F}:{line_of(text, 'XYZ')}: {PRACTICE_1}.sources[1]: "
        "unknown source 'XYZ' (known: SRC-A, SRC-B)",
    ]


def test_unknown_depends_on_and_horizon() -> None:
    text = edit(MINIMAL_YAML, "depends_on: [policy.written]", "depends_on: [policy.writen]")
    text = edit(text, "horizon: medium", "horizon: mid")

    assert problems(text) == [
        f"{F}:{line_of(text, 'horizon: mid')}: {PRACTICE_1}.recommendation.horizon: "
        "unknown phase 'mid' (known: long, medium, short)",
        f"{F}:{line_of(text, 'policy.writen')}: {PRACTICE_1}.recommendation.depends_on[0]: "
        "unknown practice 'policy.writen' (did you mean 'policy.written'?)",
    ]


def test_unknown_show_if_practice_and_option() -> None:
    text = edit(MINIMAL_YAML, "any_of: [partial, fully]", 'any_of: [partial, "yes"]')
    assert problems(text) == [
        f"{F}:{line_of(text, 'any_of')}: {PRACTICE_1}.show_if.any_of[1]: option 'yes' is not "
        "in answer set 'implementation' of practice 'policy.written' "
        "(options: not, partial, fully)"
    ]

    text = edit(MINIMAL_YAML, "practice: policy.written", "practice: other.thing")
    assert problems(text) == [
        f"{F}:{line_of(text, 'other.thing')}: {PRACTICE_1}.show_if.practice: "
        "unknown practice 'other.thing' (known: policy.reviewed, policy.written, staffing.owner)"
    ]


def test_practice_level_must_be_on_the_scale_and_above_the_floor() -> None:
    text = edit(MINIMAL_YAML, "level: 2", "level: 1")
    text = edit(text, "level: 3", "level: 7")

    assert problems(text) == [
        f"{F}:{line_of(text, 'level: 1')}: {PRACTICE_0}.level: "
        "level 1 is the floor of the scale; practices belong to a higher level",
        f"{F}:{line_of(text, 'level: 7')}: {PRACTICE_1}.level: "
        "level 7 is not on the scale (1, 2, 3)",
    ]


def test_dimension_level_descriptions_must_name_scale_levels() -> None:
    text = edit(
        MINIMAL_YAML,
        "      2: A written policy.\n",
        "      2: A written policy.\n      6: Beyond.\n",
    )

    assert problems(text) == [
        f"{F}:{line_of(text, '6: Beyond')}: dimensions[0].levels.6: "
        "level 6 is not on the scale (1, 2, 3)"
    ]


def test_answer_set_that_can_never_be_met() -> None:
    text = edit(
        MINIMAL_YAML,
        "{id: fully, label: Fully implemented, credit: 1}",
        "{id: fully, label: Fully implemented, credit: 0.7}",
    )

    assert problems(text) == [
        f"{F}:{line_of(text, '  implementation:')}: answer_sets.implementation: no option earns "
        "the met_at credit 0.75, so a practice using this set can never be met"
    ]


# ----------------------------------------------------------------------------- cycles


def test_dependency_cycle_reports_its_path() -> None:
    text = edit(
        MINIMAL_YAML,
        "          impact: high\n          horizon: short\n",
        "          impact: high\n          horizon: short\n"
        "          depends_on: [staffing.owner]\n",
    )
    text = edit(
        text,
        "          impact: medium\n          horizon: short\n",
        "          impact: medium\n          horizon: short\n"
        "          depends_on: [policy.reviewed]\n",
    )

    assert problems(text) == [
        f"{F}:{line_of(text, 'staffing.owner]')}: {PRACTICE_0}.recommendation.depends_on: "
        "dependency cycle: policy.written -> staffing.owner -> policy.reviewed -> policy.written"
    ]


def test_practice_depending_on_itself_is_a_cycle() -> None:
    text = edit(MINIMAL_YAML, "depends_on: [policy.written]", "depends_on: [policy.reviewed]")

    assert problems(text) == [
        f"{F}:{line_of(text, 'depends_on')}: {PRACTICE_1}.recommendation.depends_on: "
        "dependency cycle: policy.reviewed -> policy.reviewed"
    ]


def test_show_if_on_itself() -> None:
    text = edit(MINIMAL_YAML, "practice: policy.written", "practice: policy.reviewed")

    assert problems(text) == [
        f"{F}:{line_of(text, 'practice: policy.reviewed')}: {PRACTICE_1}.show_if.practice: "
        "show_if refers to the practice itself"
    ]


def test_show_if_conditions_in_a_cycle() -> None:
    text = edit(
        MINIMAL_YAML,
        "        themes: [ethics]\n",
        '        themes: [ethics]\n        show_if: {practice: policy.reviewed, any_of: ["yes"]}\n',
    )

    assert problems(text) == [
        f"{F}:{line_of(text, 'show_if: {')}: {PRACTICE_0}.show_if: "
        "show_if conditions form a cycle: policy.written -> policy.reviewed -> policy.written"
    ]


# ----------------------------------------------------------------------------- languages


def test_translation_in_an_undeclared_language() -> None:
    text = edit(MINIMAL_YAML, "title: Ethics", "title: {en: Ethics, fr: Éthique}")

    assert problems(text) == [
        f"{F}:{line_of(text, 'fr: É')}: themes.ethics.title.fr: "
        "language 'fr' is not in languages (en)"
    ]


def test_text_missing_the_default_language() -> None:
    text = edit(MINIMAL_YAML, "description: A tiny", "languages: [en, nl]\ndescription: A tiny")
    text = edit(text, "action: Write a policy.", "action: {nl: Schrijf een beleid.}")

    assert problems(text) == [
        f"{F}:{line_of(text, 'Schrijf')}: {PRACTICE_0}.recommendation.action: "
        "missing the default language 'en'"
    ]


# ----------------------------------------------------------------------------- files


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert str(caught.value) == f"{path}:1: top level: no such file"


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(MINIMAL_YAML.replace("A tiny", "Une \xe9tude").encode("latin-1"))

    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    line = line_of(MINIMAL_YAML, "A tiny")
    assert str(caught.value) == (
        f"{path}:{line}: syntax: not UTF-8 text: byte 0xe9 at column 18 cannot be read"
    )


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}:1: top level: cannot read the file")


# ----------------------------------------------------------------------------- schema file


def test_schema_file_is_a_valid_draft_2020_12_schema() -> None:
    schema = instrument_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_rejects_unknown_keys_everywhere() -> None:
    """Every object in the schema closes its keys, so a typo is never silently ignored."""
    schema = instrument_schema()
    objects = [schema, *schema["$defs"].values()]
    open_objects = [
        s.get("description", s.get("title"))
        for s in objects
        if s.get("type") == "object" and "additionalProperties" not in s
    ]
    assert open_objects == []


def bundled_instruments() -> list[Path]:
    return sorted(p for p in questionnaires_dir().glob("*.yaml") if not is_crosswalk_file(p))


@pytest.mark.parametrize("path", bundled_instruments(), ids=lambda p: p.name)
def test_bundled_instruments_validate(path: Path) -> None:
    instrument = load_instrument(path)

    assert path.name == f"{instrument.id}-{instrument.version}.yaml"
    # The schema alone agrees, for tools that only read the schema.
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.Draft202012Validator(instrument_schema()).validate(_string_keys(data))


def _string_keys(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def test_parse_instrument_never_raises_anything_but_instrument_error() -> None:
    broken = [
        "id: [\n",
        "levels: 5\n",
        "dimensions: [1, 2, {practices: [3, {id: 4}]}]\n",
        "answer_sets: {a: {options: [1]}}\nthemes: []\nsources: 1\nprofile: {}\n",
        "phases: [{start_month: x, end_month: 2}]\nlevels: [{number: true}]\n",
        "dimensions: [{levels: {x: 1}, practices: [{show_if: 5, recommendation: []}]}]\n",
        "? [complex, key]\n: value\n",
    ]
    for text in broken:
        with pytest.raises(InstrumentError):
            parse_instrument(text, FILENAME)

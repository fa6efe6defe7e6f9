"""Crosswalk files: the format, its checks with FILE:LINE messages, the catalog, `validate`."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.cli import main
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.loading.crosswalk import crosswalk_schema, parse_crosswalk
from assessment.domain.loading.loader import InstrumentError
from assessment.domain.model.crosswalk import CombineRule
from assessment.domain.model.instrument import Instrument
from tests.crosswalk_pair import CROSSWALK_FILE, V1, V2, pair_folder
from tests.unit.instrument_yaml import line_of

FILENAME = "questionnaires/x.crosswalk.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog folder holding the test pair."""
    return pair_folder(tmp_path_factory.mktemp("pair"))


@pytest.fixture(scope="module")
def instruments(folder: Path) -> dict[str, Instrument]:
    """The pair's instruments by id@version."""
    return {i.key: i for i in InstrumentCatalog(folder).all()}


@pytest.fixture(scope="module")
def text(folder: Path) -> str:
    """The pair's crosswalk file as text."""
    return (folder / CROSSWALK_FILE).read_text(encoding="utf-8")


def problems(text: str, instruments: dict[str, Instrument]) -> list[str]:
    """Every problem of a crosswalk text, as printed."""
    with pytest.raises(InstrumentError) as error:
        parse_crosswalk(text, FILENAME, instruments)
    return [str(problem) for problem in error.value.problems]


def edit(text: str, old: str, new: str) -> str:
    """`text` with `old` (which must occur once) replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_test_pair_loads(text: str, instruments: dict[str, Instrument]) -> None:
    crosswalk = parse_crosswalk(text, FILENAME, instruments)

    assert (crosswalk.source, crosswalk.target) == (V1, V2)
    assert len(crosswalk.links) == 8
    assert crosswalk.combine == {
        "policy.strategy-and-review": CombineRule.LOWEST,
        "legal.data-protection": CombineRule.HIGHEST,
    }
    grouped = crosswalk.links_by_target()
    [written] = grouped["policy.written-policy"]
    assert written.options == {o: o for o in ("not", "partial", "largely", "fully")}
    [covert] = grouped["legal.covert-authorisation"]
    assert covert.options == {"not": "none", "partial": "some", "largely": "some", "fully": "all"}
    assert set(grouped) == {
        "policy.written-policy",
        "policy.account-register",
        "policy.strategy-and-review",
        "legal.data-protection",
        "legal.covert-authorisation",
        "protocols.account-security",
    }


def test_unknown_practices_are_named_with_a_suggestion(
    text: str, instruments: dict[str, Instrument]
) -> None:
    bad = edit(text, "policy.written-policy: policy.written-policy", "policy.written-policy: pol.w")
    bad = edit(bad, "  budget.staff-time:", "  budget.staf-time:")

    assert problems(bad, instruments) == [
        f"{FILENAME}:6: practices: practice 'budget.staff-time' of {V1} is not listed: "
        "map it, or write budget.staff-time: no equivalent",
        f"{FILENAME}:{line_of(bad, 'pol.w')}: practices['policy.written-policy']: "
        f"unknown practice 'pol.w' of {V2}",
        f"{FILENAME}:{line_of(bad, 'budget.staf-time')}: practices['budget.staf-time']: "
        f"unknown practice 'budget.staf-time' of {V1} (did you mean 'budget.staff-time'?)",
    ]


def test_options_outside_the_answer_sets(text: str, instruments: dict[str, Instrument]) -> None:
    bad = edit(text, "partial: some, largely", "partial: sometimes, largely")
    bad = edit(bad, 'not: "no", partial', 'nott: "no", partial')

    line = line_of(bad, "sometimes")
    security = line_of(bad, "nott")
    assert problems(bad, instruments) == [
        f"{FILENAME}:{line}: practices['legal.covert-authorisation'].options.partial: "
        "'sometimes' is not an option of 'legal.covert-authorisation' (none, some, all)",
        f"{FILENAME}:{security}: practices['protocols.account-security'].options.nott: "
        "'nott' is not an option of 'protocols.account-security' (not, partial, largely, fully)",
        f"{FILENAME}:{security}: practices['protocols.account-security'].options: "
        "options not of 'protocols.account-security' are not mapped",
    ]


def test_options_must_be_mapped_when_the_sets_differ(
    text: str, instruments: dict[str, Instrument]
) -> None:
    bad = edit(text, "\n    options: {not: none, partial: some, largely: some, fully: all}", "")

    line = line_of(bad, "to: legal.covert-authorisation")
    assert problems(bad, instruments) == [
        f"{FILENAME}:{line}: practices['legal.covert-authorisation'].to: options not, partial, "
        "largely, fully of 'legal.covert-authorisation' are not options of "
        "'legal.covert-authorisation' (none, some, all); map them under options:"
    ]


def test_a_target_mapped_twice_needs_a_rule(text: str, instruments: dict[str, Instrument]) -> None:
    bad = edit(text, "  policy.strategy-and-review: lowest\n", "")

    first = line_of(bad, "policy.strategy: ")
    second = line_of(bad, "policy.review-cycle: ")
    assert problems(bad, instruments) == [
        f"{FILENAME}:{first}: practices['policy.strategy']: 'policy.strategy-and-review' "
        f"is also mapped from 'policy.review-cycle' (line {second}); say how to combine them under "
        "combine: policy.strategy-and-review: highest | lowest"
    ]


def test_a_rule_needs_a_target_mapped_twice(text: str, instruments: dict[str, Instrument]) -> None:
    bad = edit(
        text,
        "  policy.review-cycle: policy.strategy-and-review",
        "  policy.review-cycle: no equivalent",
    )
    bad = edit(bad, "legal.data-protection: highest", "legal.data-protection: best")

    assert problems(bad, instruments) == [
        f"{FILENAME}:{line_of(bad, 'strategy-and-review: lowest')}: "
        "combine['policy.strategy-and-review']: only one practice maps to "
        "'policy.strategy-and-review': nothing to combine",
        f"{FILENAME}:{line_of(bad, 'best')}: combine['legal.data-protection']: "
        "'best' is not one of: highest, lowest (did you mean 'lowest'?)",
    ]


def test_versions_must_exist_in_the_catalog(text: str, instruments: dict[str, Instrument]) -> None:
    bad = edit(text, "to: sm-policing-maturity@2.0.0", "to: sm-policing-maturity@2.1.0")
    bad = edit(bad, "from: sm-policing-maturity@1.0.0", "from: sm-policing@1.0")

    assert problems(bad, instruments) == [
        f"{FILENAME}:3: from: 'sm-policing@1.0' is not valid: expected an instrument id and "
        "version joined by @, e.g. sm-policing-maturity@1.0.0",
        f"{FILENAME}:4: to: no instrument sm-policing-maturity@2.1.0 in the catalog "
        "(versions: 1.0.0, 2.0.0)",
    ]


def test_shape_errors_are_located(instruments: dict[str, Instrument]) -> None:
    bad = (
        "crosswalk: 2\n"
        "from: sm-policing-maturity@1.0.0\n"
        "to: sm-policing-maturity@2.0.0\n"
        "practices:\n"
        "  policy.written-policy: 3\n"
        "  policy.strategy: {options: {not: not}}\n"
        "  policy.review-cycle: [policy.written-policy, {to: policy.strategy-and-review, x: 1}]\n"
        "extra: true\n"
    )

    found = [p for p in problems(bad, instruments) if "is not listed" not in p]

    assert found == [
        f"{FILENAME}:1: crosswalk: 2 is not one of: 1",
        f"{FILENAME}:5: practices['policy.written-policy']: expected a practice id, "
        "'no equivalent', a mapping with 'to' (and 'options') or a list of them, "
        "got the number 3",
        f"{FILENAME}:6: practices['policy.strategy']: missing required key 'to'",
        f"{FILENAME}:7: practices['policy.review-cycle'][1].x: unknown key 'x' "
        "(known: options, to)",
        f"{FILENAME}:8: extra: unknown key 'extra' "
        "(known: combine, crosswalk, description, from, practices, to)",
    ]


def test_yaml_syntax_errors_stop_with_a_line(instruments: dict[str, Instrument]) -> None:
    assert problems("crosswalk: 1\nfrom: [\n", instruments)[0].startswith(f"{FILENAME}:3: syntax:")


def test_the_catalog_keeps_crosswalks_apart_and_finds_chains(folder: Path) -> None:
    catalog = InstrumentCatalog(folder)

    assert [i.key for i in catalog.all()] == [V1, V2]
    assert [c.key for c in catalog.crosswalks()] == [f"{V1} -> {V2}"]
    assert [c.key for c in catalog.crosswalk_chain(V1, V2) or ()] == [f"{V1} -> {V2}"]
    assert catalog.crosswalk_chain(V1, V1) == ()
    assert catalog.crosswalk_chain(V2, V1) is None


def test_validate_checks_crosswalks_against_their_folder(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    path = folder / CROSSWALK_FILE
    result = runner.invoke(main, ["questionnaire", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"OK {path} ({V1} -> {V2}: 8 links)\n"

    broken = pair_folder(tmp_path / "broken") / CROSSWALK_FILE
    text = broken.read_text(encoding="utf-8")
    broken.write_text(edit(text, "legal.data-protection: highest", "legal.data-protection: top"))
    result = runner.invoke(main, ["questionnaire", "validate", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{broken}:")
    assert "combine['legal.data-protection']: 'top' is not one of: highest, lowest" in result.stderr


def test_the_schema_alone_accepts_the_test_pair_crosswalk(text: str) -> None:
    schema = crosswalk_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(text))


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(
        [
            "no equivalent",
            "policy.written-policy",
            "policy.strategy-and-review",
            "legal.covert-authorisation",
            "fully",
            "some",
            "highest",
            V1,
            V2,
            "x@1",
        ]
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["to", "options", "not", "fully", "policy.strategy", "x"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {"crosswalk": st.sampled_from([1, 2, "1"]), "from": _SCALARS, "to": _SCALARS},
        optional={
            "practices": st.dictionaries(
                st.sampled_from(["policy.written-policy", "policy.strategy", "budget.x", "Bad"]),
                _VALUES,
                max_size=4,
            ),
            "combine": _VALUES,
            "description": _VALUES,
        },
    )
)
def test_any_malformed_crosswalk_is_refused_with_located_problems(
    data: dict[str, object], instruments: dict[str, Instrument]
) -> None:
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        parse_crosswalk(text, FILENAME, instruments)
    except InstrumentError as error:
        assert error.problems
        assert all(str(p).startswith(f"{FILENAME}:") for p in error.problems)


def test_validate_prints_a_folders_instrument_problem_once(tmp_path: Path) -> None:
    folder = pair_folder(tmp_path / "folder")
    v2 = folder / "sm-policing-maturity-2.0.0.yaml"
    v2.write_text(v2.read_text(encoding="utf-8").replace("effort: low", "effort: lo"))

    result = CliRunner().invoke(
        main, ["questionnaire", "validate", str(v2), str(folder / CROSSWALK_FILE)]
    )

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines and len(lines) == len(set(lines))  # the anchored recommendation, once each
    assert all("recommendation.effort: 'lo' is not one of" in line for line in lines)


def test_list_names_the_crosswalks(folder: Path) -> None:
    result = CliRunner().invoke(main, ["questionnaire", "list", "--directory", str(folder)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == ["CROSSWALKS", f"{V1} -> {V2}  (8 links)"]

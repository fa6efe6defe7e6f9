"""Files nested deeper than any real one: a named problem, never a RecursionError."""

from __future__ import annotations

import pytest

from assessment.domain.formats.answer_file import AnswersFileError, parse_answers_file
from assessment.domain.loading.yaml_source import MAX_DEPTH
from tests.unit.instrument_yaml import FILENAME, problems


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 900, 100_000])
def test_a_deeply_nested_instrument_is_one_named_problem(depth: int) -> None:
    text = "id: mini\nversion: 1.0.0\nextra: " + "[" * depth + "]" * depth + "\n"
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(f"{FILENAME}:")
    assert "nested too deeply" in found[0]


def test_nesting_as_deep_as_allowed_is_read() -> None:
    depth = MAX_DEPTH - 2
    text = "id: mini\nextra: " + "[" * depth + "]" * depth + "\n"
    assert not any("nested too deeply" in problem for problem in problems(text))


@pytest.mark.parametrize("nested", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1"])
def test_a_deeply_nested_answers_file_is_an_answers_file_error(nested: str) -> None:
    with pytest.raises(AnswersFileError, match=r"^answers\.json: invalid JSON: nested too deeply"):
        parse_answers_file(nested, source="answers.json")

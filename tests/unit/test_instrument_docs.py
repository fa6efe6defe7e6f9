"""The figures the documentation gives about the bundled instruments are the instruments'
own: the design note's counts of 2.0.0, and the practice counts README.md names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, PracticeKind
from assessment.domain.rules.scoring import visible_practices
from assessment.resources import questionnaires_dir

README = Path(__file__).parents[2] / "README.md"
QUESTIONNAIRES_README = questionnaires_dir() / "README.md"
DESIGN_NOTE = questionnaires_dir() / "sm-policing-maturity-2.0.0.md"
SCREENS = ("legal.screen-online-research", "legal.screen-covert", "legal.screen-automated-tools")


@pytest.fixture(scope="module")
def v2() -> Instrument:
    """The 2.0.0 instrument."""
    return load_instrument(questionnaires_dir() / "sm-policing-maturity-2.0.0.yaml")


def counts(instrument: Instrument) -> dict[str, list[int]]:
    """Per dimension: maturity, baseline, screening, critical and alternative practices."""
    table = {}
    for dimension in instrument.dimensions:
        kinds = [p.kind for p in dimension.practices]
        table[dimension.id] = [
            kinds.count(PracticeKind.MATURITY),
            kinds.count(PracticeKind.BASELINE),
            kinds.count(PracticeKind.SCREENING),
            sum(1 for p in dimension.practices if p.critical),
            sum(1 for p in dimension.practices if p.requirement),
        ]
    return table


def note_table() -> dict[str, list[int]]:
    """The design note's count table, keyed by dimension (bold total row included)."""
    rows = {}
    for line in DESIGN_NOTE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1].isdigit():
            rows[cells[0]] = [int(c) for c in cells[1:]]
    return rows


def seen(instrument: Instrument, regime: str, screen: str) -> int:
    """How many questions a force under `regime` sees with every screening answer `screen`."""
    answers = {s: Answer(s, option_id=screen) for s in SCREENS}
    return len(visible_practices(instrument, answers, {"jurisdiction": regime}))


def test_the_design_note_counts_are_the_instrument_s(v2: Instrument) -> None:
    expected = counts(v2)
    expected["total"] = [sum(column) for column in zip(*expected.values(), strict=True)]
    assert note_table() == expected


def test_the_design_note_says_how_many_questions_each_regime_sees(v2: Instrument) -> None:
    text = " ".join(DESIGN_NOTE.read_text(encoding="utf-8").split())
    total = len(list(v2.practices()))
    assert f"{total} practices in all" in text
    eu_all, eu_none = seen(v2, "eu", "yes"), seen(v2, "eu", "no")
    assert (seen(v2, "uk", "yes"), seen(v2, "uk", "no")) == (eu_all, eu_none)
    assert f"sees {eu_all} questions, one that does none of these {eu_none}" in text
    other = f"another regime {seen(v2, 'other', 'yes')} and {seen(v2, 'other', 'no')}"
    assert other in text


@pytest.mark.parametrize(
    "readme", [README, QUESTIONNAIRES_README], ids=["README", "questionnaires"]
)
def test_readmes_name_the_practice_count_of_each_bundled_version(readme: Path) -> None:
    text = " ".join(readme.read_text(encoding="utf-8").split())
    for path in sorted(questionnaires_dir().glob("sm-policing-maturity-*.yaml")):
        if path.name.endswith(".crosswalk.yaml"):
            continue
        instrument = load_instrument(path)
        said = re.search(
            rf"`(?:questionnaires/)?{re.escape(path.name)}`[^.]*? (\d+) practices", text
        )
        assert said is not None, f"{readme.name} does not name the practices of {path.name}"
        assert int(said[1]) == len(list(instrument.practices())), path.name


def test_the_questionnaires_readme_breaks_the_count_down_as_the_instrument_does(
    v2: Instrument,
) -> None:
    text = " ".join(QUESTIONNAIRES_README.read_text(encoding="utf-8").split())
    maturity, baseline, screening, critical, _ = (
        sum(c) for c in zip(*counts(v2).values(), strict=True)
    )
    assert (
        f"{maturity} maturity practices ({critical} of them critical, the only ones that gate"
        in text
    )
    assert f"{baseline} baseline duties and {screening} screening questions" in text
    assert f"| `sm-policing-maturity-2.0.0.yaml` | 2 | {len(list(v2.practices()))} |" in text

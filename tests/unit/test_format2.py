"""Instrument format 2 on a small test instrument, with figures computed by hand.

tests/data/format2/fmt2-mini-2.0.0.yaml: levels 1-4, met at 0.75, gated with only
critical practices gating, an open baseline practice caps its dimension at level 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assessment.cli import main
from assessment.domain.formats.answer_file import AnswersFile, load_answers_file
from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, PracticeKind
from assessment.domain.model.results import PracticeStatus, ScoreResult
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import newly_not_applicable, score_assessment
from assessment.presentation.labels import cap_note, no_longer_applicable_note

FOLDER = Path(__file__).parents[1] / "data" / "format2"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(FOLDER / "fmt2-mini-2.0.0.yaml")


def scored(instrument: Instrument, name: str) -> tuple[AnswersFile, ScoreResult]:
    answers_file = load_answers_file(FOLDER / name)
    result = score_assessment(instrument, answers_file.answers, answers_file.profile)
    return answers_file, result


def test_the_format_2_model_is_built(instrument: Instrument) -> None:
    screen = instrument.practice("legal.covert-screen")
    dpia = instrument.practice("legal.eu-dpia")
    desk = instrument.practice("staffing.desk-24-7")

    assert instrument.format == 2
    assert screen is not None and screen.kind is PracticeKind.SCREENING
    assert screen.recommendation is None
    assert dpia is not None and dpia.kind is PracticeKind.BASELINE
    assert dpia.level == 1  # off the ladder: the floor
    assert dpia.show_if is not None and dpia.show_if.profile_id == "jurisdiction"
    assert desk is not None and (desk.requirement, desk.critical) == ("round-the-clock", True)
    largely = instrument.answer_sets["implementation"].option("largely")
    assert largely is not None
    assert str(largely.definition) == "Complete in substance; improvements remain."


def test_eu_local_agency(instrument: Instrument) -> None:
    _, result = scored(instrument, "eu-local.json")
    legal, staffing = result.dimensions["legal"], result.dimensions["staffing"]

    # legal: review fully (1), ethics panel not (0); covert authorisation hidden by the
    # screening answer "no". 100 * (1 + 0) / 2 = 50. Only critical practices gate, and the
    # critical ones are met, so level 4; but legal.eu-dpia (baseline) is not met: capped at 1.
    assert (legal.score, legal.level, legal.coverage) == (50.0, 1, 1.0)
    assert (legal.uncapped_level, legal.capped_by) == (4, ("legal.eu-dpia",))
    assert legal.blocking == ("legal.eu-dpia",)
    # staffing: owner largely (0.75), round-the-clock met by the control room (1; the desk's
    # "not" does not count), volunteers partial (0.5, not critical): 100 * 2.25 / 3 = 75.
    assert (staffing.score, staffing.level, staffing.coverage) == (75.0, 4, 1.0)
    assert (staffing.capped_by, staffing.uncapped_level, staffing.blocking) == ((), None, ())
    assert (result.overall.score, result.overall.level, result.overall.coverage) == (62.5, 1, 1.0)
    assert result.themes["privacy"].score == 87.5  # (1 + 0.75) / 2
    baseline = result.baseline.dimensions["legal"]
    assert (baseline.met, baseline.not_met, baseline.not_applicable) == (
        ("legal.lawful-basis",),
        ("legal.eu-dpia",),
        ("legal.uk-dpa",),
    )
    assert result.baseline.open == ("legal.eu-dpia",)
    assert [(o.practice_id, o.status, o.option_id) for o in result.screening] == [
        ("legal.covert-screen", PracticeStatus.ANSWERED, "no")
    ]


def test_uk_national_agency(instrument: Instrument) -> None:
    _, result = scored(instrument, "uk-national.json")
    legal, staffing = result.dimensions["legal"], result.dimensions["staffing"]

    # legal: covert authorisation partial (0.5, critical, level 2) now applies and blocks
    # level 2; 100 * (0.5 + 1 + 1) / 3 = 83.33. Baseline all met: no cap.
    assert legal.score == pytest.approx(250 / 3)
    assert (legal.level, legal.blocking, legal.capped_by) == (
        1,
        ("legal.covert-authorisation",),
        (),
    )
    # staffing: volunteers hidden (national agency), round-the-clock met by the desk (0.75):
    # 100 * (1 + 0.75) / 2 = 87.5.
    assert (staffing.score, staffing.level) == (87.5, 4)
    assert result.overall.score == pytest.approx((250 / 3 + 87.5) / 2)
    assert result.overall.level == 1
    assert result.baseline.open == ()
    assert result.baseline.applicable == 2


def test_roadmap_puts_an_open_baseline_practice_on_it(instrument: Instrument) -> None:
    answers_file, result = scored(instrument, "eu-local.json")

    roadmap = build_roadmap(instrument, answers_file.answers, result, profile=answers_file.profile)

    actions = [[(a.practice_id, a.baseline) for a in phase.actions] for phase in roadmap.phases]
    assert actions == [[("legal.eu-dpia", True)]]
    assert roadmap.phases[0].projected["legal"].level == 4  # the cap lifted
    assert roadmap.unreached == {}


def test_one_alternative_per_requirement_goes_on_the_roadmap(instrument: Instrument) -> None:
    answers_file, _ = scored(instrument, "uk-national.json")
    answers = {
        **answers_file.answers,
        "staffing.desk-24-7": Answer("staffing.desk-24-7", option_id="partial"),
    }
    result = score_assessment(instrument, answers, answers_file.profile)
    assert result.dimensions["staffing"].level == 2  # round-the-clock not met

    roadmap = build_roadmap(instrument, answers, result, profile=answers_file.profile)

    staffing = [
        a.practice_id for p in roadmap.phases for a in p.actions if a.dimension_id == "staffing"
    ]
    assert staffing == ["staffing.desk-24-7"]


def test_a_profile_change_says_which_answers_stopped_applying(instrument: Instrument) -> None:
    answers_file = load_answers_file(FOLDER / "eu-local.json")
    new_profile = {"jurisdiction": "uk", "agency_type": "national"}

    changed = newly_not_applicable(
        instrument, answers_file.answers, answers_file.profile, new_profile
    )

    assert changed == ("legal.eu-dpia", "staffing.volunteers")
    # Nothing is deleted: the answers stay, and count again when the profile changes back.
    assert "staffing.volunteers" in answers_file.answers
    assert newly_not_applicable(instrument, answers_file.answers, new_profile, new_profile) == ()


def test_score_prints_the_baseline_first_then_the_headline() -> None:
    result = CliRunner().invoke(
        main,
        [
            "score",
            "--questionnaire",
            str(FOLDER / "fmt2-mini-2.0.0.yaml"),
            "--answers",
            str(FOLDER / "eu-local.json"),
        ],
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[3:9] == [
        "Baseline: legal and safety obligations: 1 of 2 met. "
        "Not met means a legal or safety obligation is open.",
        "An obligation not shown to be met caps its dimension at level 1 · Initial.",
        "Legal framework: not met: legal.eu-dpia; met: legal.lawful-basis; "
        "not applicable: legal.uk-dpa",
        "",
        "Index 62.5 / 100 (coverage 100%)",
        "Floor: level 1 · Initial, set by Legal framework; "
        "capped by the baseline: legal.eu-dpia not met",
    ]
    assert "Strongest: Staffing (75.0); weakest: Legal framework (50.0)" in lines
    assert (
        "Legal framework: capped at level 1 by the baseline (legal.eu-dpia not met); "
        "level 4 · Managed without the cap"
    ) in lines


def test_score_json_carries_the_baseline_and_the_headline() -> None:
    result = CliRunner().invoke(
        main,
        [
            "score",
            "--questionnaire",
            str(FOLDER / "fmt2-mini-2.0.0.yaml"),
            "--answers",
            str(FOLDER / "uk-national.json"),
            "--format",
            "json",
        ],
    )

    data = json.loads(result.stdout)
    assert data["baseline"] == {
        "cap": 1,
        "applicable": 2,
        "met": 2,
        "open": [],
        "dimensions": {
            "legal": {
                "met": ["legal.lawful-basis", "legal.uk-dpa"],
                "not_met": [],
                "not_answered": [],
                "not_applicable": ["legal.eu-dpia"],
                "practices": [
                    {"practice": "legal.lawful-basis", "status": "met", "option": "met"},
                    {"practice": "legal.eu-dpia", "status": "hidden", "option": None},
                    {"practice": "legal.uk-dpa", "status": "met", "option": "met"},
                ],
            }
        },
    }
    assert data["headline"]["floor"] == {
        "level": 1,
        "set_by": ["legal"],
        "blocked_by": ["legal.covert-authorisation"],
        "capped_by": [],
    }
    assert data["headline"]["index"] == 85.4
    assert data["dimensions"]["legal"]["capped_by"] == []


def test_wording_of_the_cap_and_a_profile_change(instrument: Instrument) -> None:
    _, result = scored(instrument, "eu-local.json")

    assert cap_note(instrument, result.dimensions["staffing"]) is None
    assert no_longer_applicable_note(instrument, ["staffing.volunteers"]) == (
        "With the new profile these answers no longer apply; they are kept and count again "
        'if the profile changes back: "Trained volunteers help moderate local groups."'
    )
    both = no_longer_applicable_note(instrument, ["legal.eu-dpia", "staffing.volunteers"])
    assert both is not None and both.endswith(
        ': "An impact assessment precedes any monitoring tool."; '
        '"Trained volunteers help moderate local groups."'
    )
    assert "legal.eu-dpia" not in both
    assert no_longer_applicable_note(instrument, []) is None


def test_show_outlines_the_format_2_rules() -> None:
    result = CliRunner().invoke(
        main, ["questionnaire", "show", str(FOLDER / "fmt2-mini-2.0.0.yaml")]
    )

    lines = result.stdout.splitlines()
    for expected in [
        "Scoring: met at credit 0.75; dimension level gated; overall level lowest; "
        "gating critical; baseline cap 1",
        "    largely: Complete in substance; improvements remain.",
        "    - legal.covert-screen (screening, yes_no)",
        "    - legal.eu-dpia (baseline, obligation, only if jurisdiction is eu)",
        "    - staffing.desk-24-7 (level 3, weight 1, implementation, critical, "
        "alternative for round-the-clock)",
    ]:
        assert expected in lines

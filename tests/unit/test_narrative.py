"""The executive summary's sentences, from real scores of the bundled instrument."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import score_assessment
from assessment.presentation.labels import whole_points as whole
from assessment.presentation.narrative import PeerFacts, summary_sentences
from assessment.presentation.roadmap import roadmap_view
from assessment.queries.instruments import default_catalog
from tests.peer_data import answers_up_to

NO_PEERS = PeerFacts("all agencies", None, None, "fewer than 5 agencies in this round")


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return default_catalog().get("sm-policing-maturity@1.0.0")


def sentences(
    instrument: Instrument, cap: int, flipped: tuple[str, ...] = (), **kwargs: object
) -> tuple[str, ...]:
    answers = answers_up_to(instrument, cap, flipped=flipped)
    result = score_assessment(instrument, answers)
    roadmap = roadmap_view(instrument, result, build_roadmap(instrument, answers, result))
    return summary_sentences(
        instrument,
        "North Police",
        "2026",
        result,
        roadmap,
        NO_PEERS,
        **kwargs,  # type: ignore[arg-type]
    )


def test_whole_points_round_halves_up() -> None:
    assert [whole(62.5), whole(62.49), whole(0.5), whole(99.5)] == [63, 62, 1, 100]


def test_the_floor_dimension_and_the_weakest_are_named(instrument: Instrument) -> None:
    training = [p for p in instrument.practices() if p.dimension_id == "training"]
    lowest = min(training, key=lambda practice: practice.level)
    flipped = tuple(p.id for p in training if p.level >= lowest.level)  # Training at its floor
    text = " ".join(sentences(instrument, 3, flipped=flipped))

    assert "scores" in text and "out of 100 in round 2026" in text
    assert "the lowest of its dimension levels, set by Training" in text
    assert "Training is its weakest dimension" in text


def test_ties_are_said_as_ties_and_never_the_same_dimension_twice(
    instrument: Instrument,
) -> None:
    text = " ".join(sentences(instrument, 5))

    assert "All dimensions score the same." in text
    assert "strongest" not in text and "weakest" not in text


def test_the_first_three_roadmap_actions_and_the_withheld_peers_are_said(
    instrument: Instrument,
) -> None:
    answers = answers_up_to(instrument, 2)
    result = score_assessment(instrument, answers)
    roadmap = roadmap_view(instrument, result, build_roadmap(instrument, answers, result))
    text = " ".join(
        summary_sentences(instrument, "North Police", "2026", result, roadmap, NO_PEERS)
    )

    first = [action for phase in roadmap.phases for action in phase.actions][:3]
    assert len(first) == 3
    for action in first:
        assert f"({action.number}) {action.action.rstrip('.')}." in text
    assert "No comparison with peers is shown: fewer than 5 agencies in this round." in text


def test_the_change_since_the_previous_round_names_the_largest_moves(
    instrument: Instrument,
) -> None:
    before = score_assessment(instrument, answers_up_to(instrument, 2))
    text = " ".join(sentences(instrument, 4, previous=("2025", before)))

    assert before.overall.score is not None
    assert "Since round 2025 the overall score rose by" in text
    assert f"from {whole(before.overall.score)} to" in text
    assert "The largest moves:" in text and "+" in text


def test_open_baseline_obligations_are_named_by_their_text() -> None:
    instrument = load_instrument(
        Path(__file__).parents[1] / "data" / "format2" / "fmt2-mini-2.0.0.yaml"
    )
    answers = {
        "legal.lawful-basis": Answer("legal.lawful-basis", "not-met"),
        "staffing.owner": Answer("staffing.owner", "fully"),
    }
    result = score_assessment(instrument, answers)
    roadmap = roadmap_view(instrument, result, build_roadmap(instrument, answers, result))

    text = " ".join(summary_sentences(instrument, "X", "2027", result, roadmap, NO_PEERS))

    assert "1 legal or safety obligation is still open" in text
    assert "“Each kind of online research has a recorded lawful basis”" in text


def test_a_questionnaire_without_an_overall_level_is_never_said_to_have_one() -> None:
    instrument = default_catalog().get("sm-policing-maturity@2.0.0")
    text = " ".join(sentences(instrument, 3))

    assert "Its overall level" not in text
    assert "The questionnaire gives no overall level" in text
    assert "the lowest being level" in text

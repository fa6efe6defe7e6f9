"""Level, figure and answer words shared by pages, reports and the CLI."""

from __future__ import annotations

from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import PracticeStatus
from assessment.presentation.labels import (
    BASELINE_LABEL,
    SCREENING_LABEL,
    STATUS_WORDS,
    FigureNames,
    dimension_titles,
    level_label,
    level_name,
    practice_label,
)
from assessment.queries.instruments import default_catalog


def bundled() -> Instrument:
    """The bundled instrument."""
    return default_catalog().all()[0]


def test_a_level_reads_the_same_everywhere() -> None:
    instrument = bundled()

    assert level_name(instrument, 3) == "Defined"
    assert level_label(instrument, 3) == "Level 3 · Defined"
    assert FigureNames(instrument).level(3) == "3 · Defined"


def test_a_question_says_its_level_or_that_it_is_off_the_ladder() -> None:
    instrument = default_catalog().get("sm-policing-maturity@2.0.0")
    labels = {
        practice_id: practice_label(instrument, practice)
        for practice_id in ("legal.screen-covert", "legal.no-face-scraping", "legal.dpo-review")
        if (practice := instrument.practice(practice_id)) is not None
    }

    assert labels == {
        "legal.screen-covert": SCREENING_LABEL,
        "legal.no-face-scraping": BASELINE_LABEL,
        "legal.dpo-review": "Level 3 · Defined",
    }


def test_figure_names_fall_back_to_keys_and_dashes() -> None:
    names = FigureNames(None)

    assert names.figure("overall", "overall") == "Overall"
    assert names.figure("dimension", "policy") == "policy"
    assert names.level(None) == "—"
    assert names.level(2) == "2"
    assert names.dimension_ids() == []


def test_dimension_titles_follow_the_instrument_order() -> None:
    instrument = bundled()

    titles = dimension_titles(instrument)

    assert list(titles) == [d.id for d in instrument.dimensions]
    assert FigureNames(instrument).figure("dimension", "policy") == titles["policy"]


def test_every_practice_status_has_words() -> None:
    assert set(STATUS_WORDS) == set(PracticeStatus)

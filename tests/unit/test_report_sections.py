"""Report sections: domain results turned into a report's view data."""

from __future__ import annotations

import pandas as pd
import pytest

from assessment.domain.formats.answer_file import load_answers_file
from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import OverallLevelRule
from assessment.domain.rules.benchmark import PeerGroup, agency_position, peer_statistics
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import score_assessment
from assessment.presentation.roadmap import roadmap_view
from assessment.reporting import sections
from assessment.reporting.view_data import BaselineFigure, DimensionFigure
from assessment.resources import questionnaires_dir
from tests.unit.instruments import NA, make_answers, make_instrument, practice

INSTRUMENT = make_instrument(
    practice("policy.written", 2, themes=["privacy"]),
    practice("policy.review", 3, horizon="medium", depends_on=["policy.written"]),
    practice("policy.optional", 2, allow_not_applicable=True),
    practice("staffing.owner", 2),
    practice("staffing.desk", 4, show_if=("staffing.owner", ["fully"])),
    practice("training.basic", 2, themes=["privacy"]),
    themes=["privacy"],
)
ANSWERS = {
    **make_answers(
        {
            "policy.review": "fully",
            "policy.optional": NA,
            "staffing.owner": "partial",
            "training.basic": "fully",
        }
    ),
    "policy.written": Answer("policy.written", "largely", comment="  Signed in 2024. "),
}


def figure(title: str, score: float | None) -> DimensionFigure:
    return DimensionFigure(title.lower(), title, score, 1, "Level 1")


def frame_of(scores: dict[int, float]) -> pd.DataFrame:
    """A results frame: one overall and one policy row per agency."""
    rows = []
    for agency_id, score in scores.items():
        base = {
            "agency_id": agency_id,
            "country": "NL",
            "agency_type": "local",
            "size_band": "small",
            "level": 2,
            "coverage": 1.0,
        }
        rows.append({**base, "scope": "overall", "key": "overall", "score": score})
        rows.append({**base, "scope": "dimension", "key": "policy", "score": score})
    return pd.DataFrame(rows)


def test_practice_lines_carry_answer_status_and_trimmed_comment() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)

    lines = sections.practice_lines(INSTRUMENT, result.dimensions["policy"], ANSWERS)

    assert [(line.practice_id, line.answer, line.status_label) for line in lines] == [
        ("policy.written", "Largely implemented", "Met"),
        ("policy.review", "Fully implemented", "Met"),
        ("policy.optional", "Not applicable", "Not applicable"),
    ]
    assert lines[0].comment == "Signed in 2024."


def test_dimension_sections_split_practices_and_name_blockers() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)

    staffing = sections.dimension_sections(INSTRUMENT, result, ANSWERS, None)[1]

    assert staffing.title == "Staffing"
    assert staffing.level.number == 1
    assert staffing.next_level is not None and staffing.next_level.number == 2
    assert [line.practice_id for line in staffing.blocking] == ["staffing.owner"]
    assert [line.practice_id for line in staffing.not_met] == ["staffing.owner"]
    assert staffing.met == ()
    assert staffing.peer.withheld
    assert staffing.peer.withheld_reason == "no published peer group (see the summary)"
    assert "Peer figures withheld: no published peer group" in staffing.peer_chart


def test_dimensions_by_score_leave_out_unscored_ones_highest_first() -> None:
    figures = [figure("A", 50.0), figure("B", None), figure("C", 80.0), figure("D", 10.0)]

    assert [f.title for f in sections.by_score(figures)] == ["C", "A", "D"]


def test_peer_figures_come_from_statistics_or_are_withheld() -> None:
    frame = frame_of({1: 20.0, 2: 40.0, 3: 60.0, 4: 80.0, 5: 100.0})
    position = agency_position(frame, PeerGroup(), 2, 5)

    shown = sections.position_figure(position, "dimension", "policy")
    withheld = sections.position_figure(
        agency_position(frame, PeerGroup(), 2, 6), "dimension", "policy"
    )

    assert (shown.n, shown.median, shown.q1, shown.q3) == (5, 60.0, None, None)  # below 2K
    assert shown.percentile_rank == pytest.approx(30.0)
    assert sections.peer_quartiles(shown) is not None
    assert withheld.withheld and withheld.withheld_reason == "not enough peers (n < 6)"
    assert sections.peer_quartiles(withheld) is None


def test_summary_radar_shows_peer_median_and_previous_round() -> None:
    frame = frame_of({1: 20.0, 2: 40.0, 3: 60.0, 4: 80.0, 5: 100.0})
    result = score_assessment(INSTRUMENT, ANSWERS)

    summary = sections.summary(
        INSTRUMENT,
        result,
        agency_position(frame, PeerGroup(), 1, 5),
        agency_label="North <Police>",
        peer_group="all agencies",
        previous_round="2024",
        previous={"policy": 10.0},
    )

    assert "North &lt;Police&gt;" in summary.radar
    assert "Peer median" in summary.radar
    assert "Previous round (2024)" in summary.radar
    assert summary.overall_level.number == result.overall.level


def test_roadmap_view_marks_levels_that_change() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)
    roadmap = build_roadmap(INSTRUMENT, ANSWERS, result)

    view = roadmap_view(INSTRUMENT, result, roadmap)

    first = view.phases[0]
    assert first.title == "0-6 months" and first.months == "0-6 months"
    assert "staffing.owner" in [a.practice_id for a in first.actions]
    staffing = next(p for p in first.projected if p.title == "Staffing")
    assert staffing.changed and staffing.level == 3  # the desk shows up, unanswered
    assert {t.title: (t.current, t.target) for t in view.targets}["Staffing"] == (1, 2)
    numbers = [a.number for phase in view.phases for a in phase.actions]
    assert numbers == list(range(1, len(numbers) + 1))  # numbered across phases


def test_theme_lines_use_the_peer_median_when_shown() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)
    agencies = frame_of({1: 40.0, 2: 50.0, 3: 60.0}).drop_duplicates("agency_id")
    frame = agencies.assign(scope="theme", key="privacy")

    shown = sections.theme_lines(INSTRUMENT, result, peer_statistics(frame, PeerGroup(), 3))
    withheld = sections.theme_lines(INSTRUMENT, result, peer_statistics(frame, PeerGroup(), 4))

    assert [(t.title, t.practices, t.peer_median) for t in shown] == [("Privacy", 2, 50.0)]
    assert [t.peer_median for t in withheld] == [None]
    assert shown[0].score == result.themes["privacy"].score


def test_appendix_leaves_out_unasked_practices() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)

    appendix = sections.appendix(INSTRUMENT, result, ANSWERS)

    staffing = next(d for d in appendix if d.title == "Staffing")
    assert [line.practice_id for line in staffing.answers] == ["staffing.owner"]
    assert sum(len(d.answers) for d in appendix) == 5


def test_methodology_describes_the_rules_in_force() -> None:
    lowest = sections.methodology(
        INSTRUMENT,
        peer_group="all agencies",
        peer_count=None,
        k=5,
        baseline=[
            BaselineFigure("2015", "United States", "IACP", "553 agencies", "77.8% had a policy")
        ],
    )
    weighted = sections.methodology(
        make_instrument(practice("policy.a", 2), overall_level_rule=OverallLevelRule.WEIGHTED_MEAN),
        peer_group="x",
        peer_count=9,
        k=3,
        baseline=[],
    )

    assert "every applicable practice at that level and below is met" in lowest.level_rule
    assert "lowest dimension level" in lowest.overall_rule
    assert "weighted mean of the dimension levels" in weighted.overall_rule
    assert lowest.practice_count == 6
    assert lowest.baseline[0].figure == "77.8% had a policy"


def test_appendix_lists_screening_and_baseline_answers_with_the_rest() -> None:
    instrument = load_instrument(questionnaires_dir() / "sm-policing-maturity-2.0.0.yaml")
    answers_file = load_answers_file(
        questionnaires_dir() / "examples" / "starting-agency-2.0.0.json"
    )
    result = score_assessment(instrument, answers_file.answers, answers_file.profile)

    appendix = sections.appendix(instrument, result, answers_file.answers)

    legal = next(d for d in appendix if d.title == "Legal framework")
    lines = {line.practice_id: line for line in legal.answers}
    assert lines["legal.screen-covert"].answer == "No"
    assert lines["legal.account-privacy-notice"].answer == "Not met"
    assert lines["legal.account-privacy-notice"].comment.startswith("No privacy notice")
    assert lines["legal.regime-per-activity"].answer == "Met"
    order = [p.id for p in instrument.practices() if p.id in lines]
    assert [line.practice_id for line in legal.answers] == order
    answered = {pid for pid, a in answers_file.answers.items() if a.option_id or a.not_applicable}
    assert answered <= {line.practice_id for d in appendix for line in d.answers}

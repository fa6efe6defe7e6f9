"""Trajectories across rounds and cohort medians per round."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pytest

from assessment.domain.model.results import (
    DimensionResult,
    OverallResult,
    PracticeOutcome,
    PracticeStatus,
    ScoreResult,
    ThemeResult,
)
from assessment.domain.rules.benchmark import PeerGroup
from assessment.domain.rules.trajectory import (
    RoundInfo,
    build_trajectory,
    cohort_medians,
    major_version,
)

MET, UNMET, NA = PracticeStatus.MET, PracticeStatus.UNMET, PracticeStatus.NOT_APPLICABLE


def result(
    version: str,
    overall: tuple[float, int],
    policy: tuple[float, int],
    statuses: Mapping[str, PracticeStatus],
    theme: float | None = None,
) -> ScoreResult:
    """A scored assessment with one dimension whose practices have these statuses."""
    outcomes = tuple(
        PracticeOutcome(pid, "policy", 2, 1.0, status, None, None)
        for pid, status in statuses.items()
    )
    return ScoreResult(
        instrument_id="sm",
        instrument_version=version,
        overall=OverallResult(overall[0], overall[1], 1.0),
        dimensions={"policy": DimensionResult("policy", policy[0], policy[1], 1.0, (), outcomes)},
        themes={"dark-web": ThemeResult("dark-web", theme, 1.0, ())},
    )


def info(round_id: int, version: str = "1.0.0") -> RoundInfo:
    """Round `round_id` named after the year 2023 + id."""
    return RoundInfo(round_id, str(2023 + round_id), "sm", version)


def test_changes_are_measured_against_the_previous_round() -> None:
    trajectory = build_trajectory(
        [
            (info(1), result("1.0.0", (40.0, 1), (30.0, 1), {"p.a": UNMET, "p.b": MET}, 10.0)),
            (info(2), result("1.2.0", (55.5, 2), (60.0, 3), {"p.a": MET, "p.b": MET}, 25.0)),
        ]
    )

    first, second = trajectory.points
    assert first.compared_with is None
    assert first.overall.score_change is None
    assert second.compared_with == "2024"
    assert (second.overall.score_change, second.overall.level_change) == (15.5, 1)
    policy = second.dimension("policy")
    assert policy is not None
    assert (policy.score, policy.level, policy.score_change, policy.level_change) == (
        60.0,
        3,
        30.0,
        2,
    )
    assert second.themes[0].score_change == 15.0
    assert second.themes[0].level_change is None
    assert all(p.comparable for p in trajectory.points)


def test_newly_met_and_newly_lost_practices() -> None:
    before = {"p.a": UNMET, "p.b": MET, "p.c": MET, "p.d": PracticeStatus.UNANSWERED, "p.e": MET}
    after = {
        "p.a": MET,  # newly met
        "p.b": UNMET,  # lost
        "p.c": NA,  # not applicable now: neither met nor lost
        "p.d": MET,  # newly met
        "p.e": PracticeStatus.UNANSWERED,  # lost
        "p.new": MET,  # not in the earlier instrument: not counted
    }
    trajectory = build_trajectory(
        [
            (info(1), result("1.0.0", (40, 1), (40, 1), before)),
            (info(2), result("1.0.0", (40, 1), (40, 1), after)),
        ]
    )

    latest = trajectory.latest
    assert latest is not None
    assert latest.newly_met == ("p.a", "p.d")
    assert latest.newly_lost == ("p.b", "p.e")
    assert trajectory.points[0].newly_met == ()


def test_another_major_version_is_shown_but_not_compared() -> None:
    trajectory = build_trajectory(
        [
            (info(1, "1.4.0"), result("1.4.0", (40, 1), (40, 1), {"p.a": UNMET})),
            (info(2, "2.0.0"), result("2.0.0", (70, 3), (80, 4), {"p.a": MET})),
            (info(3, "2.1.0"), result("2.1.0", (75, 3), (85, 4), {"p.a": MET})),
        ]
    )

    old, first_v2, latest = trajectory.points
    assert not old.comparable
    assert first_v2.comparable and latest.comparable
    assert first_v2.compared_with is None
    assert first_v2.overall.score_change is None
    assert first_v2.newly_met == ()
    assert latest.compared_with == "2025"
    assert latest.overall.score_change == 5
    assert [p.round.name for p in trajectory.comparable_points] == ["2025", "2026"]


def test_an_agency_without_rounds_has_an_empty_trajectory() -> None:
    assert build_trajectory([]).latest is None


def test_major_version_needs_a_number() -> None:
    assert major_version("12.3.4") == 12
    with pytest.raises(ValueError, match="'v1' does not start with a major number"):
        major_version("v1")


def round_frame(round_id: int, scores: list[float], country: str = "NL") -> pd.DataFrame:
    """Overall results of agencies 1..n in one round."""
    return pd.DataFrame(
        {
            "agency_id": range(1, len(scores) + 1),
            "country": country,
            "agency_type": "local",
            "size_band": "small",
            "round_id": round_id,
            "scope": "overall",
            "key": "overall",
            "score": scores,
            "level": 2,
        }
    )


def test_cohort_medians_per_round_are_subject_to_k() -> None:
    rounds = [
        (info(1, "0.9.0"), round_frame(1, [10, 20, 30, 40, 50])),
        (info(2), round_frame(2, [20, 30, 40, 50])),
        (info(3), round_frame(3, [30, 40, 50, 60, 70, 80])),
    ]

    cohort = cohort_medians(rounds, PeerGroup(), k=5)

    assert [c.median("overall", "overall") for c in cohort] == [30.0, None, 55.0]
    assert [c.comparable for c in cohort] == [False, True, True]
    withheld = cohort[1].statistics.cell("overall", "overall")  # type: ignore[union-attr]
    assert withheld is not None and withheld.withheld_reason == "not enough peers (n < 5)"


def test_a_refused_group_is_explained_per_round() -> None:
    frame = pd.concat([round_frame(1, [10.0] * 6), round_frame(1, [20.0] * 2, "DE")])
    frame["agency_id"] = range(1, 9)

    (cohort,) = cohort_medians([(info(1), frame)], PeerGroup(country="NL"))

    assert cohort.statistics is None
    assert cohort.refused is not None
    assert "would single out fewer than 5 agencies" in cohort.refused
    assert cohort.median("overall", "overall") is None

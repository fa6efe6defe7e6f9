"""Change over time: an agency's path across rounds and its peer group's medians per round.

Figures are compared only between rounds that used the same instrument and the same
major version: a round's change is measured against the **previous comparable round**,
the latest earlier round of its lineage (`comparable_base`, the one rule every page,
report, API answer and list uses). A round on another major version is still listed,
marked not comparable, and no change is computed from it.

Across versions through a crosswalk. When a crosswalk path leads from an earlier round's
instrument to the latest round's (`rules/carry.py`), the earlier round is re-expressed in
the latest instrument: its answers are carried over and scored there (`CarryFigures`,
given by the caller, which reads the answers). Such a round joins the latest lineage; its
figures are *computed on carried-over answers* and carry the share of the latest
instrument that had an equivalent (`carried_share`), and a change measured against it
says so (`compared_carried_share`). An earlier round with no path stays not comparable.

Newly met practices are met in a round and were present but not met in the previous
round; newly lost practices were met and are now applicable but not met. A practice
marked not applicable (or hidden) in the later round is neither, and a practice new to
the instrument is not counted as newly met.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from assessment.domain.model.results import PracticeOutcome, PracticeStatus, ScoreResult
from assessment.domain.rules.benchmark import (
    DEFAULT_ANONYMITY_K,
    GroupRefused,
    PeerGroup,
    PeerStatistics,
    peer_statistics,
    validate_k,
)

_NOT_MET_YET = (PracticeStatus.UNMET, PracticeStatus.UNANSWERED)


def major_version(version: str) -> int:
    """The major part of a semantic version such as '1.2.0'."""
    head = version.split(".", 1)[0]
    if not head.isdigit():
        raise ValueError(f"instrument version {version!r} does not start with a major number")
    return int(head)


@dataclass(frozen=True)
class RoundInfo:
    """A round as a trajectory needs it: id, name and the instrument it used."""

    round_id: int
    name: str
    instrument_id: str
    instrument_version: str

    @property
    def lineage(self) -> tuple[str, int]:
        """Instrument id and major version: rounds compare only within one lineage."""
        return (self.instrument_id, major_version(self.instrument_version))


@dataclass(frozen=True)
class CarriedFigures:
    """An earlier round's figures computed on its answers carried to a later instrument."""

    result: ScoreResult
    equivalent_share: float  # 0..1: share of the later instrument with an equivalent


CarryFigures = Callable[[RoundInfo, RoundInfo], CarriedFigures | None]
"""The first round's figures carried to the second round's instrument; None with no path."""


@dataclass(frozen=True)
class AlignedRound:
    """A round's figures as compared: its own, or carried to the reference instrument."""

    info: RoundInfo
    result: ScoreResult
    lineage: Hashable  # the reference round's lineage when carried
    carried_share: float | None = None  # set when computed on carried-over answers


def align_rounds(
    rounds: Sequence[tuple[RoundInfo, ScoreResult]], carry: CarryFigures | None = None
) -> list[AlignedRound]:
    """Rounds (oldest first) with every earlier one that a crosswalk reaches carried to the last."""
    if not rounds:
        return []
    reference = rounds[-1][0]
    aligned = []
    for info, result in rounds:
        carried = None
        if carry is not None and info.lineage != reference.lineage:
            carried = carry(info, reference)
        if carried is None:
            aligned.append(AlignedRound(info, result, info.lineage))
        else:
            aligned.append(
                AlignedRound(info, carried.result, reference.lineage, carried.equivalent_share)
            )
    return aligned


@dataclass(frozen=True)
class FigureStep:
    """One figure in one round and its change since the previous comparable round."""

    key: str
    score: float | None
    level: int | None
    score_change: float | None
    level_change: int | None


@dataclass(frozen=True)
class TrajectoryPoint:
    """An agency's figures in one round."""

    round: RoundInfo
    comparable: bool  # same instrument and major version as the latest round
    compared_with: str | None  # the round the changes are measured against, if any
    overall: FigureStep
    dimensions: tuple[FigureStep, ...]
    themes: tuple[FigureStep, ...]
    newly_met: tuple[str, ...]
    newly_lost: tuple[str, ...]
    carried_share: float | None = None  # figures computed on carried-over answers
    compared_carried_share: float | None = None  # the changes' base was carried over

    def dimension(self, dimension_id: str) -> FigureStep | None:
        """The step of one dimension, or None."""
        return next((d for d in self.dimensions if d.key == dimension_id), None)


@dataclass(frozen=True)
class Trajectory:
    """An agency's rounds in order, oldest first."""

    points: tuple[TrajectoryPoint, ...]

    @property
    def latest(self) -> TrajectoryPoint | None:
        """The most recent round, or None when there is none."""
        return self.points[-1] if self.points else None

    @property
    def comparable_points(self) -> tuple[TrajectoryPoint, ...]:
        """The rounds comparable with the latest one."""
        return tuple(p for p in self.points if p.comparable)


def comparable_base(lineages: Sequence[Hashable], index: int) -> int | None:
    """Where the previous comparable round stands: the latest earlier one of the same lineage."""
    return next((i for i in range(index - 1, -1, -1) if lineages[i] == lineages[index]), None)


def build_trajectory(
    rounds: Sequence[tuple[RoundInfo, ScoreResult]], carry: CarryFigures | None = None
) -> Trajectory:
    """An agency's trajectory from its results, given oldest round first."""
    aligned = align_rounds(rounds, carry)
    if not aligned:
        return Trajectory(())
    lineages = [entry.lineage for entry in aligned]
    points = []
    for index, entry in enumerate(aligned):
        base = comparable_base(lineages, index)
        before = aligned[base] if base is not None else None
        points.append(_point(entry, before, entry.lineage == lineages[-1]))
    return Trajectory(tuple(points))


def _point(entry: AlignedRound, base: AlignedRound | None, comparable: bool) -> TrajectoryPoint:
    info, result = entry.info, entry.result
    before = base.result if base else None
    overall = _step(
        "overall",
        result.overall.score,
        result.overall.level,
        before.overall.score if before else None,
        before.overall.level if before else None,
    )
    dimensions = tuple(
        _step(key, figure.score, figure.level, *_dimension_before(before, key))
        for key, figure in result.dimensions.items()
    )
    themes = tuple(
        _step(key, figure.score, None, _theme_score(before, key), None)
        for key, figure in result.themes.items()
    )
    newly_met, newly_lost = _practice_changes(before, result) if before else ((), ())
    return TrajectoryPoint(
        info,
        comparable,
        base.info.name if base else None,
        overall,
        dimensions,
        themes,
        newly_met,
        newly_lost,
        carried_share=entry.carried_share,
        compared_carried_share=base.carried_share if base else None,
    )


def _step(
    key: str,
    score: float | None,
    level: int | None,
    previous_score: float | None,
    previous_level: int | None,
) -> FigureStep:
    score_change = None if score is None or previous_score is None else score - previous_score
    level_change = None if level is None or previous_level is None else level - previous_level
    return FigureStep(key, score, level, score_change, level_change)


def _dimension_before(before: ScoreResult | None, key: str) -> tuple[float | None, int | None]:
    figure = before.dimensions.get(key) if before else None
    return (figure.score, figure.level) if figure else (None, None)


def _theme_score(before: ScoreResult | None, key: str) -> float | None:
    figure = before.themes.get(key) if before else None
    return figure.score if figure else None


def _outcomes(result: ScoreResult) -> Iterator[PracticeOutcome]:
    for dimension in result.dimensions.values():
        yield from dimension.practices


def _practice_changes(
    before: ScoreResult, after: ScoreResult
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    earlier: Mapping[str, PracticeStatus] = {o.practice_id: o.status for o in _outcomes(before)}
    met, lost = [], []
    for outcome in _outcomes(after):
        was = earlier.get(outcome.practice_id)
        if was is None:
            continue
        if outcome.status is PracticeStatus.MET and was is not PracticeStatus.MET:
            met.append(outcome.practice_id)
        elif was is PracticeStatus.MET and outcome.status in _NOT_MET_YET:
            lost.append(outcome.practice_id)
    return tuple(met), tuple(lost)


@dataclass(frozen=True)
class CohortRound:
    """A peer group's statistics in one round, or why they are refused."""

    round: RoundInfo
    comparable: bool  # same instrument and major version as the latest round
    statistics: PeerStatistics | None
    refused: str | None = None
    carried_share: float | None = None  # computed on answers carried to the latest version

    def median(self, scope: str, key: str) -> float | None:
        """The group's median of one figure, None when withheld, refused or absent."""
        cell = self.statistics.cell(scope, key) if self.statistics else None
        return cell.summary.median if cell and cell.summary else None


def cohort_medians(
    rounds: Sequence[tuple[RoundInfo, pd.DataFrame]],
    group: PeerGroup,
    k: int = DEFAULT_ANONYMITY_K,
    carried_shares: Mapping[int, float] | None = None,
) -> tuple[CohortRound, ...]:
    """A peer group's statistics per round (oldest first), each subject to K.

    `carried_shares` names the rounds (by id) whose frame holds figures computed on answers
    carried to the latest round's instrument, with the share that had an equivalent:
    those rounds are comparable with the latest one.
    """
    k = validate_k(k)
    if not rounds:
        return ()
    carried_shares = carried_shares or {}
    latest_lineage = rounds[-1][0].lineage
    cohort = []
    for info, frame in rounds:
        share = carried_shares.get(info.round_id)
        comparable = info.lineage == latest_lineage or share is not None
        try:
            statistics = peer_statistics(frame, group, k)
            cohort.append(CohortRound(info, comparable, statistics, carried_share=share))
        except GroupRefused as refused:
            cohort.append(CohortRound(info, comparable, None, str(refused), share))
    return tuple(cohort)

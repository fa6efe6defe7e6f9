"""Peer-figure charts from benchmark statistics: quartile bars, level counts, trends."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from assessment.domain.rules.benchmark import CellStatistics, PeerPosition, PeerStatistics
from assessment.domain.rules.trajectory import Trajectory
from assessment.presentation.charts import Quartiles, level_distribution, quartile_bar, trend_chart
from assessment.presentation.labels import FigureNames, carried_over_axis


def quartiles_of(cell: CellStatistics | None) -> Quartiles | None:
    """The published figures of a shown figure (median, quartiles from 2K), None when withheld."""
    if cell is None or cell.summary is None:
        return None
    s = cell.summary
    return Quartiles(s.median, s.q1, s.q3)


def peer_bar(
    cell: CellStatistics | None,
    title: str,
    *,
    agency_score: float | None = None,
    agency_label: str = "Agency",
) -> Markup:
    """A quartile bar of one figure, the agency marked when given; withheld cells say why."""
    reason = cell.withheld_reason if cell is not None else None
    return quartile_bar(
        quartiles_of(cell),
        agency_score,
        title=title,
        peer_count=cell.n if cell is not None else None,
        agency_label=agency_label,
        withheld_text=(reason or "not enough peers").capitalize(),
    )


def level_chart(
    cell: CellStatistics | None, names: FigureNames, title: str, k: int
) -> Markup | None:
    """Bars of the level counts; a suppressed count is drawn hatched as "fewer than K"."""
    if cell is None or not cell.levels:
        return None
    return level_distribution(
        [(names.level(count.level), count.count) for count in cell.levels],
        title=title,
        withheld_text=f"fewer than {k}",
    )


def position_bars(
    position: PeerPosition | None, names: FigureNames, *, agency_label: str = "Agency"
) -> list[tuple[str, Markup]]:
    """(title, quartile bar) of the overall and each dimension figure, the agency marked."""
    if position is None:
        return []
    statistics = position.statistics
    bars = []
    for cell in [statistics.cell("overall", "overall"), *dimension_cells(statistics, names)]:
        if cell is None:
            continue
        title = names.figure(cell.scope, cell.key)
        figure = position.figure(cell.scope, cell.key)
        chart = peer_bar(
            cell,
            f"{title}: {agency_label.lower()} against all agencies",
            agency_score=figure.score if figure else None,
            agency_label=agency_label,
        )
        bars.append((title, chart))
    return bars


def dimension_cells(statistics: PeerStatistics, names: FigureNames) -> list[CellStatistics]:
    """The dimension figures in instrument order (unknown ones last)."""
    order = {key: index for index, key in enumerate(names.dimension_ids())}
    cells = statistics.in_scope("dimension")
    return sorted(cells, key=lambda cell: order.get(cell.key, len(order)))


def trend_of(trajectory: Trajectory, names: FigureNames) -> Markup | None:
    """Dimension scores over the rounds comparable with the latest one, as a line chart."""
    points = trajectory.comparable_points
    if not points:
        return None
    keys = [d.key for d in points[-1].dimensions]
    series: list[tuple[str, Sequence[float | None]]] = []
    for key in keys:
        values = []
        for point in points:
            step = point.dimension(key)
            values.append(step.score if step else None)
        series.append((names.figure("dimension", key), values))
    rounds = [
        point.round.name if point.carried_share is None else carried_over_axis(point.round.name)
        for point in points
    ]
    return trend_chart(rounds, series, title="Dimension scores over rounds")

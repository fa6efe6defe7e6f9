"""The JSON API: responses match the OpenAPI document, authentication, leads' limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from assessment.services import accounts, rounds
from assessment.store.models import ApiToken, Round, User
from assessment.web.api.openapi import openapi_document
from tests.peer_data import submit_at
from tests.web.helpers import login
from tests.web.peer_world import Peers


def token_for(session: Session, user: User) -> str:
    """A fresh bearer token acting as `user`."""
    return accounts.create_api_token(session, user=user, name="test")


def call(client: FlaskClient, path: str, token: str | None = None) -> TestResponse:
    """GET `path` with a bearer token (or none)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def check(response: TestResponse, path_template: str) -> None:
    """Fail unless the response body matches the document's schema for its path and status."""
    document = openapi_document()
    responses = document["paths"][path_template]["get"]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{path_template}: status {status} is not documented"
    schema = responses[status]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, f"{path_template} {status}: " + "; ".join(e.message for e in errors[:5])


def test_every_documented_endpoint_answers_as_documented(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.consultant)
    canal = peers.agencies["Canal Police"].id
    documented = openapi_document()["paths"]

    for template in documented:
        path = template.replace("{agency_id}", str(canal))
        response = call(client, path, token)
        assert response.status_code == 200, f"{path}: {response.get_json()}"
        check(response, template)


def test_every_api_route_is_documented(app: Flask) -> None:
    routes = {
        rule.rule.replace("<int:agency_id>", "{agency_id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }

    assert routes == set(openapi_document()["paths"])


def test_results_and_trajectory_hold_the_agencys_figures(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.consultant)
    canal = peers.agencies["Canal Police"].id

    results = call(client, f"/api/v1/agencies/{canal}/results?round=2024", token).get_json()
    trajectory = call(client, f"/api/v1/agencies/{canal}/trajectory", token).get_json()

    assert results["round"]["name"] == "2024"
    assert [d["key"] for d in results["dimensions"]][:2] == ["policy", "staffing"]
    rounds = trajectory["rounds"]
    assert [r["round"]["name"] for r in rounds] == ["2024", "2025"]
    assert rounds[0]["overall"]["score"] == results["overall"]["score"]
    assert rounds[1]["overall"]["score_change"] > 0
    assert rounds[1]["newly_met"]


def test_benchmarks_give_statistics_with_withheld_cells(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.consultant)

    everyone = call(client, "/api/v1/benchmarks", token).get_json()
    belgium = call(client, "/api/v1/benchmarks?country=be&round=2025", token)

    assert everyone["n_agencies"] == 7
    assert everyone["figures"][0]["n"] == 7
    check(belgium, "/api/v1/benchmarks")
    figure = belgium.get_json()["figures"][0]
    assert belgium.get_json()["group"]["country"] == "BE"
    assert (figure["withheld"], figure["reason"], figure["median"]) == (
        True,
        "not enough peers (n < 5)",
        None,
    )


def test_benchmark_history_gives_each_round_subject_to_k(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.consultant)

    history = call(client, "/api/v1/benchmarks/history", token).get_json()

    earlier, latest = history["rounds"]
    assert (earlier["round"]["name"], latest["round"]["name"]) == ("2024", "2025")
    assert earlier["statistics"]["figures"][0]["reason"] == "not enough peers (n < 5)"
    assert latest["statistics"]["figures"][0]["n"] == 7
    assert earlier["comparable"] and latest["comparable"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/v1/benchmarks?country=Netherlands", 400, "country: a two-letter code"),
        ("/api/v1/benchmarks?round=1999", 404, "there is no round '1999'"),
        ("/api/v1/agencies/999999", 404, "there is no agency with id 999999"),
        ("/api/v1/agencies/999999/results", 404, "there is no agency with id 999999"),
    ],
)
def test_errors_are_json_with_status_and_message(
    client: FlaskClient, session: Session, peers: Peers, path: str, status: int, message: str
) -> None:
    response = call(client, path, token_for(session, peers.consultant))

    assert response.status_code == status
    assert response.get_json()["error"]["status"] == status
    assert message in response.get_json()["error"]["message"]
    check(response, path.split("?")[0].replace("999999", "{agency_id}"))


def test_a_group_that_would_expose_agencies_is_refused_with_403(
    app: Flask, client: FlaskClient, session: Session, peers: Peers
) -> None:
    app.config["ANONYMITY_K"] = 4
    response = call(client, "/api/v1/benchmarks?country=NL", token_for(session, peers.consultant))

    assert response.status_code == 403
    assert "would single out fewer than 4 agencies" in response.get_json()["error"]["message"]
    check(response, "/api/v1/benchmarks")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "sign in, or send Authorization: Bearer <token>"),
        ("Bearer not-a-token", "unknown or revoked API token"),
        ("Basic dXNlcjpwYXNz", "malformed Authorization header"),
        ("Bearer ", "malformed Authorization header"),
    ],
)
def test_missing_or_wrong_credentials_are_401(
    client: FlaskClient, peers: Peers, header: str | None, message: str
) -> None:
    response = client.get("/api/v1/agencies", headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert message in response.get_json()["error"]["message"]
    check(response, "/api/v1/agencies")


def test_a_revoked_token_stops_working(client: FlaskClient, session: Session, peers: Peers) -> None:
    token = token_for(session, peers.consultant)
    assert call(client, "/api/v1/rounds", token).status_code == 200
    (stored,) = session.scalars(select(ApiToken).where(ApiToken.user_id == peers.consultant.id))
    accounts.revoke_api_token(session, token_id=stored.id, actor=peers.consultant)

    assert call(client, "/api/v1/rounds", token).status_code == 401


def test_a_signed_in_session_may_read_but_not_write(client: FlaskClient, peers: Peers) -> None:
    login(client, peers.consultant)

    assert client.get("/api/v1/agencies").status_code == 200
    refused = client.post("/api/v1/agencies")
    assert refused.status_code in (400, 405)
    assert refused.get_json()["error"]["status"] == refused.status_code


def test_a_leads_token_sees_only_their_own_agency(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.lead)
    canal = peers.agencies["Canal Police"].id
    other = peers.agencies["Harbour Police"].id

    listed = call(client, "/api/v1/agencies", token).get_json()["agencies"]
    assert [agency["name"] for agency in listed] == ["Canal Police"]
    for suffix in ("", "/results", "/benchmark", "/trajectory"):
        assert call(client, f"/api/v1/agencies/{other}{suffix}", token).status_code == 404
        assert call(client, f"/api/v1/agencies/{canal}{suffix}", token).status_code == 200


def test_a_lead_gets_only_anonymous_statistics(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.lead)
    canal = peers.agencies["Canal Police"].id
    others = [name for name in peers.names() if name != "Canal Police"]

    bodies = [
        call(client, "/api/v1/benchmarks", token).get_data(as_text=True),
        call(client, f"/api/v1/agencies/{canal}/benchmark", token).get_data(as_text=True),
        call(client, "/api/v1/agencies", token).get_data(as_text=True),
    ]

    for body in bodies:
        for name in others:
            assert name not in body
    position = call(client, f"/api/v1/agencies/{canal}/benchmark", token).get_json()
    overall = position["comparisons"][0]["position"]["figures"][0]
    assert overall["percentile_rank"] == 93  # whole percent
    assert set(overall) >= {"score", "median", "n", "percentile_rank"}
    assert "agency_id" not in str(position["comparisons"])


def test_api_and_lead_page_follow_the_disclosure_rule(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.lead)
    canal = peers.agencies["Canal Police"].id

    statistics = call(client, "/api/v1/benchmarks", token).get_json()
    position = call(client, f"/api/v1/agencies/{canal}/benchmark", token).get_json()
    figures = [
        *statistics["figures"],
        *(f for c in position["comparisons"] if c["position"] for f in c["position"]["figures"]),
    ]

    assert statistics["disclosure"] == {
        "k": 5,
        "median_from": 5,
        "quartiles_from": 10,
        "precision": 1,
    }
    for figure in figures:
        assert not {"min", "max", "mean"} & set(figure)
        assert figure["q1"] is None and figure["q3"] is None  # 7 agencies < 2K
        assert figure["median"] is None or figure["median"] == round(figure["median"])


def test_an_open_round_shows_no_peer_figures_to_the_api_or_the_lead(
    client: FlaskClient,
    session: Session,
    peers: Peers,
    create_round: Callable[..., Round],
) -> None:
    current = create_round("2026")
    for agency in peers.agencies.values():
        submit_at(session, agency, current, 3)
    token = token_for(session, peers.lead)

    statistics = call(client, "/api/v1/benchmarks?round=2026", token).get_json()
    login(client, peers.lead)
    page = client.get("/my/benchmark").get_data(as_text=True)

    assert statistics["n_agencies"] is None
    assert all(f["median"] is None for f in statistics["figures"])
    assert statistics["figures"][0]["reason"].startswith("published when the round closes")
    assert "Round 2026" in page
    assert "Not shown: published when the round closes" in page


def test_reopening_a_closed_round_keeps_the_figures_of_its_closing(
    client: FlaskClient, session: Session, peers: Peers
) -> None:
    token = token_for(session, peers.consultant)
    before = call(client, "/api/v1/benchmarks?round=2025", token).get_json()

    rounds.set_round_open(session, round_id=peers.latest.id, is_open=True, actor=None)
    reopened = call(client, "/api/v1/benchmarks?round=2025", token).get_json()

    assert before["n_agencies"] == 7
    assert reopened["figures"] == before["figures"]

"""Requests at the edges: ids no row can have, bodies no page takes."""

from __future__ import annotations

import io
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.store.ids import MAX_ID
from assessment.store.models import Agency, Assessment
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login

BEYOND_IDS = [str(MAX_ID + 1), str(2**63), "9" * 40]


@pytest.mark.parametrize("number", BEYOND_IDS)
def test_an_id_beyond_any_row_is_page_not_found(
    client: FlaskClient, world: World, number: str
) -> None:
    login(client, world.admin)
    for path in (
        f"/admin/rounds/{number}",
        f"/consultant/agencies/{number}",
        f"/agencies/{number}/assessment/",
        f"/reports/agency/{number}/{world.round.id}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text


@pytest.mark.parametrize("number", BEYOND_IDS)
def test_the_api_answers_an_id_beyond_any_row_with_json_404(
    client: FlaskClient, world: World, number: str
) -> None:
    login(client, world.consultant)
    agency = client.get(f"/api/v1/agencies/{number}")
    assert agency.status_code == 404
    assert agency.json is not None and agency.json["error"]["status"] == 404
    results = client.get(f"/api/v1/agencies/{world.agency_a.id}/results?round={number}")
    assert results.status_code == 404
    assert results.json is not None and "there is no round" in results.json["error"]["message"]


def _agency_count(session: Session) -> int:
    return len(session.scalars(select(Agency.id)).all())


def test_a_file_upload_is_refused_and_changes_nothing(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    before = _agency_count(session)
    upload = (io.BytesIO(b"\x00\xff" * 50), "name.bin")
    response = client.post(
        "/admin/agencies/new",
        data={"csrf_token": csrf_token(client), "name": upload, "country": "NL"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert "takes no file uploads" in response.text
    assert _agency_count(session) == before


@pytest.mark.parametrize("body", ['"text"', "1e999", '{"name": ["a", "b"], "country": 7}'])
def test_json_to_a_web_form_is_refused_as_json(
    client: FlaskClient, world: World, session: Session, body: str
) -> None:
    login(client, world.admin)
    before = _agency_count(session)
    response = client.post(
        "/admin/agencies/new",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 415
    assert response.json is not None
    assert response.json["error"]["message"] == "This address takes a web form, not JSON."
    assert _agency_count(session) == before


@pytest.mark.parametrize("nested", ["[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1}"])
def test_deeply_nested_json_to_the_background_save_is_a_bad_request(
    client: FlaskClient, world: World, session: Session, nested: str
) -> None:
    login(client, world.lead_b)
    response = client.post(
        "/assessment/answers",
        data=nested,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 400
    assert response.json is not None and response.json["error"]["status"] == 400
    draft = session.get(Assessment, world.draft_b.id)
    assert draft is not None and draft.revision == world.draft_b.revision


def test_the_background_save_still_takes_json(client: FlaskClient, world: World) -> None:
    login(client, world.lead_b)
    response = client.post(
        "/assessment/answers",
        json={"answers": {"policy.written-policy": {"revision": 0}}},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 200
    assert response.json is not None and response.json["ok"] is True


def test_a_nul_character_in_a_form_is_refused_naming_the_field(client: FlaskClient) -> None:
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": "lead\x00@example.org", "password": "x" * 12, "csrf_token": token},
    )
    assert response.status_code == 400
    assert "email: contains a NUL character" in response.text


@pytest.mark.parametrize("comment", ["before\x00after", "lone \ud800 surrogate", "\udfff"])
def test_a_comment_that_cannot_be_stored_stores_nothing(
    client: FlaskClient, world: World, session: Session, comment: str
) -> None:
    login(client, world.lead_b)
    answer = {"choice": None, "comment": comment}
    # json.dumps writes the surrogates as \\u escapes, as a hostile script could.
    body = json.dumps(
        {"revision": world.draft_b.revision, "answers": {"policy.written-policy": answer}}
    )
    response = client.post(
        "/assessment/answers",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 400
    assert response.json is not None
    assert "JSON body: contains a NUL character" in response.json["error"]["message"]
    draft = session.get(Assessment, world.draft_b.id)
    assert draft is not None and draft.revision == world.draft_b.revision


def test_a_nul_character_in_an_api_query_is_a_json_400(client: FlaskClient, world: World) -> None:
    login(client, world.consultant)
    response = client.get(f"/api/v1/agencies/{world.agency_a.id}/results?round=%00")
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["error"]["message"].startswith("round: contains a NUL character")


@pytest.mark.parametrize("revision", ["²", "١٢", "-1", "1e3", "9" * 19])
def test_a_revision_that_is_no_plain_number_is_named_and_saves_nothing(
    client: FlaskClient, world: World, session: Session, revision: str
) -> None:
    login(client, world.lead_b)
    # The submission names the assessment's revision, a page's save each answer's.
    for path, field in (
        ("/assessment/submit", "revision"),
        ("/assessment/dimensions/policy", "based-policy.written-policy"),
    ):
        response = client.post(path, data={field: revision, "csrf_token": csrf_token(client)})
        assert response.status_code == 400, path  # a malformed request, not a typing mistake
        assert "without a valid version number" in response.text
    draft = session.get(Assessment, world.draft_b.id)
    assert draft is not None and draft.status == "draft"
    assert draft.revision == world.draft_b.revision

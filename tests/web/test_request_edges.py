"""Requests at the edges: ids no row can have, bodies no page takes."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from assessment.store.ids import MAX_ID
from tests.web.conftest import World
from tests.web.helpers import login

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

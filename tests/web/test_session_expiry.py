"""When a session ends mid-edit, every message says exactly what was not saved."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.store.models import Answer as AnswerRow
from tests.web.conftest import World
from tests.web.helpers import csrf_token, login

PRACTICE = "policy.written-policy"


def sign_out_elsewhere(app: Flask, world: World) -> None:
    """The lead signs out in another browser, which ends every session of the lead."""
    other = app.test_client()
    login(other, world.lead_b)
    other.post("/logout", data={"csrf_token": csrf_token(other)})


def test_a_save_after_the_session_ended_says_it_was_not_saved(
    app: Flask, client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.lead_b)
    path = f"/assessment/rounds/{world.round.id}/dimensions/policy"
    assert client.get(path).status_code == 200
    token = csrf_token(client)
    sign_out_elsewhere(app, world)
    data = {
        "csrf_token": token,
        "revision": "0",
        "action": "save",
        f"answer-{PRACTICE}": "fully",
        f"comment-{PRACTICE}": "Typed just now",
    }
    response = client.post(path, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login_page = client.get(response.headers["Location"]).text
    assert "so what you just sent was not saved" in login_page
    assert "Nothing was lost" not in login_page
    # Reading a page after the session ended says nothing of the kind.
    assert "was not saved" not in client.get(client.get(path).headers["Location"]).text
    # The background save gets the honest expired-form answer.
    background = client.post(
        f"/assessment/rounds/{world.round.id}/answers",
        json={"revision": 0, "answers": {PRACTICE: {"choice": "fully", "comment": "x"}}},
        headers={"X-CSRFToken": token},
    )
    assert background.status_code == 400
    assert "so nothing it carried was saved" in background.get_json()["error"]["message"]
    session.expire_all()
    rows = session.scalars(select(AnswerRow).where(AnswerRow.assessment_id == world.draft_b.id))
    assert list(rows) == []

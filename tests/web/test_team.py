"""An agency answering as a team: the lead invites contributors and assigns dimensions;
a contributor answers only those (enforced on the server), sees their own progress and
never submits; the lead sees who answered what and when."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.store.models import AuditEvent, Role, User
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login
from tests.web.test_answering import (
    BEST,
    FIRST_DIMENSION,
    FIRST_POLICY,
    SECOND_DIMENSION,
    autosave,
    post_dimension,
    stored_answers,
)

NEW_PASSWORD = "a long enough password 2026"
POLICY, LEGAL = FIRST_DIMENSION, SECOND_DIMENSION
LEGAL_FIRST = LEGAL.practices[0].id


def invite(client: FlaskClient, email: str) -> str:
    """The lead invites a colleague on the team page; the invitation link's path."""
    page = client.post("/assessment/team", data={"csrf_token": csrf_token(client), "email": email})
    assert page.status_code == 200, page.text
    link = re.search(r'id="invitation-link" type="text" readonly value="([^"]+)"', page.text)
    assert link, "the page shows the link"
    return "/invitation/" + link.group(1).rsplit("/invitation/", 1)[1]


def assign(client: FlaskClient, user_id: int, *dimension_ids: str) -> int:
    """The lead saves a contributor's dimensions; the status."""
    field = f"contributor-{user_id}-dimensions"
    data = {"csrf_token": csrf_token(client), field: list(dimension_ids)}
    return client.post(f"/assessment/team/{user_id}/dimensions", data=data).status_code


def test_the_lead_invites_a_contributor_and_assigns_dimensions(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.lead_b)
    path = invite(client, "Colleague@example.org")
    visitor = client.application.test_client()
    page = visitor.get(path)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": form_token(page.text)}
    assert visitor.post(path, data=data).status_code == 302
    colleague = session.scalar(select(User).where(User.email == "colleague@example.org"))
    assert colleague is not None
    assert (colleague.role, colleague.agency_id) == (Role.CONTRIBUTOR, world.agency_b.id)

    assert assign(client, colleague.id, POLICY.id, LEGAL.id) == 302
    session.refresh(colleague)
    assert colleague.dimensions == sorted([POLICY.id, LEGAL.id])
    team = html.unescape(client.get("/assessment/team").text)
    assert f"colleague@example.org now answers: {POLICY.title}, {LEGAL.title}." in team
    assert "None of the stored answers was last saved by them." in team
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.agency_id == world.agency_b.id)
    ).all()
    assert "invitation.created" in events and "contributor.assigned" in events
    # Another agency's lead cannot assign B's contributor.
    other = client.application.test_client()
    login(other, world.lead_a)
    assert assign(other, colleague.id, LEGAL.id) == 404


def test_a_bad_address_is_named_at_its_field(client: FlaskClient, world: World) -> None:
    login(client, world.lead_b)
    data = {"csrf_token": csrf_token(client), "email": "not an address"}
    page = client.post("/assessment/team", data=data)
    assert page.status_code == 400
    assert "Enter an email address like name@example.org." in page.text
    taken = client.post("/assessment/team", data=data | {"email": world.lead_a.email})
    assert taken.status_code == 400 and "already has an account" in taken.text


def test_a_contributor_answers_only_assigned_dimensions(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.contributor_b)  # assigned B's policy dimension
    assert (
        post_dimension(client, POLICY.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]}).status_code == 302
    )
    legal_page = client.get(f"/assessment/dimensions/{LEGAL.id}").text
    assert 'id="answer-form"' not in legal_page
    refused = post_dimension(client, LEGAL.id, 0, {LEGAL_FIRST: BEST[LEGAL_FIRST]})
    assert refused.status_code == 403
    # The background save checks every question: one of another dimension refuses it all.
    mixed = {
        "answers": {
            POLICY.practices[1].id: {"choice": BEST[POLICY.practices[1].id]},
            LEGAL_FIRST: {"choice": BEST[LEGAL_FIRST]},
        }
    }
    response = autosave(client, mixed)
    assert response.status_code == 403
    assert "only the dimensions assigned to them" in response.get_json()["message"]
    assert set(stored_answers(session, world.draft_b.id)) == {FIRST_POLICY}
    # Never submits, never changes the profile.
    assert client.get("/assessment/submit").status_code == 403
    submit = client.post(
        "/assessment/submit", data={"csrf_token": csrf_token(client), "revision": "1"}
    )
    assert submit.status_code == 403
    # Sees their own progress on the overview.
    overview = html.unescape(client.get(f"/assessment/rounds/{world.round.id}/").text)
    assert "Your part as a contributor" in overview
    assert f"{POLICY.title}</a>: 1 of " in overview
    assert "Review and submit" not in overview


def test_the_lead_sees_who_answered_what_and_when(
    client: FlaskClient, world: World, session: Session
) -> None:
    helper = client.application.test_client()
    login(helper, world.contributor_b)
    post_dimension(helper, POLICY.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]})
    login(client, world.lead_b)
    team = html.unescape(client.get("/assessment/team").text)
    assert world.contributor_b.email in team
    assert re.search(rf"Answers {POLICY.title}: <strong>1 of \d+</strong> questions answered", team)
    assert re.search(r"Saved 1 answer, last on \d\d \w+ \d{4}, \d\d:\d\d UTC\.", team)
    review = html.unescape(client.get("/assessment/submit").text)
    item = review[review.index(f'id="review-{FIRST_POLICY}"') :]
    assert f"<dd>{world.contributor_b.email}, " in item[: item.index("</li>")]

"""Invitation and password-reset links: created by staff, used once, expiring."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.services import accounts
from assessment.services.errors import Forbidden
from assessment.store.models import AuditEvent, OneTimeToken, Role, TokenKind, User
from tests.conftest import TEST_PASSWORD
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login

NEW_PASSWORD = "a brand new long passphrase"


def shown_link(html: str) -> str:
    """The path of the single-use link shown on a link page."""
    found = re.search(r'id="single-use-link" type="text" value="http://localhost([^"]+)"', html)
    assert found, "no link on the page"
    return found.group(1)


def invite(client: FlaskClient, agency_id: int, email: str) -> str:
    """Create an invitation through the form; returns the link's path."""
    token = form_token(client.get("/admin/invitations").text)
    response = client.post(
        "/admin/invitations", data={"agency_id": agency_id, "email": email, "csrf_token": token}
    )
    assert response.status_code == 200, response.text
    return shown_link(response.text)


def choose_password(client: FlaskClient, path: str, password: str, confirm: str) -> int:
    """Fill in the choose-a-password form behind a link; returns the status code."""
    page = client.get(path)
    if page.status_code != 200:
        return page.status_code
    data = {"password": password, "confirm": confirm, "csrf_token": form_token(page.text)}
    return client.post(path, data=data).status_code


def test_invited_lead_sets_a_password_and_is_signed_in(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    path = invite(client, world.agency_a.id, "New.Lead@example.org")
    assert path.startswith("/invitation/")

    visitor = client.application.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Choose a password for new.lead@example.org." in page.text
    assert choose_password(visitor, path, NEW_PASSWORD, NEW_PASSWORD) == 302

    lead = session.scalar(select(User).where(User.email == "new.lead@example.org"))
    assert lead is not None and lead.role == Role.LEAD and lead.agency_id == world.agency_a.id
    with visitor.session_transaction() as stored:
        assert stored["user_id"] == lead.id
    assert accounts.authenticate(session, "new.lead@example.org", NEW_PASSWORD) is not None


def test_invitation_link_works_once(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    path = invite(client, world.agency_b.id, "once@example.org")
    visitor = client.application.test_client()
    assert choose_password(visitor, path, NEW_PASSWORD, NEW_PASSWORD) == 302
    again = client.application.test_client().get(path)
    assert again.status_code == 410
    assert "already been used" in again.text


def test_expired_and_unknown_links_give_a_clear_410(
    client: FlaskClient, world: World, session: Session
) -> None:
    expired = accounts.create_invitation(
        session,
        email="late@example.org",
        agency_id=world.agency_a.id,
        actor=world.admin,
        valid_for=timedelta(seconds=-1),
    )
    response = client.get(f"/invitation/{expired}")
    assert response.status_code == 410
    assert "This link has expired; ask for a new one." in response.text
    unknown = client.post(f"/invitation/{'x' * 43}", data={"csrf_token": csrf_token(client)})
    assert unknown.status_code == 410
    assert "not valid" in unknown.text
    assert client.get("/password-reset/nonsense").status_code == 410


def test_password_must_be_long_and_confirmed(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    path = invite(client, world.agency_a.id, "careful@example.org")
    visitor = client.application.test_client()
    token = form_token(visitor.get(path).text)
    short = visitor.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 400
    assert "Use between 12 and 200 characters." in short.text
    mismatch = visitor.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!", "csrf_token": token}
    )
    assert mismatch.status_code == 400
    assert '<a href="#confirm">The two passwords are not the same.</a>' in mismatch.text
    assert choose_password(visitor, path, NEW_PASSWORD, NEW_PASSWORD) == 302


def test_invitation_form_reports_bad_input_at_the_field(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    token = form_token(client.get("/admin/invitations").text)
    taken = client.post(
        "/admin/invitations",
        data={"agency_id": world.agency_a.id, "email": world.lead_b.email, "csrf_token": token},
    )
    assert taken.status_code == 400
    assert (
        f'<a href="#email">{world.lead_b.email.capitalize()} already has an account.' in taken.text
    )
    no_agency = client.post(
        "/admin/invitations",
        data={"agency_id": 99999, "email": "x@example.org", "csrf_token": token},
    )
    assert no_agency.status_code == 400
    assert '<a href="#agency_id">Not a valid choice.</a>' in no_agency.text


def test_invitation_form_preselects_the_agency(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    page = client.get(f"/admin/invitations?agency_id={world.agency_b.id}").text
    assert f'<option selected value="{world.agency_b.id}">Agency B Police</option>' in page


def test_recent_invitations_show_their_state(
    client: FlaskClient, world: World, session: Session
) -> None:
    accounts.create_invitation(
        session, email="wait@example.org", agency_id=world.agency_a.id, actor=world.admin
    )
    accounts.create_invitation(
        session,
        email="gone@example.org",
        agency_id=world.agency_a.id,
        actor=world.admin,
        valid_for=timedelta(seconds=-1),
    )
    login(client, world.admin)
    page = client.get("/admin/invitations").text
    assert re.search(r"wait@example.org</th>.*?<td>pending</td>", page, re.S)
    assert re.search(r"gone@example.org</th>.*?<td>expired</td>", page, re.S)


def test_password_reset_link_ends_old_sessions(
    client: FlaskClient, world: World, session: Session
) -> None:
    owner = client.application.test_client()
    login(owner, world.lead_a)
    assert owner.get("/").status_code in (200, 302)
    login(client, world.admin)
    users_page = client.get("/admin/users").text
    response = client.post(
        f"/admin/users/{world.lead_a.id}/password-reset",
        data={"csrf_token": form_token(users_page)},
    )
    assert response.status_code == 200
    path = shown_link(response.text)
    assert path.startswith("/password-reset/")

    visitor = client.application.test_client()
    assert choose_password(visitor, path, NEW_PASSWORD, NEW_PASSWORD) == 302
    assert owner.get("/").headers["Location"].startswith("/login")
    session.expire_all()
    assert accounts.authenticate(session, world.lead_a.email, NEW_PASSWORD) is not None
    assert choose_password(visitor, path, TEST_PASSWORD, TEST_PASSWORD) == 410


def test_password_reset_of_unknown_user_is_404(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    response = client.post(
        "/admin/users/99999/password-reset", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 404


def test_a_consultant_cannot_mint_a_lead_account_and_write_answers(
    client: FlaskClient, world: World, session: Session
) -> None:
    # A consultant may read every agency but change no answers; an invitation is a lead
    # account, so inviting would grant write access the consultant does not have.
    login(client, world.consultant)
    assert client.get("/admin/invitations").status_code == 403
    response = client.post(
        "/admin/invitations",
        data={
            "agency_id": world.agency_b.id,
            "email": "second.lead@example.org",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 403
    assert "Invitations" not in client.get("/consultant/agencies").text
    with pytest.raises(Forbidden):
        accounts.create_invitation(
            session,
            email="second.lead@example.org",
            agency_id=world.agency_b.id,
            actor=world.consultant,
        )
    assert (
        session.scalar(select(OneTimeToken.id).where(OneTimeToken.kind == TokenKind.INVITATION))
        is None
    )


def test_an_invitation_from_someone_no_longer_allowed_to_grant_access_is_refused(
    client: FlaskClient, world: World, session: Session
) -> None:
    # A link made before the rule (or by an admin since retired) carries no authority.
    token = accounts.create_invitation(
        session, email="late@example.org", agency_id=world.agency_b.id, actor=world.admin
    )
    world.admin.active = False
    session.commit()
    path = f"/invitation/{token}"
    assert choose_password(client, path, NEW_PASSWORD, NEW_PASSWORD) == 410
    assert session.scalar(select(User.id).where(User.email == "late@example.org")) is None


def test_invitations_are_audited_with_who_granted_access(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    path = invite(client, world.agency_b.id, "audited@example.org")
    visitor = client.application.test_client()
    assert choose_password(visitor, path, NEW_PASSWORD, NEW_PASSWORD) == 302
    events = {
        event.action: event
        for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("invitation.%"))
        )
    }
    created, accepted = events["invitation.created"], events["invitation.accepted"]
    assert created.actor_id == world.admin.id and created.agency_id == world.agency_b.id
    assert created.detail["role"] == "lead"
    assert accepted.agency_id == world.agency_b.id
    assert accepted.detail["invited_by"] == world.admin.id


def test_a_password_reset_revokes_the_users_api_tokens(
    client: FlaskClient, world: World, session: Session
) -> None:
    # A bearer token issued before the reset once kept working after it.
    token = accounts.create_api_token(session, user=world.consultant, name="dashboard")
    bearer = {"Authorization": f"Bearer {token}"}
    api = client.application.test_client()
    assert api.get("/api/v1/rounds", headers=bearer).status_code == 200
    link = accounts.create_password_reset(session, user_id=world.consultant.id, actor=world.admin)

    assert choose_password(client, f"/password-reset/{link}", NEW_PASSWORD, NEW_PASSWORD) == 302
    assert api.get("/api/v1/rounds", headers=bearer).status_code == 401
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api_tokens.revoked"))
    assert event is not None and event.actor_id == world.consultant.id
    assert event.detail == {"user_id": world.consultant.id, "count": 1, "reason": "password_reset"}

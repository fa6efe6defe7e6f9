"""Administration pages: agencies, users, rounds, reopening submitted assessments."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.rules.schedule import RoundState
from assessment.services import accounts
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Round,
    User,
    utc_today,
)
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login


def post_form(client: FlaskClient, path: str, data: dict[str, object]) -> tuple[int, str]:
    """Fetch a form page, post `data` with its token; returns status and body."""
    token = form_token(client.get(path).text)
    response = client.post(path, data={**data, "csrf_token": token})
    return response.status_code, response.text


def round_is_open(session: Session, round_id: int) -> bool:
    """Whether the stored round is open now."""
    session.expire_all()
    round_ = session.get(Round, round_id)
    assert round_ is not None
    return round_.is_open


def test_agency_profile_choices_are_the_european_types_bands_and_models(
    client: FlaskClient, world: World
) -> None:
    login(client, world.admin)
    page = client.get("/admin/agencies/new").text
    assert '<option value="national">National force</option>' in page
    assert '<option value="gendarmerie">Gendarmerie or military-status force</option>' in page
    assert '<option value="national-unit">Unit of a national force</option>' in page
    assert '<option value="5000-19999">5,000 to 19,999 staff</option>' in page
    assert "Total staff: police officers and civilian staff together." in page
    assert '<option value="dual">Civil police beside a gendarmerie</option>' in page


def test_admin_adds_an_agency(client: FlaskClient, world: World, session: Session) -> None:
    login(client, world.admin)
    status, _ = post_form(
        client,
        "/admin/agencies/new",
        {
            "name": "  Harbour Police ",
            "country": "nl",
            "agency_type": "local",
            "size_band": "250-999",
        },
    )
    assert status == 302
    agency = session.scalar(select(Agency).where(Agency.name == "Harbour Police"))
    assert agency is not None and agency.country == "NL" and agency.agency_type == "local"
    listing = client.get("/admin/agencies").text
    assert "Harbour Police" in listing and "Agency B Police" in listing


def test_agency_form_names_each_problem(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    status, page = post_form(
        client,
        "/admin/agencies/new",
        {"name": "", "country": "Netherlands", "agency_type": "galactic", "size_band": "250-999"},
    )
    assert status == 400
    assert '<a href="#name">Enter the agency&#39;s name.</a>' in page
    assert '<a href="#country">Enter a two-letter code such as NL.</a>' in page
    assert '<a href="#agency_type">Not a valid choice.</a>' in page


def test_duplicate_agency_name_is_reported_at_the_field(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    status, page = post_form(
        client,
        "/admin/agencies/new",
        {
            "name": "agency a police",
            "country": "NL",
            "agency_type": "local",
            "size_band": "250-999",
        },
    )
    assert status == 400
    assert "An agency named &#39;agency a police&#39; already exists." in page
    assert 'id="name-error"' in page


def test_users_page_lists_every_account(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    page = client.get("/admin/users").text
    for user in (world.admin, world.consultant, world.lead_a, world.lead_b):
        assert user.email in page
    assert "Agency A Police" in page


def test_admin_creates_a_round_on_a_catalog_instrument(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    page = client.get("/admin/rounds/new").text
    assert 'value="sm-policing-maturity@1.0.0"' in page
    status, _ = post_form(
        client,
        "/admin/rounds/new",
        {
            "name": "2026",
            "instrument": "sm-policing-maturity@1.0.0",
            "starts_on": str(utc_today() + timedelta(days=3)),
            "ends_on": str(utc_today() + timedelta(days=60)),
        },
    )
    assert status == 302
    created = session.scalar(select(Round).where(Round.name == "2026"))
    # A start date ahead keeps the round scheduled, not open at once.
    assert created is not None and created.state == RoundState.SCHEDULED
    assert (
        f"scheduled, it opens on {utc_today() + timedelta(days=3)}"
        in client.get("/admin/rounds").text
    )
    assert created.instrument_version == "1.0.0"
    assert "2026" in client.get("/admin/rounds").text


def test_a_new_round_offers_the_latest_version_first_and_keeps_earlier_ones(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    page = client.get("/admin/rounds/new").text
    assert re.search(r'<option selected value="sm-policing-maturity@2\.0\.0">', page)
    assert 'value="sm-policing-maturity@1.0.0"' in page
    default = re.search(r'<option selected value="([^"]+)">', page)
    assert default is not None
    status, _ = post_form(client, "/admin/rounds/new", {"name": "2027", "instrument": default[1]})
    assert status == 302
    created = session.scalar(select(Round).where(Round.name == "2027"))
    assert created is not None
    assert (created.instrument_id, created.instrument_version) == ("sm-policing-maturity", "2.0.0")


def test_round_dates_and_names_are_checked(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    status, page = post_form(
        client,
        "/admin/rounds/new",
        {
            "name": "2025",
            "instrument": "sm-policing-maturity@1.0.0",
            "starts_on": "2026-03-01",
            "ends_on": "2026-01-01",
        },
    )
    assert status == 400
    assert "The end date must not be before the start date." in page
    status, page = post_form(
        client, "/admin/rounds/new", {"name": "2025", "instrument": "sm-policing-maturity@1.0.0"}
    )
    assert status == 400
    assert "A round named &#39;2025&#39; already exists." in page
    status, page = post_form(
        client, "/admin/rounds/new", {"name": "2027", "instrument": "unknown@9.9.9"}
    )
    assert status == 400
    assert '<a href="#instrument">Not a valid choice.</a>' in page


def test_admin_closes_and_opens_a_round(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    token = csrf_token(client)
    closed = client.post(f"/admin/rounds/{world.round.id}/close", data={"csrf_token": token})
    assert closed.status_code == 302
    assert round_is_open(session, world.round.id) is False
    assert "Round 2025 is closed." in client.get("/admin/rounds").text
    client.post(f"/admin/rounds/{world.round.id}/open", data={"csrf_token": token})
    assert round_is_open(session, world.round.id) is True
    missing = client.post("/admin/rounds/99999/open", data={"csrf_token": token})
    assert missing.status_code == 404


def test_round_page_lists_assessments_with_reopen_for_submitted(
    client: FlaskClient, world: World
) -> None:
    login(client, world.admin)
    page = client.get(f"/admin/rounds/{world.round.id}").text
    assert "Agency A Police" in page and "Agency B Police" in page
    assert f"/admin/assessments/{world.submitted_a.id}/reopen" in page
    assert f"/admin/assessments/{world.draft_b.id}/reopen" not in page


def test_admin_reopens_with_a_reason(client: FlaskClient, world: World, session: Session) -> None:
    login(client, world.admin)
    path = f"/admin/assessments/{world.submitted_a.id}/reopen"
    status, page = post_form(client, path, {"reason": "  "})
    assert status == 400
    assert '<a href="#reason">Give a reason.</a>' in page
    status, _ = post_form(client, path, {"reason": "Budget answers were for the wrong year."})
    assert status == 302
    session.expire_all()
    reopened = session.get(Assessment, world.submitted_a.id)
    assert reopened is not None and reopened.status == AssessmentStatus.DRAFT
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.reopened"))
    assert event is not None and event.actor_id == world.admin.id
    assert event.detail["reason"] == "Budget answers were for the wrong year."


def test_reopening_a_draft_explains_there_is_nothing_to_do(
    client: FlaskClient, world: World
) -> None:
    login(client, world.admin)
    response = client.get(f"/admin/assessments/{world.draft_b.id}/reopen", follow_redirects=True)
    assert "This assessment is not submitted; there is nothing to reopen." in response.text


def test_reopening_in_a_closed_round_is_refused_with_a_message(
    client: FlaskClient, world: World
) -> None:
    login(client, world.admin)
    token = csrf_token(client)
    client.post(f"/admin/rounds/{world.round.id}/close", data={"csrf_token": token})
    response = client.post(
        f"/admin/assessments/{world.submitted_a.id}/reopen",
        data={"reason": "Typo", "csrf_token": token},
    )
    assert response.status_code == 423
    assert "round 2025 is closed; open the round first" in response.text


def test_navigation_follows_the_role(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    admin_nav = client.get("/admin/").text
    assert 'href="/admin/rounds"' in admin_nav and 'href="/admin/users"' in admin_nav
    users_page = client.get("/admin/users").text
    assert '<a href="/admin/users" aria-current="page">Users</a>' in users_page
    # One "Admin" link in the header stands for the section; its pages are listed under it.
    round_page = client.get(f"/admin/rounds/{world.round.id}").text
    assert '<a href="/admin/" aria-current="true">Admin</a>' in round_page
    assert '<a href="/admin/rounds" aria-current="true">Rounds</a>' in round_page
    assert round_page.count("aria-current") == 2
    assert 'aria-label="Administration"' not in client.get("/consultant/agencies").text
    consultant = client.application.test_client()
    login(consultant, world.consultant)
    staff_nav = consultant.get("/consultant/agencies").text
    assert 'href="/consultant/benchmark"' in staff_nav
    # Inviting grants write access, which a consultant does not have.
    assert 'href="/admin/invitations"' not in staff_nav
    assert 'href="/admin/users"' not in staff_nav


def test_disabling_a_user_ends_their_sessions_and_revokes_their_tokens(
    client: FlaskClient, world: World, session: Session
) -> None:
    lead = client.application.test_client()
    login(lead, world.lead_b)
    token = accounts.create_api_token(session, user=world.lead_b, name="sheet")
    bearer = {"Authorization": f"Bearer {token}"}
    assert lead.get("/assessment/").status_code == 200
    login(client, world.admin)
    users_page = client.get("/admin/users").text
    assert f'Disable<span class="visually-hidden"> {world.lead_b.email}' in users_page

    disabled = client.post(
        f"/admin/users/{world.lead_b.id}/disable", data={"csrf_token": form_token(users_page)}
    )
    assert disabled.status_code == 302
    assert lead.get("/assessment/").headers["Location"].startswith("/login")
    assert lead.get("/api/v1/rounds", headers=bearer).status_code == 401
    assert "inactive" in client.get("/admin/users").text

    enabled = client.post(
        f"/admin/users/{world.lead_b.id}/enable", data={"csrf_token": csrf_token(client)}
    )
    assert enabled.status_code == 302
    session.expire_all()
    again = session.get(User, world.lead_b.id)
    assert again is not None and again.active
    # Enabling again gives back sign-in, never the tokens: those stay revoked.
    assert lead.get("/api/v1/rounds", headers=bearer).status_code == 401
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(["user.disabled", "user.enabled"]))
    ).all()
    assert sorted(actions) == ["user.disabled", "user.enabled"]


def test_an_admin_cannot_disable_their_own_account(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    response = client.post(
        f"/admin/users/{world.admin.id}/disable", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    assert "cannot disable your own account" in client.get("/admin/users").text
    session.expire_all()
    admin = session.get(User, world.admin.id)
    assert admin is not None and admin.active

"""E-mail from the web app: forgot-password (no enumeration, rate-limited, single-use,
expiring links), invitations mailed and still shown, submitted and reopened notices."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.config import MailSettings
from assessment.services import mail
from assessment.store.models import OneTimeToken, OutboxMessage, utcnow
from tests.smtp_server import SmtpServer, text_body
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login

NEW_PASSWORD = "a brand new long passphrase"


def _mail_app(make_app: Callable[..., Flask], folder: Path) -> FlaskClient:
    return make_app(MAIL=MailSettings(folder=folder, product_name="Maturity Test")).test_client()


def _letters(folder: Path) -> list[EmailMessage]:
    letters = []
    for path in sorted(folder.glob("*.eml")):
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        letters.append(parsed)
    return letters


def _ask_for_reset(client: FlaskClient, email: str) -> tuple[int, str]:
    token = form_token(client.get("/forgot-password").text)
    response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
    return response.status_code, response.text


def _link_path(message: EmailMessage) -> str:
    found = re.search(r"http://localhost(/\S+)", text_body(message))
    assert found, "no link in the message"
    return found.group(1)


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_mail(
    make_app: Callable[..., Flask], world: World, tmp_path: Path
) -> None:
    client = _mail_app(make_app, tmp_path)
    known = _ask_for_reset(client, world.lead_a.email)
    unknown = _ask_for_reset(client, "nobody@example.org")

    assert known[0] == unknown[0] == 200
    assert known[1].replace(world.lead_a.email, "X") == unknown[1].replace(
        "nobody@example.org", "X"
    )
    assert "If <strong>nobody@example.org</strong> belongs to an account" in unknown[1]
    [letter] = _letters(tmp_path)
    assert letter["To"] == world.lead_a.email
    assert letter["Subject"] == "Maturity Test: reset your password"
    assert "It works once, for 60 minutes." in text_body(letter)


def test_the_mailed_reset_link_works_once(
    make_app: Callable[..., Flask], world: World, tmp_path: Path
) -> None:
    client = _mail_app(make_app, tmp_path)
    _ask_for_reset(client, world.lead_a.email)
    path = _link_path(_letters(tmp_path)[0])
    assert path.startswith("/password-reset/")

    page = client.get(path)
    assert page.status_code == 200
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": form_token(page.text)}
    assert client.post(path, data=data).status_code == 302
    again = client.get(path)
    assert again.status_code == 410 and "already been used" in again.text
    sign_in = client.post(
        "/login",
        data={
            "email": world.lead_a.email,
            "password": NEW_PASSWORD,
            "csrf_token": form_token(client.get("/login").text),
        },
    )
    assert sign_in.status_code == 302


def test_an_expired_reset_link_is_refused(
    make_app: Callable[..., Flask], world: World, tmp_path: Path, session: Session
) -> None:
    client = _mail_app(make_app, tmp_path)
    _ask_for_reset(client, world.lead_a.email)
    session.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()

    page = client.get(_link_path(_letters(tmp_path)[0]))

    assert page.status_code == 410 and "expired" in page.text


def test_reset_requests_are_rate_limited_per_account(
    make_app: Callable[..., Flask], world: World, tmp_path: Path
) -> None:
    client = _mail_app(make_app, tmp_path)
    statuses = [_ask_for_reset(client, world.lead_a.email)[0] for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert len(_letters(tmp_path)) == 3
    assert _ask_for_reset(client, world.lead_b.email)[0] == 200


def test_the_forgot_password_form_names_a_bad_address_and_needs_its_csrf_token(
    make_app: Callable[..., Flask], world: World, tmp_path: Path, session: Session
) -> None:
    client = _mail_app(make_app, tmp_path)
    bad = _ask_for_reset(client, "not an address")
    assert bad[0] == 400 and "Enter an email address like name@example.org." in bad[1]
    forged = client.post("/forgot-password", data={"email": world.lead_a.email})
    assert forged.status_code == 400 and "Your form expired" in forged.text
    assert session.scalars(select(OutboxMessage)).all() == []
    login_page = client.get("/login").text
    assert 'href="/forgot-password"' in login_page


def test_an_invitation_is_mailed_and_its_link_still_shown(
    make_app: Callable[..., Flask], world: World, tmp_path: Path
) -> None:
    client = _mail_app(make_app, tmp_path)
    login(client, world.admin)
    token = form_token(client.get("/admin/invitations").text)
    response = client.post(
        "/admin/invitations",
        data={"agency_id": world.agency_a.id, "email": "New@Example.org", "csrf_token": token},
    )

    assert response.status_code == 200
    assert "The invitation is on its way to new@example.org by e-mail" in response.text
    shown = re.search(
        r'id="single-use-link" type="text" value="http://localhost([^"]+)"', response.text
    )
    assert shown
    [letter] = _letters(tmp_path)
    assert letter["To"] == "new@example.org"
    assert _link_path(letter) == shown.group(1)
    assert world.agency_a.name in text_body(letter)


def test_with_a_mail_server_the_request_only_queues_and_mail_send_delivers(
    make_app: Callable[..., Flask], world: World, smtp_server: SmtpServer, session: Session
) -> None:
    settings = smtp_server.settings()
    client = make_app(MAIL=settings).test_client()
    _ask_for_reset(client, world.lead_a.email)

    assert smtp_server.messages == []
    [queued] = session.scalars(select(OutboxMessage)).all()
    assert queued.sent_at is None
    assert mail.deliver_due(session, mail.SmtpTransport(settings), settings).sent == 1
    [received] = smtp_server.messages
    # SITE_URL given: links point there, not at the address the request came in at.
    assert "http://maturity.test/password-reset/" in text_body(received)


def test_a_submission_mails_the_lead_and_the_consultant(
    make_app: Callable[..., Flask], world: World, tmp_path: Path
) -> None:
    client = _mail_app(make_app, tmp_path)
    login(client, world.lead_b)
    client.get("/assessment/")
    response = client.post(
        "/assessment/submit", data={"csrf_token": csrf_token(client), "revision": "0"}
    )

    assert response.status_code == 302, response.text
    letters = _letters(tmp_path)
    assert sorted(m["To"] for m in letters) == sorted([world.lead_b.email, world.consultant.email])
    assert all(world.agency_b.name in m["Subject"] for m in letters)


def test_a_reopening_mails_the_lead_with_the_reason(
    make_app: Callable[..., Flask], world: World, tmp_path: Path
) -> None:
    client = _mail_app(make_app, tmp_path)
    login(client, world.admin)
    path = f"/admin/assessments/{world.submitted_a.id}/reopen"
    response = client.post(
        path,
        data={
            "reason": "The budget figures are from 2019.",
            "csrf_token": form_token(client.get(path).text),
        },
    )

    assert response.status_code == 302
    [letter] = _letters(tmp_path)
    assert letter["To"] == world.lead_a.email
    assert "The budget figures are from 2019." in text_body(letter)

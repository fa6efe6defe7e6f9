"""Signing in and out: passwords, new sessions, logout that ends every copy, rate limits."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask.testing import FlaskClient

from assessment.store.models import Role, User
from assessment.web.auth.access import SESSION_MAX_AGE_SECONDS, safe_next_url
from tests.conftest import TEST_PASSWORD
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login

SESSION_COOKIE = "session"


def sign_in(client: FlaskClient, email: str, password: str, next_url: str | None = None) -> int:
    """Post the login form as a browser would; returns the status code."""
    token = form_token(client.get("/login").text)
    query = f"?next={next_url}" if next_url else ""
    response = client.post(
        f"/login{query}", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code


def cookie_value(client: FlaskClient) -> str:
    """The session cookie the client holds."""
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def test_login_page_has_labelled_fields(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label class="field__label" for="email">Email address</label>' in page.text
    assert 'for="password"' in page.text
    assert 'name="csrf_token"' in page.text


def test_correct_password_signs_in(client: FlaskClient, create_user: Callable[..., User]) -> None:
    create_user(Role.ADMIN, email="boss@example.org", password=TEST_PASSWORD)
    response = client.post(
        "/login",
        data={
            "email": " Boss@Example.org ",
            "password": TEST_PASSWORD,
            "csrf_token": form_token(client.get("/login").text),
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    create_user(Role.ADMIN, email="boss@example.org", password=TEST_PASSWORD)
    token = form_token(client.get("/login").text)
    wrong = client.post(
        "/login", data={"email": "boss@example.org", "password": "nope", "csrf_token": token}
    )
    unknown = client.post(
        "/login", data={"email": "who@example.org", "password": "nope", "csrf_token": token}
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "The email address or password is not correct." in response.text
        assert 'role="alert"' in response.text
    assert client.get("/admin/").status_code == 302


def test_empty_form_shows_errors_linked_to_fields(client: FlaskClient) -> None:
    token = form_token(client.get("/login").text)
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    assert '<a href="#email">Enter your email address.</a>' in response.text
    assert 'aria-describedby="email-error"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_anonymous_visitor_is_sent_to_login_and_back(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    create_user(Role.ADMIN, email="boss@example.org", password=TEST_PASSWORD)
    response = client.get("/admin/rounds")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/rounds"
    token = form_token(client.get("/login?next=/admin/rounds").text)
    signed_in = client.post(
        "/login?next=/admin/rounds",
        data={"email": "boss@example.org", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert signed_in.headers["Location"] == "/admin/rounds"


def test_next_never_leaves_the_site() -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "admin", ""):
        assert safe_next_url(target) is None, target
    assert safe_next_url("/admin/rounds?x=1") == "/admin/rounds?x=1"


def test_login_starts_a_new_session(client: FlaskClient, create_user: Callable[..., User]) -> None:
    create_user(Role.ADMIN, email="boss@example.org", password=TEST_PASSWORD)
    client.get("/login")
    with client.session_transaction() as planted:
        planted["user_id"] = 999
        planted["marker"] = "set before login"
    before = cookie_value(client)

    assert sign_in(client, "boss@example.org", TEST_PASSWORD) == 302

    with client.session_transaction() as after:
        assert "marker" not in after
        assert "csrf_token" not in after
        assert after["user_id"] != 999
        assert after["sid"]
    assert cookie_value(client) != before
    stale = client.application.test_client()
    stale.set_cookie(SESSION_COOKIE, before)
    assert stale.get("/admin/").status_code == 302


def test_logout_makes_every_copy_of_the_cookie_useless(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    create_user(Role.ADMIN, email="boss@example.org", password=TEST_PASSWORD)
    assert sign_in(client, "boss@example.org", TEST_PASSWORD) == 302
    copied = cookie_value(client)
    thief = client.application.test_client()
    thief.set_cookie(SESSION_COOKIE, copied)
    assert thief.get("/admin/").status_code == 200

    response = client.post("/logout", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/admin/").status_code == 302
    assert thief.get("/admin/").status_code == 302
    replay = client.application.test_client()
    replay.set_cookie(SESSION_COOKIE, copied)
    assert replay.get("/admin/users").status_code == 302


def test_logout_needs_post_and_a_token(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_session_expires_after_its_maximum_age(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    with client.session_transaction() as stored:
        stored["login_at"] = int(time.time()) - SESSION_MAX_AGE_SECONDS - 1
    assert client.get("/admin/").status_code == 302


def test_five_attempts_per_account_then_429(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    create_user(Role.ADMIN, email="boss@example.org", password=TEST_PASSWORD)
    statuses = [sign_in(client, "boss@example.org", "wrong password") for _ in range(5)]
    assert statuses == [401] * 5
    token = form_token(client.get("/login").text)
    blocked = client.post(
        "/login",
        data={"email": "boss@example.org", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    assert "Retry-After" in blocked.headers
    assert client.get("/admin/").status_code == 302, "a blocked attempt must not sign in"
    assert sign_in(client, "other@example.org", "wrong password") == 401


def test_twenty_attempts_per_address_then_429(client: FlaskClient) -> None:
    statuses = [sign_in(client, f"user{n}@example.org", "wrong") for n in range(20)]
    assert statuses == [401] * 20
    assert sign_in(client, "fresh@example.org", "wrong") == 429
    assert client.get("/login").status_code == 200, "showing the form is never limited"

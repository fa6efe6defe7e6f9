"""Headers, cookies, CSRF, request size, error pages and settings."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assessment import config
from assessment.services.errors import (
    Conflict,
    Forbidden,
    InvalidAnswers,
    InvalidInput,
    InvalidToken,
    Locked,
    NotFound,
    RoundClosed,
    ServiceError,
)
from assessment.store.models import User
from assessment.web import create_app
from assessment.web.database import close_database
from assessment.web.errors import status_for
from assessment.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login

MakeApp = Callable[..., Flask]

PAGES_BY_ACTOR = {
    "anonymous": ["/login", "/healthz", "/no-such-page", "/static/css/app.css"],
    "admin": [
        "/admin/",
        "/admin/agencies",
        "/admin/users",
        "/admin/rounds",
        "/no-such-page",
        "/static/css/app.css",
    ],
}


def assert_hardened(response_headers: dict[str, str], path: str) -> None:
    """Every response carries the browser hardening headers."""
    assert response_headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, path
    assert response_headers.get("X-Content-Type-Options") == "nosniff", path
    assert response_headers.get("X-Frame-Options") == "DENY", path
    assert response_headers.get("Referrer-Policy") == "same-origin", path
    assert "camera=()" in response_headers.get("Permissions-Policy", ""), path


@pytest.mark.parametrize("actor", sorted(PAGES_BY_ACTOR))
def test_security_headers_on_every_page(client: FlaskClient, world: World, actor: str) -> None:
    if actor == "admin":
        login(client, world.admin)
    for path in PAGES_BY_ACTOR[actor]:
        with client.get(path) as response:
            assert_hardened(dict(response.headers), path)
            signed_in = actor != "anonymous" and not path.startswith("/static/")
            assert (response.headers.get("Cache-Control") == "no-store") is signed_in, path


def test_hsts_only_when_cookies_are_secure(client: FlaskClient, make_app: MakeApp) -> None:
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    secure_app = make_app(SESSION_COOKIE_SECURE=True)
    secure = secure_app.test_client().get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_secure_cookie_uses_host_prefix(make_app: MakeApp) -> None:
    secure_app = make_app(SESSION_COOKIE_SECURE=True)
    response = secure_app.test_client().get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_plain_http_cookie_is_http_only_and_lax(client: FlaskClient) -> None:
    cookie = client.get("/login").headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_form_without_csrf_token_gets_the_expired_form_page(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Your form expired" in response.text
    # Honest: what the form carried was not saved.
    assert "Nothing was lost" not in response.text
    assert "so nothing it carried was saved" in response.text


def test_state_change_with_wrong_token_is_refused(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    response = client.post(f"/admin/rounds/{world.round.id}/close", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get(f"/admin/rounds/{world.round.id}").text.count("Close this round") == 1


def test_script_requests_send_the_token_in_a_header(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    response = client.post(
        f"/admin/rounds/{world.round.id}/close", headers={"X-CSRFToken": csrf_token(client)}
    )
    assert response.status_code == 302


def test_csrf_refusal_of_a_script_request_is_json(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    response = client.post(f"/admin/rounds/{world.round.id}/close", json={})
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["error"]["error"] == "Your form expired"


def test_oversized_request_gets_413_page(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "Too large" in response.text


def test_wrong_method_gets_405_page_with_allow(client: FlaskClient) -> None:
    response = client.delete("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Not possible here" in response.text


def test_api_paths_get_json_errors(client: FlaskClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["error"]["status"] == 404


def test_unexpected_error_gives_friendly_500_page(make_app: MakeApp) -> None:
    app = make_app(TESTING=False)

    def broken() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken", broken)
    response = app.test_client().get("/broken-for-test")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "boom" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("x"), 404),
        (Forbidden("x"), 403),
        (Conflict("x"), 409),
        (Locked("x"), 423),
        (RoundClosed("x"), 423),
        (InvalidToken("x", reason="used"), 410),
        (InvalidInput({"name": "x"}), 400),
        (InvalidAnswers([]), 400),
        (ServiceError("x"), 400),
    ],
)
def test_service_errors_map_to_status(error: ServiceError, status: int) -> None:
    assert status_for(error) == status


def test_service_error_page_shows_its_message(make_app: MakeApp) -> None:
    app = make_app()

    def locked() -> str:
        raise Locked("This assessment was submitted on 3 May.")

    app.add_url_rule("/locked-for-test", "locked", locked)
    response = app.test_client().get("/locked-for-test")
    assert response.status_code == 423
    assert "This assessment was submitted on 3 May." in response.text


def test_health_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_reports_an_unreachable_database(make_app: MakeApp, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "assessment.db"
    app = make_app(DATABASE_URL=f"sqlite:///{missing}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_secret_key_is_generated_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: MakeApp
) -> None:
    monkeypatch.setenv("ASSESSMENT_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = make_app(SECRET_KEY=None).config["SECRET_KEY"]
    second = make_app(SECRET_KEY=None).config["SECRET_KEY"]
    key_file = tmp_path / "instance" / config.SECRET_KEY_FILE
    assert first == second == key_file.read_text()
    assert len(first) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {
        "DATABASE_URL": "postgresql+psycopg://db/x",
        "SECRET_KEY": "k",
        "SESSION_COOKIE_SECURE": "off",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "ANONYMITY_K": "7",
    }
    settings = config.web_settings(environ)
    assert settings["DATABASE_URL"] == "postgresql+psycopg://db/x"
    assert settings["SECRET_KEY"] == "k"
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert settings["ANONYMITY_K"] == 7
    defaults = config.web_settings({"ASSESSMENT_INSTANCE": "/srv/x"})
    assert defaults["DATABASE_URL"] == "sqlite:////srv/x/assessment.db"
    assert defaults["SESSION_COOKIE_SECURE"] is True
    assert defaults["RATELIMIT_STORAGE_URI"] == "database://"
    assert defaults["ANONYMITY_K"] == 5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ANONYMITY_K", "2", "ANONYMITY_K must be at least 3, not 2"),
        ("ANONYMITY_K", "five", "ANONYMITY_K must be a whole number, not 'five'"),
        ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE must be true or false"),
    ],
)
def test_bad_settings_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        config.web_settings({name: value})


def test_anonymity_threshold_below_three_is_refused_in_the_app(make_app: MakeApp) -> None:
    with pytest.raises(config.ConfigError, match="at least 3"):
        make_app(ANONYMITY_K=2)


def test_inactive_user_loses_the_session(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    assert client.get("/admin/").status_code == 200
    user = session.get(User, world.admin.id)
    assert user is not None
    user.active = False
    session.commit()
    assert client.get("/admin/").status_code == 302


def test_app_is_usable_with_default_factory_arguments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASSESSMENT_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app: Flask = create_app()
    try:
        assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'assessment.db'}"
        assert app.test_client().get("/login").status_code == 200
    finally:
        close_database(app)


def _failed_logins_then_one_more(client: FlaskClient) -> int:
    """Five failed logins from one forwarded address, then one from another."""
    token = form_token(client.get("/login").text)
    data = {"email": "x@example.org", "password": "wrong", "csrf_token": token}
    for _ in range(5):
        client.post("/login", data=data, headers={"X-Forwarded-For": "203.0.113.1"})
    return client.post("/login", data=data, headers={"X-Forwarded-For": "203.0.113.2"}).status_code


def test_forwarded_client_address_counts_only_behind_trusted_proxies(
    client: FlaskClient, make_app: MakeApp
) -> None:
    assert _failed_logins_then_one_more(client) == 429
    proxied = make_app(TRUSTED_PROXY_COUNT=1).test_client()
    assert _failed_logins_then_one_more(proxied) == 401


def test_proxy_count_must_be_a_whole_number() -> None:
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXY_COUNT must be a whole number"):
        config.web_settings({"TRUSTED_PROXY_COUNT": "yes"})

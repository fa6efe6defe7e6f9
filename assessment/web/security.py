"""Cookies, CSRF protection, login rate limits and security headers for every response."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from assessment import config
from assessment.web import rate_limit_storage

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=63072000; includeSubDomains"
LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"
LOGIN_LIMIT_PER_ADDRESS = "20 per minute"
RESET_LIMIT_PER_ACCOUNT = "3 per hour"
RESET_LIMIT_PER_ADDRESS = "10 per hour"
# A reset request for a known address writes more (a link, a message) than one for an
# unknown address; every answer takes at least this long, so timing tells nothing.
RESET_ANSWER_SECONDS = 0.5
MAX_CONTENT_LENGTH = 1024 * 1024

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def login_attempt_key() -> str:
    """Rate-limit key of a login attempt: the client address and the email tried."""
    email = request.form.get("email", "").strip().lower()
    return f"{get_remote_address()}|{email}"


limit_login_per_account = limiter.limit(
    LOGIN_LIMIT_PER_ACCOUNT, key_func=login_attempt_key, methods=["POST"], scope="login-account"
)
limit_login_per_address = limiter.limit(
    LOGIN_LIMIT_PER_ADDRESS, methods=["POST"], scope="login-address"
)
# Reset requests send mail: few per account (no mailbox flooding), few per client.
limit_reset_per_account = limiter.limit(
    RESET_LIMIT_PER_ACCOUNT, key_func=login_attempt_key, methods=["POST"], scope="reset-account"
)
limit_reset_per_address = limiter.limit(
    RESET_LIMIT_PER_ADDRESS, methods=["POST"], scope="reset-address"
)


@contextmanager
def steady_timing(seconds: float) -> Iterator[None]:
    """Make the enclosed work take at least `seconds`, whatever it did."""
    ready_at = time.monotonic() + seconds
    yield
    remaining = ready_at - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def configure_security(app: Flask) -> None:
    """Set cookie flags, bind CSRF protection and the limiter, add the header hook."""
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    # The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/, no Domain.
    if secure and app.config["SESSION_COOKIE_NAME"] == "session":
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
    )
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    # Answering a questionnaire can take hours; the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(
        f"{rate_limit_storage.SCHEME}://"
    ):
        # The limiter counts in the app's own database (see rate_limit_storage).
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("database_url", app.config["DATABASE_URL"])
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(add_security_headers)
    trust_proxies(app, config.proxy_count(app.config.get("TRUSTED_PROXY_COUNT", 0)))


def trust_proxies(app: Flask, count: int) -> None:
    """Believe X-Forwarded-For/-Proto from `count` reverse proxies (none when 0)."""
    if count > 0:
        # Behind nginx every request comes from 127.0.0.1: without this, the login limit
        # would count all users together and HTTPS would look like plain http.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def add_security_headers(response: Response) -> Response:
    """Send the browser hardening headers; never cache pages shown to a signed-in user."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and "user_id" in session:
        headers["Cache-Control"] = "no-store"
    return response

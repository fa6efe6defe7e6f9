"""Helpers for web tests: sign in without a password, CSRF tokens, reading pages."""

from __future__ import annotations

import re

import flask
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from assessment.store.models import User
from assessment.web.auth.access import start_login_session


def login(client: FlaskClient, user: User) -> None:
    """Sign `user` in on `client` as the login page would, without checking a password."""
    app = client.application
    with client.session_transaction() as stored, app.test_request_context():
        start_login_session(user)
        stored.clear()
        stored.update(flask.session)


def csrf_token(client: FlaskClient) -> str:
    """A CSRF token valid for the client's current session."""
    app = client.application
    with client.session_transaction() as stored, app.test_request_context():
        flask.session.update(stored)
        token = str(generate_csrf())
        stored.update(flask.session)
    return token


def form_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)

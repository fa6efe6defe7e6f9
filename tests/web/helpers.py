"""Helpers for web tests: sign in without a password, CSRF tokens, reading pages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import flask
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from werkzeug.test import TestResponse

from assessment.reporting.queue import WorkerContext, use_worker_context
from assessment.store.db import Database
from assessment.store.models import User
from assessment.web.auth.access import start_login_session
from assessment.web.report_queue import report_queue


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


def run_report_queue(app: Flask) -> int:
    """Run the app's queued report jobs in this process, as a worker would; how many ran."""
    with app.app_context():
        queue = report_queue()
    database = Database(app.config["DATABASE_URL"])
    use_worker_context(
        WorkerContext(database, Path(app.config["PDF_CACHE_DIR"]), queue, os.getpid())
    )
    try:
        return queue.run_pending()
    finally:
        use_worker_context(None)
        database.dispose()


def download(client: FlaskClient, path: str) -> TestResponse:
    """GET a report PDF: when the page says it is being prepared, run the queue and ask again."""
    response = client.get(path)
    if response.status_code == 202:
        assert "Preparing the report" in response.get_data(as_text=True)
        run_report_queue(client.application)
        response = client.get(path)
    return response

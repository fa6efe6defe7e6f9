"""Login limits shared by gunicorn workers: by default through the database, or Redis."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.conftest import sqlite_url
from tests.live_http import Browser, gunicorn

REDIS_ENV = "TEST_REDIS_URL"


def test_two_workers_share_login_counts_by_default(
    tmp_path: Path, migrated_sqlite_template: Path
) -> None:
    # Once memory:// by default: each worker counted on its own, so 10 of 12 wrong
    # passwords a minute were checked against a limit of 5. No setting is given here.
    database = tmp_path / "assessment.db"
    database.write_bytes(migrated_sqlite_template.read_bytes())
    env = {key: value for key, value in os.environ.items() if key != "RATELIMIT_STORAGE_URI"} | {
        "ASSESSMENT_INSTANCE": str(tmp_path),
        "DATABASE_URL": sqlite_url(database),
        "SECRET_KEY": "shared-limit-test",
        "SESSION_COOKIE_SECURE": "false",
    }
    with gunicorn("assessment.web:create_app()", env, "/healthz") as base:
        # Each request opens a new connection, so gunicorn spreads them over both workers.
        statuses = [Browser(base).try_sign_in("someone@example.org", "wrong") for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3


def test_two_workers_count_login_attempts_together(
    tmp_path: Path, migrated_sqlite_template: Path
) -> None:
    redis_url = os.environ.get(REDIS_ENV, "").strip()
    if not redis_url:
        pytest.skip(f"{REDIS_ENV} is not set")
    database = tmp_path / "assessment.db"
    database.write_bytes(migrated_sqlite_template.read_bytes())
    env = {
        **os.environ,
        "ASSESSMENT_INSTANCE": str(tmp_path),
        "DATABASE_URL": sqlite_url(database),
        "SECRET_KEY": "shared-limit-test",
        "SESSION_COOKIE_SECURE": "false",
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    # A fresh address each run: counts from earlier runs stay in Redis for a minute.
    email = f"{uuid.uuid4().hex}@example.org"
    with gunicorn("assessment.web:create_app()", env, "/healthz") as base:
        # Each request opens a new connection, so gunicorn spreads them over both workers.
        statuses = [Browser(base).try_sign_in(email, "wrong password") for _ in range(6)]
    assert statuses == [401] * 5 + [429]

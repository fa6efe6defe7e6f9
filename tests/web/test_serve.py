"""`assessment serve`: refuses an unprepared database, runs the app with http cookies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from assessment.cli import main
from tests.conftest import sqlite_url


def serve(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    """Run `assessment serve` on `url`; returns exit code and output."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "serve-test")
    result = CliRunner().invoke(main, ["serve", *args])
    return result.exit_code, result.output


def test_missing_database_asks_for_init(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, output = serve(monkeypatch, sqlite_url(tmp_path / "none.db"))
    assert code == 1
    assert "there is no database at" in output and "run `assessment init` first" in output
    assert not (tmp_path / "none.db").exists()


def test_unmigrated_database_asks_for_init(
    monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    if empty_database_url.startswith("sqlite:///"):
        Path(empty_database_url.removeprefix("sqlite:///")).touch()
    code, output = serve(monkeypatch, empty_database_url)
    assert code == 1
    assert "is not set up yet; run `assessment init` first" in output


def test_serves_with_cookies_for_plain_http(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    started: dict[str, Any] = {}

    def fake_run(app: Flask, **options: Any) -> None:
        started.update(options, secure=app.config["SESSION_COOKIE_SECURE"])

    monkeypatch.setattr(Flask, "run", fake_run)
    code, output = serve(monkeypatch, database_url, "--port", "5123")
    assert code == 0, output
    assert started == {
        "host": "127.0.0.1",
        "port": 5123,
        "debug": False,
        "use_reloader": False,
        "secure": False,
    }
    assert "Serving on http://127.0.0.1:5123/" in output


def test_public_address_gets_a_warning(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setattr(Flask, "run", lambda app, **options: None)
    code, output = serve(monkeypatch, database_url, "--host", "0.0.0.0")
    assert code == 0
    assert "Warning: serving on 0.0.0.0 over plain http" in output

"""Browser fixtures: the app behind a real HTTP server, driven by one headless Chromium.

`live_site`: the app served by werkzeug on 127.0.0.1 (a free port) in a background thread,
on a migrated SQLite file with an open round on the bundled questionnaire; its
`new_lead()` makes a fresh agency and lead who can sign in, and `answers()` reads what
the database holds. `browser`: Debian's chromium (never a downloaded one), shared by the
whole run. `page`: a new browser context and page per test; the test fails if the page
logged an error to the console (a Content-Security-Policy violation, a script error)
unless the test listed it in `expected_console_errors`.
"""

from __future__ import annotations

import itertools
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from assessment.domain.model.answers import Answer
from assessment.services import accounts, rounds
from assessment.store.db import Database
from assessment.store.models import Answer as AnswerRow
from assessment.store.models import Assessment, Role
from assessment.web import create_app
from assessment.web.security import limiter
from tests.conftest import (
    BUNDLED_QUESTIONNAIRE,
    TEST_PASSWORD,
    answer_sworn_officer_band,
    sqlite_url,
)
from tests.web.conftest import web_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Lead:
    """An agency lead who can sign in."""

    email: str
    password: str
    agency_id: int


@dataclass
class LiveSite:
    """The served app and its database."""

    url: str
    database: Database
    reset_login_limits: Callable[[], None]
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_lead(self) -> Lead:
        """A new agency with its lead (so tests never share answers)."""
        number = next(self._numbers)
        with self.database.session() as session:
            agency = accounts.create_agency(
                session,
                name=f"Browser Police {number:03d}",
                country="NL",
                agency_type="regional",
                size_band="250-999",
            )
            user = accounts.create_user(
                session,
                email=f"lead{number}@browser.example.org",
                password=TEST_PASSWORD,
                role=Role.LEAD,
                agency_id=agency.id,
            )
            return Lead(user.email, TEST_PASSWORD, agency.id)

    def answers(self, lead: Lead) -> dict[str, Answer]:
        """The answers the database holds for the lead's agency."""
        with self.database.session() as session:
            rows = session.scalars(
                select(AnswerRow)
                .join(Assessment, Assessment.id == AnswerRow.assessment_id)
                .where(Assessment.agency_id == lead.agency_id)
            )
            return {
                row.practice_id: Answer(
                    row.practice_id, row.option_id, row.not_applicable, row.comment
                )
                for row in rows
            }

    def assessment(self, lead: Lead) -> Assessment | None:
        """The lead's assessment as stored now."""
        with self.database.session() as session:
            return session.scalar(select(Assessment).where(Assessment.agency_id == lead.agency_id))

    def answer_sworn_officer_band(self, lead: Lead) -> None:
        """Complete the 1.0.0 profile of the lead's draft (see the shared helper)."""
        with self.database.session() as session:
            draft = session.scalar(select(Assessment).where(Assessment.agency_id == lead.agency_id))
            assert draft is not None
            answer_sworn_officer_band(session, draft.id)


@pytest.fixture(scope="session")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path
) -> Iterator[LiveSite]:
    """The app on a real server in a thread, with an open round."""
    path = tmp_path_factory.mktemp("live") / "assessment.db"
    shutil.copyfile(migrated_sqlite_template, path)
    url = sqlite_url(path)
    database = Database(url)
    instrument_id, _, version = BUNDLED_QUESTIONNAIRE.partition("@")
    with database.session() as session:
        rounds.create_round(
            session, name="2025", instrument_id=instrument_id, instrument_version=version
        )
    app = create_app(web_config(url))

    def reset_login_limits() -> None:
        # Every browser test signs in from 127.0.0.1: without a reset, the per-address
        # limit (tested in tests/web/test_rate_limits.py) would refuse the later tests.
        with app.app_context():
            limiter.reset()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-site", daemon=True)
    thread.start()
    try:
        yield LiveSite(f"http://127.0.0.1:{server.server_port}", database, reset_login_limits)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.extensions["assessment.database"].dispose()
        database.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium, one for the whole run."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def expected_console_errors() -> list[str]:
    """Fragments of console errors a test provokes on purpose (e.g. a refused save)."""
    return []


@pytest.fixture
def page(
    browser: Browser, live_site: LiveSite, expected_console_errors: list[str]
) -> Iterator[Page]:
    """A fresh context and page on the live site; console errors fail the test."""
    live_site.reset_login_limits()
    context = new_context(browser, live_site)
    opened = context.new_page()
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        expected = any(fragment in message.text for fragment in expected_console_errors)
        if message.type == "error" and not expected:
            errors.append(f"{opened.url}: {message.text}")

    context.on("console", record)
    try:
        yield opened
    finally:
        context.close()
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)


class Served(Protocol):
    """A site served for the browser: where it is."""

    @property
    def url(self) -> str: ...


def new_context(browser: Browser, live_site: Served, **options: Any) -> BrowserContext:
    """A browser context on the live site with short timeouts.

    The site has no favicon; the browser's automatic request for one would log a 404
    on every page, so it is answered here with an empty response.
    """
    context = browser.new_context(base_url=live_site.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=b""))
    return context


def sign_in(page: Page, lead: Lead) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(lead.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/assessment/")

"""Mail in a real browser: a deadline reminder sent by the commands arrives in a real SMTP
server and its link leads the lead to the round; a forgotten password is reset by mail."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from assessment.cli import main
from assessment.services import accounts, rounds
from assessment.store.db import Database
from assessment.store.models import Role, utc_today
from assessment.web import create_app
from tests.browser.conftest import LiveSite, new_context
from tests.browser.test_accounts_browser import axe_violations
from tests.conftest import BUNDLED_QUESTIONNAIRE, TEST_PASSWORD, sqlite_url
from tests.smtp_server import SmtpServer, text_body
from tests.web.conftest import web_config

LEAD_EMAIL = "lead@mail.example.org"
NEW_PASSWORD = "a fresh and memorable passphrase"


@pytest.fixture
def mail_site(
    tmp_path: Path, migrated_sqlite_template: Path, smtp_server: SmtpServer
) -> Iterator[LiveSite]:
    """A site of its own whose mail goes to the test SMTP server: a lead and a round with
    7 days left (the shared live site's round has no deadline)."""
    path = tmp_path / "assessment.db"
    shutil.copyfile(migrated_sqlite_template, path)
    database = Database(sqlite_url(path))
    instrument_id, _, version = BUNDLED_QUESTIONNAIRE.partition("@")
    with database.session() as session:
        rounds.create_round(
            session,
            name="Spring review",
            instrument_id=instrument_id,
            instrument_version=version,
            ends_on=utc_today() + timedelta(days=6),
        )
        agency = accounts.create_agency(
            session,
            name="Harbour Police",
            country="NL",
            agency_type="regional",
            size_band="250-999",
        )
        accounts.create_user(
            session, email=LEAD_EMAIL, password=TEST_PASSWORD, role=Role.LEAD, agency_id=agency.id
        )
    app = create_app(web_config(database.url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["MAIL"] = replace(smtp_server.settings(), site_url=url)
    thread = threading.Thread(target=server.serve_forever, name="mail-site", daemon=True)
    thread.start()
    try:
        yield LiveSite(url, database, lambda: None)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.extensions["assessment.database"].dispose()
        database.dispose()


def _run(site: LiveSite, smtp_server: SmtpServer, *args: str) -> str:
    env = {**smtp_server.environment(), "DATABASE_URL": site.database.url, "SITE_URL": site.url}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _link(body: str, site: LiveSite) -> str:
    found = re.search(re.escape(site.url) + r"/\S+", body)
    assert found, f"no link to {site.url} in:\n{body}"
    return found.group(0)


def test_a_deadline_reminder_arrives_and_its_link_opens_the_round(
    browser: Browser, mail_site: LiveSite, smtp_server: SmtpServer
) -> None:
    _run(mail_site, smtp_server, "reminders")
    _run(mail_site, smtp_server, "reminders")  # cron may run it again: nothing new
    _run(mail_site, smtp_server, "mail", "send")

    reminders = [m for m in smtp_server.messages if "days left" in str(m["Subject"])]
    assert [m["To"] for m in reminders] == [LEAD_EMAIL]
    deadline = (utc_today() + timedelta(days=6)).strftime("%d %B %Y")
    assert reminders[0]["Subject"] == (
        f"Maturity Test: round Spring review, 7 days left (deadline {deadline})"
    )
    body = text_body(reminders[0])
    assert f"takes answers for Harbour Police until {deadline} (UTC): 7 days left" in body
    assert len(smtp_server.messages) == 2  # and the round-opened notice, each once

    context = new_context(browser, mail_site)
    try:
        page = context.new_page()
        page.goto(_link(body, mail_site))
        page.get_by_label("Email address").fill(LEAD_EMAIL)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/assessment/rounds/*/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Spring review")
        expect(page.locator("main")).to_contain_text(f"{deadline} (7 days left)")
    finally:
        context.close()


def test_a_forgotten_password_is_reset_through_the_mailed_link(
    browser: Browser, mail_site: LiveSite, smtp_server: SmtpServer
) -> None:
    context = new_context(browser, mail_site)
    try:
        page: Page = context.new_page()
        page.goto("/login")
        page.get_by_role("link", name="Forgot your password?").click()
        assert axe_violations(page) == []
        page.get_by_label("Email address").fill(LEAD_EMAIL)
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
        assert axe_violations(page) == []
        assert smtp_server.messages == []  # queued; the command sends it
        _run(mail_site, smtp_server, "mail", "send")

        [letter] = smtp_server.messages
        assert letter["To"] == LEAD_EMAIL
        page.goto(_link(text_body(letter), mail_site))
        assert axe_violations(page) == []
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Save password").click()
        page.get_by_label("Email address").fill(LEAD_EMAIL)
        page.get_by_label("Password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/assessment/")
    finally:
        context.close()

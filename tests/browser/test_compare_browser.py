"""The compare chooser in a real browser, with and without JavaScript, at 1,280 and 390 px:
filter, tick, compare, remove a chip; nothing wider than the window; axe-core clean."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from assessment.domain.model.answers import Answer
from assessment.queries.instruments import default_catalog
from assessment.services import accounts, assessments
from assessment.store.models import Agency, Round
from tests.browser.conftest import LiveSite, new_context
from tests.browser.test_layout_browser import axe_violations, overflow, sign_in_as_consultant
from tests.conftest import BUNDLED_QUESTIONNAIRE

PREFIX = "Compared Force"
AGENCIES = 7  # one more than may be compared
accounts_made = itertools.count(1)


@pytest.fixture(scope="module")
def compared(live_site: LiveSite) -> list[str]:
    """Seven agencies named 'Compared Force N' with submitted assessments in round 2025."""
    instrument = default_catalog().get(BUNDLED_QUESTIONNAIRE)
    names = [f"{PREFIX} {number} (NL)" for number in range(1, AGENCIES + 1)]
    with live_site.database.session() as session:
        round_ = session.scalars(select(Round).where(Round.name == "2025")).one()
        for number, name in enumerate(names):
            if session.scalar(select(Agency).where(Agency.name == name)) is not None:
                continue
            agency = accounts.create_agency(
                session, name=name, country="NL", agency_type="regional", size_band="250-999"
            )
            answers = {
                p.id: Answer(p.id, options[(number + index) % len(options)].id)
                for index, p in enumerate(instrument.practices())
                if (options := p.answer_set.options)
            }
            started = assessments.start_assessment(
                session, agency_id=agency.id, round_id=round_.id, actor=None
            )
            assessments.save_answers(session, assessment_id=started.id, answers=answers, actor=None)
            assessments.submit_assessment(session, assessment_id=started.id, revision=1, actor=None)
    return names


def open_compare(browser: Browser, live_site: LiveSite, width: int, scripts: bool) -> Page:
    live_site.reset_login_limits()
    context = new_context(
        browser, live_site, viewport={"width": width, "height": 800}, java_script_enabled=scripts
    )
    page = context.new_page()
    email = f"compare{next(accounts_made)}-{width}-{int(scripts)}@browser.example.org"
    sign_in_as_consultant(page, live_site, email)
    page.goto("/consultant/compare")
    return page


def check_fits_and_axe(page: Page, where: str) -> None:
    assert overflow(page) == 0, f"{where}: wider than the window"
    assert not axe_violations(page), (where, axe_violations(page))


def check_urls_with_scripts(
    browser: Browser, live_site: LiveSite, width: int, urls: list[str]
) -> None:
    """Measure and run axe-core (which needs scripts) on pages reached without them."""
    page = open_compare(browser, live_site, width, scripts=True)
    try:
        for url in urls:
            page.goto(url)
            check_fits_and_axe(page, f"{url} at {width}")
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chooser_works_without_javascript(
    browser: Browser, live_site: LiveSite, compared: list[str], width: int
) -> None:
    page = open_compare(browser, live_site, width, scripts=False)
    visited = [page.url]
    try:
        page.get_by_label("Name contains").fill("compared force")
        page.get_by_role("button", name="Filter the list").click()
        choices = page.locator(".compare__choices .choice")
        expect(choices).to_have_count(AGENCIES)
        for name in compared[:3]:
            page.get_by_label(name, exact=True).check()
        page.get_by_role("button", name="Compare", exact=True).click()

        table = page.locator("table.comparison")
        for name in compared[:3]:
            expect(table.get_by_role("link", name=name)).to_be_visible()
        expect(page.locator(".chip")).to_have_count(3)
        visited.append(page.url)

        page.get_by_role("link", name=f"Remove {compared[0]}").click()
        expect(page.locator(".chip")).to_have_count(2)
        expect(
            page.locator("table.comparison").get_by_role("link", name=compared[0])
        ).to_have_count(0)

        for name in compared:
            box = page.get_by_label(name, exact=True)
            if not box.is_checked():
                box.check()
        page.get_by_role("button", name="Compare", exact=True).click()
        expect(page.locator(".field__error").first).to_contain_text(
            "Choose at most 6 agencies to compare; 7 are chosen."
        )
        expect(page.locator(".chip")).to_have_count(AGENCIES)
        visited.append(page.url)
    finally:
        page.context.close()
    check_urls_with_scripts(browser, live_site, width, visited)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chooser_narrows_as_one_types_with_javascript(
    browser: Browser, live_site: LiveSite, compared: list[str], width: int
) -> None:
    page = open_compare(browser, live_site, width, scripts=True)
    try:
        page.get_by_label("Name contains").fill(f"{PREFIX.lower()} 2")
        # Narrowed at once, without a request: one visible choice.
        expect(page.locator(".compare__choices .choice:visible")).to_have_count(1)
        page.get_by_label("Name contains").fill("")
        for name in compared:
            page.get_by_label(name, exact=True).check()
        expect(page.locator("#too-many")).to_contain_text("Choose at most 6 agencies")
        expect(page.locator("#chosen-count")).to_have_text("7")
        page.get_by_label(compared[-1], exact=True).uncheck()
        expect(page.locator("#too-many")).to_have_text("")
        page.get_by_role("button", name="Compare", exact=True).click()

        table = page.locator("table.comparison")
        for name in compared[:6]:
            expect(table.get_by_role("link", name=name)).to_have_count(1)
        expect(page.locator("figure.chart svg")).to_have_count(1)
        check_fits_and_axe(page, f"six compared at {width}")
        page.screenshot(path=f"/tmp/compare-{width}.png", full_page=True)
    finally:
        page.context.close()

"""Page layout in a real browser: the help, contact, privacy and accessibility pages at
phone and desktop widths with axe-core, what a printed page leaves out, and the header
of a consultant on one line at 1,280 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from assessment.services import accounts
from assessment.store.models import Role
from tests.browser.conftest import LiveSite, new_context
from tests.browser.test_answering_browser import sign_in_and_start
from tests.conftest import TEST_PASSWORD

INFO_PAGES = ("/help", "/contact", "/privacy", "/accessibility")
WIDTHS = (1280, 390)


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing sticks out)."""
    width: int = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )
    return max(width, 0)


def axe_violations(page: Page) -> list[str]:
    """Every axe-core finding on the current page, whatever its impact."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}) at "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_info_pages_fit_the_window_and_pass_axe(
    browser: Browser, live_site: LiveSite, width: int
) -> None:
    context = new_context(browser, live_site, viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        found = {}
        for path in INFO_PAGES:
            page.goto(path)
            assert overflow(page) == 0, f"{path} at {width} px is wider than the window"
            found[path] = axe_violations(page)
        assert not any(found.values()), found
    finally:
        context.close()


def test_the_footer_leads_to_the_privacy_notice(page: Page) -> None:
    page.goto("/login")
    footer = page.get_by_role("navigation", name="About this service")
    footer.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")


LONG_EMAIL = "alexandra.vandenberghe-consultancy@public-security.example.org"


def sign_in_as_consultant(page: Page, live_site: LiveSite, email: str) -> None:
    """Create a consultant account and sign in with the login form."""
    with live_site.database.session() as session:
        accounts.create_user(session, email=email, password=TEST_PASSWORD, role=Role.CONSULTANT)
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/consultant/agencies")


def test_a_consultants_header_is_one_line_at_1280_and_fits_at_390(
    browser: Browser, live_site: LiveSite
) -> None:
    context = new_context(browser, live_site, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in_as_consultant(page, live_site, LONG_EMAIL)
        header = page.locator(".site-header")
        name = page.locator(".site-name").bounding_box()
        height = header.bounding_box()
        assert name is not None and height is not None
        # One line: the site name, every link and the sign-out button share a row.
        assert height["height"] < 2 * name["height"] + 24, height
        centres = [
            box["y"] + box["height"] / 2
            for item in [
                page.locator(".site-name"),
                *page.locator(".site-nav a").all(),
                page.get_by_role("button", name="Sign out"),
            ]
            if (box := item.bounding_box()) is not None
        ]
        assert max(centres) - min(centres) < 4, centres
        # The address is cut to fit, but whole on hover and to screen readers.
        email = page.locator(".account__email")
        assert email.get_attribute("title") == LONG_EMAIL
        assert email.text_content() == LONG_EMAIL

        page.set_viewport_size({"width": 390, "height": 800})
        assert overflow(page) == 0
        sign_out = page.get_by_role("button", name="Sign out").bounding_box()
        assert sign_out is not None and sign_out["x"] + sign_out["width"] <= 390
        for link in page.locator(".site-nav a").all():
            box = link.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390
    finally:
        context.close()


def screen_chrome_shown(page: Page) -> dict[str, bool]:
    """Whether the navigation, sign-out button and footer links are visible now."""
    return {
        "navigation": page.get_by_role("navigation", name="Main").is_visible(),
        "sign-out": page.get_by_role("button", name="Sign out").is_visible(),
        "footer links": page.get_by_role("navigation", name="About this service").is_visible(),
    }


def test_a_printed_results_page_is_content_only(page: Page, live_site: LiveSite) -> None:
    sign_in_and_start(page, live_site.new_lead())
    page.goto("/assessment/results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    assert all(screen_chrome_shown(page).values())

    page.emulate_media(media="print")
    assert not any(screen_chrome_shown(page).values()), screen_chrome_shown(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The parts after the first begin on a fresh page; tables are never clipped.
    breaks = page.eval_on_selector_all(
        "main > section", "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    assert len(breaks) >= 3 and breaks[0] != "page" and set(breaks[1:]) == {"page"}, breaks
    overflows = page.eval_on_selector_all(
        ".table-wrap", "wraps => wraps.map(w => getComputedStyle(w).overflowX)"
    )
    assert overflows and set(overflows) == {"visible"}, overflows


@pytest.mark.parametrize("path", ["/consultant/benchmark", "/consultant/compare"])
def test_printed_consultant_pages_leave_out_navigation_and_filters(
    page: Page, live_site: LiveSite, path: str, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 400")  # no round has results to benchmark
    sign_in_as_consultant(page, live_site, f"print-{path.rsplit('/', 1)[-1]}@browser.example.org")
    page.goto(path)
    filters = page.locator("main form[method=get]")
    assert filters.count() and filters.first.is_visible()

    page.emulate_media(media="print")
    assert not any(screen_chrome_shown(page).values()), screen_chrome_shown(page)
    assert not filters.first.is_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

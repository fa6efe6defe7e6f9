"""Page layout in a real browser: the help, contact, privacy and accessibility pages at
phone and desktop widths with axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveSite, new_context

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

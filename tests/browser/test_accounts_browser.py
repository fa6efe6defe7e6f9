"""Accounts in a real browser: invitation to first sign-in, sign-out, keyboard use, axe-core."""

from __future__ import annotations

import itertools

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from assessment.services import accounts
from assessment.store.models import Role
from tests.browser.conftest import LiveSite, new_context
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a long and memorable passphrase"
_numbers = itertools.count(1)


def new_admin(live_site: LiveSite) -> str:
    """A fresh administrator who can sign in; returns the email."""
    email = f"admin{next(_numbers)}@accounts.example.org"
    with live_site.database.session() as session:
        accounts.create_user(session, email=email, password=TEST_PASSWORD, role=Role.ADMIN)
    return email


def sign_in_as(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    """Use the login form."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def axe_violations(page: Page) -> list[str]:
    """Every axe-core finding on the current page, whatever its impact."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}) at "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
    ]


def test_invitation_to_first_sign_in(
    page: Page, browser: Browser, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 400")  # the mistyped confirmation
    agency = live_site.new_lead().agency_id
    sign_in_as(page, new_admin(live_site))
    page.goto(f"/admin/invitations?agency_id={agency}")
    page.get_by_label("Email address of the new agency lead").fill("invited@accounts.example.org")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_label("Link").input_value()
    assert "/invitation/" in link

    invited = new_context(browser, live_site)
    try:
        newcomer = invited.new_page()
        newcomer.goto(link)
        expect(newcomer.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
        newcomer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        newcomer.get_by_label("Repeat the new password").fill(NEW_PASSWORD + "x")
        newcomer.get_by_role("button", name="Save password").click()
        summary = newcomer.get_by_role("alert")
        expect(summary).to_contain_text("The two passwords are not the same.")
        summary.get_by_role("link", name="The two passwords are not the same.").click()
        expect(newcomer.get_by_label("Repeat the new password")).to_be_focused()
        newcomer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        newcomer.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
        newcomer.get_by_role("button", name="Save password").click()
        expect(newcomer.get_by_role("status")).to_contain_text("Welcome. Your account is ready.")
        nav = newcomer.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Our assessment")).to_be_visible()

        newcomer.goto(link)
        expect(newcomer.get_by_role("heading", level=1)).to_have_text("Link no longer valid")
    finally:
        invited.close()


def test_sign_out_ends_the_session(page: Page, live_site: LiveSite) -> None:
    sign_in_as(page, new_admin(live_site))
    page.goto("/admin/rounds")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.goto("/admin/rounds")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_skip_link_is_the_first_stop_and_reaches_the_content(page: Page) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_account_pages_pass_axe(
    page: Page, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    # Error pages are part of the check; their status codes are what the browser logs.
    expected_console_errors.extend(["status of 400", "status of 404", "status of 410"])
    page.goto("/login")
    found = {"login": axe_violations(page)}
    page.get_by_role("button", name="Sign in").click()
    found["login with errors"] = axe_violations(page)
    page.goto("/invitation/no-such-link")
    found["expired link"] = axe_violations(page)
    sign_in_as(page, new_admin(live_site))
    for path in (
        "/admin/",
        "/admin/agencies",
        "/admin/users",
        "/admin/invitations",
        "/admin/rounds",
        "/admin/rounds/new",
        "/no-such-page",
    ):
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto("/admin/agencies/new")
    page.get_by_role("button", name="Add agency").click()
    found["agency form with errors"] = axe_violations(page)
    problems = {name: violations for name, violations in found.items() if violations}
    assert not problems


def test_pages_fit_a_phone_screen(browser: Browser, live_site: LiveSite) -> None:
    context = new_context(browser, live_site, viewport={"width": 360, "height": 740})
    try:
        phone = context.new_page()
        sign_in_as(phone, new_admin(live_site))
        for path in ("/admin/users", "/admin/rounds", "/admin/agencies/new", "/login"):
            phone.goto(path)
            widths = phone.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"
    finally:
        context.close()

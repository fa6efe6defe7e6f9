"""An ended session mid-edit: the page says the changes were not saved, this browser keeps
them, and after signing in again the page offers them back and saves them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveSite, sign_in
from tests.browser.test_answering_browser import (
    FIRST,
    by_id,
    radio,
    serious_violations,
    start_assessment,
    wait_for,
)

COMMENT = "Policy signed on 3 March; the copy is on the intranet."


def test_changes_lost_to_an_ended_session_are_offered_back_after_signing_in(
    page: Page, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 400")  # the save refused after sign-out
    lead = live_site.new_lead()
    sign_in(page, lead)
    start_assessment(page)
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    practice = FIRST.practices[0]
    option = practice.answer_set.options[1].id

    # The session ends (as after a long pause); the lead goes on answering.
    page.context.clear_cookies()
    radio(page, practice, option).check()
    comment = by_id(page, f"comment-{practice.id}")
    comment.fill(COMMENT)
    comment.blur()
    problem = page.locator("#autosave-problem")
    expect(problem).to_contain_text("your latest changes were not saved")
    expect(problem).to_contain_text("This browser keeps them")
    expect(page.locator("#autosave-status")).to_have_text("Not saved.")
    assert live_site.answers(lead) == {}

    # Reloading asks to sign in; afterwards the same page offers the kept changes back.
    page.reload()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(lead.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/assessment/dimensions/{FIRST.id}")
    offer = page.locator("#kept-answers")
    expect(offer).to_contain_text("1 answer on this page was not saved")
    assert serious_violations(page) == []
    # The page shows what is stored until the lead chooses.
    expect(comment).to_have_value("")
    expect(radio(page, practice, option)).not_to_be_checked()
    page.get_by_role("button", name="Restore and save my changes").click()
    expect(offer).to_have_count(0)
    expect(comment).to_have_value(COMMENT)
    expect(page.locator("#autosave-status")).to_contain_text("All changes saved")
    wait_for(lambda: practice.id in live_site.answers(lead), "the restored save")
    stored = live_site.answers(lead)[practice.id]
    assert (stored.option_id, stored.comment) == (option, COMMENT)

    # Saved, nothing is offered again.
    page.reload()
    expect(page.locator("#autosave-status")).to_have_text("")
    expect(page.locator("#kept-answers")).to_have_count(0)


def test_kept_changes_can_be_discarded(
    page: Page, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 400")
    lead = live_site.new_lead()
    sign_in(page, lead)
    start_assessment(page)
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    page.context.clear_cookies()
    comment = by_id(page, f"comment-{FIRST.practices[0].id}")
    comment.fill("Not wanted after all")
    comment.blur()
    expect(page.locator("#autosave-status")).to_have_text("Not saved.")
    sign_in(page, lead)
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    page.get_by_role("button", name="Discard them").click()
    expect(page.locator("#kept-answers")).to_have_count(0)
    page.reload()
    expect(page.locator("#kept-answers")).to_have_count(0)
    assert live_site.answers(lead) == {}

"""An agency answering as a team in a real browser: the lead invites a colleague, who
answers an assigned dimension while the lead answers another at the same time; the lead
reviews who gave what and submits; axe-core finds nothing serious on the new pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from assessment.store.models import AssessmentStatus
from tests.browser.conftest import LiveSite, new_context
from tests.browser.test_answering_browser import (
    FIRST,
    SECOND,
    by_id,
    option_for,
    radio,
    serious_violations,
    sign_in_and_start,
    wait_for,
    wait_until_saved,
)

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password 2026"


def test_a_lead_and_a_contributor_answer_different_dimensions_at_once_then_submit(
    page: Page, browser: Browser, live_site: LiveSite
) -> None:
    lead = live_site.new_lead()
    sign_in_and_start(page, lead)
    email = f"colleague.{lead.agency_id}@browser.example.org"

    # The lead invites a colleague; the colleague chooses a password from the link.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our team").click()
    assert serious_violations(page) == []
    page.get_by_label("Email address of the colleague").fill(email)
    page.get_by_role("button", name="Create an invitation link").click()
    link = page.locator("#invitation-link").input_value()
    helper_context = new_context(browser, live_site)
    helper = helper_context.new_page()
    helper.goto(link)
    helper.get_by_label("New password", exact=True).fill(PASSWORD)
    helper.get_by_label("Repeat the new password").fill(PASSWORD)
    helper.get_by_role("button", name="Save password").click()
    expect(helper.get_by_role("heading", level=1)).to_be_visible()

    # The lead assigns the second dimension to the colleague.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our team").click()
    page.get_by_role("checkbox", name=str(SECOND.title)).check()
    page.get_by_role("button", name=f"Save the dimensions of {email}").click()
    expect(page.locator(".flash--success")).to_contain_text(f"{email} now answers: {SECOND.title}")
    assert serious_violations(page) == []

    # The colleague sees their part; the lead's dimension is read-only for them.
    helper.goto(f"/assessment/dimensions/{FIRST.id}")
    expect(helper.locator("#answer-form")).to_have_count(0)

    # Both answer at the same time, each on their own dimension: no conflict.
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    helper.goto(f"/assessment/dimensions/{SECOND.id}")
    mine, theirs = FIRST.practices[0], SECOND.practices[0]
    radio(page, mine, option_for(mine, 1)).check()
    radio(helper, theirs, option_for(theirs, 2)).check()
    by_id(helper, f"comment-{theirs.id}").fill("Checked with the legal office.")
    by_id(helper, f"comment-{theirs.id}").blur()
    wait_until_saved(page)
    wait_until_saved(helper)
    expect(page.locator(".conflict")).to_have_count(0)
    expect(helper.locator(".conflict")).to_have_count(0)
    wait_for(
        lambda: {mine.id, theirs.id} <= set(live_site.answers(lead)),
        "both answers stored",
    )
    assert live_site.answers(lead)[theirs.id].comment == "Checked with the legal office."

    draft = live_site.assessment(lead)
    assert draft is not None
    helper.goto(f"/assessment/rounds/{draft.round_id}/")
    expect(helper.locator("#my-dimensions")).to_contain_text("Your progress: 1 of")
    assert serious_violations(helper) == []
    helper_context.close()

    # The lead reviews who gave each answer, then submits.
    page.goto("/assessment/submit")
    item = page.locator(f"[id='review-{theirs.id}']")
    expect(item).to_contain_text(email)
    expect(item).to_contain_text("Checked with the legal office.")
    expect(page.locator(f"[id='review-{FIRST.practices[1].id}']")).to_contain_text("Unanswered")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Submit and lock the assessment").click()
    page.wait_for_url("**/results")
    assessment = live_site.assessment(lead)
    assert assessment is not None and assessment.status == AssessmentStatus.SUBMITTED

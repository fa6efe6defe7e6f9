"""The questionnaire in a real browser: answering with background saves and the save
button, reloading, live conditional questions, conflicts, closing the tab, working
without scripts, submitting, results, and accessibility checks with axe-core."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, Route, expect

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Practice
from assessment.queries.instruments import default_catalog
from assessment.services import assessments
from assessment.store.models import AssessmentStatus
from tests.browser.conftest import TIMEOUT_MS, Lead, LiveSite, new_context, sign_in
from tests.conftest import BUNDLED_QUESTIONNAIRE

pytestmark = pytest.mark.browser

INSTRUMENT = default_catalog().get(BUNDLED_QUESTIONNAIRE)
FIRST, SECOND = INSTRUMENT.dimensions[0], INSTRUMENT.dimensions[1]
CONDITIONAL = next(
    p
    for p in INSTRUMENT.practices()
    if p.show_if is not None
    and (target := INSTRUMENT.practice(p.show_if.practice_id)) is not None
    and target.dimension_id == p.dimension_id
    and target.show_if is None
)
SERIOUS = ("serious", "critical")


def by_id(page: Page, element_id: str) -> Locator:
    """An element by id (practice ids contain dots, which CSS selectors would misread)."""
    return page.locator(f'[id="{element_id}"]')


def radio(page: Page, practice: Practice, option_id: str) -> Locator:
    """The radio button of one option of a practice."""
    index = [o.id for o in practice.answer_set.options].index(option_id)
    return by_id(page, f"answer-{practice.id}-{index}")


def option_for(practice: Practice, position: int) -> str:
    """A varied but deterministic option for a practice."""
    options = practice.answer_set.options
    return options[position % len(options)].id


def wait_until_saved(page: Page) -> None:
    """Wait for the background save to report success."""
    expect(page.locator("#autosave-status")).to_contain_text("All changes saved")


def wait_for(condition: Callable[[], bool], what: str, seconds: float = TIMEOUT_MS / 1000) -> None:
    """Poll until `condition` holds (for effects outside the page, such as the database)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def open_round_to_start(page: Page) -> None:
    """From the list of rounds, open the page of the round to start."""
    page.get_by_role("link", name=re.compile(r"^Start round ")).click()


def start_assessment(page: Page) -> None:
    """Start the draft from the list of rounds, as a lead does on the first visit."""
    open_round_to_start(page)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".flash--success")).to_contain_text("has started")


def sign_in_and_start(page: Page, lead: Lead) -> None:
    """Sign in and start the lead's assessment."""
    sign_in(page, lead)
    start_assessment(page)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the current page."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def test_answer_reload_submit_and_see_results(page: Page, live_site: LiveSite) -> None:
    lead = live_site.new_lead()
    sign_in(page, lead)
    # Opening the questionnaire changes nothing until the lead starts the assessment.
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")
    assert live_site.assessment(lead) is None
    start_assessment(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment 2025")
    started = live_site.assessment(lead)
    assert started is not None and started.status == AssessmentStatus.DRAFT
    expect(page.get_by_role("link", name="Start with your agency's profile")).to_be_visible()
    live_site.answer_sworn_officer_band(lead)
    page.reload()
    page.get_by_role("link", name="Continue where you left off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(str(FIRST.title))

    # First dimension: click radios, write evidence, let the background save store it.
    chosen = {p.id: option_for(p, i) for i, p in enumerate(FIRST.practices)}
    for practice in FIRST.practices:
        radio(page, practice, chosen[practice.id]).check()
    comment = by_id(page, f"comment-{FIRST.practices[0].id}")
    comment.fill("Policy signed on 3 March; copy on the intranet.")
    comment.blur()
    wait_until_saved(page)
    wait_for(
        lambda: (
            len(live_site.answers(lead)) == len(FIRST.practices)
            and live_site.answers(lead)[FIRST.practices[0].id].comment != ""
        ),
        "the background saves",
    )
    expect(page.locator("#progress-dimension")).to_have_attribute(
        "value", str(len(FIRST.practices))
    )

    # Second dimension: choose options and press the save button straight away.
    page.get_by_role("link", name=f"Next: {SECOND.title}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(str(SECOND.title))
    second_chosen = {p.id: option_for(p, i + 1) for i, p in enumerate(SECOND.practices[:3])}
    for practice in SECOND.practices[:3]:
        radio(page, practice, second_chosen[practice.id]).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash--success")).to_contain_text("your answers are saved")

    # Reload: every answer is still there, on the pages and in the database.
    stored = live_site.answers(lead)
    assert {pid: a.option_id for pid, a in stored.items()} == chosen | second_chosen
    assert stored[FIRST.practices[0].id].comment.startswith("Policy signed on 3 March")
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    for practice in FIRST.practices:
        expect(radio(page, practice, chosen[practice.id])).to_be_checked()
    expect(comment).to_have_value("Policy signed on 3 March; copy on the intranet.")

    # Submit through the confirmation page, then read the results.
    page.goto("/assessment/")
    page.get_by_role("link", name=re.compile(r"^Continue round ")).click()
    answered = len(chosen) + len(second_chosen)
    expect(page.locator("[data-progress='overall'] [data-progress-text]")).to_contain_text(
        f"{answered} of"
    )
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and submit the assessment")
    page.get_by_role("button", name="Submit and lock the assessment").click()
    page.wait_for_url("**/assessment/rounds/*/results")
    expect(page.locator(".flash--success")).to_contain_text("reopen")
    expect(page.locator("#overall-score")).not_to_have_text("not scored")
    expect(page.locator("svg.chart-radar")).to_be_visible()
    expect(page.locator("#dimension-results tbody tr")).to_have_count(len(INSTRUMENT.dimensions))
    expect(page.get_by_role("heading", name="Roadmap")).to_be_visible()
    assessment = live_site.assessment(lead)
    assert assessment is not None and assessment.status == AssessmentStatus.SUBMITTED

    # Locked: the dimension pages no longer offer a form.
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    expect(page.locator("#answer-form")).to_have_count(0)
    expect(page.locator(".notice--locked")).to_contain_text("reopen")


def test_conditional_question_appears_as_soon_as_its_condition_holds(
    page: Page, live_site: LiveSite
) -> None:
    assert CONDITIONAL.show_if is not None
    controller = INSTRUMENT.practice(CONDITIONAL.show_if.practice_id)
    assert controller is not None
    showing = CONDITIONAL.show_if.any_of[0]
    hiding = next(
        o.id for o in controller.answer_set.options if o.id not in CONDITIONAL.show_if.any_of
    )
    sign_in_and_start(page, live_site.new_lead())
    page.goto(f"/assessment/dimensions/{CONDITIONAL.dimension_id}")
    question = by_id(page, f"answer-{CONDITIONAL.id}")
    expect(question).to_be_hidden()
    radio(page, controller, showing).check()
    expect(question).to_be_visible()
    wait_until_saved(page)
    radio(page, controller, hiding).check()
    expect(question).to_be_hidden()
    radio(page, controller, showing).check()
    wait_until_saved(page)
    page.reload()
    expect(question).to_be_visible()


def test_a_change_made_elsewhere_is_not_overwritten(
    page: Page, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 409")
    lead = live_site.new_lead()
    sign_in_and_start(page, lead)
    practice = FIRST.practices[0]
    first_choice, second_choice = (o.id for o in practice.answer_set.options[:2])
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    other_tab = page.context.new_page()
    other_tab.goto(f"/assessment/dimensions/{FIRST.id}")

    radio(page, practice, first_choice).check()
    wait_until_saved(page)
    radio(other_tab, practice, second_choice).check()
    # The other tab shows the stored answer, who saved it and when, beside its own.
    conflict = other_tab.locator(f"[id='conflict-{practice.id}']")
    expect(conflict).to_contain_text(f"saved meanwhile by {lead.email} on ")
    labels = {o.id: str(o.label) for o in practice.answer_set.options}
    expect(conflict.locator(".conflict__side").first).to_contain_text(labels[first_choice])
    expect(conflict.locator(".conflict__side").last).to_contain_text(labels[second_choice])
    assert live_site.answers(lead)[practice.id].option_id == first_choice
    # Keeping the user's answer saves it on top of the stored one, knowingly.
    conflict.get_by_role("button", name="Keep my answer").press("Enter")
    expect(conflict).to_have_count(0)
    wait_until_saved(other_tab)
    assert live_site.answers(lead)[practice.id].option_id == second_choice
    # The first tab's next save of that question is now the one in conflict; it keeps
    # the stored answer, and its page shows it.
    by_id(page, f"comment-{practice.id}").fill("First tab")
    by_id(page, f"comment-{practice.id}").blur()
    stale = page.locator(f"[id='conflict-{practice.id}']")
    # By keyboard: the sticky save bar may cover the button at this scroll position.
    stale.get_by_role("button", name="Keep the stored answer").press("Enter")
    expect(radio(page, practice, second_choice)).to_be_checked()
    expect(by_id(page, f"comment-{practice.id}")).to_have_value("")
    assert live_site.answers(lead)[practice.id] == Answer(practice.id, second_choice)


def pump_until(page: Page, condition: Callable[[], bool], what: str) -> None:
    """Let the page and its routes run until `condition` holds."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(20)


def test_leaving_while_a_save_is_refused_never_overwrites_another_sessions_answer(
    page: Page, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    # Once the flush guessed that the save in flight would succeed and sent revision + 1:
    # with that save refused (another session saved first), the guess matched the other
    # session's revision and replaced its acknowledged answer without a conflict.
    expected_console_errors.append("status of 409")
    lead = live_site.new_lead()
    sign_in_and_start(page, lead)
    practice = FIRST.practices[0]
    theirs, mine = (o.id for o in practice.answer_set.options[:2])
    page.goto(f"/assessment/dimensions/{FIRST.id}")  # this page holds revision 0
    assessment = live_site.assessment(lead)
    assert assessment is not None and assessment.revision == 0
    with live_site.database.session() as session:
        assessments.save_answers(
            session,
            assessment_id=assessment.id,
            answers={practice.id: Answer(practice.id, theirs)},
            actor=None,
        )
    held: list[Route] = []
    page.route("**/assessment/answers", lambda route: held.append(route))

    radio(page, practice, mine).check()
    pump_until(page, lambda: len(held) == 1, "the background save")
    by_id(page, f"comment-{practice.id}").fill("Typed while the save was in flight.")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    pump_until(page, lambda: len(held) == 2, "the flush on leaving")
    in_flight, flush = held
    sent = [route.request.post_data_json["answers"][practice.id] for route in held]
    assert sent[0]["revision"] == 0
    assert sent[1]["revision"] == 0, "the flush must send what it holds"

    with page.expect_response(lambda response: response.request == in_flight.request) as first:
        in_flight.continue_()
    assert first.value.status == 409
    with page.expect_response(lambda response: response.request == flush.request) as second:
        flush.continue_()
    assert second.value.status == 409
    page.unroute("**/assessment/answers")
    expect(page.locator(f"[id='conflict-{practice.id}']")).to_contain_text("saved meanwhile")
    assert live_site.answers(lead)[practice.id] == Answer(practice.id, theirs)


def test_leaving_while_a_save_is_in_flight_keeps_both_changes(
    page: Page, live_site: LiveSite, expected_console_errors: list[str]
) -> None:
    # Without another session, the flush loses only to this page's own save: the page
    # then sends the rest again on top of the revision it now holds.
    expected_console_errors.append("status of 409")
    lead = live_site.new_lead()
    sign_in_and_start(page, lead)
    practice = FIRST.practices[0]
    choice = practice.answer_set.options[1].id
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    held: list[Route] = []
    page.route("**/assessment/answers", lambda route: held.append(route))

    radio(page, practice, choice).check()
    pump_until(page, lambda: len(held) == 1, "the background save")
    by_id(page, f"comment-{practice.id}").fill("Typed while the save was in flight.")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    pump_until(page, lambda: len(held) == 2, "the flush on leaving")
    in_flight, flush = held
    with page.expect_response(lambda response: response.request == in_flight.request) as first:
        in_flight.continue_()
    assert first.value.status == 200
    flush.continue_()
    page.unroute("**/assessment/answers")
    wait_until_saved(page)
    wait_for(
        lambda: (
            live_site.answers(lead).get(practice.id)
            == Answer(practice.id, choice, comment="Typed while the save was in flight.")
        ),
        "both changes stored",
    )
    expect(page.locator("#autosave-problem")).to_have_count(0)


def test_closing_the_tab_keeps_the_last_change(page: Page, live_site: LiveSite) -> None:
    lead = live_site.new_lead()
    sign_in_and_start(page, lead)
    practice = FIRST.practices[1]
    page.goto(f"/assessment/dimensions/{FIRST.id}")
    by_id(page, f"comment-{practice.id}").fill("Register kept by the press office.")
    page.close(run_before_unload=True)
    wait_for(
        lambda: practice.id in live_site.answers(lead),
        "the save sent while the tab closed",
    )
    assert live_site.answers(lead)[practice.id] == Answer(
        practice.id, None, comment="Register kept by the press office."
    )


def test_everything_works_without_javascript(browser: Browser, live_site: LiveSite) -> None:
    assert CONDITIONAL.show_if is not None
    controller = INSTRUMENT.practice(CONDITIONAL.show_if.practice_id)
    assert controller is not None
    ids = [d.id for d in INSTRUMENT.dimensions]
    position = ids.index(CONDITIONAL.dimension_id) + 1
    after_saving = f"dimensions/{ids[position]}" if position < len(ids) else ""
    context = new_context(browser, live_site, java_script_enabled=False)
    try:
        page = context.new_page()
        lead = live_site.new_lead()
        sign_in_and_start(page, lead)
        page.goto(f"/assessment/dimensions/{CONDITIONAL.dimension_id}")
        question = by_id(page, f"answer-{CONDITIONAL.id}")
        expect(question).to_be_hidden()
        radio(page, controller, CONDITIONAL.show_if.any_of[0]).check()
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator(".flash--success")).to_be_visible()
        expect(question).to_be_visible()
        radio(page, CONDITIONAL, CONDITIONAL.answer_set.best.id).check()
        page.get_by_role("button", name="Save and next").click()
        page.wait_for_url(f"**/assessment/{after_saving}")
        assert live_site.answers(lead)[CONDITIONAL.id].option_id == CONDITIONAL.answer_set.best.id
        page.goto("/assessment/submit")
        page.get_by_role("button", name="Submit and lock the assessment").click()
        page.wait_for_url("**/assessment/results")
        expect(page.locator("#overall-level")).to_be_visible()
    finally:
        context.close()


def test_pages_have_no_serious_accessibility_violations(page: Page, live_site: LiveSite) -> None:
    lead: Lead = live_site.new_lead()
    page.goto("/login")
    found = {"login": serious_violations(page)}
    sign_in(page, lead)
    found["rounds"] = serious_violations(page)
    open_round_to_start(page)
    found["not started"] = serious_violations(page)
    page.get_by_role("button", name="Start the assessment").click()
    found["overview"] = serious_violations(page)
    page.goto("/assessment/profile")
    found["profile"] = serious_violations(page)
    page.goto(f"/assessment/dimensions/{CONDITIONAL.dimension_id}")
    found["dimension"] = serious_violations(page)
    page.goto("/assessment/submit")
    found["submit"] = serious_violations(page)
    page.goto("/assessment/results")
    found["results"] = serious_violations(page)
    problems = {name: violations for name, violations in found.items() if violations}
    assert not problems, problems

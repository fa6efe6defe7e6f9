"""Starting from last round's answers in a real browser: fill in, see the flags, confirm."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assessment.domain.formats.answer_file import load_answers_file
from assessment.resources import questionnaires_dir
from assessment.services import assessments, rounds
from assessment.store.models import Answer as AnswerRow
from assessment.store.models import Assessment, Round
from tests.browser.conftest import Lead, LiveSite, sign_in
from tests.browser.test_answering_browser import (
    INSTRUMENT,
    serious_violations,
    start_assessment,
    wait_for,
)
from tests.conftest import BUNDLED_QUESTIONNAIRE

pytestmark = pytest.mark.browser

EXAMPLE = load_answers_file(questionnaires_dir() / "examples" / "mid-level-agency.json")
GIVEN = {pid: a for pid, a in EXAMPLE.answers.items() if a.is_answered}


def submit_last_round(live_site: LiveSite, lead: Lead) -> None:
    """A closed round dated before every other one, with the lead's agency's submission."""
    instrument_id, _, version = BUNDLED_QUESTIONNAIRE.partition("@")
    with live_site.database.session() as session:
        earlier = session.scalar(select(Round).where(Round.name == "2020"))
        if earlier is None:
            earlier = rounds.create_round(
                session,
                name="2020",
                instrument_id=instrument_id,
                instrument_version=version,
                starts_on=date(2020, 1, 1),
            )
        rounds.set_round_open(session, round_id=earlier.id, is_open=True, actor=None)
        draft = assessments.start_assessment(
            session, agency_id=lead.agency_id, round_id=earlier.id, actor=None
        )
        draft = assessments.save_answers(session, assessment_id=draft.id, answers=GIVEN, actor=None)
        assessments.submit_assessment(
            session, assessment_id=draft.id, revision=draft.revision, actor=None
        )
        rounds.set_round_open(session, round_id=earlier.id, is_open=False, actor=None)


def carried_flags(live_site: LiveSite, lead: Lead) -> dict[str, bool]:
    """The carried-over flag of each answer of the lead's draft."""
    with live_site.database.session() as session:
        rows = session.scalars(
            select(AnswerRow)
            .join(Assessment, Assessment.id == AnswerRow.assessment_id)
            .join(Round, Round.id == Assessment.round_id)
            .where(Assessment.agency_id == lead.agency_id, Round.name == "2025")
        )
        return {row.practice_id: row.carried_over for row in rows}


def test_fill_in_last_rounds_answers_then_confirm_a_page(page: Page, live_site: LiveSite) -> None:
    lead = live_site.new_lead()
    submit_last_round(live_site, lead)
    sign_in(page, lead)
    start_assessment(page)

    expect(page.locator("#prefill-title")).to_have_text("Start from last round's answers")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Fill in last round's answers").click()
    expect(page.locator(".flash--success")).to_contain_text(
        f"{len(GIVEN)} answers were carried over from round 2020"
    )
    flags = carried_flags(live_site, lead)
    assert set(flags) == set(GIVEN) and all(flags.values())
    expect(page.locator("#unconfirmed")).to_contain_text(
        f"{len(GIVEN)} carried-over answers are not confirmed"
    )

    page.locator("#unconfirmed a").first.click()
    expect(page.locator("#carried-notice")).to_be_visible()
    policy = [pid for pid in GIVEN if pid.startswith("policy.")]
    expect(page.locator(".practice__carried")).to_have_count(len(policy))
    assert serious_violations(page) == []
    # A background save of one carried answer confirms that one, on the page too.
    first = INSTRUMENT.practice(policy[0])
    assert first is not None
    changed = next(o.id for o in first.answer_set.options if o.id != GIVEN[first.id].option_id)
    index = [o.id for o in first.answer_set.options].index(changed)
    page.locator(f'[id="answer-{first.id}-{index}"]').check()
    expect(page.locator("#autosave-status")).to_contain_text("All changes saved")
    expect(page.locator(".practice__carried")).to_have_count(len(policy) - 1)
    wait_for(lambda: not carried_flags(live_site, lead)[first.id], "the confirmation")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash--success")).to_contain_text("your answers are saved")
    expect(page.locator(".practice__carried")).to_have_count(0)

    flags = carried_flags(live_site, lead)
    assert not any(flags[pid] for pid in policy)
    assert all(flags[pid] for pid in GIVEN if pid not in policy)
    page.goto("/assessment/submit")
    expect(page.locator("#unconfirmed")).to_contain_text(
        f"{len(GIVEN) - len(policy)} carried-over answers are not confirmed"
    )
    assert serious_violations(page) == []

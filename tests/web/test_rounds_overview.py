"""A lead's rounds: several open rounds side by side, scheduled rounds, a round closing
while a lead edits, and the reason an assessment was reopened."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.services import assessments, rounds
from assessment.store.models import Answer as AnswerRow
from assessment.store.models import Assessment, AssessmentStatus, Round, utc_today
from tests.web.conftest import World
from tests.web.helpers import csrf_token, login

TODAY = utc_today()
DAY = timedelta(days=1)
DIMENSION = "policy"


def stored(session: Session, assessment_id: int) -> tuple[int, dict[str, tuple[str | None, str]]]:
    """The assessment's revision and its answers (option, comment) as stored now."""
    session.expire_all()
    found = session.get(Assessment, assessment_id)
    assert found is not None
    rows = session.scalars(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id))
    return found.revision, {row.practice_id: (row.option_id, row.comment) for row in rows}


def practice_ids(html: str) -> list[str]:
    """The practices of a dimension form, in order."""
    return list(dict.fromkeys(re.findall(r'name="answer-([^"]+)"', html)))


def save_form(
    client: FlaskClient, path: str, practice_id: str, *, revision: int, comment: str = ""
) -> tuple[int, str, str]:
    """Post one answer and comment of a dimension page; status, body and redirect target."""
    data = {
        "csrf_token": csrf_token(client),
        f"based-{practice_id}": str(revision),
        "action": "save",
        f"answer-{practice_id}": "fully",
        f"comment-{practice_id}": comment,
    }
    response = client.post(path, data=data)
    return response.status_code, response.text, response.headers.get("Location", "")


def rows_in_order(html: str) -> list[tuple[str, str]]:
    """(round name, state) of each row of the rounds table, top to bottom."""
    return re.findall(r'data-state="(\w+)">\s*<th scope="row"><a [^>]+>Round (\w+)</a>', html)


def test_two_open_rounds_keep_both_assessments_reachable(
    client: FlaskClient,
    world: World,
    session: Session,
    create_round: Callable[..., Round],
) -> None:
    newer = create_round("2026", starts_on=TODAY - DAY, ends_on=TODAY + 9 * DAY)
    login(client, world.lead_b)
    listing = client.get("/assessment/").text
    # Open rounds first, the one with the nearer deadline on top; each with its deadline.
    assert rows_in_order(listing) == [("open", "2026"), ("open", "2025")]
    assert f"{TODAY + 9 * DAY:%d %B %Y} (10 days left)" in listing
    assert "none: open until an administrator closes it" in listing
    assert "Draft: 0 of" in listing and "Not started" in listing
    # The older round's dimension pages still take answers.
    older = f"/assessment/rounds/{world.round.id}/dimensions/{DIMENSION}"
    page = client.get(older)
    assert page.status_code == 200 and 'id="answer-form"' in page.text
    assert f'action="{older}"' in page.text
    first = practice_ids(page.text)[0]
    status, _, location = save_form(client, older, first, revision=0, comment="Signed 2025")
    assert (status, location) == (302, older)
    assert stored(session, world.draft_b.id) == (1, {first: ("fully", "Signed 2025")})
    # Starting the newer round leaves the older draft where it was.
    start = client.post(
        f"/assessment/rounds/{newer.id}/start", data={"csrf_token": csrf_token(client)}
    )
    assert start.headers["Location"] == f"/assessment/rounds/{newer.id}/"
    newer_page = client.get(start.headers["Location"]).text
    assert '<a href="/assessment/">All rounds</a>' in newer_page
    assert f"{TODAY + 9 * DAY:%d %B %Y} (10 days left)" in newer_page
    listing = client.get("/assessment/").text
    assert listing.count("Draft: ") == 2
    assert client.get(older).status_code == 200
    # A lead whose 2025 assessment is submitted still sees its results beside the new round.
    login(client, world.lead_a)
    listing = client.get("/assessment/").text
    assert f'href="/assessment/rounds/{world.round.id}/results">See the results<' in listing
    assert f'href="/assessment/rounds/{newer.id}/">Start<' in listing
    assert client.get(f"/assessment/rounds/{world.round.id}/results").status_code == 200


def test_a_scheduled_round_cannot_be_answered_before_it_opens(
    client: FlaskClient,
    world: World,
    session: Session,
    create_round: Callable[..., Round],
) -> None:
    later = create_round("2027", starts_on=TODAY + 5 * DAY, ends_on=TODAY + 40 * DAY)
    login(client, world.lead_b)
    listing = client.get("/assessment/").text
    assert rows_in_order(listing) == [("open", "2025"), ("scheduled", "2027")]
    assert "closed after" not in listing
    assert f"opens on {TODAY + 5 * DAY:%d %B %Y}" in listing
    assert f'href="/assessment/rounds/{later.id}/">Start<' not in listing
    page = client.get(f"/assessment/rounds/{later.id}/").text
    assert "it cannot be answered before then" in page and "Start the assessment" not in page
    start = client.post(
        f"/assessment/rounds/{later.id}/start", data={"csrf_token": csrf_token(client)}
    )
    assert start.status_code == 302
    assert (
        "is scheduled, so its assessment cannot start"
        in client.get(f"/assessment/rounds/{later.id}/").text
    )
    started = session.scalars(select(Assessment).where(Assessment.round_id == later.id)).all()
    assert started == []
    # Paths without a round stay on the open round's draft.
    assert 'id="answer-form"' in client.get(f"/assessment/dimensions/{DIMENSION}").text


@pytest.mark.parametrize("closing", ["by an administrator", "by its date"])
def test_a_round_closing_while_a_lead_edits_refuses_the_save_whole(
    client: FlaskClient, world: World, session: Session, closing: str
) -> None:
    login(client, world.lead_b)
    path = f"/assessment/rounds/{world.round.id}/dimensions/{DIMENSION}"
    page = client.get(path).text
    assert 'id="answer-form"' in page
    first, second = practice_ids(page)[:2]
    # The round closes while the page is open.
    if closing == "by an administrator":
        rounds.set_round_open(session, round_id=world.round.id, is_open=False, actor=world.admin)
        why = "was closed by an administrator"
    else:
        found = session.get(Round, world.round.id)
        assert found is not None
        found.ends_on = TODAY - DAY  # as if midnight had passed since the page was loaded
        session.commit()
        why = f"is closed (its last day was {TODAY - DAY:%d %B %Y})"
    data = {
        "csrf_token": csrf_token(client),
        "action": "save",
        f"answer-{first}": "fully",
        f"comment-{first}": "Typed before the round closed",
        f"answer-{second}": "fully",
    }
    response = client.post(path, data=data)
    assert response.status_code == 423
    assert f"Round 2025 {why}, so nothing on this page was saved" in response.text
    body = {"answers": {first: {"choice": "fully", "comment": "x", "revision": 0}}}
    background = client.post(
        f"/assessment/rounds/{world.round.id}/answers",
        json=body,
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert background.status_code == 423
    assert "nothing on this page was saved" in background.get_json()["message"]
    assert stored(session, world.draft_b.id) == (0, {})
    draft = session.get(Assessment, world.draft_b.id)
    assert draft is not None and draft.status == AssessmentStatus.DRAFT


def test_the_lead_sees_why_an_administrator_reopened_the_assessment(
    client: FlaskClient, world: World, session: Session
) -> None:
    reason = "The budget figures were those of 2024 <b>not</b> 2025"
    assessments.reopen_assessment(
        session, assessment_id=world.submitted_a.id, actor=world.admin, reason=reason
    )
    login(client, world.lead_a)
    shown = f"Reopened by an administrator on {TODAY:%d %B %Y}. Reason: "
    escaped = reason.replace("<", "&lt;").replace(">", "&gt;")
    for path in ("/assessment/", f"/assessment/rounds/{world.round.id}/"):
        page = client.get(path).text
        assert shown + escaped in page, path
        assert "only an administrator can reopen it" in page
    # Submitted again, the reason has done its work and is no longer shown.
    draft = session.get(Assessment, world.submitted_a.id)
    assert draft is not None
    assessments.submit_assessment(
        session, assessment_id=draft.id, revision=draft.revision, actor=None
    )
    assert "Reopened by" not in client.get("/assessment/").text


def test_consultants_are_told_and_shown_the_same_reopen_rule(
    client: FlaskClient, world: World
) -> None:
    login(client, world.consultant)
    path = f"/admin/assessments/{world.submitted_a.id}/reopen"
    assert client.get(path).status_code == 403
    page = client.get(f"/agencies/{world.agency_a.id}/assessment/rounds/{world.round.id}/")
    assert "only an administrator can reopen it" in page.text
    login(client, world.admin)
    assert "Only administrators reopen submitted assessments" in client.get(path).text


def test_closed_rounds_are_listed_read_only_with_their_results(
    client: FlaskClient,
    world: World,
    session: Session,
    create_round: Callable[..., Round],
) -> None:
    past = create_round("2024", starts_on=TODAY - 400 * DAY, ends_on=TODAY - 300 * DAY)
    create_round("2023", starts_on=TODAY - 800 * DAY, ends_on=TODAY - 700 * DAY)  # not taken
    rounds.set_round_open(session, round_id=past.id, is_open=True, actor=world.admin)
    done = assessments.start_assessment(
        session, agency_id=world.agency_b.id, round_id=past.id, actor=None
    )
    assessments.submit_assessment(session, assessment_id=done.id, revision=0, actor=None)
    rounds.set_round_open(session, round_id=past.id, is_open=False, actor=world.admin)
    found = session.get(Round, past.id)
    assert found is not None
    found.decided_state = None  # as if it had closed by its date alone
    session.commit()
    login(client, world.lead_b)
    listing = client.get("/assessment/").text
    assert rows_in_order(listing) == [("open", "2025"), ("closed", "2024")]
    assert f"closed after {TODAY - 300 * DAY:%d %B %Y}; the answers can no longer change" in listing
    assert f'href="/assessment/rounds/{past.id}/results">See the results<' in listing
    page = client.get(f"/assessment/rounds/{past.id}/dimensions/{DIMENSION}").text
    assert 'id="answer-form"' not in page and 'class="answers-readonly"' in page
    assert client.get(f"/assessment/rounds/{past.id}/results").status_code == 200


def test_the_api_gives_each_round_its_state_and_deadline(
    client: FlaskClient, world: World, create_round: Callable[..., Round]
) -> None:
    create_round("2027", starts_on=TODAY + 5 * DAY, ends_on=TODAY + 40 * DAY)
    create_round("2026", starts_on=TODAY - 5 * DAY, ends_on=TODAY + 3 * DAY)
    login(client, world.lead_b)
    listed = {r["name"]: r for r in client.get("/api/v1/rounds").get_json()["rounds"]}
    assert {name: (r["state"], r["deadline"]) for name, r in listed.items()} == {
        "2025": ("open", None),
        "2026": ("open", str(TODAY + 3 * DAY)),
        "2027": ("scheduled", None),
    }

"""The agency lead's questionnaire pages: overview, dimension forms, background saves,
conflicts, tampering, conditional questions, submission, locking and results."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer
from assessment.domain.rules.scoring import progress
from assessment.queries.instruments import default_catalog
from assessment.queries.results import assessment_results
from assessment.services import assessments, rounds
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Role,
    User,
)
from assessment.store.models import Answer as AnswerRow
from tests.conftest import BUNDLED_QUESTIONNAIRE, answer_sworn_officer_band
from tests.web.conftest import World
from tests.web.helpers import csrf_token, form_token, login

INSTRUMENT = default_catalog().get(BUNDLED_QUESTIONNAIRE)
FIRST_DIMENSION, SECOND_DIMENSION = INSTRUMENT.dimensions[0], INSTRUMENT.dimensions[1]
LAST_DIMENSION = INSTRUMENT.dimensions[-1]
FIRST_POLICY = FIRST_DIMENSION.practices[0].id  # none of these two allows not applicable
SECOND_POLICY = FIRST_DIMENSION.practices[1].id
# A conditional practice whose condition is a practice on the same page.
CONDITIONAL_PRACTICE = next(
    p
    for p in INSTRUMENT.practices()
    if p.show_if is not None
    and (target := INSTRUMENT.practice(p.show_if.practice_id)) is not None
    and target.dimension_id == p.dimension_id
    and target.show_if is None
)
CONDITIONAL = CONDITIONAL_PRACTICE.id
CONDITIONAL_DIMENSION = CONDITIONAL_PRACTICE.dimension_id
assert CONDITIONAL_PRACTICE.show_if is not None
CONTROLLER = CONDITIONAL_PRACTICE.show_if.practice_id
_controller = INSTRUMENT.practice(CONTROLLER)
assert _controller is not None
SHOWING = CONDITIONAL_PRACTICE.show_if.any_of[0]
NOT_SHOWING = next(
    o.id for o in _controller.answer_set.options if o.id not in CONDITIONAL_PRACTICE.show_if.any_of
)
NA_PRACTICE = next(p for p in INSTRUMENT.practices() if p.allow_not_applicable)
VISIBLE_AT_START = progress(INSTRUMENT, {})
BEST = {p.id: p.answer_set.best.id for p in INSTRUMENT.practices()}
WORST = {p.id: min(p.answer_set.options, key=lambda o: o.credit).id for p in INSTRUMENT.practices()}


def stored_answers(session: Session, assessment_id: int) -> dict[str, AnswerRow]:
    """The answer rows as the database holds them now."""
    session.expire_all()
    rows = session.scalars(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id))
    return {row.practice_id: row for row in rows}


def revision_of(session: Session, assessment_id: int) -> int:
    """The assessment's current revision in the database."""
    session.expire_all()
    found = session.get(Assessment, assessment_id)
    assert found is not None
    return found.revision


def checked_radio(practice_id: str, option_id: str) -> str:
    """The markup of a checked radio button, as WTForms renders it."""
    practice = INSTRUMENT.practice(practice_id)
    assert practice is not None
    index = [o.id for o in practice.answer_set.options].index(option_id)
    return f'checked id="answer-{practice_id}-{index}"'


def post_dimension(
    client: FlaskClient,
    dimension_id: str,
    revision: int,
    answers: dict[str, str] | None = None,
    comments: dict[str, str] | None = None,
    *,
    action: str = "save",
    prefix: str = "/assessment",
    extra: dict[str, str] | None = None,
    based_on: dict[str, int] | None = None,
) -> TestResponse:
    """Post a dimension page as the browser would (only the given fields filled in), every
    answer based on `revision` unless `based_on` names another."""
    dimension = INSTRUMENT.dimension(dimension_id)
    practice_ids = [p.id for p in dimension.practices] if dimension is not None else []
    data: dict[str, str] = {
        "csrf_token": csrf_token(client),
        "action": action,
    }
    data |= {f"based-{pid}": str((based_on or {}).get(pid, revision)) for pid in practice_ids}
    data |= {f"answer-{pid}": value for pid, value in (answers or {}).items()}
    data |= {f"comment-{pid}": value for pid, value in (comments or {}).items()}
    data |= extra or {}
    return client.post(f"{prefix}/dimensions/{dimension_id}", data=data)


def autosave(
    client: FlaskClient, body: Any, *, prefix: str = "/assessment", token: bool = True
) -> TestResponse:
    """Post a background save with the CSRF header, as answering.js does."""
    headers = {"X-CSRFToken": csrf_token(client)} if token else {}
    return client.post(f"{prefix}/answers", json=body, headers=headers)


def continue_link(html: str) -> str:
    """Where the overview's "continue" button leads."""
    found = re.search(r'id="continue-link" href="([^"]+)"', html)
    assert found, "the overview has no continue link"
    return found.group(1)


@pytest.fixture
def lead_b(client: FlaskClient, world: World) -> User:
    """Agency B's lead, signed in; B's assessment is a draft at revision 0."""
    login(client, world.lead_b)
    return world.lead_b


# Overview ---------------------------------------------------------------------------


def test_overview_shows_progress_status_and_where_to_continue(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    answer_sworn_officer_band(session, world.draft_b.id)
    assessments.save_answers(
        session,
        assessment_id=world.draft_b.id,
        answers={FIRST_POLICY: Answer(FIRST_POLICY, BEST[FIRST_POLICY])},
        actor=None,
    )
    page = client.get(f"/assessment/rounds/{world.round.id}/")
    assert page.status_code == 200
    total = VISIBLE_AT_START.total
    assert "Draft" in page.text
    assert re.search(rf'<progress[^>]*id="progress-overall" max="{total}" value="1"', page.text)
    assert f"1 of {total} questions answered" in page.text
    left = VISIBLE_AT_START.dimensions[FIRST_DIMENSION.id].total - 1
    assert f"{left} questions left" in page.text
    prefix = f"/assessment/rounds/{world.round.id}"
    jump = f"{prefix}/dimensions/{FIRST_DIMENSION.id}#answer-{SECOND_POLICY}"
    assert f'href="{jump}"' in page.text
    assert continue_link(page.text) == jump


def test_continue_returns_to_the_last_visited_dimension(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    answer_sworn_officer_band(session, world.draft_b.id)
    client.get(f"/assessment/dimensions/{SECOND_DIMENSION.id}")
    prefix = f"/assessment/rounds/{world.round.id}"
    link = continue_link(client.get(f"{prefix}/").text)
    first = SECOND_DIMENSION.practices[0].id
    assert link == f"{prefix}/dimensions/{SECOND_DIMENSION.id}#answer-{first}"


def assessments_of(session: Session, agency_id: int) -> list[Assessment]:
    """The agency's assessments as the database holds them now."""
    session.expire_all()
    return list(session.scalars(select(Assessment).where(Assessment.agency_id == agency_id)))


def assessment_actions(session: Session, agency_id: int) -> list[str]:
    """The audited actions on the agency's assessments, oldest first."""
    rows = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.agency_id == agency_id, AuditEvent.action.startswith("assessment."))
        .order_by(AuditEvent.id)
    )
    return list(rows)


def post_start(client: FlaskClient, prefix: str = "/assessment") -> TestResponse:
    """Press "Start the assessment" (with a valid CSRF token)."""
    return client.post(f"{prefix}/start", data={"csrf_token": csrf_token(client)})


START_BUTTON = '<button type="submit" class="button button--primary">Start the assessment</button>'


@pytest.fixture
def newcomer(
    client: FlaskClient, create_user: Callable[..., User], create_agency: Callable[..., Agency]
) -> User:
    """The signed-in lead of an agency that has not started the open round's assessment."""
    lead = create_user(Role.LEAD, agency=create_agency(name="New Police"))
    login(client, lead)
    return lead


def test_a_leads_first_visit_offers_to_start_and_changes_nothing(
    client: FlaskClient, world: World, newcomer: User, session: Session
) -> None:
    assert newcomer.agency_id is not None
    listing = client.get("/assessment/")
    assert listing.status_code == 200
    assert "Not started" in listing.text
    start = f"/assessment/rounds/{world.round.id}/"
    assert f'<a href="{start}">Start<span' in listing.text
    page = client.get(start)
    assert "has not started its assessment yet" in page.text
    assert f'<form method="post" action="{start}start"' in page.text
    assert START_BUTTON in page.text
    assert form_token(page.text)
    # The other pages lead to the overview, which offers to start.
    for path in (f"dimensions/{FIRST_DIMENSION.id}", "submit", "results"):
        response = client.get(f"/assessment/{path}")
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/assessment/"
    assert assessments_of(session, newcomer.agency_id) == []
    assert assessment_actions(session, newcomer.agency_id) == []


def test_starting_creates_the_draft_once(
    client: FlaskClient, world: World, newcomer: User, session: Session
) -> None:
    assert newcomer.agency_id is not None
    token = form_token(client.get("/assessment/").text)
    response = client.post("/assessment/start", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/assessment/"
    overview = client.get("/assessment/")
    assert "The assessment of round 2025 has started." in overview.text
    assert "Draft" in overview.text and START_BUTTON not in overview.text
    (started,) = assessments_of(session, newcomer.agency_id)
    assert started.status == AssessmentStatus.DRAFT and started.round_id == world.round.id
    again = client.post("/assessment/start", data={"csrf_token": token})
    assert again.status_code == 302 and again.headers["Location"] == "/assessment/"
    assert "has started" not in client.get("/assessment/").text
    assert [a.id for a in assessments_of(session, newcomer.agency_id)] == [started.id]
    assert assessment_actions(session, newcomer.agency_id) == ["assessment.started"]


def test_starting_needs_a_csrf_token(client: FlaskClient, newcomer: User, session: Session) -> None:
    assert newcomer.agency_id is not None
    assert client.post("/assessment/start").status_code == 400
    assert assessments_of(session, newcomer.agency_id) == []


def test_only_the_agencys_lead_and_admins_may_start(
    client: FlaskClient,
    world: World,
    session: Session,
    create_user: Callable[..., User],
    create_agency: Callable[..., Agency],
) -> None:
    agency = create_agency(name="New Police")
    create_user(Role.LEAD, agency=agency)
    prefix = f"/agencies/{agency.id}/assessment"
    login(client, world.consultant)
    overview = client.get(f"{prefix}/rounds/{world.round.id}/")
    assert overview.status_code == 200
    assert "has not started the assessment of round 2025" in overview.text
    assert "Start the assessment" not in overview.text
    assert ">Start<" not in client.get(f"{prefix}/").text
    assert post_start(client, prefix).status_code == 403
    login(client, world.lead_a)
    assert client.get(f"{prefix}/").status_code == 404
    assert post_start(client, prefix).status_code == 404
    assert assessments_of(session, agency.id) == []
    login(client, world.admin)
    assert START_BUTTON in client.get(f"{prefix}/rounds/{world.round.id}/").text
    response = post_start(client, prefix)
    assert response.headers["Location"] == f"{prefix}/"
    (started,) = assessments_of(session, agency.id)
    assert started.round_id == world.round.id


def test_without_an_open_round_the_page_says_so(
    client: FlaskClient, session: Session, create_user: Callable[..., User]
) -> None:
    lead = create_user(Role.LEAD)
    assert lead.agency_id is not None
    login(client, lead)
    page = client.get("/assessment/")
    assert page.status_code == 200
    assert "No assessment round concerns" in page.text
    assert "Start the assessment" not in page.text
    started = post_start(client)
    assert started.headers["Location"] == "/assessment/"
    assert "the assessment cannot start yet" in client.get("/assessment/").text
    assert assessments_of(session, lead.agency_id) == []


# Dimension pages --------------------------------------------------------------------


def test_dimension_page_builds_the_form_from_the_instrument(
    client: FlaskClient, lead_b: User
) -> None:
    dimension = INSTRUMENT.dimension(NA_PRACTICE.dimension_id)
    assert dimension is not None
    page = client.get(f"/assessment/dimensions/{dimension.id}")
    assert page.status_code == 200
    html = page.text
    assert html.count('<fieldset class="practice"') == len(dimension.practices)
    for practice in dimension.practices:
        assert f'id="answer-{practice.id}" data-practice="{practice.id}"' in html
        assert f'for="comment-{practice.id}"' in html
    # "Not applicable" is offered exactly where the practice allows it.
    allowed = [p for p in dimension.practices if p.allow_not_applicable]
    assert html.count('type="radio" value="n/a"') == len(allowed)
    assert f'name="answer-{NA_PRACTICE.id}" type="radio" value="n/a"' in html
    # No maturity level beside a question being answered: it would suggest an answer
    # (see the help page). The questions are numbered instead.
    assert not re.search(r"Level \d ·", html)
    assert f"Question {len(dimension.practices)}</span>" in html
    assert html.count('<details class="guidance">') == len(dimension.practices)
    assert 'maxlength="10000"' in html
    for practice in dimension.practices:
        assert f'name="based-{practice.id}" type="hidden" value="0"' in html
    assert 'name="action" value="save"' in html
    assert 'id="progress-dimension"' in html
    assert 'src="/static/js/answering.js"' in html


def test_a_submitted_dimension_shows_each_questions_level_once_rated(
    client: FlaskClient, world: World
) -> None:
    login(client, world.lead_a)  # agency A has submitted: its pages are read-only
    dimension = INSTRUMENT.dimensions[0]
    html = client.get(f"/assessment/dimensions/{dimension.id}").text
    assert '<fieldset class="practice"' not in html
    level = INSTRUMENT.level(dimension.practices[0].level)
    assert f"Question 1 · Level {level.number} · {level.name}" in html


def test_unknown_dimension_is_404(client: FlaskClient, lead_b: User) -> None:
    assert client.get("/assessment/dimensions/nope").status_code == 404


def test_save_draft_stores_answers_and_comments(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    response = post_dimension(
        client,
        FIRST_DIMENSION.id,
        0,
        {FIRST_POLICY: BEST[FIRST_POLICY], SECOND_POLICY: WORST[SECOND_POLICY]},
        {FIRST_POLICY: "Signed 3 March.\r\nOn the intranet.", SECOND_POLICY: ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assessment/dimensions/{FIRST_DIMENSION.id}"
    rows = stored_answers(session, world.draft_b.id)
    assert rows[FIRST_POLICY].option_id == BEST[FIRST_POLICY]
    assert rows[FIRST_POLICY].comment == "Signed 3 March.\nOn the intranet."
    assert rows[FIRST_POLICY].answered_by_id == world.lead_b.id
    assert rows[SECOND_POLICY].option_id == WORST[SECOND_POLICY]
    assert revision_of(session, world.draft_b.id) == 1
    page = client.get(f"/assessment/dimensions/{FIRST_DIMENSION.id}").text
    assert "your answers are saved" in page
    assert checked_radio(FIRST_POLICY, BEST[FIRST_POLICY]) in page
    assert "Signed 3 March.\nOn the intranet.</textarea>" in page
    assert f'name="based-{FIRST_POLICY}" type="hidden" value="1"' in page


def test_save_and_next_goes_to_the_next_dimension_then_the_overview(
    client: FlaskClient, lead_b: User
) -> None:
    response = post_dimension(
        client, FIRST_DIMENSION.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]}, action="next"
    )
    assert response.headers["Location"] == f"/assessment/dimensions/{SECOND_DIMENSION.id}"
    last = LAST_DIMENSION.practices[0].id
    response = post_dimension(client, LAST_DIMENSION.id, 0, {last: BEST[last]}, action="next")
    assert response.headers["Location"] == "/assessment/"


def test_not_applicable_is_stored_where_allowed(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    response = post_dimension(client, NA_PRACTICE.dimension_id, 0, {NA_PRACTICE.id: "n/a"})
    assert response.status_code == 302
    row = stored_answers(session, world.draft_b.id)[NA_PRACTICE.id]
    assert row.not_applicable and row.option_id is None


def test_unchanged_answers_are_not_rewritten_and_emptied_ones_are_removed(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    post_dimension(client, FIRST_DIMENSION.id, 0, {}, {FIRST_POLICY: "a draft note"})
    assert stored_answers(session, world.draft_b.id)[FIRST_POLICY].option_id is None
    assert post_dimension(client, FIRST_DIMENSION.id, 1, {}).status_code == 302
    assert FIRST_POLICY not in stored_answers(session, world.draft_b.id)
    assert revision_of(session, world.draft_b.id) == 2
    # Nothing changed: no save, no new revision.
    assert post_dimension(client, FIRST_DIMENSION.id, 2, {}).status_code == 302
    assert revision_of(session, world.draft_b.id) == 2


def test_stale_revision_is_a_conflict_and_overwrites_nothing(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    colleague = client.application.test_client()
    login(colleague, world.lead_b)
    post_dimension(
        colleague, FIRST_DIMENSION.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]}, {FIRST_POLICY: "Ours"}
    )
    mine = {FIRST_POLICY: WORST[FIRST_POLICY], SECOND_POLICY: BEST[SECOND_POLICY]}
    response = post_dimension(client, FIRST_DIMENSION.id, 0, mine, {FIRST_POLICY: "Mine"})
    assert response.status_code == 409
    assert "saved some of these answers after you opened this page" in response.text
    assert 'class="error-summary"' in response.text
    # The stored answer, who saved it and when, beside the user's own (kept in the form).
    box = response.text[response.text.index(f'id="conflict-{FIRST_POLICY}"') :]
    box = box[: box.index('<details class="guidance">')]
    assert f"saved meanwhile by {world.lead_b.email} on " in box
    assert ">Ours</p>" in box and ">Mine</p>" in box
    assert checked_radio(FIRST_POLICY, WORST[FIRST_POLICY]) in response.text
    assert f'name="based-{FIRST_POLICY}" type="hidden" value="1"' in response.text
    assert f'id="conflict-{SECOND_POLICY}"' not in response.text
    rows = stored_answers(session, world.draft_b.id)
    assert rows[FIRST_POLICY].option_id == BEST[FIRST_POLICY] and SECOND_POLICY not in rows


@pytest.mark.parametrize("keep", ["mine", "stored"])
def test_a_conflict_is_resolved_by_keeping_either_answer(
    client: FlaskClient, world: World, lead_b: User, session: Session, keep: str
) -> None:
    post_dimension(client, FIRST_DIMENSION.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]})
    mine = {FIRST_POLICY: WORST[FIRST_POLICY], SECOND_POLICY: BEST[SECOND_POLICY]}
    assert post_dimension(client, FIRST_DIMENSION.id, 0, mine).status_code == 409
    # The conflict page holds the stored revision: saving again is the user's decision.
    again = post_dimension(
        client,
        FIRST_DIMENSION.id,
        0,
        mine,
        based_on={FIRST_POLICY: 1},
        extra={f"resolve-{FIRST_POLICY}": keep},
    )
    assert again.status_code == 302
    rows = stored_answers(session, world.draft_b.id)
    expected = WORST[FIRST_POLICY] if keep == "mine" else BEST[FIRST_POLICY]
    assert rows[FIRST_POLICY].option_id == expected
    assert rows[SECOND_POLICY].option_id == BEST[SECOND_POLICY]


def test_two_pages_saving_different_dimensions_never_conflict(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    other = client.application.test_client()
    login(other, world.lead_b)
    # Both pages were loaded before either saved (every answer at revision 0).
    first = post_dimension(client, FIRST_DIMENSION.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]})
    second_policy = SECOND_DIMENSION.practices[0].id
    second = post_dimension(other, SECOND_DIMENSION.id, 0, {second_policy: BEST[second_policy]})
    assert (first.status_code, second.status_code) == (302, 302)
    rows = stored_answers(session, world.draft_b.id)
    assert set(rows) == {FIRST_POLICY, second_policy}


@pytest.mark.parametrize(
    ("answers", "comments", "extra", "message"),
    [
        ({FIRST_POLICY: "excellent"}, {}, {}, "not one of this question&#39;s options"),
        ({FIRST_POLICY: "n/a"}, {}, {}, "not one of this question&#39;s options"),
        (
            {FIRST_POLICY: BEST[FIRST_POLICY]},
            {FIRST_POLICY: "x" * (MAX_COMMENT_LENGTH + 1)},
            {},
            "10001 characters long; the limit is 10,000",
        ),
        ({}, {}, {f"answer-{FIRST_DIMENSION.id}.made-up": "x"}, "fields this page does not have"),
        ({}, {}, {f"answer-{SECOND_DIMENSION.practices[0].id}": "x"}, "fields this page does"),
    ],
    ids=[
        "unknown-option",
        "na-not-allowed",
        "oversized",
        "unknown-practice",
        "other-dimension",
    ],
)
def test_tampered_posts_store_nothing_and_say_why(
    client: FlaskClient,
    world: World,
    lead_b: User,
    session: Session,
    answers: dict[str, str],
    comments: dict[str, str],
    extra: dict[str, str],
    message: str,
) -> None:
    sound = {SECOND_POLICY: BEST[SECOND_POLICY]}
    response = post_dimension(client, FIRST_DIMENSION.id, 0, answers | sound, comments, extra=extra)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text
    assert stored_answers(session, world.draft_b.id) == {}
    assert revision_of(session, world.draft_b.id) == 0


@pytest.mark.parametrize("revision", ["999999999999999999", "2147483648", "-1"])
def test_an_out_of_range_form_revision_is_a_400_that_changes_nothing(
    client: FlaskClient, world: World, lead_b: User, session: Session, revision: str
) -> None:
    # Once a 500: the number went to the database and overflowed its INTEGER column.
    data = {"csrf_token": csrf_token(client), "revision": revision}
    based_on = {f"based-{p.id}": revision for p in FIRST_DIMENSION.practices}
    response = client.post(
        f"/assessment/dimensions/{FIRST_DIMENSION.id}",
        data=based_on
        | {"csrf_token": data["csrf_token"], f"answer-{FIRST_POLICY}": BEST[FIRST_POLICY]},
    )
    assert response.status_code == 400
    assert "version number" in response.text
    assert client.post("/assessment/submit", data=data).status_code == 400
    assert stored_answers(session, world.draft_b.id) == {}
    assert revision_of(session, world.draft_b.id) == 0


@pytest.mark.parametrize(
    ("revision", "message"),
    [("seven", "without a valid version number"), ("", "without a valid version number")],
    ids=["bad-revision", "empty-revision"],
)
def test_a_malformed_form_revision_is_a_400_that_says_why(
    client: FlaskClient, world: World, lead_b: User, session: Session, revision: str, message: str
) -> None:
    # The version number is not something the user typed: a bad one is a bad request.
    sound = {SECOND_POLICY: BEST[SECOND_POLICY]}
    extra = {f"based-{SECOND_POLICY}": revision}
    response = post_dimension(client, FIRST_DIMENSION.id, 0, sound, extra=extra)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert stored_answers(session, world.draft_b.id) == {}


def test_errors_sit_in_the_summary_and_next_to_their_field(
    client: FlaskClient, lead_b: User
) -> None:
    response = post_dimension(
        client,
        FIRST_DIMENSION.id,
        0,
        {FIRST_POLICY: "excellent"},
        {SECOND_POLICY: "x" * (MAX_COMMENT_LENGTH + 1)},
    )
    html = response.text
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert f'href="#answer-{FIRST_POLICY}"' in summary
    assert f'href="#comment-{SECOND_POLICY}"' in summary
    assert f'id="answer-{FIRST_POLICY}-error"' in html
    assert f'aria-describedby="answer-{FIRST_POLICY}-error"' in html
    assert f'id="comment-{SECOND_POLICY}-error"' in html
    assert re.search(rf'aria-invalid="true"[^>]*id="comment-{re.escape(SECOND_POLICY)}"', html)


def test_post_without_csrf_token_is_refused(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    response = client.post(
        f"/assessment/dimensions/{FIRST_DIMENSION.id}",
        data={"revision": "0", f"answer-{FIRST_POLICY}": BEST[FIRST_POLICY]},
    )
    assert response.status_code == 400
    assert stored_answers(session, world.draft_b.id) == {}


# Conditional questions -----------------------------------------------------------------


def test_conditional_question_is_hidden_until_its_condition_holds(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    url = f"/assessment/dimensions/{CONDITIONAL_DIMENSION}"
    hidden = re.compile(rf'<fieldset[^>]*id="answer-{re.escape(CONDITIONAL)}"[^>]* hidden>')
    page = client.get(url).text
    assert hidden.search(page)
    assert f'data-show-if="{CONTROLLER}"' in page
    # An answer sent for a question whose condition does not hold is neither required nor kept.
    post_dimension(
        client, CONDITIONAL_DIMENSION, 0, {CONTROLLER: NOT_SHOWING, CONDITIONAL: BEST[CONDITIONAL]}
    )
    rows = stored_answers(session, world.draft_b.id)
    assert rows[CONTROLLER].option_id == NOT_SHOWING and CONDITIONAL not in rows
    # Decided on the server from what is stored and what is sent, together.
    post_dimension(
        client,
        CONDITIONAL_DIMENSION,
        0,
        {CONTROLLER: SHOWING, CONDITIONAL: WORST[CONDITIONAL]},
        based_on={CONTROLLER: 1},
    )
    assert stored_answers(session, world.draft_b.id)[CONDITIONAL].option_id == WORST[CONDITIONAL]
    assert not hidden.search(client.get(url).text)


def test_hidden_questions_do_not_count_as_left(
    client: FlaskClient, world: World, lead_b: User
) -> None:
    overview = f"/assessment/rounds/{world.round.id}/"
    before = VISIBLE_AT_START.dimensions[CONDITIONAL_DIMENSION].total
    assert f"<span>0 of {before}</span>" in client.get(overview).text
    post_dimension(client, CONDITIONAL_DIMENSION, 0, {CONTROLLER: SHOWING})
    after = progress(INSTRUMENT, {CONTROLLER: Answer(CONTROLLER, SHOWING)})
    shown = after.dimensions[CONDITIONAL_DIMENSION].total
    assert shown > before
    assert f"<span>1 of {shown}</span>" in client.get(overview).text


# Background saves ------------------------------------------------------------------------


def test_autosave_stores_changes_and_returns_revision_and_progress(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    body = {
        "answers": {
            FIRST_POLICY: {"choice": BEST[FIRST_POLICY], "comment": "Signed", "revision": 0},
            CONTROLLER: {"choice": SHOWING, "comment": "", "revision": 0},
        },
    }
    response = autosave(client, body)
    assert response.status_code == 200
    payload = response.get_json()
    assert payload["ok"] is True and payload["revisions"] == {FIRST_POLICY: 1, CONTROLLER: 1}
    expected = progress(
        INSTRUMENT,
        {
            FIRST_POLICY: Answer(FIRST_POLICY, BEST[FIRST_POLICY]),
            CONTROLLER: Answer(CONTROLLER, SHOWING),
        },
    )
    assert payload["progress"]["answered"] == 2
    assert payload["progress"]["total"] == expected.total
    first = expected.dimensions[FIRST_DIMENSION.id]
    assert payload["progress"]["dimensions"][FIRST_DIMENSION.id] == {
        "answered": 1,
        "total": first.total,
        "percent": round(first.percent),
    }
    assert CONDITIONAL in payload["visible"]
    assert stored_answers(session, world.draft_b.id)[FIRST_POLICY].comment == "Signed"
    # A practice with neither a choice nor a comment is cleared.
    cleared = autosave(client, {"answers": {FIRST_POLICY: {"choice": None, "revision": 1}}})
    assert cleared.status_code == 200
    assert cleared.get_json()["revisions"] == {FIRST_POLICY: 0}
    assert FIRST_POLICY not in stored_answers(session, world.draft_b.id)


def test_autosave_conflict_is_409_with_the_stored_answer_and_overwrites_nothing(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    colleague = client.application.test_client()
    login(colleague, world.lead_b)
    theirs = {FIRST_POLICY: {"choice": BEST[FIRST_POLICY], "comment": "Ours", "revision": 0}}
    autosave(colleague, {"answers": theirs})
    stale = {
        FIRST_POLICY: {"choice": WORST[FIRST_POLICY], "revision": 0},
        SECOND_POLICY: {"choice": BEST[SECOND_POLICY], "revision": 0},
    }
    response = autosave(client, {"answers": stale})
    assert response.status_code == 409
    payload = response.get_json()
    assert "saved some of these answers" in payload["message"]
    assert payload["revisions"] == {FIRST_POLICY: 1}
    [conflict] = payload["conflicts"]
    practice = INSTRUMENT.practice(FIRST_POLICY)
    assert practice is not None
    best, worst = (practice.answer_set.option(o) for o in (BEST[FIRST_POLICY], WORST[FIRST_POLICY]))
    assert best is not None and worst is not None
    assert conflict["practice"] == FIRST_POLICY
    assert (conflict["storedChoice"], conflict["storedComment"]) == (BEST[FIRST_POLICY], "Ours")
    assert (conflict["storedLabel"], conflict["yoursLabel"]) == (str(best.label), str(worst.label))
    assert conflict["savedBy"] == world.lead_b.email and conflict["savedAt"].endswith(" UTC")
    rows = stored_answers(session, world.draft_b.id)
    assert rows[FIRST_POLICY].option_id == BEST[FIRST_POLICY] and SECOND_POLICY not in rows


def test_autosaves_of_different_practices_never_conflict(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    colleague = client.application.test_client()
    login(colleague, world.lead_b)
    second = SECOND_DIMENSION.practices[0].id
    mine = autosave(client, {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY]}}})
    theirs = autosave(colleague, {"answers": {second: {"choice": BEST[second]}}})
    assert (mine.status_code, theirs.status_code) == (200, 200)
    assert set(stored_answers(session, world.draft_b.id)) == {FIRST_POLICY, second}


def test_a_flush_behind_a_refused_save_is_refused_too(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    # The race of a stale tab leaving: it holds revision 0 of the answer; another session
    # saves it first; the tab's save in flight is refused, and so is the flush sent on
    # leaving, because it carries the revision the tab holds (0), never a guess.
    other = client.application.test_client()
    login(other, world.lead_b)
    theirs = {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY], "revision": 0}}}
    assert autosave(other, theirs).status_code == 200

    in_flight = {"answers": {FIRST_POLICY: {"choice": WORST[FIRST_POLICY], "revision": 0}}}
    refused = autosave(client, in_flight)
    assert refused.status_code == 409 and refused.get_json()["revisions"] == {FIRST_POLICY: 1}
    flush = {
        "answers": {
            FIRST_POLICY: {"choice": WORST[FIRST_POLICY], "comment": "stale", "revision": 0}
        }
    }
    assert autosave(client, flush).status_code == 409

    kept = stored_answers(session, world.draft_b.id)[FIRST_POLICY]
    assert (kept.option_id, kept.comment, kept.revision) == (BEST[FIRST_POLICY], "", 1)


def test_a_flush_that_lost_to_the_pages_own_save_goes_again_on_top_of_it(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    # The page's own save took the answer 0 -> 1 first: the 409 names revision 1, which
    # the page now holds, so the page sends it again at 1 (answering.js, decide()).
    first = {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY], "revision": 0}}}
    assert autosave(client, first).get_json()["revisions"] == {FIRST_POLICY: 1}
    flush = {"answers": {FIRST_POLICY: {"choice": WORST[FIRST_POLICY], "revision": 0}}}
    refused = autosave(client, flush)
    assert refused.status_code == 409
    held = refused.get_json()["revisions"][FIRST_POLICY]
    again = {"answers": {FIRST_POLICY: {"choice": WORST[FIRST_POLICY], "revision": held}}}
    assert autosave(client, again).status_code == 200
    assert stored_answers(session, world.draft_b.id)[FIRST_POLICY].option_id == WORST[FIRST_POLICY]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ("not an object", 400, "JSON object"),
        ({"answers": {FIRST_POLICY: {"choice": "x", "revision": "1"}}}, 400, ".revision"),
        ({"answers": {FIRST_POLICY: {"choice": "x", "revision": True}}}, 400, ".revision"),
        ({"answers": {FIRST_POLICY: {"choice": "x", "revision": 2**31}}}, 400, ".revision"),
        ({"answers": {FIRST_POLICY: {"choice": "x", "revision": -1}}}, 400, ".revision"),
        ({"answers": {}}, 400, "non-empty object"),
        ({"answers": {"policy.nope": {"choice": "x"}}}, 400, "unknown practice"),
        ({"answers": {FIRST_POLICY: "fully"}}, 400, "must be an object"),
        ({"answers": {FIRST_POLICY: {"choice": 3}}}, 400, ".choice"),
        ({"answers": {FIRST_POLICY: {"comment": 3}}}, 400, ".comment"),
        ({"answers": {FIRST_POLICY: {"choice": "x", "y": 1}}}, 400, "'y'"),
        ({"answers": {}, "extra": 1}, 400, "'extra'"),
        ({"answers": {FIRST_POLICY: {"choice": "great"}}}, 422, "'great'"),
        ({"answers": {FIRST_POLICY: {"choice": "n/a"}}}, 422, "not applicable"),
        (
            {"answers": {FIRST_POLICY: {"comment": "x" * 10_001}}},
            422,
            "the limit is 10,000",
        ),
    ],
    ids=[
        "not-object",
        "string-revision",
        "boolean-revision",
        "revision-beyond-the-column",
        "negative-revision",
        "no-answers",
        "unknown-practice",
        "entry-not-object",
        "choice-not-text",
        "comment-not-text",
        "extra-entry-key",
        "extra-body-key",
        "unknown-option",
        "na-not-allowed",
        "oversized",
    ],
)
def test_autosave_refuses_malformed_or_tampered_bodies(
    client: FlaskClient,
    world: World,
    lead_b: User,
    session: Session,
    body: Any,
    status: int,
    fragment: str,
) -> None:
    response = autosave(client, body)
    assert response.status_code == status
    payload = response.get_json()
    assert payload["ok"] is False
    assert fragment in payload["message"] + " ".join(payload.get("problems", []))
    assert stored_answers(session, world.draft_b.id) == {}
    assert revision_of(session, world.draft_b.id) == 0


def test_autosave_of_a_body_that_is_not_json_is_refused(client: FlaskClient, lead_b: User) -> None:
    response = client.post(
        "/assessment/answers",
        data="revision=0",
        headers={"X-CSRFToken": csrf_token(client), "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["ok"] is False


def test_autosave_needs_the_csrf_header(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    body = {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY]}}}
    assert autosave(client, body, token=False).status_code == 400
    assert stored_answers(session, world.draft_b.id) == {}


# Roles --------------------------------------------------------------------------------


def test_consultant_reads_any_agency_but_cannot_change_answers(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.consultant)
    prefix = f"/agencies/{world.agency_b.id}/assessment"
    overview = client.get(f"{prefix}/rounds/{world.round.id}/")
    assert overview.status_code == 200
    assert "can read them but not change them" in overview.text
    page = client.get(f"{prefix}/dimensions/{FIRST_DIMENSION.id}")
    assert page.status_code == 200
    assert 'id="answer-form"' not in page.text
    assert 'class="answers-readonly"' in page.text
    assert f'href="{prefix}/dimensions/{SECOND_DIMENSION.id}"' in page.text
    answers = {FIRST_POLICY: BEST[FIRST_POLICY]}
    assert post_dimension(client, FIRST_DIMENSION.id, 0, answers, prefix=prefix).status_code == 403
    body = {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY]}}}
    assert autosave(client, body, prefix=prefix).status_code == 403
    submit = client.post(f"{prefix}/submit", data={"csrf_token": csrf_token(client)})
    assert submit.status_code == 403
    assert stored_answers(session, world.draft_b.id) == {}
    assert client.get(f"{prefix}/results").status_code == 200


def test_admin_may_answer_for_an_agency(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    prefix = f"/agencies/{world.agency_b.id}/assessment"
    answers = {FIRST_POLICY: BEST[FIRST_POLICY]}
    response = post_dimension(client, FIRST_DIMENSION.id, 0, answers, prefix=prefix)
    assert response.headers["Location"] == f"{prefix}/dimensions/{FIRST_DIMENSION.id}"
    assert stored_answers(session, world.draft_b.id)[FIRST_POLICY].answered_by_id == world.admin.id


def test_leads_cannot_reach_another_agency(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.lead_a)
    prefix = f"/agencies/{world.agency_b.id}/assessment"
    assert client.get(f"{prefix}/").status_code == 404
    assert client.get(f"{prefix}/dimensions/{FIRST_DIMENSION.id}").status_code == 404
    assert client.get(f"{prefix}/results").status_code == 404
    assert client.get(f"{prefix}/submit").status_code == 404
    answers = {FIRST_POLICY: BEST[FIRST_POLICY]}
    assert post_dimension(client, FIRST_DIMENSION.id, 0, answers, prefix=prefix).status_code == 404
    body = {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY]}}}
    assert autosave(client, body, prefix=prefix).status_code == 404
    assert stored_answers(session, world.draft_b.id) == {}
    # Their own agency's long address works too.
    assert client.get(f"/agencies/{world.agency_a.id}/assessment/").status_code == 200
    assert client.get("/agencies/999999/assessment/").status_code == 404


def test_staff_have_no_short_routes_and_strangers_must_sign_in(
    client: FlaskClient, world: World
) -> None:
    response = client.get("/assessment/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, world.consultant)
    assert client.get("/assessment/").status_code == 404


# Submission, lock and results -----------------------------------------------------------


def test_submit_asks_for_confirmation_then_locks(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    answers = {FIRST_POLICY: BEST[FIRST_POLICY], SECOND_POLICY: WORST[SECOND_POLICY]}
    post_dimension(client, FIRST_DIMENSION.id, 0, answers)
    confirm = client.get("/assessment/submit")
    assert confirm.status_code == 200
    assert f"{VISIBLE_AT_START.total - 2} questions are still unanswered" in confirm.text
    assert "only an administrator can reopen it" in confirm.text
    assert 'name="revision" type="hidden" value="1"' in confirm.text
    response = client.post(
        "/assessment/submit", data={"csrf_token": csrf_token(client), "revision": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/assessment/results"
    session.expire_all()
    submitted = session.get(Assessment, world.draft_b.id)
    assert submitted is not None and submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.submitted_by_id == world.lead_b.id
    results = client.get("/assessment/results").text
    assert "submitted and locked" in results
    assert "only an administrator can reopen it" in results


def test_submit_with_a_stale_revision_is_a_conflict(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    post_dimension(client, FIRST_DIMENSION.id, 0, {FIRST_POLICY: BEST[FIRST_POLICY]})
    response = client.post(
        "/assessment/submit", data={"csrf_token": csrf_token(client), "revision": "0"}
    )
    assert response.status_code == 409
    assert "changed (by a colleague or in another tab) after you opened" in response.text
    # The page now shows the answer saved meanwhile and carries the revision to submit it.
    assert 'name="revision" type="hidden" value="1"' in response.text
    review = response.text[response.text.index(f'id="review-{FIRST_POLICY}"') :]
    assert review.index(answer_text(FIRST_POLICY, BEST[FIRST_POLICY])) < review.index("</li>")
    session.expire_all()
    draft = session.get(Assessment, world.draft_b.id)
    assert draft is not None and draft.status == AssessmentStatus.DRAFT


def answer_text(practice_id: str, option_id: str) -> str:
    """An option's label as the pages show it."""
    practice = INSTRUMENT.practice(practice_id)
    assert practice is not None
    option = practice.answer_set.option(option_id)
    assert option is not None
    return str(option.label)


def test_review_lists_every_answer_by_dimension_with_comment_and_author(
    client: FlaskClient, world: World, lead_b: User
) -> None:
    answers = {FIRST_POLICY: BEST[FIRST_POLICY], SECOND_POLICY: WORST[SECOND_POLICY]}
    post_dimension(client, FIRST_DIMENSION.id, 0, answers, {FIRST_POLICY: "Signed <2024>"})
    page = client.get("/assessment/submit").text
    assert "<h1>Review and submit the assessment</h1>" in page
    sections = re.findall(
        r'<section class="review-dimension" aria-labelledby="review-([^"]+)"', page
    )
    assert sections == [d.id for d in INSTRUMENT.dimensions]
    first = page[page.index(f'id="review-{FIRST_POLICY}"') :]
    first = first[: first.index("</li>")]
    assert answer_text(FIRST_POLICY, BEST[FIRST_POLICY]) in first
    assert "Signed &lt;2024&gt;" in first
    assert f"<dd>{world.lead_b.email}, " in first
    assert "review-item--open" not in page[: page.index(f'id="review-{FIRST_POLICY}"')][-200:]
    # An unanswered question is highlighted with a link to answer it.
    third = FIRST_DIMENSION.practices[2].id
    item = page[page.index(f'id="review-{third}"') - 60 : page.index(f'id="review-{third}"')]
    assert "review-item--open" in item
    link = (
        f'href="/assessment/dimensions/{FIRST_DIMENSION.id}#answer-{third}">Answer question 3</a>'
    )
    assert link in page
    # No earlier round: the page says so instead of inventing a change.
    assert "no earlier submitted round to compare with" in page


def test_a_submitted_assessment_is_read_only(
    client: FlaskClient, world: World, session: Session
) -> None:
    login(client, world.lead_a)
    page = client.get(f"/assessment/dimensions/{FIRST_DIMENSION.id}")
    assert page.status_code == 200
    assert 'id="answer-form"' not in page.text
    assert "only an administrator can reopen it" in page.text
    assert "answering.js" not in page.text
    answers = {FIRST_POLICY: BEST[FIRST_POLICY]}
    assert post_dimension(client, FIRST_DIMENSION.id, 1, answers).status_code == 423
    locked = autosave(client, {"answers": {FIRST_POLICY: {"choice": "fully"}}})
    assert locked.status_code == 423 and "locked" in locked.get_json()["message"]
    assert client.get("/assessment/submit").headers["Location"] == "/assessment/results"
    assert stored_answers(session, world.submitted_a.id) == {}


def test_a_closed_round_shows_the_last_assessment_read_only(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    rounds.set_round_open(session, round_id=world.round.id, is_open=False, actor=None)
    listing = client.get("/assessment/")
    assert "closed by an administrator; the answers can no longer change" in listing.text
    assert f'href="/assessment/rounds/{world.round.id}/">See the answers<' in listing.text
    overview = client.get(f"/assessment/rounds/{world.round.id}/")
    assert overview.status_code == 200
    assert "Round 2025 is closed" in overview.text
    assert 'id="continue-link"' not in overview.text
    page = client.get(f"/assessment/dimensions/{FIRST_DIMENSION.id}")
    assert 'id="answer-form"' not in page.text
    answers = {FIRST_POLICY: BEST[FIRST_POLICY]}
    assert post_dimension(client, FIRST_DIMENSION.id, 0, answers).status_code == 423
    body = {"answers": {FIRST_POLICY: {"choice": BEST[FIRST_POLICY]}}}
    assert autosave(client, body).status_code == 423
    assert stored_answers(session, world.draft_b.id) == {}


def test_results_page_shows_figures_chart_blocking_themes_and_roadmap(
    client: FlaskClient, world: World, lead_b: User, session: Session
) -> None:
    answers = {p.id: BEST[p.id] for p in FIRST_DIMENSION.practices[:4]}
    post_dimension(client, FIRST_DIMENSION.id, 0, answers)
    session.expire_all()
    score = assessment_results(session, world.draft_b).score
    page = client.get("/assessment/results")
    assert page.status_code == 200
    html = page.text
    assert "Provisional" in html
    overall = score.overall
    assert overall.score is not None
    assert f'<dd id="overall-score">{round(overall.score)}<' in html
    level_name = INSTRUMENT.level(overall.level).name
    # the overall level is the floor, said with what sets it, never bare beside the index
    floor = f"<strong>Floor: level {overall.level} · {level_name}.</strong> The lowest dimension"
    assert f'<p class="headline__level" id="overall-level">{floor}' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-radar"' in html
    assert html.count('<th scope="row"><a href="/assessment/dimensions/') == len(
        INSTRUMENT.dimensions
    )
    first = score.dimensions[FIRST_DIMENSION.id]
    assert first.score is not None
    assert f'<td class="numeric">{round(first.score)}</td>' in html
    blocking = INSTRUMENT.practice(first.blocking[0]) if first.blocking else None
    if blocking is not None:
        assert str(blocking.text).replace("'", "&#39;") in html
    for theme in INSTRUMENT.themes.values():
        assert f'<th scope="row">{theme.title}</th>' in html
    assert "Projected levels after" in html
    assert str(INSTRUMENT.phases[0].title) in html


def test_results_of_another_agency_for_staff(client: FlaskClient, world: World) -> None:
    login(client, world.admin)
    page = client.get(f"/agencies/{world.agency_a.id}/assessment/results")
    assert page.status_code == 200
    assert "Submitted and locked" in page.text
    assert "Agency A Police" in page.text

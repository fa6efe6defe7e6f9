"""An agency's answers on the web: per dimension, with what changed since the previous
round (through the crosswalk when the questionnaire changed); read-only, audited."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.formats.answer_file import load_answers_file
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.resources import questionnaires_dir
from assessment.services import assessments, rounds
from assessment.store.models import Agency, AuditEvent, Role, Round, User
from tests.crosswalk_pair import V1, V2, pair_folder
from tests.peer_data import submit
from tests.web.helpers import login

# 2026 answers to the test 2.0.0. Carried from the 2025 example (1.0.0) these practices
# read: written-policy fully, account-register largely, strategy-and-review not;
# social-listening has no equivalent in 1.0.0.
ANSWERS_2026 = {
    "policy.written-policy": Answer("policy.written-policy", "fully", comment="Signed again."),
    "policy.account-register": Answer("policy.account-register", "fully"),
    "policy.social-listening": Answer("policy.social-listening", "partial"),
}


@pytest.fixture
def catalog(tmp_path: Path) -> InstrumentCatalog:
    """1.0.0, the test 2.0.0 and the crosswalk between them."""
    return InstrumentCatalog(pair_folder(tmp_path / "catalog"))


@pytest.fixture
def pair_app(make_app: Callable[..., Flask], catalog: InstrumentCatalog) -> Flask:
    """The web app reading the pair's catalog."""
    return make_app(INSTRUMENT_DIR=str(catalog.directory))


def make_round(session: Session, name: str, ref: str, catalog: InstrumentCatalog) -> Round:
    """A round on `ref` (id@version) of the pair's catalog."""
    instrument_id, _, version = ref.partition("@")
    return rounds.create_round(
        session, name=name, instrument_id=instrument_id, instrument_version=version, catalog=catalog
    )


@pytest.fixture
def agency(
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
    catalog: InstrumentCatalog,
) -> Agency:
    """Submitted the starting example in 2025 (1.0.0) and ANSWERS_2026 in 2026 (2.0.0)."""
    agency = create_agency(name="Answers Police")
    lead = create_user(Role.LEAD, agency=agency, email="lead@answers.example.org")
    example = load_answers_file(questionnaires_dir() / "examples" / "starting-agency.json")
    submit(
        session, agency, make_round(session, "2025", V1, catalog), dict(example.answers), catalog
    )
    submit(session, agency, make_round(session, "2026", V2, catalog), ANSWERS_2026, catalog, lead)
    return agency


def round_id(session: Session, name: str) -> int:
    return session.scalars(select(Round.id).where(Round.name == name)).one()


def text_of(client: FlaskClient, path: str) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def card(page: str, question: str) -> str:
    """The text of one question's card, from its question to the next card's id line."""
    start = page.index(question)
    following = re.search(r" (policy|legal|protocols)\.[a-z-]+ · level", page[start:])
    return page[start : start + following.start()] if following else page[start:]


def test_a_consultant_reads_each_answer_and_what_changed_through_the_crosswalk(
    pair_app: Flask,
    session: Session,
    agency: Agency,
    create_user: Callable[..., User],
) -> None:
    client = pair_app.test_client()
    login(client, create_user(Role.CONSULTANT, email="c@answers.example.org"))

    page = text_of(
        client, f"/consultant/agencies/{agency.id}/rounds/{round_id(session, '2026')}/answers"
    )

    assert "Round 2025, answered to questionnaire sm-policing-maturity@1.0.0" in page
    # Policy: three of four answered; changed: written-policy (comment), account-register,
    # social-listening (new), strategy-and-review (no longer answered).
    assert "Policy 3 of 4 4 " in page
    written = card(page, "A written policy.")
    assert "Fully implemented" in written and "Signed again." in written
    assert "lead@answers.example.org" in written
    assert "Comment changed , same answer" in written or "Comment changed, same answer" in written
    assert "Social-media policy signed by the chief of police" in written  # 2025's comment
    assert "Changed : was “Largely implemented”" in card(page, "A register of accounts.")
    assert "New : no comparable answer in 2025" in card(page, "Listening rules.")
    # 2025 said "not" (through policy.review-cycle and policy.strategy); 2026 leaves it open.
    assert "No longer answered : was “Not implemented”" in card(page, "A strategy reviewed")
    assert "Not answered" in card(page, "Multi-factor sign-in on every account.")


def test_the_first_round_has_nothing_to_compare_with(
    pair_app: Flask, session: Session, agency: Agency, create_user: Callable[..., User]
) -> None:
    client = pair_app.test_client()
    login(client, create_user(Role.ADMIN, email="a@answers.example.org"))

    page = text_of(
        client, f"/consultant/agencies/{agency.id}/rounds/{round_id(session, '2025')}/answers"
    )

    assert "No earlier submitted round to compare with." in page
    assert "Since 2024" not in page and "Changed :" not in page
    assert "Register lists the department page" in page  # the evidence comment


def test_reading_the_answers_is_audited_like_the_report(
    pair_app: Flask, session: Session, agency: Agency, create_user: Callable[..., User]
) -> None:
    consultant = create_user(Role.CONSULTANT, email="c@answers.example.org")
    client = pair_app.test_client()
    login(client, consultant)
    round_2026 = round_id(session, "2026")

    client.get(f"/consultant/agencies/{agency.id}/rounds/{round_2026}/answers")

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.agency")).one()
    assert (event.actor_id, event.agency_id) == (consultant.id, agency.id)
    assert event.detail["form"] == "answers" and event.detail["round_id"] == round_2026


def test_a_draft_has_no_answers_page(
    pair_app: Flask,
    session: Session,
    catalog: InstrumentCatalog,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
) -> None:
    drafting = create_agency(name="Drafting Police")
    round_ = make_round(session, "2025", V1, catalog)
    assessments.start_assessment(session, agency_id=drafting.id, round_id=round_.id, actor=None)
    client = pair_app.test_client()
    login(client, create_user(Role.CONSULTANT, email="c@answers.example.org"))

    response = client.get(f"/consultant/agencies/{drafting.id}/rounds/{round_.id}/answers")

    assert response.status_code == 404
    assert "Drafting Police has not submitted its assessment in round 2025" in response.get_data(
        as_text=True
    )


def test_the_agency_page_links_each_submitted_round_to_its_answers(
    pair_app: Flask, session: Session, agency: Agency, create_user: Callable[..., User]
) -> None:
    client = pair_app.test_client()
    login(client, create_user(Role.CONSULTANT, email="c@answers.example.org"))

    body = client.get(f"/consultant/agencies/{agency.id}").get_data(as_text=True)

    for name in ("2025", "2026"):
        assert f"/consultant/agencies/{agency.id}/rounds/{round_id(session, name)}/answers" in body


def test_a_lead_reads_their_own_answers_from_the_results_page(
    pair_app: Flask, session: Session, agency: Agency
) -> None:
    lead = session.scalars(select(User).where(User.email == "lead@answers.example.org")).one()
    client = pair_app.test_client()
    login(client, lead)
    round_2026 = round_id(session, "2026")
    results = client.get(f"/assessment/rounds/{round_2026}/results").get_data(as_text=True)
    assert f"/reports/mine/{round_2026}/answers" in results

    page = text_of(client, f"/reports/mine/{round_2026}/answers")

    assert "Answers Police" in page and "Changed : was “Largely implemented”" in page


def test_a_consultant_can_show_only_what_changed(
    pair_app: Flask, session: Session, agency: Agency, create_user: Callable[..., User]
) -> None:
    client = pair_app.test_client()
    login(client, create_user(Role.CONSULTANT, email="c@answers.example.org"))
    path = f"/consultant/agencies/{agency.id}/rounds/{round_id(session, '2026')}/answers"

    every = text_of(client, path)
    changed = text_of(client, f"{path}?show=changed")

    assert "Accounts are verified." in every  # unanswered in both rounds
    assert "Accounts are verified." not in changed
    for question in ("A written policy.", "A register of accounts.", "Multi-factor sign-in"):
        assert question in changed
    assert "Showing only the questions that changed since 2025" in changed

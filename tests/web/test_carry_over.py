"""Start from last round's answers: the offer, the carried-over flag, confirming, submitting."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
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
from assessment.services import accounts, assessments, rounds
from assessment.store.models import Agency, Assessment, AuditEvent, Role, Round, User
from assessment.store.models import Answer as AnswerRow
from tests.crosswalk_pair import V1, V2, pair_folder
from tests.peer_data import submit
from tests.web.helpers import csrf_token, login
from tests.web.test_api import check

# The starting example carried to the test 2.0.0 (see tests/unit/test_carry.py).
CARRIED = {
    "policy.written-policy": ("fully", False),
    "policy.account-register": ("largely", False),
    "policy.strategy-and-review": ("not", False),
    "legal.data-protection": (None, True),
    "protocols.account-security": ("no", False),
}
POLICY_CARRIED = [p for p in CARRIED if p.startswith("policy.")]


@pytest.fixture
def catalog(tmp_path: Path) -> InstrumentCatalog:
    """The test pair's catalog folder."""
    return InstrumentCatalog(pair_folder(tmp_path / "catalog"))


@pytest.fixture
def pair_app(make_app: Callable[..., Flask], catalog: InstrumentCatalog) -> Flask:
    """The web app reading the pair's catalog."""
    return make_app(INSTRUMENT_DIR=str(catalog.directory))


def make_round(session: Session, name: str, ref: str, catalog: InstrumentCatalog) -> Round:
    """A round on `ref` of the pair's catalog."""
    instrument_id, _, version = ref.partition("@")
    return rounds.create_round(
        session, name=name, instrument_id=instrument_id, instrument_version=version, catalog=catalog
    )


@pytest.fixture
def agency(
    session: Session, create_agency: Callable[..., Agency], catalog: InstrumentCatalog
) -> Agency:
    """An agency that submitted the starting example in 2025 (1.0.0); 2026 (2.0.0) is open."""
    agency = create_agency(name="Carry Police")
    round_2025 = make_round(session, "2025", V1, catalog)
    answers = load_answers_file(questionnaires_dir() / "examples" / "starting-agency.json")
    submit(session, agency, round_2025, dict(answers.answers), catalog)
    rounds.set_round_open(session, round_id=round_2025.id, is_open=False, actor=None)
    make_round(session, "2026", V2, catalog)
    return agency


@pytest.fixture
def lead(create_user: Callable[..., User], agency: Agency) -> User:
    """The agency's lead."""
    return create_user(Role.LEAD, agency=agency, email="lead@carry.example.org")


@pytest.fixture
def client(pair_app: Flask, lead: User) -> Iterator[FlaskClient]:
    """The lead, signed in, with the 2026 draft started."""
    client = pair_app.test_client()
    login(client, lead)
    response = client.post("/assessment/start", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    yield client


def draft(session: Session, agency: Agency) -> Assessment:
    """The agency's 2026 draft as stored now."""
    session.expire_all()
    return session.scalars(
        select(Assessment)
        .join(Round)
        .where(Assessment.agency_id == agency.id, Round.name == "2026")
    ).one()


def rows(session: Session, assessment: Assessment) -> dict[str, AnswerRow]:
    """The draft's answer rows."""
    session.expire_all()
    found = session.scalars(select(AnswerRow).where(AnswerRow.assessment_id == assessment.id))
    return {row.practice_id: row for row in found}


def overview_page(client: FlaskClient, session: Session, round_name: str = "2026") -> str:
    """The lead's overview of the round's assessment, as text."""
    round_ = session.scalars(select(Round).where(Round.name == round_name)).one()
    return html.unescape(client.get(f"/assessment/rounds/{round_.id}/").get_data(as_text=True))


def prefill(client: FlaskClient, revision: int, *, prefix: str = "/assessment") -> int:
    """Post the overview's "fill in last round's answers" form; the status."""
    data = {"csrf_token": csrf_token(client), "revision": str(revision)}
    return client.post(f"{prefix}/prefill", data=data).status_code


def test_the_overview_offers_last_rounds_answers(client: FlaskClient, session: Session) -> None:
    page = overview_page(client, session)

    assert "Start from last round's answers" in page
    assert "5 questions not yet answered here can be filled in" in page
    assert "round 2025 (75% of this questionnaire had an equivalent)" in page
    assert 'id="prefill-button"' in page


def test_prefilling_stores_flagged_answers_and_is_audited(
    client: FlaskClient, session: Session, agency: Agency, lead: User
) -> None:
    assessment = draft(session, agency)
    revision = assessment.revision

    assert prefill(client, revision) == 302

    stored = rows(session, assessment)
    assert {pid: (r.option_id, r.not_applicable) for pid, r in stored.items()} == CARRIED
    assert all(row.carried_over for row in stored.values())
    assert stored["policy.strategy-and-review"].comment == "The policy has no review date."
    assert draft(session, agency).revision == revision + 1
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.prefilled")
    ).one()
    assert event.actor_id == lead.id and event.assessment_id == assessment.id
    assert event.detail["from_round"] == "2025"
    assert event.detail["carried_over"] == sorted(CARRIED)
    assert event.detail["equivalent_share"] == 0.75
    overview = overview_page(client, session)
    assert "5 carried-over answers are not confirmed" in overview
    assert "Start from last round's answers" not in overview  # nothing left to fill in


def test_answers_already_given_are_kept(
    client: FlaskClient, session: Session, agency: Agency, catalog: InstrumentCatalog
) -> None:
    assessment = draft(session, agency)
    revision = assessment.revision
    assessments.save_answers(
        session,
        assessment_id=assessment.id,
        answers={"policy.written-policy": Answer("policy.written-policy", "not")},
        actor=None,
        catalog=catalog,
    )

    assert prefill(client, revision + 1) == 302

    stored = rows(session, assessment)
    assert stored["policy.written-policy"].option_id == "not"
    assert not stored["policy.written-policy"].carried_over
    assert stored["policy.account-register"].carried_over


def test_a_stale_revision_changes_nothing(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    assessment = draft(session, agency)

    assert prefill(client, assessment.revision + 5) == 302
    assert rows(session, assessment) == {}
    assert "changed elsewhere" in overview_page(client, session)


def test_without_the_csrf_token_it_is_refused(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    response = client.post("/assessment/prefill", data={"revision": "0"})

    assert response.status_code == 400
    assert rows(session, draft(session, agency)) == {}


def test_only_the_agencys_lead_may_prefill(
    pair_app: Flask,
    client: FlaskClient,
    session: Session,
    agency: Agency,
    create_user: Callable[..., User],
    create_agency: Callable[..., Agency],
) -> None:
    revision = draft(session, agency).revision
    for role, status in ((Role.ADMIN, 403), (Role.CONSULTANT, 403)):
        other = pair_app.test_client()
        login(other, create_user(role, email=f"{role.value}@carry.example.org"))
        assert prefill(other, revision, prefix=f"/agencies/{agency.id}/assessment") == status
    stranger = pair_app.test_client()
    login(stranger, create_user(Role.LEAD, agency=create_agency(name="Other Police")))
    assert prefill(stranger, revision, prefix=f"/agencies/{agency.id}/assessment") == 404
    assert rows(session, draft(session, agency)) == {}


def test_carried_answers_are_flagged_until_the_page_is_saved(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    assessment = draft(session, agency)
    revision = assessment.revision
    prefill(client, revision)
    page = client.get("/assessment/dimensions/policy").get_data(as_text=True)
    assert page.count("Carried over, please confirm") == 3
    assert "3 answers on this page were carried over" in page

    data = {"csrf_token": csrf_token(client)}
    data |= {f"based-{pid}": "1" for pid in POLICY_CARRIED}  # as carried over
    data |= {f"answer-{pid}": CARRIED[pid][0] or "" for pid in POLICY_CARRIED}
    data |= {"comment-policy.strategy-and-review": "The policy has no review date."}
    data |= {
        "comment-policy.written-policy": rows(session, assessment)["policy.written-policy"].comment,
        "comment-policy.account-register": rows(session, assessment)[
            "policy.account-register"
        ].comment,
        "action": "save",
    }
    assert client.post("/assessment/dimensions/policy", data=data).status_code == 302

    stored = rows(session, assessment)
    assert not any(stored[pid].carried_over for pid in POLICY_CARRIED)
    assert stored["legal.data-protection"].carried_over
    assert stored["protocols.account-security"].carried_over
    page = client.get("/assessment/dimensions/policy").get_data(as_text=True)
    assert "Carried over, please confirm" not in page


def test_a_background_save_confirms_only_what_it_saves(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    assessment = draft(session, agency)
    revision = assessment.revision
    prefill(client, revision)
    body = {
        "answers": {"protocols.account-security": {"choice": "yes", "comment": "", "revision": 1}},
    }
    response = client.post(
        "/assessment/answers", json=body, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert response.status_code == 200

    stored = rows(session, assessment)
    assert stored["protocols.account-security"].option_id == "yes"
    assert not stored["protocols.account-security"].carried_over
    assert sum(row.carried_over for row in stored.values()) == 4


def test_the_submit_page_lists_unconfirmed_answers_and_the_audit_records_them(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    assessment = draft(session, agency)
    revision = assessment.revision
    prefill(client, revision)

    page = html.unescape(client.get("/assessment/submit").get_data(as_text=True))
    assert "5 carried-over answers are not confirmed" in page
    assert "recorded as never confirmed" in page
    assert "Legal framework, question 1" in page
    data = {"csrf_token": csrf_token(client), "revision": str(revision + 1)}
    assert client.post("/assessment/submit", data=data).status_code == 302

    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.submitted")
    ).all()[-1]
    assert event.detail["unconfirmed_carried_over"] == sorted(CARRIED)


def test_the_review_flags_carried_answers_and_shows_the_change_since_last_round(
    client: FlaskClient, session: Session, agency: Agency, catalog: InstrumentCatalog
) -> None:
    assessment = draft(session, agency)
    prefill(client, assessment.revision)
    page = html.unescape(client.get("/assessment/submit").get_data(as_text=True))
    assert "beside round 2025, scored on that round's answers carried" in page
    # Every carried answer not yet confirmed is highlighted with a link to confirm it.
    assert page.count('class="review-item review-item--carried"') == len(CARRIED)
    assert (
        'href="/assessment/dimensions/policy#answer-policy.written-policy">'
        "Confirm or change question 1</a>"
    ) in page
    # Carried unchanged, every dimension scores as in round 2025: no change, stated.
    instrument = catalog.get(V2)
    figures = re.findall(
        r"Score now <strong>(\d+|not scored)</strong>; round 2025: (\d+|not scored)", page
    )
    assert len(figures) == len(instrument.dimensions)
    assert all(now == before for now, before in figures), figures
    assert '(<span class="review-change">no change</span>)' in page
    # Changing an answer moves the change of its dimension away from zero.
    data = {"csrf_token": csrf_token(client), "based-policy.written-policy": "1"}
    data |= {"answer-policy.written-policy": "not", "action": "save"}
    data |= {f"answer-{pid}": CARRIED[pid][0] or "" for pid in POLICY_CARRIED[1:]}
    data |= {f"based-{pid}": "1" for pid in POLICY_CARRIED[1:]}
    assert client.post("/assessment/dimensions/policy", data=data).status_code == 302
    page = html.unescape(client.get("/assessment/submit").get_data(as_text=True))
    policy = page[page.index('id="review-policy"') :]
    assert re.search(r"round 2025: \d+ \(<span class=\"review-change\">-\d+</span>\)", policy)


def test_the_same_version_is_copied_as_it_was(
    pair_app: Flask,
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
    catalog: InstrumentCatalog,
) -> None:
    agency = create_agency(name="Same Version Police")
    first = make_round(session, "2031", V1, catalog)
    answers = load_answers_file(questionnaires_dir() / "examples" / "mid-level-agency.json")
    submit(session, agency, first, dict(answers.answers), catalog)
    rounds.set_round_open(session, round_id=first.id, is_open=False, actor=None)
    make_round(session, "2032", V1, catalog)
    client = pair_app.test_client()
    login(client, create_user(Role.LEAD, agency=agency))
    client.post("/assessment/start", data={"csrf_token": csrf_token(client)})
    started = session.scalars(
        select(Assessment)
        .join(Round)
        .where(Assessment.agency_id == agency.id, Round.name == "2032")
    ).one()

    overview = overview_page(client, session, "2032")
    assert "from round 2031 (the same questionnaire version)" in overview
    assert prefill(client, started.revision) == 302

    stored = rows(session, started)
    expected = {pid: a for pid, a in answers.answers.items() if a.is_answered}
    assert set(stored) == set(expected)
    assert all(stored[pid].option_id == a.option_id for pid, a in expected.items())
    assert all(row.carried_over for row in stored.values())


def test_staff_pages_and_the_api_mark_figures_on_carried_answers(
    pair_app: Flask,
    session: Session,
    agency: Agency,
    create_user: Callable[..., User],
    catalog: InstrumentCatalog,
) -> None:
    round_2026 = session.scalars(select(Round).where(Round.name == "2026")).one()
    full = {
        "policy.written-policy": "fully",
        "policy.account-register": "fully",
        "policy.strategy-and-review": "fully",
        "policy.social-listening": "fully",
        "legal.data-protection": "fully",
        "legal.covert-authorisation": "all",
        "protocols.account-security": "yes",
        "protocols.verification": "yes",
    }
    submit(session, agency, round_2026, {p: Answer(p, o) for p, o in full.items()}, catalog)
    consultant = create_user(Role.CONSULTANT, email="consultant@carry.example.org")
    client = pair_app.test_client()
    login(client, consultant)
    note = "computed on answers carried over from an earlier questionnaire version; 75% of"

    page = html.unescape(client.get(f"/consultant/agencies/{agency.id}").get_data(as_text=True))
    assert note in page
    assert ">2025*</text>" in page  # the trend chart's axis
    listing = html.unescape(client.get("/consultant/agencies").get_data(as_text=True))
    assert note in listing
    token = accounts.create_api_token(session, user=consultant, name="test")
    headers = {"Authorization": f"Bearer {token}"}
    path = client.get(f"/api/v1/agencies/{agency.id}/trajectory", headers=headers)
    check(path, "/api/v1/agencies/{agency_id}/trajectory")
    before, latest = path.get_json()["rounds"]
    assert before["carried_share"] == 0.75 and latest["compared_carried_share"] == 0.75
    assert latest["overall"]["score_change"] == round(100 - (175 / 3) / 2, 1)
    overview = client.get(f"/api/v1/agencies/{agency.id}", headers=headers)
    check(overview, "/api/v1/agencies/{agency_id}")
    assert overview.get_json()["change_carried_share"] == 0.75
    history = client.get("/api/v1/benchmarks/history", headers=headers)
    check(history, "/api/v1/benchmarks/history")
    shares = {r["round"]["name"]: r["carried_share"] for r in history.get_json()["rounds"]}
    assert shares == {"2025": 0.75, "2026": None}  # one agency: figures withheld, still marked

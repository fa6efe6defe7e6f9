"""The profile page of the answering flow, on the format-2 test instrument: asked first,
saved with the edit rules of answers, and a change says which answers stop applying."""

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
from assessment.domain.rules.scoring import score_assessment
from assessment.presentation.labels import points
from assessment.queries.answers import stored_answers
from assessment.queries.results import stored_figures
from assessment.services import accounts, rounds
from assessment.store.models import Agency, Assessment, AuditEvent, Role, User
from tests.format2_world import FMT2, FOLDER, format2_catalog
from tests.web.conftest import World
from tests.web.helpers import csrf_token, login
from tests.web.test_api import call, check

EU_LOCAL = load_answers_file(FOLDER / "eu-local.json")
EU_DPIA_TEXT = "An impact assessment precedes any monitoring tool."
VOLUNTEERS_TEXT = "Trained volunteers help moderate local groups."


@pytest.fixture
def catalog(tmp_path: Path) -> InstrumentCatalog:
    return format2_catalog(tmp_path / "catalog")


@pytest.fixture
def fmt2_app(make_app: Callable[..., Flask], catalog: InstrumentCatalog) -> Flask:
    return make_app(INSTRUMENT_DIR=str(catalog.directory))


@pytest.fixture
def agency(
    session: Session, create_agency: Callable[..., Agency], catalog: InstrumentCatalog
) -> Agency:
    """A local agency with the 2026 round open on the format-2 test instrument, in a
    country (Switzerland) that does not settle its legal regime."""
    agency = create_agency(name="Profile Police", agency_type="local", country="CH")
    instrument_id, _, version = FMT2.partition("@")
    rounds.create_round(
        session,
        name="2026",
        instrument_id=instrument_id,
        instrument_version=version,
        catalog=catalog,
    )
    return agency


@pytest.fixture
def lead(create_user: Callable[..., User], agency: Agency) -> User:
    return create_user(Role.LEAD, agency=agency, email="lead@profile.example.org")


@pytest.fixture
def client(fmt2_app: Flask, lead: User) -> Iterator[FlaskClient]:
    """The lead, signed in, with the 2026 draft started."""
    client = fmt2_app.test_client()
    login(client, lead)
    response = client.post("/assessment/start", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    yield client


def draft(session: Session, agency: Agency) -> Assessment:
    session.expire_all()
    return session.scalars(select(Assessment).where(Assessment.agency_id == agency.id)).one()


def overview(client: FlaskClient, session: Session, agency: Agency) -> str:
    """The 2026 round's overview."""
    return text(client.get(f"/assessment/rounds/{draft(session, agency).round_id}/"))


def text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def post_profile(
    client: FlaskClient, revision: int, prefix: str = "/assessment", **answers: str
) -> object:
    data = {"csrf_token": csrf_token(client), "revision": str(revision), "action": "save"}
    data |= {f"profile-{question}": value for question, value in answers.items()}
    return client.post(f"{prefix}/profile", data=data)


def post_dimension(client: FlaskClient, dimension_id: str) -> int:
    """Save the eu-local example's answers of one dimension; the status."""
    data = {"csrf_token": csrf_token(client), "action": "save"}
    page = client.get(f"/assessment/dimensions/{dimension_id}").get_data(as_text=True)
    # Each question's save names the answer's revision the page showed.
    for name, value in re.findall(r'name="(based-[^"]+)" type="hidden" value="(\d+)"', page):
        data[name] = value
    for practice_id, answer in EU_LOCAL.answers.items():
        if practice_id.startswith(dimension_id + "."):
            data[f"answer-{practice_id}"] = answer.option_id or ""
    return client.post(f"/assessment/dimensions/{dimension_id}", data=data).status_code


def test_an_agency_in_an_eu_member_state_starts_with_the_eu_regime(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    agency.country = "BE"
    session.commit()

    page = overview(client, session, agency)

    assert "<dt>Legal regime</dt><dd>EU member state</dd>" in page
    assert "Still to answer (required): Legal regime." not in page
    # Taken from the record, not stored: the lead may still choose another regime.
    assert "jurisdiction" not in draft(session, agency).profile


def test_the_overview_asks_for_the_profile_first(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    page = overview(client, session, agency)

    assert 'id="profile-summary"' in page
    assert page.index('id="profile-summary"') < page.index("Progress by dimension")
    assert "Still to answer (required): Legal regime." in page
    # The continue button leads to the profile while a required answer is missing.
    assert 'id="continue-link" href="/assessment/rounds/' in page
    assert f'{draft(session, agency).round_id}/profile">Start with' in page
    # The agency's record answered the type of agency.
    assert "<dt>Type of agency</dt><dd>Local</dd>" in page
    assert draft(session, agency).profile == {"agency_type": "local"}
    submit_page = text(client.get("/assessment/submit"))
    assert "The profile is not complete" in submit_page
    assert "Still to answer (required): Legal regime." in submit_page


def test_a_lead_answers_the_profile_then_a_change_lists_what_no_longer_applies(
    client: FlaskClient, session: Session, agency: Agency, lead: User
) -> None:
    page = text(client.get("/assessment/profile"))
    assert "Legal regime (required)" in page
    assert '<input checked id="profile-agency_type-1"' in page  # from the agency record

    saved = post_profile(
        client, draft(session, agency).revision, jurisdiction="eu", agency_type="local"
    )
    assert saved.status_code == 302  # type: ignore[attr-defined]
    assert draft(session, agency).profile == {"jurisdiction": "eu", "agency_type": "local"}
    page = overview(client, session, agency)
    assert "Still to answer" not in page
    assert 'id="continue-link" href="/assessment/rounds/' in page
    assert "/dimensions/legal#answer-legal.covert-screen" in page

    assert post_dimension(client, "legal") == 302
    assert post_dimension(client, "staffing") == 302
    assert set(
        stored_answers(session, [draft(session, agency).id])[draft(session, agency).id]
    ) == set(EU_LOCAL.answers)
    legal_page = text(client.get("/assessment/dimensions/legal"))
    assert EU_DPIA_TEXT in legal_page
    assert "Asked because the profile's Legal regime is EU member state." in legal_page

    changed = post_profile(
        client, draft(session, agency).revision, jurisdiction="uk", agency_type="national"
    )
    assert changed.headers["Location"] == "/assessment/profile"  # type: ignore[attr-defined]
    page = text(client.get("/assessment/profile"))
    assert "With the new profile these answers no longer apply" in page
    assert f'"{EU_DPIA_TEXT}"; "{VOLUNTEERS_TEXT}"' in page
    assert "legal.eu-dpia" not in page and "staffing.volunteers" not in page
    # Nothing was deleted; the hidden questions are no longer counted.
    assessment = draft(session, agency)
    assert set(stored_answers(session, [assessment.id])[assessment.id]) == set(EU_LOCAL.answers)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.profile_saved")
    ).all()[-1]
    assert event.actor_id == lead.id
    assert event.detail["no_longer_applicable"] == ["legal.eu-dpia", "staffing.volunteers"]


def test_profile_errors_name_the_field(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    response = post_profile(client, draft(session, agency).revision, jurisdiction="mars")

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Legal regime: the answer sent is not one of the options" in text(response)
    assert draft(session, agency).profile == {"agency_type": "local"}


def test_a_stale_tab_is_refused(client: FlaskClient, session: Session, agency: Agency) -> None:
    stale = draft(session, agency).revision
    assert post_profile(client, stale, jurisdiction="eu").status_code == 302  # type: ignore[attr-defined]

    refused = post_profile(client, stale, jurisdiction="uk")

    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "changed elsewhere" in text(refused)
    assert draft(session, agency).profile == {"jurisdiction": "eu"}


def test_without_the_csrf_token_nothing_is_saved(
    client: FlaskClient, session: Session, agency: Agency
) -> None:
    revision = draft(session, agency).revision
    response = client.post(
        "/assessment/profile", data={"revision": str(revision), "profile-jurisdiction": "eu"}
    )

    assert response.status_code in (400, 422)
    assert draft(session, agency).profile == {"agency_type": "local"}


def test_results_after_submission_are_scored_with_the_profile_everywhere(
    client: FlaskClient,
    session: Session,
    agency: Agency,
    catalog: InstrumentCatalog,
    create_user: Callable[..., User],
    fmt2_app: Flask,
) -> None:
    post_profile(client, draft(session, agency).revision, jurisdiction="eu", agency_type="local")
    post_dimension(client, "legal")
    post_dimension(client, "staffing")
    assessment = draft(session, agency)
    submitted = client.post(
        "/assessment/submit",
        data={"csrf_token": csrf_token(client), "revision": str(assessment.revision)},
    )
    assert submitted.status_code == 302

    instrument = catalog.get(FMT2)
    expected = score_assessment(
        instrument, EU_LOCAL.answers, {"jurisdiction": "eu", "agency_type": "local"}
    )
    stored = stored_figures(session, assessment.id)
    assert stored["overall", "overall"].score == pytest.approx(expected.overall.score)
    for key, figures in expected.dimensions.items():
        assert (stored["dimension", key].score, stored["dimension", key].level) == (
            pytest.approx(figures.score),
            figures.level,
        )
    # Capped at level 1: the EU impact assessment applies under this profile and is not met.
    assert stored["dimension", "legal"].level == 1

    consultant = create_user(Role.CONSULTANT, email="consultant@profile.example.org")
    staff = fmt2_app.test_client()
    login(staff, consultant)
    page = text(staff.get(f"/agencies/{agency.id}/assessment/results"))
    # The page shows whole points, halves up (62.5 -> 63), and the stored level.
    assert f'id="overall-score">{points(expected.overall.score)}<' in page
    assert f'id="overall-level"><strong>Floor: level {expected.overall.level} · Initial.' in page
    # The EU impact assessment applies under this profile, so it caps legal framework.
    assert f"capped by open baseline obligations: “{EU_DPIA_TEXT[:-1]}”" in page
    profile_page = text(staff.get(f"/agencies/{agency.id}/assessment/profile"))
    assert "<dt>Legal regime</dt><dd>EU member state</dd>" in profile_page
    assert 'id="profile-form"' not in profile_page

    token = accounts.create_api_token(session, user=consultant, name="test")
    response = call(staff, f"/api/v1/agencies/{agency.id}/results", token)
    assert response.status_code == 200
    check(response, "/api/v1/agencies/{agency_id}/results")
    body = response.get_json()
    assert body["profile"] == {"jurisdiction": "eu", "agency_type": "local"}
    assert body["overall"]["score"] == pytest.approx(expected.overall.score)
    assert {d["key"]: d["level"] for d in body["dimensions"]} == {
        key: figures.level for key, figures in expected.dimensions.items()
    }


# The bundled questionnaire: country, choices, a whole number and a list of platforms.


@pytest.fixture
def lead_b(bundled_client: FlaskClient, world: World) -> User:
    """Agency B's lead (Belgium, regional, 100-999), signed in on the bundled questionnaire."""
    login(bundled_client, world.lead_b)
    return world.lead_b


@pytest.fixture
def bundled_client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_bundled_questionnaire_profile_is_prefilled_and_saved_with_every_kind(
    bundled_client: FlaskClient, session: Session, world: World, lead_b: User
) -> None:
    # The record's workforce band (total staff) is no answer to 1.0.0's sworn-officer bands.
    assert world.draft_b.profile == {"country": "BE", "agency_type": "regional"}
    page = text(bundled_client.get("/assessment/profile"))
    assert 'id="profile-country"' in page and 'value="BE"' in page
    assert 'type="checkbox"' in page and 'value="tiktok"' in page

    data = {
        "csrf_token": csrf_token(bundled_client),
        "revision": str(world.draft_b.revision),
        "profile-country": " nl ",
        "profile-agency_type": "regional",
        "profile-size_band": "100-999",
        "profile-population_served": "many",
        "profile-platforms": ["facebook", "tiktok"],
    }
    refused = bundled_client.post("/assessment/profile", data=data)
    assert refused.status_code == 422
    assert "Population served: enter a whole number, such as 2500." in text(refused)

    data["profile-population_served"] = "250000"
    assert bundled_client.post("/assessment/profile", data=data).status_code == 302
    session.expire_all()
    assert session.get(Assessment, world.draft_b.id).profile == {  # type: ignore[union-attr]
        "country": "NL",
        "agency_type": "regional",
        "size_band": "100-999",
        "population_served": 250000,
        "platforms": ["facebook", "tiktok"],
    }
    overview = text(bundled_client.get(f"/assessment/rounds/{world.round.id}/"))
    assert "<dt>Country</dt><dd>Netherlands</dd>" in overview
    assert (
        "<dt>Platforms with an official agency presence</dt><dd>Facebook, TikTok</dd>" in overview
    )
    assert "Still to answer" not in overview

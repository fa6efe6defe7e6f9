"""A format-2 instrument on the pages: the baseline panel first, a headline that says what
sets the level, caps beside capped levels, and option definitions beside the options."""

from __future__ import annotations

import html
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.services import export, rounds
from assessment.services.assessments import start_assessment
from assessment.store.models import Agency, Role, Round, User
from tests.peer_data import submit
from tests.web.helpers import download, login
from tests.web.test_api import check

FORMAT2 = Path(__file__).parents[1] / "data" / "format2" / "fmt2-mini-2.0.0.yaml"
ANSWERS = {
    "legal.covert-screen": "no",
    "legal.lawful-basis": "not-met",
    "legal.review": "fully",
    "legal.ethics-panel": "fully",
    "staffing.owner": "fully",
    "staffing.desk-24-7": "not",
    "staffing.control-room": "fully",
    "staffing.volunteers": "partial",
}


@pytest.fixture
def catalog(tmp_path: Path) -> InstrumentCatalog:
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copy(FORMAT2, folder)
    return InstrumentCatalog(folder)


@pytest.fixture
def client(
    make_app: Callable[..., Flask],
    catalog: InstrumentCatalog,
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
) -> FlaskClient:
    """The lead of an agency that submitted the format-2 test instrument."""
    app = make_app(INSTRUMENT_DIR=str(catalog.directory))
    round_ = rounds.create_round(
        session, name="2027", instrument_id="fmt2-mini", instrument_version="2.0.0", catalog=catalog
    )
    agency = create_agency(name="Format Two Police", country="CH")  # regime left unanswered
    answers = {pid: Answer(pid, option) for pid, option in ANSWERS.items()}
    submit(session, agency, round_, answers, catalog)
    client = app.test_client()
    login(client, create_user(Role.LEAD, agency=agency))
    return client


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(words).split())


def test_results_lead_with_the_baseline_then_a_headline_that_says_what_sets_the_level(
    client: FlaskClient,
) -> None:
    text = page(client, "/assessment/results")

    baseline = text.index("Baseline: legal and safety obligations")
    assert baseline < text.index("Maturity index")
    assert "Not met means a legal or safety obligation is open." in text
    assert "Not met: the obligation is open Each kind of online research has a recorded" in text
    assert "An open obligation caps its dimension at level 1" in text
    assert "Floor: level 1 · " in text and "is set by Legal framework" in text
    assert "capped at level 1 by 1 open baseline obligation" in text
    assert "legal.lawful-basis" not in text  # question texts, never ids


def test_a_submitted_answer_shows_what_the_chosen_option_means(client: FlaskClient) -> None:
    text = page(client, "/assessment/dimensions/legal")

    assert "Not met The obligation is not met, or cannot be shown to be." in text
    assert "Fully Complete and checked by evidence." in text


def test_the_questionnaire_defines_each_option_beside_it(
    client: FlaskClient,
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
) -> None:
    agency = create_agency(name="Draft Police")
    lead = create_user(Role.LEAD, agency=agency)
    round_ = session.scalars(select(Round).where(Round.name == "2027")).one()
    start_assessment(session, agency_id=agency.id, round_id=round_.id, actor=lead)
    drafting = client.application.test_client()
    login(drafting, lead)

    response = drafting.get("/assessment/dimensions/legal")
    markup = response.get_data(as_text=True)
    text = page(drafting, "/assessment/dimensions/legal")

    assert 'type="radio"' in markup
    for definition in (
        "Met and shown by a record.",
        "The obligation is not met, or cannot be shown to be.",
        "Complete in substance; improvements remain.",
    ):
        assert definition in text
    assert re.search(r'aria-describedby="[^"]*-definition"', markup)


def test_screening_and_baseline_questions_say_they_are_off_the_level_ladder(
    client: FlaskClient,
) -> None:
    text = page(client, "/assessment/dimensions/legal")

    assert "Question 1 · Screening question · not scored" in text
    assert "Question 2 · Legal or safety duty · met or not met" in text
    assert "Question 6 · Level 3 · Defined" in text
    assert "Level 1 · Initial" not in text


def test_the_report_opens_with_the_baseline_and_defines_the_options(
    client: FlaskClient, session: Session
) -> None:
    round_ = session.scalars(select(Round).where(Round.name == "2027")).one()
    response = download(client, f"/reports/mine/{round_.id}.pdf")
    assert response.status_code == 200
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages]
    text = " ".join(" ".join(pages).split())

    body = text.split("Executive summary")  # contents, then the chapter
    assert "0 of 1 obligations met, 1 open" in pages[0]  # on the cover
    assert "Not met: the obligation is open" in "".join(body[:-2])  # before the summary
    assert "Floor: level 1 · Initial" in text
    assert "Capped at level 1 by 1 open baseline obligation" in text
    assert "Answer options." in text and "Met and shown by a record." in text
    assert re.findall(r"\b(?:legal|staffing)\.[a-z0-9-]+\b", text) == []


def test_the_api_gives_the_baseline_and_the_headline(client: FlaskClient, session: Session) -> None:
    agency = session.scalars(select(Agency).where(Agency.name == "Format Two Police")).one()
    path = f"/api/v1/agencies/{agency.id}/results"

    response = client.get(path)

    assert response.status_code == 200
    check(response, "/api/v1/agencies/{agency_id}/results")
    body = response.get_json()
    assert body["baseline"]["open"] == ["legal.lawful-basis"]
    assert body["baseline"]["cap"] == 1
    assert body["headline"]["floor"] == {
        "level": 1,
        "set_by": ["legal"],
        "blocked_by": [],
        "capped_by": ["legal.lawful-basis"],
    }


def test_the_round_export_counts_obligations_met_and_open(
    client: FlaskClient, session: Session, catalog: InstrumentCatalog
) -> None:
    round_ = session.scalars(select(Round).where(Round.name == "2027")).one()

    table = export.round_export(session, round_.id, catalog)

    assert {"baseline_met", "baseline_open"} <= set(table.columns)
    assert table.columns[-1] == "scoring"
    (row,) = [row for row in table.rows if row["agency"] == "Format Two Police"]
    assert (row["baseline_met"], row["baseline_open"]) == (0, 1)

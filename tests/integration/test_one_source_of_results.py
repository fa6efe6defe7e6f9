"""One source of results: page, PDF view-model, API and export give the stored figures.

Walks every assessment of a demo population (15 agencies, three rounds: the PDF view-model
costs about half a second an assessment) on each backend, then changes the scoring
of the instrument (one practice's weight) and checks that every consumer flags the stored
figures as stale until the round is rescored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.rules.scoring import scoring_key
from assessment.queries.instruments import default_catalog, instrument_of
from assessment.queries.results import assessment_results, stored_figures
from assessment.reporting.agency import build_agency_report
from assessment.resources import questionnaires_dir
from assessment.services import assessments, demo_data, export, rounds
from assessment.store.db import Database
from assessment.store.models import Assessment, AssessmentStatus, Role, Round, User
from assessment.web import create_app
from assessment.web.database import close_database
from tests.conftest import (
    BACKENDS,
    migrated_database,
)
from tests.web.conftest import web_config
from tests.web.helpers import login

K = 5
AGENCIES = 15
OVERALL_SCORE = re.compile(r'<dd id="overall-score">(n/a|\d+)')
OVERALL_LEVEL = re.compile(r'id="overall-level"><strong>Floor: level (\d+) ·')


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database holding a small demo population."""
    with migrated_database(request.param, tmp_path_factory.mktemp("demo")) as database:
        with database.session() as session:
            # Every round on 1.0.0, whose overall level every consumer shows.
            demo_data.load_demo_data(
                session, agencies=AGENCIES, questionnaire="sm-policing-maturity@1.0.0"
            )
        database.dispose()
        yield database.url


@pytest.fixture
def make_app(demo_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps on the demo database, their engines closed after the test."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        made.append(create_app(web_config(demo_url) | overrides))
        return made[-1]

    yield make
    for application in made:
        close_database(application)


@pytest.fixture
def database(demo_url: str) -> Iterator[Database]:
    """The demo database, opened for one test."""
    opened = Database(demo_url)
    yield opened
    opened.dispose()


def admin_client(app: Flask, session: Session) -> FlaskClient:
    """A client signed in as the demo administrator."""
    client = app.test_client()
    admin = session.scalar(select(User).where(User.role == Role.ADMIN))
    assert admin is not None
    login(client, admin)
    return client


def submitted(session: Session) -> list[Assessment]:
    """Every submitted assessment, in id order."""
    query = select(Assessment).where(Assessment.status == AssessmentStatus.SUBMITTED)
    return list(session.scalars(query.order_by(Assessment.id)))


def rounded(value: float | None, digits: int) -> float | None:
    """The value as a consumer shows it."""
    return None if value is None else round(value, digits)


def test_every_consumer_shows_the_stored_figures(
    database: Database, make_app: Callable[..., Flask]
) -> None:
    app = make_app()
    with database.session() as session:
        client = admin_client(app, session)
        done = submitted(session)
        assert len(done) >= 2 * AGENCIES
        exports = {}
        for round_ in session.scalars(select(Round)):
            table = export.round_export(session, round_.id)
            exports[round_.name] = {row["agency"]: row for row in table.rows}
        for assessment in done:
            stored = stored_figures(session, assessment.id)
            overall = stored[("overall", "overall")]
            results = assessment_results(session, assessment)
            assert not results.stale and not results.provisional
            assert results.score.overall.score == overall.score
            assert results.score.overall.level == overall.level
            for key, figures in results.score.dimensions.items():
                assert (figures.score, figures.level) == (
                    stored[("dimension", key)].score,
                    stored[("dimension", key)].level,
                )

            report = build_agency_report(session, assessment.agency_id, assessment.round_id, K)
            assert report.figures_note is None
            assert report.summary.overall_score == overall.score
            assert report.summary.overall_level.number == overall.level
            for section in report.dimensions:
                assert section.score == stored[("dimension", section.dimension_id)].score
                assert section.level.number == stored[("dimension", section.dimension_id)].level

            api = client.get(
                f"/api/v1/agencies/{assessment.agency_id}/results?round={assessment.round_id}"
            ).get_json()
            assert api["stale"] is False
            assert api["overall"]["score"] == rounded(overall.score, 1)
            assert api["overall"]["level"] == overall.level
            for figure in api["dimensions"]:
                assert figure["score"] == rounded(stored[("dimension", figure["key"])].score, 1)

            row = exports[assessment.round.name][assessment.agency.name]
            assert row["scoring"] == "current"
            assert row["overall_score"] == rounded(overall.score, export.SCORE_DECIMALS)
            assert row["overall_level"] == overall.level

        open_round = next(iter(rounds.open_rounds(session)), None)
        assert open_round is not None
        for assessment in done:
            if assessment.round_id != open_round.id:
                continue
            page = client.get(f"/agencies/{assessment.agency_id}/assessment/results").text
            overall = stored_figures(session, assessment.id)[("overall", "overall")]
            assert OVERALL_SCORE.search(page)[1] == (  # type: ignore[index]
                "n/a" if overall.score is None else str(round(overall.score))
            )
            assert OVERALL_LEVEL.search(page)[1] == str(overall.level)  # type: ignore[index]
            assert 'id="stale-results"' not in page


def reweighted_catalog(folder: Path) -> tuple[InstrumentCatalog, str]:
    """A copy of the bundled instrument with one practice weighted differently."""
    bundled = questionnaires_dir() / "sm-policing-maturity-1.0.0.yaml"
    copy = folder / bundled.name
    practice = "policy.written-policy"
    heading = f"      - id: {practice}\n        level: 2\n"
    text = bundled.read_text(encoding="utf-8")
    assert text.count(heading) == 1
    copy.write_text(text.replace(heading, heading + "        weight: 9\n"), encoding="utf-8")
    return InstrumentCatalog(folder), practice


def test_a_changed_scoring_is_flagged_stale_until_the_round_is_rescored(
    database: Database, tmp_path: Path, make_app: Callable[..., Flask]
) -> None:
    catalog, practice = reweighted_catalog(tmp_path)
    app = make_app(INSTRUMENT_DIR=str(tmp_path))
    with database.session() as session:
        client = admin_client(app, session)
        open_round = next(iter(rounds.open_rounds(session)), None)
        assert open_round is not None
        assessment = next(a for a in submitted(session) if a.round_id == open_round.id)
        instrument = instrument_of(assessment, catalog)
        assert instrument.practice(practice).weight == 9  # type: ignore[union-attr]
        assert assessment.scored_with == scoring_key(instrument_of(assessment, default_catalog()))
        assert assessment.scored_with != scoring_key(instrument)
        before = stored_figures(session, assessment.id)

        results = assessment_results(session, assessment, catalog)
        assert results.stale and results.status_note is not None
        assert results.score.overall.score == before[("overall", "overall")].score
        report = build_agency_report(
            session, assessment.agency_id, assessment.round_id, K, catalog=catalog
        )
        assert report.figures_note == results.status_note
        page = client.get(f"/agencies/{assessment.agency_id}/assessment/results").text
        assert 'id="stale-results"' in page
        api = f"/api/v1/agencies/{assessment.agency_id}/results?round={open_round.id}"
        assert client.get(api).get_json()["stale"] is True
        exported = export.round_export(session, open_round.id, catalog)
        assert {row["scoring"] for row in exported.rows} == {"stale", None}

        admin = session.scalar(select(User).where(User.role == Role.ADMIN))
        assessments.rescore_round(session, round_id=open_round.id, actor=admin, catalog=catalog)
        session.expire_all()

        results = assessment_results(session, assessment, catalog)
        assert not results.stale and results.status_note is None
        assert assessment.scored_with == scoring_key(instrument)
        after = stored_figures(session, assessment.id)
        assert after[("dimension", "policy")] != before[("dimension", "policy")]
        assert (
            'id="stale-results"'
            not in client.get(f"/agencies/{assessment.agency_id}/assessment/results").text
        )
        assert client.get(api).get_json()["stale"] is False
        exported = export.round_export(session, open_round.id, catalog)
        assert {row["scoring"] for row in exported.rows} == {"current", None}
        # Rescored back under the bundled scoring, so later tests see the demo as loaded.
        assessments.rescore_round(session, round_id=open_round.id, actor=admin)

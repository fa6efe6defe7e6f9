"""A download finds a cached agency PDF by its inputs as stored, without building the report;
any change to an input it is built from makes a new render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import assessment.web.reports.views as report_views
from assessment.domain.model.answers import Answer
from assessment.services import assessments, commentary
from assessment.store.models import Agency, Result
from tests.peer_data import close, instrument_of_round, submit_at, worst_option
from tests.web.conftest import World
from tests.web.helpers import download, login
from tests.web.test_reports import pdf_text

Change = Callable[[Session, World, pytest.MonkeyPatch], str | None]
"""Changes one input of agency A's report; the text the new PDF shows, if any."""


@pytest.fixture
def cached_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The app with a PDF cache of its own, empty at the start."""
    return make_app(PDF_CACHE_DIR=str(tmp_path / "pdf-cache"))


def consultant(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.consultant)
    return client


def report_path(world: World) -> str:
    return f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf"


def test_an_unchanged_download_is_served_without_building_the_report(
    cached_app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = consultant(cached_app, world)
    first = download(client, report_path(world))
    assert first.status_code == 200

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report was built for a cached PDF")

    monkeypatch.setattr(report_views, "build_agency_report", refused)
    monkeypatch.setattr(report_views, "render_html", refused)
    again = client.get(report_path(world))

    assert again.status_code == 200
    assert again.data == first.data


def answer_anew(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    practice = next(instrument_of_round(world.round).practices())
    reopened = assessments.reopen_assessment(
        session, assessment_id=world.submitted_a.id, actor=world.admin, reason="a late answer"
    )
    saved = assessments.save_answers(
        session,
        assessment_id=reopened.id,
        answers={practice.id: Answer(practice.id, worst_option(practice))},
        actor=world.lead_a,
    )
    assessments.submit_assessment(
        session, assessment_id=saved.id, revision=saved.revision, actor=None
    )


def comment(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> str:
    commentary.save_notes(
        session,
        actor=world.consultant,
        assessment_id=world.submitted_a.id,
        notes={"": "Publish the moderation policy first."},
        sections=set(),
    )
    return "Publish the moderation policy first."


def close_the_round(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    close(session, world.round)


def rebrand(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REPORT_ORGANISATION", "Northern Policing Observatory")
    return "Northern Policing Observatory"


@pytest.mark.parametrize(
    "change",
    [answer_anew, comment, close_the_round, rebrand],
    ids=["new answer", "commentary edit", "peer round closing", "branding"],
)
def test_a_changed_input_makes_a_new_render(
    cached_app: Flask,
    world: World,
    session: Session,
    create_agency: Callable[..., Agency],
    monkeypatch: pytest.MonkeyPatch,
    change: Change,
) -> None:
    for number, cap in enumerate((1, 2, 3, 4, 5)):  # peers enough to publish figures
        submit_at(session, create_agency(name=f"Peer Police {number}"), world.round, cap)
    client = consultant(cached_app, world)
    before = download(client, report_path(world))
    assert client.get(report_path(world)).data == before.data  # cached

    shown = change(session, world, monkeypatch)
    missed = client.get(report_path(world))
    after = download(client, report_path(world))

    assert missed.status_code == 202  # not the cached PDF: the report is rendered anew
    assert "Preparing the report" in missed.get_data(as_text=True)
    assert after.status_code == 200
    if shown is not None:
        assert shown in pdf_text(after.data)
        assert shown not in pdf_text(before.data)


def test_the_peer_round_closing_publishes_the_peer_figures_in_the_new_render(
    cached_app: Flask, world: World, session: Session, create_agency: Callable[..., Agency]
) -> None:
    for number, cap in enumerate((1, 2, 3, 4, 5)):
        submit_at(session, create_agency(name=f"Peer Police {number}"), world.round, cap)
    client = consultant(cached_app, world)
    open_round = pdf_text(download(client, report_path(world)).data)

    close(session, world.round)
    closed_round = pdf_text(download(client, report_path(world)).data)

    assert closed_round != open_round


def test_a_rescore_that_changes_the_stored_results_makes_a_new_render(
    cached_app: Flask, world: World, session: Session
) -> None:
    stale = session.scalars(
        select(Result).where(Result.assessment_id == world.submitted_a.id, Result.key == "overall")
    ).one()
    stale.coverage = 0.5  # as computed by an older scoring rule
    session.commit()
    client = consultant(cached_app, world)
    download(client, report_path(world))
    assert client.get(report_path(world)).status_code == 200  # cached

    assessments.rescore_round(session, round_id=world.round.id, actor=world.admin)
    missed = client.get(report_path(world))

    assert missed.status_code == 202
    assert download(client, report_path(world)).status_code == 200

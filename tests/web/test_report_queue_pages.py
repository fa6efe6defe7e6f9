"""Reports through the queue, from the web: an agency PDF is prepared off the request and
then downloaded; a round's reports are started, followed and downloaded as a ZIP."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.store.models import Agency, AuditEvent, ReportJob
from tests.integration.test_report_batch import corrupt
from tests.peer_data import instrument_of_round, submit
from tests.report_data import varied_answers
from tests.web.conftest import World
from tests.web.helpers import csrf_token, login, run_report_queue
from tests.web.test_reports import pdf_text

JSON = {"Accept": "application/json"}


@pytest.fixture
def fresh_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The app with a PDF cache of its own, empty at the start."""
    return make_app(PDF_CACHE_DIR=str(tmp_path / "pdf-cache"))


def consultant(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.consultant)
    return client


def test_a_first_download_is_prepared_by_a_worker_then_served_and_then_cached(
    fresh_app: Flask, world: World, session: Session
) -> None:
    client = consultant(fresh_app, world)
    path = f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf"

    waiting = client.get(path)
    waiting_json = client.get(path, headers=JSON)
    page = waiting.get_data(as_text=True)

    assert waiting.status_code == 202
    assert "Preparing the report" in page and "Agency A Police" in page
    assert '<meta http-equiv="refresh" content="3">' in page  # without JavaScript
    assert f'href="{path}"' in page  # and a link to check again
    assert "js/report-progress.js" in page
    assert waiting_json.json == {"state": "queued", "ahead": 0, "reason": None}
    assert session.scalars(select(ReportJob)).all()[0].kind == "agency"
    assert len(session.scalars(select(ReportJob)).all()) == 1  # asked twice, queued once

    assert run_report_queue(fresh_app) == 1
    ready = client.get(path, headers=JSON)
    pdf = client.get(path)
    again = client.get(path)

    assert ready.json == {"state": "done"}
    assert pdf.status_code == again.status_code == 200 and pdf.mimetype == "application/pdf"
    assert again.data == pdf.data and "Agency A Police" in pdf_text(pdf.data)
    assert run_report_queue(fresh_app) == 0  # served from the cache, nothing queued
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.agency"))
    assert len(events.all()) == 2  # the downloads, not the progress checks


def test_a_lead_waits_for_the_own_report_the_same_way(fresh_app: Flask, world: World) -> None:
    client = fresh_app.test_client()
    login(client, world.lead_a)
    path = f"/reports/mine/{world.round.id}.pdf"

    assert client.get(path).status_code == 202
    run_report_queue(fresh_app)
    response = client.get(path)

    assert response.status_code == 200 and "Agency A Police" in pdf_text(response.data)


@pytest.fixture
def broken_agency(session: Session, world: World, create_agency: Callable[..., Agency]) -> Agency:
    """A third agency of the round whose stored answers cannot be scored."""
    agency = create_agency(name="Broken Police")
    instrument = instrument_of_round(world.round)
    corrupt(session, submit(session, agency, world.round, varied_answers(instrument, 1)))
    return agency


def start_batch(client: FlaskClient, world: World, **group: str) -> str:
    response = client.post(
        f"/reports/rounds/{world.round.id}/batch",
        data={"csrf_token": csrf_token(client), **group},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_round_batch_is_followed_and_downloaded_with_its_failure_listed(
    fresh_app: Flask, world: World, session: Session, broken_agency: Agency
) -> None:
    client = consultant(fresh_app, world)
    index = client.get(f"/reports/?round={world.round.id}").get_data(as_text=True)
    assert "Prepare all reports" in index

    batch = start_batch(client, world)
    again = start_batch(client, world)
    running = client.get(batch).get_data(as_text=True)

    assert batch == again and re.fullmatch(r"/reports/batches/\d+", batch)
    assert "0 of 2 finished (0%)" in running and 'http-equiv="refresh"' in running
    assert client.get(batch, headers=JSON).json["state"] == "running"
    started = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.batch_started")
    ).all()
    assert [(e.actor_id, e.detail["new"]) for e in started] == [
        (world.consultant.id, True),
        (world.consultant.id, False),
    ]

    assert run_report_queue(fresh_app) == 2  # started twice, rendered once
    done = client.get(batch).get_data(as_text=True)
    progress = client.get(batch, headers=JSON).json
    archive = client.get(f"{batch}.zip")

    assert "Finished: 1 of 2 reports ready, 1 failed." in done
    assert "http-equiv" not in done
    assert "Broken Police" in done and "option &#39;bogus&#39;" in done
    assert progress["state"] == "done" and progress["failures"][0]["agency"] == "Broken Police"
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        names = sorted(opened.namelist())
        assert names == ["FAILED.txt", f"agency-a-police-{world.agency_a.id}-2025.pdf"]
        assert "Agency A Police" in pdf_text(opened.read(names[1]))
        assert "Broken Police" in opened.read("FAILED.txt").decode()


def test_a_batch_of_a_peer_group_without_submissions_is_refused_clearly(
    fresh_app: Flask, world: World
) -> None:
    client = consultant(fresh_app, world)

    path = f"/reports/rounds/{world.round.id}/batch"
    unknown = client.post(
        path, data={"csrf_token": csrf_token(client), "country": "XX"}, follow_redirects=True
    )
    empty = client.post(  # agency B, in BE, has only a draft
        path, data={"csrf_token": csrf_token(client), "country": "BE"}, follow_redirects=True
    )
    no_token = client.post(path)

    assert "The reports were not started. Country: Not a valid choice" in unknown.get_data(
        as_text=True
    )
    assert "No agency of this group has submitted its assessment in the round." in (
        empty.get_data(as_text=True)
    )
    assert no_token.status_code == 400

"""Report downloads in the browser: PDFs, the HTML preview, the cohort report, the audit trail."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pypdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.store.models import Agency, AuditEvent
from tests.peer_data import close, submit_at
from tests.web.conftest import World
from tests.web.helpers import login


def consultant_client(app: Flask, world: World) -> FlaskClient:
    """A client signed in as the consultant."""
    client = app.test_client()
    login(client, world.consultant)
    return client


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_agency_pdf_is_a_download_and_audited(app: Flask, world: World, session: Session) -> None:
    client = consultant_client(app, world)
    path = f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf"

    response = client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="agency-a-police-{world.agency_a.id}-2025.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert "Agency A Police" in pdf_text(response.data)
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.agency")).all()
    assert [(e.actor_id, e.agency_id, e.detail["form"]) for e in events] == [
        (world.consultant.id, world.agency_a.id, "pdf")
    ]


def test_preview_is_the_report_as_html_with_its_stylesheet(app: Flask, world: World) -> None:
    client = consultant_client(app, world)

    page = client.get(f"/reports/agency/{world.agency_a.id}/{world.round.id}")
    stylesheet = client.get("/reports/assets/agency/report.css")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<h1 class="cover-title"[^>]*>Agency A Police</h1>', html)
    assert 'href="/reports/assets/agency/report.css"' in html
    assert stylesheet.status_code == 200
    assert stylesheet.mimetype == "text/css"
    assert "@page" in stylesheet.get_data(as_text=True)
    assert '@import url("../_base/report.css")' in stylesheet.get_data(as_text=True)
    assert client.get("/reports/assets/_base/report.css").status_code == 200
    assert client.get("/reports/assets/secret/report.css").status_code == 404


def test_index_lists_submitted_agencies_and_cohort_filters(app: Flask, world: World) -> None:
    html = consultant_client(app, world).get("/reports/").get_data(as_text=True)

    assert f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf" in html
    assert "Agency B Police" not in html  # a draft has no report
    assert '<select id="cohort-country" name="country">' in html


def test_cohort_pdf_names_no_agency(
    app: Flask, world: World, session: Session, create_agency: Callable[..., Agency]
) -> None:
    peers = [create_agency(name=f"Hidden Police {n}") for n in range(5)]
    for peer, cap in zip(peers, (1, 2, 3, 4, 5), strict=True):
        submit_at(session, peer, world.round, cap)
    close(session, world.round)  # only closed rounds publish peer statistics

    response = consultant_client(app, world).get(f"/reports/cohort.pdf?round={world.round.id}")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "All agencies" in text
    assert "Hidden Police" not in text and "Agency A Police" not in text


def test_cohort_pdf_refusals_say_what_is_wrong(app: Flask, world: World) -> None:
    client = consultant_client(app, world)

    too_small = client.get(f"/reports/cohort.pdf?round={world.round.id}&country=NL")
    not_a_number = client.get("/reports/cohort.pdf?round=latest")
    unknown = client.get("/reports/cohort.pdf?round=9999")

    assert too_small.status_code == 400
    assert "fewer than 5 agencies" in too_small.get_data(as_text=True)
    assert not_a_number.status_code == 400
    assert "give the round as its number" in not_a_number.get_data(as_text=True)
    assert unknown.status_code == 404


def test_benchmark_page_links_to_the_cohort_report(app: Flask, world: World) -> None:
    html = consultant_client(app, world).get("/consultant/benchmark").get_data(as_text=True)

    assert f"/reports/cohort.pdf?round={world.round.id}" in html


def test_round_parameters_beyond_any_id_are_refused_cleanly(app: Flask, world: World) -> None:
    client = consultant_client(app, world)

    for value in ("²", "9223372036854775808", "-1", ""):
        response = client.get(f"/reports/cohort.pdf?round={value}")
        assert response.status_code == 400, value
        assert "give the round as its number" in response.get_data(as_text=True)
    assert client.get("/reports/?round=²").status_code == 400
    assert client.get("/reports/?round=4242").status_code == 404

"""Report downloads in the browser: PDFs, the HTML preview, the cohort report, the audit trail."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pypdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.services.assessments import rescore_round
from assessment.store.models import Agency, AuditEvent
from tests.peer_data import close, submit_at
from tests.web.conftest import World
from tests.web.helpers import download, form_token, login


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

    response = download(client, path)

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


def lead_client(app: Flask, world: World) -> FlaskClient:
    """A client signed in as the lead of agency A (submitted in the round)."""
    client = app.test_client()
    login(client, world.lead_a)
    return client


def save_commentary(client: FlaskClient, world: World, **notes: str) -> None:
    path = f"/reports/agency/{world.agency_a.id}/{world.round.id}/commentary"
    token = form_token(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **notes})
    assert response.status_code == 302, response.get_data(as_text=True)


HOSTILE_NOTE = "Strong start.\n\n- Publish the policy\n- Train <b>staff</b> <script>x()</script>"


def test_commentary_appears_attributed_and_escaped_in_preview_and_pdf(
    app: Flask, world: World, session: Session
) -> None:
    client = consultant_client(app, world)
    save_commentary(client, world, note_overall=HOSTILE_NOTE, note_policy="Policy is thin.")

    html = client.get(f"/reports/agency/{world.agency_a.id}/{world.round.id}").get_data(
        as_text=True
    )
    text = pdf_text(
        download(client, f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf").data
    )

    assert "<li>Publish the policy</li>" in html
    assert "Train &lt;b&gt;staff&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>x()" not in html
    assert "The consultant's commentary" in text and "Train <b>staff</b>" in text
    assert "The consultant's note on Policy" in text and "Policy is thin." in text
    assert world.consultant.email in text  # attributed
    assert 'href="/reports/"' in html or "All reports of the round" in html  # a way back
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.commentary")
    ).all()
    assert [sorted(e.detail["sections"]) for e in events] == [["overall", "policy"]]


def test_commentary_over_the_limit_is_refused_on_its_field(app: Flask, world: World) -> None:
    client = consultant_client(app, world)
    path = f"/reports/agency/{world.agency_a.id}/{world.round.id}/commentary"
    token = form_token(client.get(path).get_data(as_text=True))

    response = client.post(path, data={"csrf_token": token, "note_overall": "x" * 20_001})

    assert response.status_code == 200
    assert "Field cannot be longer than 20000 characters" in response.get_data(as_text=True)


def test_a_final_report_is_served_as_issued_and_its_commentary_frozen(
    app: Flask, world: World, session: Session
) -> None:
    client = consultant_client(app, world)
    save_commentary(client, world, note_overall="Issued commentary.")
    base = f"/reports/agency/{world.agency_a.id}/{world.round.id}"
    page = client.get(f"{base}/commentary").get_data(as_text=True)
    token = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)[-1]

    assert client.post(f"{base}/final", data={"csrf_token": token}).status_code == 302
    first = client.get(f"{base}.pdf")
    rescore_round(session, round_id=world.round.id, actor=None)  # figures stored anew
    again = client.get(f"{base}.pdf")
    refused = client.post(
        f"{base}/commentary", data={"csrf_token": token, "note_overall": "Changed later."}
    )

    assert first.data == again.data
    assert first.headers["Content-Disposition"].endswith('-2025-final.pdf"')
    assert "Final report, issued" in pdf_text(first.data)
    assert "Issued commentary." in pdf_text(first.data)
    assert refused.status_code == 200 and "This report is final" in refused.get_data(as_text=True)
    assert "Changed later." not in pdf_text(client.get(f"{base}.pdf").data)
    lead_copy = lead_client(app, world).get(f"/reports/mine/{world.round.id}.pdf")
    assert lead_copy.data == first.data  # the lead gets the same bytes once final


def test_a_lead_gets_the_report_without_draft_commentary_and_the_answers(
    app: Flask, world: World
) -> None:
    save_commentary(consultant_client(app, world), world, note_overall="Draft thoughts.")
    client = lead_client(app, world)

    report = download(client, f"/reports/mine/{world.round.id}.pdf")
    as_csv = client.get(f"/reports/mine/{world.round.id}/answers.csv")
    as_json = client.get(f"/reports/mine/{world.round.id}/answers.json")
    results = client.get("/assessment/results").get_data(as_text=True)

    assert report.status_code == 200
    text = pdf_text(report.data)
    assert "Agency A Police" in text and "Draft thoughts." not in text
    assert "the consultant's commentary comes with the final report" in text
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert rows and set(rows[0]) >= {"question", "answer", "comment", "answered_by"}
    assert all(row["question"] for row in rows)
    assert len(json.loads(as_json.data)) == len(rows)
    assert f"/reports/mine/{world.round.id}.pdf" in results

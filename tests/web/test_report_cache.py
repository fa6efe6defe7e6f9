"""Report PDFs are cached by content: a repeated download is not laid out again, a changed
report is."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import assessment.reporting.pdf_cache as pdf_cache
from assessment.config import Branding
from assessment.store.models import Agency, AuditEvent
from tests.peer_data import close, submit_at
from tests.web.conftest import World
from tests.web.helpers import download, login
from tests.web.test_reports import pdf_text


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The HTML of every PDF actually laid out (by the real WeasyPrint rendering)."""
    made: list[str] = []
    real = pdf_cache.html_to_pdf

    def counting(html: str, folder: Path, **options: Any) -> bytes:
        made.append(html)
        return real(html, folder, **options)

    monkeypatch.setattr(pdf_cache, "html_to_pdf", counting)
    yield made


@pytest.fixture
def cached_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The app with a PDF cache of its own, empty at the start."""
    return make_app(PDF_CACHE_DIR=str(tmp_path / "pdf-cache"))


def consultant(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.consultant)
    return client


def test_a_repeated_download_answers_from_the_cache(
    cached_app: Flask, world: World, session: Session, layouts: list[str], tmp_path: Path
) -> None:
    client = consultant(cached_app, world)
    path = f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf"

    first = download(client, path)
    started = time.perf_counter()
    second = client.get(path)
    repeated_seconds = time.perf_counter() - started

    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert "Agency A Police" in pdf_text(second.data)
    assert len(layouts) == 1
    # The worker keeps the layout under its HTML's digest, the download under its inputs'.
    entries = sorted((tmp_path / "pdf-cache").iterdir())
    assert [entry.suffix for entry in entries] == [".pdf", ".pdf"]
    assert all(entry.read_bytes() == first.data for entry in entries)
    # Every download is still audited, cached or not.
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.agency")).all()
    assert len(events) == 2
    assert repeated_seconds < 5  # a hit never waits for a layout (which takes 0.5-2.5 s)


def test_a_changed_report_is_laid_out_again(
    cached_app: Flask, world: World, session: Session, layouts: list[str]
) -> None:
    client = consultant(cached_app, world)
    path = f"/reports/agency/{world.agency_a.id}/{world.round.id}.pdf"
    download(client, path)

    agency = session.get(Agency, world.agency_a.id)
    assert agency is not None
    agency.name = "Renamed Police"
    session.commit()
    renamed = download(client, path)

    assert len(layouts) == 2
    assert "Renamed Police" in pdf_text(renamed.data)


def test_the_cohort_report_is_cached_too(
    cached_app: Flask,
    world: World,
    session: Session,
    create_agency: Callable[..., Agency],
    layouts: list[str],
) -> None:
    peers = [create_agency(name=f"Cached Police {n}") for n in range(5)]
    for agency, cap in zip(peers, (1, 2, 3, 4, 5), strict=True):
        submit_at(session, agency, world.round, cap)
    close(session, world.round)
    client = consultant(cached_app, world)
    path = f"/reports/cohort.pdf?round={world.round.id}"

    first, second = client.get(path), client.get(path)

    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert len(layouts) == 1


def test_key_covers_the_html_the_templates_and_the_report_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = pdf_cache.content_key("agency", "<p>a</p>")

    assert pdf_cache.content_key("agency", "<p>a</p>") == key
    assert pdf_cache.content_key("agency", "<p>b</p>") != key
    assert pdf_cache.content_key("cohort", "<p>a</p>") != key
    monkeypatch.setattr(pdf_cache, "templates_digest", lambda: "edited stylesheet")
    assert pdf_cache.content_key("agency", "<p>a</p>") != key


def test_the_oldest_entries_go_past_the_limit(tmp_path: Path, layouts: list[str]) -> None:
    cache = pdf_cache.PdfCache(tmp_path, max_entries=2)
    for number in range(3):
        pdf, cached = cache.pdf("agency", f"<p>report {number}</p>")
        assert pdf.startswith(b"%PDF") and not cached
        time.sleep(0.01)  # distinct modification times

    assert len(list(tmp_path.glob("*.pdf"))) == 2
    assert cache.pdf("agency", "<p>report 2</p>")[1] is True
    assert cache.pdf("agency", "<p>report 0</p>")[1] is False
    assert not list(tmp_path.glob(".partial-*"))


def test_input_key_covers_the_inputs_the_settings_the_day_and_the_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issuer = Branding("Observatory", "Observatory", None)
    day = date(2026, 3, 2)

    def key(inputs: tuple[str, ...] = ("a", "b"), **changed: Any) -> str:
        settings: dict[str, Any] = {"issuer": issuer, "k": 5, "today": day, **changed}
        return pdf_cache.input_key("agency", inputs, **settings)

    same = key()
    assert key() == same
    assert key(("a", "c")) != same
    assert key(("ab",)) != same  # parts are kept apart
    assert key(issuer=Branding("Other", "Other", None)) != same
    assert key(k=6) != same
    assert key(today=date(2026, 3, 3)) != same
    assert pdf_cache.input_key("cohort", ("a", "b"), issuer=issuer, k=5, today=day) != same
    monkeypatch.setattr(pdf_cache, "templates_digest", lambda: "edited stylesheet")
    assert key() != same
    monkeypatch.undo()
    assert key() == same
    monkeypatch.setattr(pdf_cache, "REPORT_CODE_VERSION", "next")
    assert key() != same

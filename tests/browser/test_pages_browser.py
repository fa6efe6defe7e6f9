"""Every page of the product at desktop (1,280 px) and phone (390 px) width, in headless
Chromium on the synthetic demo data: nothing wider than the window, axe-core clean, the
staff headers on one line at 1,280 px, and answers pages that print one dimension a page.
"""

from __future__ import annotations

import io
import shutil
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select
from werkzeug.serving import make_server

from assessment.services import demo_data
from assessment.store.db import Database
from assessment.store.models import Agency, Assessment, AssessmentStatus, Round, User
from assessment.web import create_app
from tests.browser.conftest import new_context
from tests.browser.test_layout_browser import axe_violations, overflow
from tests.conftest import sqlite_url
from tests.web.conftest import web_config

WIDTHS = (1280, 390)
PASSWORD = "browser-demo-password-2026"


@dataclass(frozen=True)
class DemoSite:
    """The app on the synthetic demo data, and the ids its pages are reached by."""

    url: str
    agency_id: int  # an agency with three submitted rounds
    round_ids: tuple[int, ...]  # oldest first
    lead_round_id: int  # a round the demo lead's agency submitted


@pytest.fixture(scope="module")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path
) -> Iterator[DemoSite]:
    """A served app on its own SQLite file holding the demo population (24 agencies)."""
    path = tmp_path_factory.mktemp("demo-site") / "assessment.db"
    shutil.copyfile(migrated_sqlite_template, path)
    database = Database(sqlite_url(path))
    with database.session() as session:
        demo_data.load_demo_data(session, agencies=24, password=PASSWORD)
        rounds = tuple(session.scalars(select(Round.id).order_by(Round.id)))
        submitted = select(Assessment.agency_id).where(
            Assessment.status == AssessmentStatus.SUBMITTED
        )
        agency_id = session.scalars(
            select(Agency.id).where(Agency.id.in_(submitted)).order_by(Agency.id)
        ).first()
        lead = session.scalars(select(User).where(User.email == "lead@example.org")).one()
        lead_round = session.scalars(
            select(Assessment.round_id).where(
                Assessment.agency_id == lead.agency_id,
                Assessment.status == AssessmentStatus.SUBMITTED,
            )
        ).first()
    assert agency_id is not None and lead_round is not None
    app = create_app(web_config(sqlite_url(path), RATELIMIT_ENABLED=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield DemoSite(f"http://127.0.0.1:{server.server_port}", agency_id, rounds, lead_round)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.extensions["assessment.database"].dispose()
        database.dispose()


def pages_of(role: str, site: DemoSite) -> list[str]:
    """The pages a role reaches from its navigation, with real ids of the demo data."""
    agency, latest = site.agency_id, site.round_ids[-1]
    answers = f"/consultant/agencies/{agency}/rounds/{{}}/answers"
    staff = [
        "/consultant/agencies",
        f"/consultant/agencies/{agency}",
        *[answers.format(round_id) for round_id in site.round_ids[:2]],
        "/consultant/benchmark",
        f"/consultant/benchmark?round={latest}",
        "/consultant/compare",
        "/reports/",
        f"/reports/agency/{agency}/{site.round_ids[1]}/commentary",
    ]
    return {
        "lead": [
            "/assessment/",
            f"/assessment/rounds/{latest}/",
            f"/assessment/rounds/{latest}/profile",
            f"/assessment/rounds/{latest}/dimensions/policy",
            f"/assessment/rounds/{latest}/submit",
            f"/assessment/rounds/{site.lead_round_id}/results",
            f"/reports/mine/{site.lead_round_id}/answers",
            "/my/benchmark",
        ],
        "consultant": staff,
        "admin": [
            *staff[:2],
            "/admin/",
            "/admin/agencies",
            "/admin/agencies/new",
            "/admin/users",
            "/admin/invitations",
            "/admin/rounds",
            "/admin/rounds/new",
            f"/admin/rounds/{latest}",
        ],
    }[role]


def signed_in(browser: Browser, site: DemoSite, role: str, width: int) -> Page:
    """A new page of `role`'s demo account at `width` px."""
    context = new_context(browser, site, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(f"{role}@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["lead", "consultant", "admin"])
def test_every_page_fits_the_window_and_passes_axe(
    browser: Browser, demo_site: DemoSite, role: str, width: int
) -> None:
    page = signed_in(browser, demo_site, role, width)
    problems: dict[str, list[str]] = {}
    try:
        for path in pages_of(role, demo_site):
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response)
            found = axe_violations(page)
            if overflow(page):
                found.append(f"{overflow(page)} px wider than the window")
            if found:
                problems[path] = found
    finally:
        page.context.close()
    assert not problems, problems


@pytest.mark.parametrize("role", ["lead", "consultant", "admin"])
def test_every_header_is_one_line_at_1280(browser: Browser, demo_site: DemoSite, role: str) -> None:
    page = signed_in(browser, demo_site, role, 1280)
    try:
        page.goto(pages_of(role, demo_site)[0])
        centres = [
            box["y"] + box["height"] / 2
            for item in [
                page.locator(".site-name"),
                *page.locator(".site-nav a").all(),
                page.get_by_role("button", name="Sign out"),
            ]
            if (box := item.bounding_box()) is not None
        ]
        assert len(centres) >= 4 and max(centres) - min(centres) < 4, centres
    finally:
        page.context.close()


def test_wide_tables_scroll_inside_a_labelled_focusable_box_at_390(
    browser: Browser, demo_site: DemoSite
) -> None:
    page = signed_in(browser, demo_site, "admin", 390)
    try:
        page.goto("/admin/users")
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), "expected a wide table"
        assert wrap.get_attribute("role") == "region" and wrap.get_attribute("aria-label")
        wrap.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft > 0")
    finally:
        page.context.close()


def test_results_read_as_blocks_per_dimension_on_a_phone(
    browser: Browser, demo_site: DemoSite
) -> None:
    page = signed_in(browser, demo_site, "lead", 390)
    try:
        page.goto(f"/assessment/rounds/{demo_site.lead_round_id}/results")
        blocking = page.locator("#dimension-results td[data-label='Blocking the next level']")
        box = blocking.first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        label = blocking.first.evaluate("td => getComputedStyle(td, '::before').content")
        assert "Blocking the next level" in label
    finally:
        page.context.close()


def test_a_printed_answers_page_starts_each_dimension_on_a_page(
    browser: Browser, demo_site: DemoSite
) -> None:
    page = signed_in(browser, demo_site, "consultant", 1280)
    try:
        agency, round_id = demo_site.agency_id, demo_site.round_ids[1]
        page.goto(f"/consultant/agencies/{agency}/rounds/{round_id}/answers")
        page.emulate_media(media="print")
        assert not page.get_by_role("navigation", name="Main").is_visible()
        assert not page.get_by_role("navigation", name="Rounds").is_visible()
        breaks = page.eval_on_selector_all(
            "section.answers-dimension", "all => all.map(s => getComputedStyle(s).breakBefore)"
        )
        assert len(breaks) == 6 and set(breaks) == {"page"}, breaks
        # Printed for real: each dimension's heading opens a page of its own.
        reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
        titles = page.eval_on_selector_all(
            "section.answers-dimension h2", "hs => hs.map(h => h.textContent)"
        )
        # NFKC undoes the ligatures of the PDF's text ("Staﬃng").
        opening = [
            unicodedata.normalize("NFKC", p.extract_text()).strip().split("\n")[0]
            for p in reader.pages
        ]
        assert [t for t in opening if t in titles] == titles, opening
    finally:
        page.context.close()

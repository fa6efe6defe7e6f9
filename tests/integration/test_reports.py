"""Agency and cohort reports from a real database, rendered to real PDFs and read back."""

from __future__ import annotations

import io
import re
import shutil
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pypdf
import pytest
from sqlalchemy.orm import Session

from assessment.config import branding
from assessment.domain.rules.benchmark import PeerGroup
from assessment.domain.rules.scoring import score_assessment
from assessment.queries.answers import submitted_answers
from assessment.reporting.agency import build_agency_report
from assessment.reporting.cohort import CohortUnavailable, build_cohort_report, typical_levels
from assessment.reporting.render import render_agency_pdf, render_cohort_pdf, render_html
from assessment.reporting.view_data import AgencyReport
from assessment.services.errors import NotFound
from assessment.store.db import Database
from assessment.store.models import Round
from tests.conftest import sqlite_url
from tests.pdf_layout import MM, body_text, text_runs
from tests.report_data import ReportWorld, build_report_world, lead_email

REPORT_DATE = date(2026, 3, 2)
PAGE_MARGINS_MM = (20, 17, 18, 17)  # top, right, bottom, left, as reports/_base/report.css
LONG_WORD = "".join(f"w{number:04d}" for number in range(1800))  # 9,000 characters, no break
LONG_NAME = "N123456789" * 20  # the longest name an agency may have, 200 characters


class RecordingServer(HTTPServer):
    """A local HTTP server that remembers every path requested from it."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.hits: list[str] = []

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, RecordingServer)
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    """A recording HTTP server on a free loopback port."""
    recording = RecordingServer()
    thread = threading.Thread(target=recording.serve_forever, daemon=True)
    thread.start()
    yield recording
    recording.shutdown()
    recording.server_close()


def hostile_comments(base: str) -> dict[str, str]:
    """Evidence comments that try to make the PDF fetch or embed things."""
    return {
        "policy.written-policy": '<img src="file:///etc/passwd"> see the signed policy',
        "policy.account-register": '<link rel="attachment" href="file:///etc/hostname">',
        "staffing.named-administrators": (
            f"<style>@import url({base}/import.css); body {{ background: url({base}/bg) }}</style>"
        ),
        "training.operator-training": f'<div style="background:url({base}/inline)">x</div>',
    }


@dataclass(frozen=True)
class Rendered:
    """The reported world, its view data and the agency PDF read back."""

    world: ReportWorld
    report: AgencyReport
    pdf: bytes
    reader: pypdf.PdfReader
    text: str
    compact: str


def squeeze(text: str) -> str:
    """Text without any whitespace, so that line breaks in the PDF do not matter."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def rendered(
    migrated_sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server: RecordingServer,
) -> Iterator[Rendered]:
    """One agency report rendered once for the module, with hostile evidence comments."""
    path = tmp_path_factory.mktemp("reports") / "assessment.db"
    shutil.copyfile(migrated_sqlite_template, path)
    database = Database(sqlite_url(path))
    try:
        with database.session() as session:
            world = build_report_world(session, comments=hostile_comments(server.base))
            report = build_agency_report(
                session, world.agency.id, world.current.id, 5, generated_on=REPORT_DATE
            )
        pdf = render_agency_pdf(report)
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        text = "\n".join(page.extract_text() for page in reader.pages)
        yield Rendered(world, report, pdf, reader, text, squeeze(text))
    finally:
        database.dispose()


def test_agency_report_names_agency_dimensions_scores_and_methodology(rendered: Rendered) -> None:
    report = rendered.report

    assert "North Police" in rendered.text
    for dimension in rendered.world.instrument.dimensions:
        assert squeeze(str(dimension.title)) in rendered.compact
    for section in report.dimensions:
        assert section.score is not None
        assert squeeze(f"{section.score:.0f} / 100") in rendered.compact
    assert report.summary.overall_score is not None
    assert f"{report.summary.overall_score:.0f}/100" in rendered.compact
    for heading in ("Executive summary", "Roadmap", "Methodology", "Appendix: all answers"):
        assert squeeze(heading) in rendered.compact
    assert squeeze("In 2015 (United States), 96.4% of agencies used social media") in (
        rendered.compact
    )
    assert squeeze("539 US agencies in 48 states") in rendered.compact
    assert squeeze("none describes European agencies today") in rendered.compact
    assert squeeze("agencies, version 1.0.0") in rendered.compact
    assert squeeze("Directive (EU) 2016/680 (Law Enforcement Directive)") in rendered.compact


def test_agency_report_speaks_in_questions_and_labels_never_in_ids(rendered: Rendered) -> None:
    instrument = rendered.world.instrument
    ids = [practice.id for practice in instrument.practices()]

    assert [i for i in ids if i in rendered.text or squeeze(i) in rendered.compact] == []
    assert re.findall(r"\b[a-z]+\.[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b", rendered.text) == []
    assert squeeze(
        "Netherlands (EU member state) · Regional or state force · workforce: 250 to 999 staff"
    ) in (rendered.compact)
    # after the contents entry: the chapter and its running headers
    appendix = "".join(rendered.compact.split(squeeze("Appendix: all answers"))[2:])
    for practice in instrument.practices():
        assert squeeze(str(practice.text))[:60] in appendix
    assert squeeze(f"answered by {lead_email(rendered.world.agency)} on") in appendix


def test_agency_report_lists_every_roadmap_action(rendered: Rendered) -> None:
    actions = [action for phase in rendered.report.roadmap.phases for action in phase.actions]

    assert actions
    for action in actions:
        assert squeeze(action.action) in rendered.compact


def test_the_executive_summary_tells_the_story_in_sentences(rendered: Rendered) -> None:
    narrative = " ".join(rendered.report.summary.narrative)
    first = [a for phase in rendered.report.roadmap.phases for a in phase.actions][:3]
    weakest = rendered.report.summary.ranked[-1].title

    assert squeeze(narrative) in rendered.compact  # printed as generated
    assert f"{weakest} is its weakest dimension" in narrative or "weakest dimensions" in narrative
    assert "Since round 2024 the overall score" in narrative
    for action in first:
        assert action.action.rstrip(".") in narrative
    assert "the agency is ahead of" in narrative


def test_agency_report_has_contents_page_numbers_and_metadata(rendered: Rendered) -> None:
    reader = rendered.reader

    assert 10 <= len(reader.pages) <= 24  # the appendix prints every question, with evidence
    pages = len(reader.pages)
    assert f"Page 2 of {pages}" in rendered.text
    assert f"Page {pages} of {pages}" in rendered.text
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == "Social-media maturity report: North Police, 2025"
    assert metadata.author == "Social-media maturity assessment"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]  # tagged for assistive technology
    assert "/StructTreeRoot" in root


def test_agency_report_compares_with_peers_and_the_previous_round(rendered: Rendered) -> None:
    summary = rendered.report.summary

    assert summary.peer.n == 7
    # the narrowest published group of `peer_groups_for`, the one the web pages use too
    assert summary.peer_group == (
        "same type and workforce (Regional or state force, 250 to 999 staff)"
    )
    assert summary.previous_round == "2024"
    assert rendered.report.trend is not None
    assert [row.round_name for row in rendered.report.trend.rows] == ["2024", "2025"]
    assert "Previous round (2024)" in rendered.text


def test_hostile_comments_are_text_and_nothing_is_fetched_or_attached(
    rendered: Rendered, server: RecordingServer
) -> None:
    for comment in hostile_comments(server.base).values():
        assert squeeze(comment) in rendered.compact
    assert server.hits == []
    catalog = rendered.reader.trailer["/Root"]
    names = catalog.get("/Names")
    assert names is None or "/EmbeddedFiles" not in names
    assert b"/EmbeddedFile" not in rendered.pdf
    assert b"/FileAttachment" not in rendered.pdf
    assert "root:x:0:0" not in rendered.text


def test_preview_html_escapes_comments(rendered: Rendered) -> None:
    html = render_html("agency", rendered.report, stylesheet="/css")

    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert 'href="/css"' in html


@pytest.fixture
def world(session: Session) -> ReportWorld:
    """The report world on the test database (SQLite, and PostgreSQL when configured)."""
    return build_report_world(session)


def test_report_builds_on_each_backend(session: Session, world: ReportWorld) -> None:
    report = build_agency_report(session, world.agency.id, world.current.id, 5)

    assert report.agency_name == "North Police"
    assert len(report.dimensions) == 6
    assert len(report.appendix) == 6
    assert sum(len(d.answers) for d in report.appendix) == 63
    assert report.methodology.peer_count == 7


def test_report_without_enough_peers_withholds_peer_figures(
    session: Session, world: ReportWorld
) -> None:
    report = build_agency_report(session, world.agency.id, world.current.id, 8)

    assert report.summary.peer.withheld
    assert all(section.peer.withheld for section in report.dimensions)
    assert report.methodology.peer_count is None
    assert "Peer median" not in report.summary.radar


def test_report_of_a_round_without_submission_is_not_found(
    session: Session, world: ReportWorld, create_round: Callable[..., Round]
) -> None:
    later = create_round("2026")

    with pytest.raises(NotFound, match="North Police has not started its assessment in round"):
        build_agency_report(session, world.agency.id, later.id, 5)
    with pytest.raises(NotFound, match="no agency with id 999"):
        build_agency_report(session, 999, world.current.id, 5)


def test_cohort_report_is_anonymous_and_lists_unmet_practices(
    session: Session, world: ReportWorld
) -> None:
    report = build_cohort_report(session, world.current.id, PeerGroup(), 5)
    pdf = render_cohort_pdf(report)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    assert report.agency_count == 7
    # never "5 of 7": both sides of every count are at least K, or nobody meets it
    for item in report.unmet:
        met = item.applicable - item.unmet
        assert item.applicable >= 5 and item.unmet >= 5 and (met >= 5 or met == 0)
    shares = [item.share for item in report.unmet]
    assert shares == sorted(shares, reverse=True)
    assert "What the group should work on next" in text
    typical = typical_levels(
        [
            score_assessment(world.instrument, answers)
            for answers in submitted_answers(
                session, world.current.id, [world.agency.id, *(p.id for p in world.peers)]
            ).values()
        ]
    )
    for item in report.unmet:
        practice = world.instrument.practice(item.practice_id)
        assert practice is not None
        assert (
            typical[practice.dimension_id] <= practice.level <= typical[practice.dimension_id] + 1
        )
    assert report.medians_over_rounds is None  # 2024 had one agency: below K, no second row
    names = [world.agency.name, *(peer.name for peer in world.peers)]
    assert not any(name in text for name in names)


def tiny_png() -> bytes:
    """A valid 2 x 2 PNG, dark blue."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\x1f\x3a\x5f" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_reports_carry_the_issuer_and_a_cohort_title_in_words(
    session: Session, world: ReportWorld, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    issuer = branding(
        {
            "REPORT_ORGANISATION": "Police Digital Review Unit",
            "REPORT_AUTHOR": "A. Consultant",
            "REPORT_LOGO": str(logo),
        }
    )
    agency = build_agency_report(
        session, world.agency.id, world.current.id, 5, generated_on=REPORT_DATE, issuer=issuer
    )
    cohort = build_cohort_report(
        session, world.current.id, PeerGroup(agency_type="regional"), 5, issuer=issuer
    )

    for pdf in (render_agency_pdf(agency), render_cohort_pdf(cohort)):
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        cover = reader.pages[0].extract_text()
        assert "Police Digital Review Unit · A. Consultant" in cover
        assert reader.metadata is not None and reader.metadata.author == "A. Consultant"
        assert any(reader.pages[0].images)  # the logo, embedded
    assert cohort.group == "Agencies of type regional or state force"
    cover = pypdf.PdfReader(io.BytesIO(render_cohort_pdf(cohort))).pages[0].extract_text()
    assert "Agencies of type regional or state force" in " ".join(cover.split())


def test_cohort_report_refuses_a_group_below_k(session: Session, world: ReportWorld) -> None:
    with pytest.raises(CohortUnavailable, match="country BE has fewer than 5 agencies"):
        build_cohort_report(session, world.current.id, PeerGroup(country="BE"), 5)


def test_cohort_report_refuses_a_group_that_isolates_agencies(
    session: Session, world: ReportWorld
) -> None:
    # 4 of the 7 agencies are Dutch: with K = 4 the Dutch group could be shown, but set
    # against all agencies it would expose the 3 others (fewer than K).
    with pytest.raises(CohortUnavailable, match="would single out fewer than 4 agencies"):
        build_cohort_report(session, world.current.id, PeerGroup(country="NL"), 4)


def test_long_unbroken_words_wrap_within_the_page(session: Session) -> None:
    world = build_report_world(
        session, name=LONG_NAME, comments={"policy.written-policy": LONG_WORD}
    )
    report = build_agency_report(
        session, world.agency.id, world.current.id, 5, generated_on=REPORT_DATE
    )

    reader = pypdf.PdfReader(io.BytesIO(render_agency_pdf(report)))

    top, right, bottom, left = (margin * MM for margin in PAGE_MARGINS_MM)
    body = squeeze("".join(body_text(page, top, bottom) for page in reader.pages))
    assert LONG_WORD in body  # the appendix prints every character, in order
    assert LONG_NAME in body  # the cover title
    width = float(reader.pages[0].mediabox.width)
    outside = [
        run for run in text_runs(reader) if run.left < left - 1 or run.right > width - right + 1
    ]
    assert outside == []

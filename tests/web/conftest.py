"""Web test fixtures: the app on the test database, clients, signing in, a small world.

`app`: `create_app` on the test's migrated database (plain-http cookies, memory rate limits).
`client`: a Flask test client. `make_app(**config)`: more apps with other settings.
`world`: two agencies (A and B), a lead for each, a consultant, an admin, an open round,
a submitted assessment of A and a draft of B. `peers`: seven peer agencies over two rounds
(tests.web.peer_world).
Helpers to import from tests.web.helpers: `login(client, user)`, `csrf_token(client)`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assessment.config import MailSettings
from assessment.resources import questionnaires_dir
from assessment.services import assessments
from assessment.store.models import Agency, Assessment, Role, Round, User
from assessment.web import create_app
from assessment.web.database import close_database
from tests.web.peer_world import Peers, seed_peers

TEST_SECRET_KEY = "test-secret-key-not-for-production"


@cache
def test_pdf_cache() -> Path:
    """One PDF cache folder per test process (entries are keyed by content, so sharing is safe)."""
    return Path(tempfile.mkdtemp(prefix="assessment-test-pdf-cache-"))


@cache
def test_mail_folder() -> Path:
    """One folder per test process where the app writes mail when no SMTP server is set."""
    return Path(tempfile.mkdtemp(prefix="assessment-test-mail-"))


def web_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    """The test configuration of the app; `overrides` replace single keys."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "INSTRUMENT_DIR": str(questionnaires_dir()),
        "ANONYMITY_K": 5,
        "PDF_CACHE_DIR": str(test_pdf_cache()),
        "MAIL": MailSettings(folder=test_mail_folder()),
        # A queue of its own per app: its messages name items of this app's database only.
        "REPORT_QUEUE_FILE": str(Path(tempfile.mkdtemp(prefix="assessment-test-queue-")) / "q.db"),
    } | overrides


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The web application on the test database."""
    application = create_app(web_config(database_url))
    yield application
    close_database(application)


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build extra apps on the test database: `make_app(SESSION_COOKIE_SECURE=True)`."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        application = create_app(web_config(database_url) | overrides)
        made.append(application)
        return application

    yield make
    for application in made:
        close_database(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app (cookies kept between requests)."""
    return app.test_client()


@dataclass(frozen=True)
class World:
    """Two agencies with their leads, staff accounts, a round and two assessments."""

    agency_a: Agency
    agency_b: Agency
    lead_a: User
    lead_b: User
    contributor_b: User  # answers agency B's policy dimension only
    consultant: User
    admin: User
    round: Round
    submitted_a: Assessment
    draft_b: Assessment

    def ids(self) -> dict[str, int]:
        """Ids for the access matrix's path variables ("own" is agency A)."""
        return {
            "own_agency": self.agency_a.id,
            "other_agency": self.agency_b.id,
            "round": self.round.id,
            "own_assessment": self.submitted_a.id,
            "other_assessment": self.draft_b.id,
            "own_lead": self.lead_a.id,
            "other_lead": self.lead_b.id,
            "other_contributor": self.contributor_b.id,
        }

    def user(self, actor: str) -> User | None:
        """The user acting as `actor`: anonymous, lead_own, lead_other, contributor (of
        agency B, the policy dimension), consultant, admin."""
        return {
            "anonymous": None,
            "lead_own": self.lead_a,
            "lead_other": self.lead_b,
            "contributor": self.contributor_b,
            "consultant": self.consultant,
            "admin": self.admin,
        }[actor]


@pytest.fixture
def world(
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
) -> World:
    """Agencies A and B, their leads, a consultant and an admin; A submitted, B a draft."""
    agency_a = create_agency(name="Agency A Police")
    agency_b = create_agency(name="Agency B Police", country="BE")
    round_ = create_round("2025")
    submitted = assessments.start_assessment(
        session, agency_id=agency_a.id, round_id=round_.id, actor=None
    )
    submitted = assessments.submit_assessment(
        session, assessment_id=submitted.id, revision=submitted.revision, actor=None
    )
    draft = assessments.start_assessment(
        session, agency_id=agency_b.id, round_id=round_.id, actor=None
    )
    contributor = create_user(Role.CONTRIBUTOR, agency=agency_b, email="helper.b@example.org")
    contributor.dimensions = ["policy"]
    session.commit()
    return World(
        agency_a=agency_a,
        agency_b=agency_b,
        lead_a=create_user(Role.LEAD, agency=agency_a, email="lead.a@example.org"),
        lead_b=create_user(Role.LEAD, agency=agency_b, email="lead.b@example.org"),
        contributor_b=contributor,
        consultant=create_user(Role.CONSULTANT, email="consultant@example.org"),
        admin=create_user(Role.ADMIN, email="admin@example.org"),
        round=round_,
        submitted_a=submitted,
        draft_b=draft,
    )


@pytest.fixture
def peers(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
    create_user: Callable[..., User],
) -> Peers:
    """Seven agencies submitted in 2025; Canal Police also in 2024."""
    return seed_peers(session, create_agency, create_round, create_user)

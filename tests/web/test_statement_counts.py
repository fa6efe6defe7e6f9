"""How many SQL statements each page runs, and that the number does not grow with the data.

The synthetic demo population is loaded twice, with 60 and with 1,000 agencies (SQLite
files); each page is requested as the user who sees it and the statements its request
sends to the database are counted with SQLAlchemy's cursor events. A page whose count
grows with the number of agencies (one query per row: "N+1") fails, and so does one
that runs more statements than its budget below.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from assessment.services.demo_data import load_demo_data
from assessment.store.db import Database
from assessment.store.models import Agency, Assessment, AssessmentStatus, Role, Round, User
from assessment.web import create_app
from assessment.web.database import close_database
from tests.conftest import sqlite_url
from tests.web.conftest import web_config
from tests.web.helpers import csrf_token, login

SIZES = (60, 1000)
PASSWORD = "statement-count password 2026"


@dataclass
class Population:
    """An app on a demo database of one size, with the ids its pages need."""

    app: Flask
    users: dict[str, User]
    ids: dict[str, int]
    statements: list[str]

    def count(self, actor: str, request: Callable[[FlaskClient], Any]) -> int:
        """The statements one request by `actor` runs (its response must be 200)."""
        client = self.app.test_client()
        login(client, self.users[actor])
        request(client)  # a first request warms per-process caches (instrument, forms)
        self.statements.clear()
        response = request(client)
        assert response.status_code == 200, response.status_code
        return len(self.statements)


def _ids(database: Database) -> tuple[dict[str, User], dict[str, int]]:
    with database.session() as session:
        users = {
            user.role.value: user
            for user in session.scalars(select(User).where(User.email.like("%@example.org")))
        }
        lead_agency = users[Role.LEAD.value].agency_id
        assert lead_agency is not None
        closed = next(
            (
                r
                for r in session.scalars(select(Round).order_by(Round.name.desc()))
                if not r.is_open
            ),
            None,
        )
        assert closed is not None
        submitted = session.scalars(
            select(Assessment).where(
                Assessment.round_id == closed.id,
                Assessment.status == AssessmentStatus.SUBMITTED,
            )
        ).first()
        assert submitted is not None
        first_agency = session.scalars(select(Agency.id).order_by(Agency.id)).first()
        assert first_agency is not None
        session.expunge_all()
    ids = {
        "lead_agency": lead_agency,
        "closed_round": closed.id,
        "submitted_agency": submitted.agency_id,
        "agency": first_agency,
    }
    return users, ids


def _recorded(app: Flask) -> list[str]:
    """A list that receives every statement the app's engine sends to the database."""
    statements: list[str] = []

    def record(_conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(app.extensions["assessment.database"].engine, "before_cursor_execute", record)
    return statements


@pytest.fixture(scope="module")
def populations(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path
) -> Iterator[dict[int, Population]]:
    """Apps on demo databases of 60 and 1,000 agencies."""
    made: dict[int, Population] = {}
    for size in SIZES:
        path = tmp_path_factory.mktemp(f"agencies-{size}") / "assessment.db"
        shutil.copyfile(migrated_sqlite_template, path)
        database = Database(sqlite_url(path))
        with database.session() as session:
            load_demo_data(session, agencies=size, password=PASSWORD)
        users, ids = _ids(database)
        database.dispose()
        app = create_app(web_config(sqlite_url(path)))
        made[size] = Population(app, users, ids, _recorded(app))
    yield made
    for population in made.values():
        close_database(population.app)


def _get(path: str) -> Callable[[dict[str, int]], Callable[[FlaskClient], Any]]:
    return lambda ids: lambda client: client.get(path.format(**ids))


def _autosave(_ids: dict[str, int]) -> Callable[[FlaskClient], Any]:
    """A background save; the first call (the warm-up) reads the answer's revision first."""
    practice = "policy.written-policy"
    revision: list[int] = []

    def save(client: FlaskClient) -> Any:
        if not revision:
            page = client.get("/assessment/dimensions/policy").get_data(as_text=True)
            found = re.findall(rf'name="based-{re.escape(practice)}"[^>]*value="(\d+)"', page)
            revision.append(int(found[0]))
        choice = "fully" if revision[-1] % 2 else "partial"
        body = {"answers": {practice: {"choice": choice, "revision": revision[-1]}}}
        headers = {"Content-Type": "application/json", "X-CSRFToken": csrf_token(client)}
        response = client.post("/assessment/answers", data=json.dumps(body), headers=headers)
        revision.append(response.get_json()["revisions"][practice])
        return response

    return save


# Page, who asks, the request, and the statements it may run at most (at any size): the
# counts measured when this table was written. A page that needs more must say why here.
PAGES: list[tuple[str, str, Callable[[dict[str, int]], Callable[[FlaskClient], Any]], int]] = [
    ("answering overview", "lead", _get("/assessment/"), 8),  # every round of the agency
    # the user, agency, its rounds and assessments, and the answer sheet (one query)
    ("dimension page", "lead", _get("/assessment/dimensions/policy"), 5),
    ("profile page", "lead", _get("/assessment/profile"), 5),
    # + confirming carried answers, + the answers' revisions read under the draft's lock
    ("autosave POST", "lead", _autosave, 11),
    ("draft results", "lead", _get("/assessment/results"), 7),  # + carried flags
    ("own benchmark", "lead", _get("/my/benchmark"), 5),
    # + the rounds, the open rounds' assessments, and the answers and profiles of the drafts
    # on the page (their answered share), the answers and profiles of earlier rounds on another
    # version (carried, then scored): one set of statements per page, at any size.
    ("consultant agency list", "consultant", _get("/consultant/agencies"), 9),
    ("agency list, drafts", "consultant", _get("/consultant/agencies?status=draft"), 9),
    (
        "agency list, by activity",
        "consultant",
        _get("/consultant/agencies?sort=activity&order=desc&page=2"),
        9,
    ),
    # the demo's latest round is on a new major version: + carrying the earlier rounds
    ("consultant agency page", "consultant", _get("/consultant/agencies/{submitted_agency}"), 22),
    ("benchmark page", "consultant", _get("/consultant/benchmark?round={closed_round}"), 20),
    ("reports index", "consultant", _get("/reports/"), 5),  # + the round's report batches
    ("admin agencies", "admin", _get("/admin/agencies"), 3),  # + synthetic counts
    ("admin users", "admin", _get("/admin/users"), 2),
    ("admin rounds", "admin", _get("/admin/rounds"), 2),
]


@pytest.mark.parametrize(
    ("page", "actor", "request_for", "budget"), PAGES, ids=[p[0] for p in PAGES]
)
def test_statements_per_page_do_not_grow_with_the_agencies(
    populations: dict[int, Population],
    page: str,
    actor: str,
    request_for: Callable[[dict[str, int]], Callable[[FlaskClient], Any]],
    budget: int,
) -> None:
    counts = {
        size: population.count(actor, request_for(population.ids))
        for size, population in populations.items()
    }

    assert counts[SIZES[0]] == counts[SIZES[-1]], f"{page}: {counts}"
    assert counts[SIZES[-1]] <= budget, f"{page}: {counts}"

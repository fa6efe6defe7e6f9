"""The consultant's portfolio: each agency's state in the open round, counts and filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.domain.model.answers import Answer
from assessment.domain.rules.scoring import progress
from assessment.presentation.labels import points
from assessment.queries.instruments import default_catalog
from assessment.services import assessments
from assessment.store.models import Agency, Assessment, utcnow
from tests.conftest import BUNDLED_QUESTIONNAIRE
from tests.web.conftest import World
from tests.web.helpers import login


@dataclass
class Portfolio:
    world: World
    percent: float  # agency B's draft, answered share as its lead sees it


@pytest.fixture
def portfolio(world: World, session: Session, create_agency: Callable[..., Agency]) -> Portfolio:
    """A submitted (NL), B draft with two answers (BE), C not started (NL), D reopened (BE)."""
    instrument = default_catalog().get(BUNDLED_QUESTIONNAIRE)
    answers = {
        "policy.written-policy": Answer("policy.written-policy", "largely"),
        "training.operator-training": Answer("training.operator-training", "partial"),
    }
    assessments.save_answers(session, assessment_id=world.draft_b.id, answers=answers, actor=None)
    create_agency(name="Agency C Police", country="NL")
    reopened = create_agency(name="Agency D Police", country="BE")
    started = assessments.start_assessment(
        session, agency_id=reopened.id, round_id=world.round.id, actor=None
    )
    assessments.submit_assessment(session, assessment_id=started.id, revision=0, actor=None)
    assessments.reopen_assessment(
        session, assessment_id=started.id, actor=world.admin, reason="evidence missing"
    )
    # A worked on long ago: the activity order is A, then D, then B (newest first).
    session.execute(
        update(Assessment)
        .where(Assessment.id == world.submitted_a.id)
        .values(updated_at=utcnow() - timedelta(days=30))
    )
    session.execute(
        update(Assessment)
        .where(Assessment.id == world.draft_b.id)
        .values(updated_at=utcnow() + timedelta(minutes=5))
    )
    session.commit()
    return Portfolio(world, progress(instrument, answers).percent)


def listed(app: Flask, portfolio: Portfolio, query: str = "") -> tuple[int, str, list[str]]:
    client = app.test_client()
    login(client, portfolio.world.consultant)
    response = client.get(f"/consultant/agencies?{query}")
    html = response.get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)
    return response.status_code, html, names


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'<span class="status-counts__n">(\d+)</span> ([a-z ]+)</a>', html)
    return {label: int(number) for number, label in found}


def test_counts_each_status_of_the_open_round(app: Flask, portfolio: Portfolio) -> None:
    status, html, names = listed(app, portfolio)

    assert status == 200
    assert counts(html) == {"not started": 1, "draft": 1, "reopened": 1, "submitted": 1}
    assert names == ["Agency A Police", "Agency B Police", "Agency C Police", "Agency D Police"]


def test_the_status_filter_keeps_one_status(app: Flask, portfolio: Portfolio) -> None:
    expected = {
        "not_started": ["Agency C Police"],
        "draft": ["Agency B Police"],
        "reopened": ["Agency D Police"],
        "submitted": ["Agency A Police"],
    }
    for key, names in expected.items():
        status, html, shown = listed(app, portfolio, f"status={key}")
        assert status == 200 and shown == names, key
        # The counts stay those of all agencies, so the other statuses can still be chosen.
        assert sum(counts(html).values()) == 4


def test_counts_follow_the_country_filter(app: Flask, portfolio: Portfolio) -> None:
    _, html, names = listed(app, portfolio, "country=BE")

    assert names == ["Agency B Police", "Agency D Police"]
    assert counts(html) == {"not started": 0, "draft": 1, "reopened": 1, "submitted": 0}
    _, _, both = listed(app, portfolio, "country=BE&status=reopened")
    assert both == ["Agency D Police"]


def test_a_draft_shows_its_answered_share_and_the_deadline(
    app: Flask, portfolio: Portfolio
) -> None:
    _, html, _ = listed(app, portfolio, "status=draft")

    row = html[html.index("Agency B Police") :]
    row = row[: row.index("</tr>")]
    assert f"{points(portfolio.percent)}% answered" in row
    assert "Draft" in row
    assert 0 < portfolio.percent < 100


def test_sorting_by_last_activity_puts_agencies_without_any_last(
    app: Flask, portfolio: Portfolio
) -> None:
    _, _, newest_first = listed(app, portfolio, "sort=activity&order=desc")
    assert newest_first == [
        "Agency B Police",
        "Agency D Police",
        "Agency A Police",
        "Agency C Police",
    ]
    _, _, by_status = listed(app, portfolio, "sort=status")
    assert by_status[0] == "Agency C Police" and by_status[-1] == "Agency A Police"


def test_the_overall_level_is_worded_as_on_the_results_page(
    app: Flask, portfolio: Portfolio
) -> None:
    _, html, _ = listed(app, portfolio, "status=submitted")

    assert "Floor: level 1 · Initial" in html
    assert '<th scope="col" class="numeric">Level</th>' not in html


@pytest.mark.parametrize("query", ["status=finished", "round=999999"])
def test_a_wrong_filter_is_refused_naming_the_field(
    app: Flask, portfolio: Portfolio, query: str
) -> None:
    status, html, _ = listed(app, portfolio, query)

    assert status == 400
    assert "There is a problem" in html
    assert ("Status" if "status" in query else "Open round") in html

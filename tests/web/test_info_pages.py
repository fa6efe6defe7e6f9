"""Help, contact, privacy notice and accessibility statement: public, in every footer,
filled from the settings, and a privacy notice that covers every stored table."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.reporting.pdf_cache import DEFAULT_MAX_ENTRIES
from assessment.resources import questionnaires_dir
from assessment.store.models import Base
from assessment.web.info.view_data import STORED_DATA
from tests.web.conftest import World
from tests.web.helpers import login

PAGES = {
    "/help": "Help",
    "/contact": "Contact",
    "/privacy": "Privacy notice",
    "/accessibility": "Accessibility statement",
}


def _text(app: Flask, path: str, actor: str | None = None, world: World | None = None) -> str:
    client = app.test_client()
    if actor is not None and world is not None:
        user = world.user(actor)
        assert user is not None
        login(client, user)
    response = client.get(path)
    assert response.status_code == 200, path
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


@pytest.mark.parametrize("actor", [None, "lead_own", "consultant"])
def test_every_page_opens_for_anyone_and_every_footer_links_them(
    app: Flask, world: World, actor: str | None
) -> None:
    for path, title in PAGES.items():
        page = _text(app, path, actor, world)
        assert f"<h1>{title}</h1>" in page
        for linked, label in PAGES.items():
            assert f'<a href="{linked}">{label}</a>' in page, (path, linked)
    # Pages of the product carry the same footer.
    login_page = _text(app, "/login")
    assert '<a href="/privacy">Privacy notice</a>' in login_page


def test_the_privacy_notice_covers_every_stored_table() -> None:
    described = [item.table for item in STORED_DATA]
    assert len(described) == len(set(described)), "a table is described twice"
    assert set(described) == set(Base.metadata.tables), (
        "describe each table of assessment/store/models.py in STORED_DATA "
        "(assessment/web/info/view_data.py)"
    )


def test_the_privacy_notice_shows_each_table_and_the_settings(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(
        ORGANISATION_NAME="Police Digital Service",
        CONTACT_EMAIL="privacy@example.org",
        RETENTION_YEARS=7,
        ANONYMITY_K=6,
    )
    page = _text(app, "/privacy")
    for item in STORED_DATA:
        assert item.title in page
        assert item.what in page
        assert item.who_sees in page
        assert f"<code>{item.table}</code>" in page
    assert "run by Police Digital Service" in page
    assert 'href="mailto:privacy@example.org"' in page
    assert "kept for 7 years after" in page
    assert "7 years after the round), then deleted by the operator" in page
    assert "does not delete them by itself" in page
    assert "at least 6 agencies" in page
    assert f"At most {DEFAULT_MAX_ENTRIES} are kept" in page


def test_contact_without_an_address_says_whom_to_ask(app: Flask) -> None:
    page = _text(app, "/contact")
    assert "No contact address has been set" in page
    assert "mailto:" not in page


def test_help_explains_answering_and_the_levels_of_the_questionnaire(app: Flask) -> None:
    page = _text(app, "/help")
    for topic in (
        "profile first",
        "Not applicable",
        "Evidence comments",
        "Carried-over answers",
        "Deadlines",
        "Why the questions show no level",
    ):
        assert topic in page
    assert "Only an administrator can reopen" in page
    latest = InstrumentCatalog(questionnaires_dir()).all()[-1]  # the version new rounds use
    for level in latest.levels:
        assert f"Level {level.number} · {level.name}" in page
        assert str(level.description) in page


def test_help_still_opens_when_a_questionnaire_file_is_broken(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    folder = tmp_path
    (folder / "broken.yaml").write_text("id: [", encoding="utf-8")
    page = _text(make_app(INSTRUMENT_DIR=str(folder)), "/help")
    assert "levels cannot be shown" in page


def test_a_bad_setting_given_to_the_app_is_refused_by_name(
    make_app: Callable[..., Flask],
) -> None:
    with pytest.raises(ValueError, match="RETENTION_YEARS"):
        make_app(RETENTION_YEARS="forever")

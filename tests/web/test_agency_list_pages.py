"""The consultant's agency list comes in pages of 100, keeping filters and sorting."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.store.models import Agency, User
from assessment.web.consultant.view_data import AGENCIES_PER_PAGE
from tests.web.conftest import World
from tests.web.helpers import login

EXTRA = AGENCIES_PER_PAGE + 3  # with the world's two agencies: 105, two pages


@pytest.fixture
def many(world: World, create_agency: Callable[..., Agency]) -> World:
    """The world plus enough agencies (named "Paged Police NNN") for two pages."""
    for number in range(EXTRA):
        create_agency(name=f"Paged Police {number:03d}", country="NL" if number % 2 else "BE")
    return world


def listed(app: Flask, user: User, query: str) -> tuple[int, str, list[str]]:
    """Status, HTML and the agency names of the rows of `/consultant/agencies?query`."""
    client: FlaskClient = app.test_client()
    login(client, user)
    response = client.get(f"/consultant/agencies?{query}")
    page = response.get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)
    return response.status_code, page, names


def test_the_first_page_shows_100_and_links_to_the_next(app: Flask, many: World) -> None:
    status, page, names = listed(app, many.consultant, "sort=name")

    assert status == 200
    assert len(names) == AGENCIES_PER_PAGE
    assert names == sorted(names)
    assert "105 agencies, 1-100 shown (page 1 of 2)" in page
    next_link = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', page)
    assert next_link is not None
    assert html_module.unescape(next_link.group(1)) == "/consultant/agencies?sort=name&page=2"
    assert 'rel="prev"' not in page


def test_the_last_page_holds_the_rest_and_keeps_the_filters(app: Flask, many: World) -> None:
    _, _, first_names = listed(app, many.consultant, "sort=name&order=desc")
    status, page, names = listed(app, many.consultant, "sort=name&order=desc&page=2")

    assert status == 200
    assert len(names) == 105 - AGENCIES_PER_PAGE
    assert not set(names) & set(first_names)
    assert names == sorted(names, reverse=True) and names[0] < first_names[-1]
    assert "101-105 shown (page 2 of 2)" in page
    previous = re.search(r'<a href="([^"]+)" rel="prev">Previous page</a>', page)
    assert previous is not None
    assert "order=desc" in html_module.unescape(previous.group(1))


def test_a_page_past_the_end_shows_the_last_one(app: Flask, many: World) -> None:
    _, page, names = listed(app, many.consultant, "country=BE&page=9")

    assert len(names) == 53  # 52 paged BE agencies and the world's agency B
    assert "53 agencies" in page
    assert "page 1 of" not in page  # one page: no pager


@pytest.mark.parametrize("value", ["0", "-1", "two", "99999999999"])
def test_a_bad_page_number_is_refused_naming_the_field(app: Flask, many: World, value: str) -> None:
    status, page, _ = listed(app, many.consultant, f"page={value}")

    assert status == 400
    assert "There is a problem" in page
    assert "Page" in page

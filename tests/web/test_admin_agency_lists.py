"""Admin lists show synthetic (demo) agencies, marked and filterable, never "No agencies yet"."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assessment.store.models import Agency, Role, User
from tests.web.helpers import login


def synthetic_agencies(
    session: Session, create_agency: Callable[..., Agency], count: int
) -> list[Agency]:
    """Agencies as the demo loader stores them: marked synthetic."""
    made = [create_agency(name=f"Synthetic Police {n:02d} (NL)") for n in range(count)]
    for agency in made:
        agency.synthetic = True
    session.commit()
    return made


def names_listed(html: str) -> list[str]:
    """The agency names of the agencies table, top to bottom."""
    return re.findall(r'<th scope="row">([^<]+?)(?: <span|</th>)', html)


def test_synthetic_agencies_are_listed_with_a_badge_and_a_filter(
    client: FlaskClient,
    session: Session,
    create_agency: Callable[..., Agency],
    create_user: Callable[..., User],
) -> None:
    admin = create_user(Role.ADMIN)
    demo = synthetic_agencies(session, create_agency, 3)
    create_user(Role.LEAD, agency=demo[0], email="demo.lead@example.org")
    login(client, admin)
    page = client.get("/admin/agencies").text
    assert "No agencies yet" not in page
    assert names_listed(page) == [a.name for a in demo]
    assert page.count('<span class="badge badge--synthetic">synthetic</span>') == 3
    assert ">All (3)</a>" in page and ">Real (0)</a>" in page and ">Synthetic (3)</a>" in page
    only_real = client.get("/admin/agencies?show=real").text
    assert names_listed(only_real) == []
    assert "No real agencies; 3 agencies are registered in all" in only_real
    real = create_agency(name="Real Police")
    assert names_listed(client.get("/admin/agencies?show=real").text) == [real.name]
    assert names_listed(client.get("/admin/agencies?show=synthetic").text) == [a.name for a in demo]
    assert 'aria-current="page">Synthetic (3)' in client.get("/admin/agencies?show=synthetic").text
    # An unknown filter shows everything rather than failing.
    assert len(names_listed(client.get("/admin/agencies?show=bogus").text)) == 4
    # Invitations offer synthetic agencies too, after the real ones and marked.
    invitations = client.get("/admin/invitations").text
    assert "There are no agencies yet" not in invitations
    options = re.findall(r"<option[^>]*>([^<]+)</option>", invitations)
    assert options == [real.name, *(f"{a.name} (synthetic)" for a in demo)]
    users = client.get("/admin/users").text
    assert re.search(r"Synthetic Police 00 \(NL\) <span class=\"badge badge--synthetic\"", users)


def test_without_any_agency_the_list_says_so(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    login(client, create_user(Role.ADMIN))
    page = client.get("/admin/agencies").text
    assert "No agencies yet." in page and ">All (0)</a>" in page

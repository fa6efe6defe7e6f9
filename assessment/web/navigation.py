"""The main navigation: which links each role sees.

An entry appears only when its endpoint is registered, so an area can be switched
off by not registering its blueprint. Add an area's pages here when it lands.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from assessment.store.models import Role, User


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, the roles that see it, and the pages it stands for."""

    endpoint: str
    label: str
    roles: frozenset[Role]
    section: frozenset[str] = frozenset()  # further endpoints shown as "in this section"


@dataclass(frozen=True)
class NavLink:
    """A navigation link ready for the template; `current` is the aria-current value."""

    url: str
    label: str
    current: str | None  # "page" on the page itself, "true" inside its section


_ALL = frozenset(Role)
_STAFF = frozenset({Role.ADMIN, Role.CONSULTANT})
_ADMIN = frozenset({Role.ADMIN})
_LEAD = frozenset({Role.LEAD})
_AGENCY = frozenset({Role.LEAD, Role.CONTRIBUTOR})

# The administration's own pages: one "Admin" link in the main navigation
# stands for them (so a staff header keeps to one line at 1,280 px), and these links
# are shown under the header on every page of the section.
ADMINISTRATION: tuple[NavItem, ...] = (
    NavItem("admin.agencies", "Agencies", _ADMIN, frozenset({"admin.new_agency"})),
    NavItem("admin.invitations", "Invitations", _ADMIN),
    NavItem(
        "admin.users",
        "Users",
        _ADMIN,
        frozenset({"admin.password_reset", "admin.disable_user", "admin.enable_user"}),
    ),
    NavItem(
        "admin.rounds_list",
        "Rounds",
        _ADMIN,
        frozenset({"admin.new_round", "admin.round_detail", "admin.reopen"}),
    ),
)

NAVIGATION: tuple[NavItem, ...] = (
    NavItem(
        "answering.overview",
        "Our assessment",
        _AGENCY,
        frozenset({"answering.dimension", "answering.submit"}),
    ),
    NavItem("answering.results", "Our results", _AGENCY, frozenset({"reports.my_answers_page"})),
    NavItem("answering.team", "Our team", _LEAD),
    NavItem("peers.my_benchmark", "How we compare", _LEAD),
    NavItem(
        "consultant.agencies",
        "Agencies",
        _STAFF,
        frozenset({"consultant.agency", "consultant.agency_answers"}),
    ),
    NavItem("consultant.benchmark", "Benchmark", _STAFF),
    NavItem("consultant.compare", "Compare", _STAFF),
    NavItem("reports.index", "Reports", _STAFF, frozenset({"reports.agency_preview"})),
    NavItem(
        "admin.index",
        "Admin",
        _ADMIN,
        frozenset(item.endpoint for item in ADMINISTRATION).union(
            *(item.section for item in ADMINISTRATION)
        ),
    ),
)


def navigation_for(user: User | None) -> list[NavLink]:
    """The links `user` sees, in order, with the current page marked."""
    return _links(user, NAVIGATION)


def section_navigation_for(user: User | None) -> list[NavLink]:
    """The administration's links, on its own pages only (empty elsewhere)."""
    endpoint = request.endpoint or ""
    if not endpoint.startswith("admin."):
        return []
    return _links(user, ADMINISTRATION)


def _links(user: User | None, items: tuple[NavItem, ...]) -> list[NavLink]:
    if user is None:
        return []
    registered = current_app.view_functions
    return [
        NavLink(url_for(item.endpoint), item.label, _current(item, request.endpoint))
        for item in items
        if user.role in item.roles and item.endpoint in registered
    ]


def _current(item: NavItem, endpoint: str | None) -> str | None:
    if endpoint == item.endpoint:
        return "page"
    return "true" if endpoint in item.section else None

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
    """A link in the main navigation and the roles that see it."""

    endpoint: str
    label: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class NavLink:
    """A navigation link ready for the template."""

    url: str
    label: str
    current: bool


_ALL = frozenset(Role)
_STAFF = frozenset({Role.ADMIN, Role.CONSULTANT})
_ADMIN = frozenset({Role.ADMIN})
_LEAD = frozenset({Role.LEAD})

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("answering.overview", "Our assessment", _LEAD),
    NavItem("answering.results", "Our results", _LEAD),
    NavItem("peers.my_benchmark", "How we compare", _LEAD),
    NavItem("consultant.agencies", "Agencies", _STAFF),
    NavItem("consultant.benchmark", "Benchmark", _STAFF),
    NavItem("consultant.compare", "Compare", _STAFF),
    NavItem("reports.index", "Reports", _STAFF),
    NavItem("admin.invitations", "Invitations", _STAFF),
    NavItem("admin.agencies", "Manage agencies", _ADMIN),
    NavItem("admin.users", "Users", _ADMIN),
    NavItem("admin.rounds_list", "Rounds", _ADMIN),
)


def navigation_for(user: User | None) -> list[NavLink]:
    """The links `user` sees, in order, with the current page marked."""
    if user is None:
        return []
    registered = current_app.view_functions
    blueprint_prefix = (request.endpoint or "").rsplit(".", 1)[0]
    links = []
    for item in NAVIGATION:
        if user.role in item.roles and item.endpoint in registered:
            current = request.endpoint == item.endpoint or (
                item.endpoint.startswith(blueprint_prefix + ".") and _index_like(item.endpoint)
            )
            links.append(NavLink(url_for(item.endpoint), item.label, current))
    return links


def _index_like(endpoint: str) -> bool:
    return endpoint.endswith((".overview", ".index"))

"""The access matrix: every route, called by every kind of visitor, gives the expected status.

Actors: `anonymous`, `lead_own` (lead of agency A, whose objects the paths name),
`lead_other` (lead of agency B), `contributor` (of agency B, assigned its policy
dimension; unless a row says otherwise, as `lead_other`), `consultant`, `admin`.

To add a route, append a `Row` to ROWS: method, path with {names} filled from `World.ids()`
({own_agency}, {other_agency}, {round}, {own_assessment}, {other_assessment},
{own_lead}, {other_lead}), the expected status per actor (start from a preset such as
ADMIN_ONLY or STAFF and override single actors), and for POST the form data (a valid CSRF
token is added). Anonymous visitors expected to get 302 must be sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from assessment.domain.rules.benchmark import PeerGroup
from assessment.services import report_jobs
from assessment.web.auth.access import PUBLIC, access_rule
from assessment.web.database import db_session
from assessment.web.security import limiter
from tests.web.conftest import World
from tests.web.helpers import csrf_token, login

ACTORS = ("anonymous", "contributor", "lead_own", "lead_other", "consultant", "admin")
PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.accept_invitation",
    "auth.forgot_password",
    "auth.reset_password",
    "health",
    "info.help_page",
    "info.contact",
    "info.privacy",
    "info.accessibility",
}


def expect(
    *,
    anonymous: int = 302,
    lead_own: int = 403,
    lead_other: int = 403,
    consultant: int = 403,
    admin: int = 200,
    contributor: int | None = None,
) -> dict[str, int]:
    """Expected status per actor; the defaults describe an admin-only page."""
    return {
        "anonymous": anonymous,
        "contributor": lead_other if contributor is None else contributor,
        "lead_own": lead_own,
        "lead_other": lead_other,
        "consultant": consultant,
        "admin": admin,
    }


ADMIN_ONLY = expect()
STAFF = expect(consultant=200)
EVERYONE = expect(anonymous=200, lead_own=200, lead_other=200, consultant=200)


@dataclass(frozen=True)
class Row:
    """One route of the matrix and what each actor gets from it."""

    method: str
    path: str
    expected: Mapping[str, int]
    data: Mapping[str, str] = field(default_factory=dict)

    def label(self) -> str:
        """A readable test id."""
        return f"{self.method} {self.path}"


ROWS: list[Row] = [
    # Health and signing in
    Row("GET", "/healthz", EVERYONE),
    Row(
        "GET",
        "/login",
        expect(anonymous=200, lead_own=302, lead_other=302, consultant=302, admin=302),
    ),
    Row(
        "POST",
        "/login",
        expect(anonymous=400, lead_own=400, lead_other=400, consultant=400, admin=400),
    ),
    Row("GET", "/", expect(lead_own=302, lead_other=302, consultant=302, admin=302)),
    Row("POST", "/logout", expect(lead_own=302, lead_other=302, consultant=302, admin=302)),
    Row(
        "GET",
        "/invitation/not-a-real-token",
        expect(anonymous=410, lead_own=410, lead_other=410, consultant=410, admin=410),
    ),
    Row(
        "GET",
        "/password-reset/not-a-real-token",
        expect(anonymous=410, lead_own=410, lead_other=410, consultant=410, admin=410),
    ),
    Row(
        "POST",
        "/invitation/not-a-real-token",
        expect(anonymous=410, lead_own=410, lead_other=410, consultant=410, admin=410),
    ),
    Row(
        "POST",
        "/password-reset/not-a-real-token",
        expect(anonymous=410, lead_own=410, lead_other=410, consultant=410, admin=410),
    ),
    # Asking for a reset link by e-mail: open to everyone, the same answer for any address
    Row("GET", "/forgot-password", EVERYONE),
    Row("POST", "/forgot-password", EVERYONE, {"email": "someone@example.org"}),
    Row(
        "POST",
        "/forgot-password",
        expect(anonymous=400, lead_own=400, lead_other=400, consultant=400, admin=400),
        {"email": "not an address"},
    ),
    # Help, contact, privacy notice, accessibility statement: open to everyone
    *[Row("GET", path, EVERYONE) for path in ("/help", "/contact", "/privacy", "/accessibility")],
    # Administration
    Row("GET", "/admin/", ADMIN_ONLY),
    Row("GET", "/admin/agencies", ADMIN_ONLY),
    Row("GET", "/admin/agencies/new", ADMIN_ONLY),
    Row("POST", "/admin/agencies/new", expect(admin=400)),  # empty form: named problems
    Row("GET", "/admin/users", ADMIN_ONLY),
    Row("POST", "/admin/users/{own_lead}/password-reset", ADMIN_ONLY),
    Row("POST", "/admin/users/{other_lead}/disable", expect(admin=302)),
    Row("POST", "/admin/users/{other_lead}/enable", expect(admin=302)),
    # Only admins grant access to an agency: no role mints an account with more rights.
    Row("GET", "/admin/invitations", ADMIN_ONLY),
    Row(
        "POST",
        "/admin/invitations",
        ADMIN_ONLY,
        {"agency_id": "{own_agency}", "email": "new@example.org"},
    ),
    Row("GET", "/admin/rounds", ADMIN_ONLY),
    Row("GET", "/admin/rounds/new", ADMIN_ONLY),
    Row("POST", "/admin/rounds/new", expect(admin=400)),
    Row("GET", "/admin/rounds/{round}", ADMIN_ONLY),
    Row("POST", "/admin/rounds/{round}/close", expect(admin=302)),
    Row("POST", "/admin/rounds/{round}/open", expect(admin=302)),
    Row("GET", "/admin/assessments/{own_assessment}/reopen", ADMIN_ONLY),
    Row(
        "POST",
        "/admin/assessments/{own_assessment}/reopen",
        expect(admin=302),
        {"reason": "Wrong year"},
    ),
    # Consultant pages and the lead's own benchmark
    Row("GET", "/consultant/agencies", STAFF),
    Row("GET", "/consultant/agencies/{own_agency}", STAFF),
    Row("GET", "/consultant/agencies/{other_agency}", STAFF),
    # An agency's answers of a submitted round: the same rules as its PDF report
    Row("GET", "/consultant/agencies/{own_agency}/rounds/{round}/answers", STAFF),
    Row(
        "GET",
        "/consultant/agencies/{other_agency}/rounds/{round}/answers",
        expect(consultant=404, admin=404),
    ),
    Row("GET", "/consultant/compare", STAFF),
    Row("GET", "/consultant/benchmark", STAFF),
    Row("GET", "/consultant/rounds/{round}/export.csv", STAFF),
    Row("GET", "/consultant/rounds/{round}/export.xlsx", STAFF),
    Row("GET", "/consultant/rounds/{round}/export.csv?table=answers&comments=y", STAFF),
    Row("GET", "/consultant/compare.csv?round={round}&agency={own_agency}", STAFF),
    Row("GET", "/consultant/compare.xlsx?round={round}&agency={other_agency}", STAFF),
    Row("GET", "/my/benchmark", expect(lead_own=200, lead_other=200, admin=403, contributor=403)),
    # Reports: staff only; agency B has only a draft, and one agency is below K for a cohort
    Row("GET", "/reports/", STAFF),
    # A first download is queued: "preparing" (202) until a worker has rendered it.
    Row("GET", "/reports/agency/{own_agency}/{round}.pdf", expect(consultant=202, admin=202)),
    Row("GET", "/reports/agency/{own_agency}/{round}", STAFF),
    Row("GET", "/reports/agency/{other_agency}/{round}.pdf", expect(consultant=404, admin=404)),
    Row("GET", "/reports/cohort.pdf?round={round}", expect(consultant=400, admin=400)),
    Row("GET", "/reports/assets/agency/report.css", STAFF),
    Row("GET", "/reports/agency/{own_agency}/{round}/commentary", STAFF),
    Row(
        "POST",
        "/reports/agency/{own_agency}/{round}/commentary",
        expect(consultant=302, admin=302),
        {"note_overall": "Well done."},
    ),
    Row(
        "GET",
        "/reports/agency/{other_agency}/{round}/commentary",
        expect(consultant=404, admin=404),
    ),
    # All reports of a round (agency A's), from the web: staff only
    Row("POST", "/reports/rounds/{round}/batch", expect(consultant=302, admin=302)),
    Row("GET", "/reports/batches/1", STAFF),
    Row("GET", "/reports/batches/1.zip", STAFF),
    Row("GET", "/reports/batches/999", expect(consultant=404, admin=404)),
    # the consultant issues it; the admin, after, is told it is final already
    Row("POST", "/reports/agency/{own_agency}/{round}/final", expect(consultant=302, admin=409)),
    # A lead's own copies: the report and the answers of a submitted round, no one else's
    Row(
        "GET",
        "/reports/mine/{round}.pdf",
        expect(lead_own=202, lead_other=404, admin=403, contributor=403),
    ),
    Row(
        "GET",
        "/reports/mine/{round}/answers",
        expect(lead_own=200, lead_other=404, admin=403, contributor=403),
    ),
    Row(
        "GET",
        "/reports/mine/{round}/answers.csv",
        expect(lead_own=200, lead_other=404, admin=403, contributor=403),
    ),
    Row(
        "GET",
        "/reports/mine/{round}/answers.json",
        expect(lead_own=200, lead_other=404, admin=403, contributor=403),
    ),
    # JSON API (session here; bearer tokens in tests/web/test_api.py): 401, never a redirect
    *[
        Row("GET", path, expect(anonymous=401, lead_own=200, lead_other=200, consultant=200))
        for path in (
            "/api/v1/openapi.json",
            "/api/v1/agencies",
            "/api/v1/rounds",
            "/api/v1/benchmarks/history",
        )
    ],
    Row(
        "GET",
        "/api/v1/benchmarks",
        expect(anonymous=401, lead_own=200, lead_other=200, consultant=200),
    ),
    *[
        Row(
            "GET",
            f"/api/v1/agencies/{{own_agency}}{suffix}",
            expect(anonymous=401, lead_own=200, lead_other=404, consultant=200),
        )
        for suffix in ("", "/results", "/benchmark", "/trajectory")
    ],
    # The lead's questionnaire. Agency A's assessment is submitted (locked), B's a draft.
    # Short routes are the lead's own agency; staff name the agency in the path. Every
    # page exists without a round (the agency's current one; `/` lists all rounds) and
    # with one (`/rounds/{round}`).
    *[
        Row(
            method,
            f"/assessment{round_part}{path}",
            expect(lead_own=own, lead_other=other, consultant=404, admin=404, contributor=helper),
            data,
        )
        for round_part in ("", "/rounds/{round}")
        # helper: B's contributor, who answers B's policy dimension and nothing more.
        for method, path, own, other, helper, data in (
            ("GET", "/", 200, 200, 200, {}),
            ("POST", "/start", 302, 302, 403, {}),  # both started: back to the overview
            ("GET", "/profile", 200, 200, 200, {}),
            # B's empty profile form changes nothing (the agency's record fills it).
            ("POST", "/profile", 423, 302, 403, {"revision": "0"}),
            ("GET", "/dimensions/policy", 200, 200, 200, {}),
            ("POST", "/dimensions/policy", 423, 302, 302, {}),
            ("GET", "/dimensions/legal", 200, 200, 200, {}),  # read-only for the helper
            ("POST", "/dimensions/legal", 423, 302, 403, {}),
            ("POST", "/answers", 400, 400, 400, {"revision": "0"}),  # a form body is not JSON
            ("GET", "/submit", 302, 200, 403, {}),
            ("POST", "/submit", 423, 302, 403, {"revision": "0"}),
            ("GET", "/results", 200, 200, 200, {}),
            # B has no earlier submission: told so on the overview.
            ("POST", "/prefill", 423, 302, 403, {"revision": "0"}),
            # The team: the lead's (and an admin's on the agency's own path).
            ("GET", "/team", 200, 200, 403, {}),
            ("POST", "/team", 400, 400, 403, {}),  # no address: named problem
            (
                "POST",
                "/team/{other_contributor}/dimensions",
                404,
                302,
                403,
                {"contributor-{other_contributor}-dimensions": "policy"},
            ),
        )
    ],
    *[
        Row(row.method, row.path.replace("/assessment/", round_part), row.expected, row.data)
        for round_part in ("/assessment/", "/assessment/rounds/{round}/")
        for row in (
            # Only the agency's own lead starts from last round's answers; admins may not.
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/prefill",
                expect(lead_own=404, lead_other=302, consultant=403, admin=403, contributor=403),
                {"revision": "0"},
            ),
            Row(
                "GET",
                "/agencies/{own_agency}/assessment/",
                expect(lead_own=200, lead_other=404, consultant=200),
            ),
            Row(
                "POST",
                "/agencies/{own_agency}/assessment/start",
                expect(lead_own=302, lead_other=404, admin=302),
            ),
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/start",
                expect(lead_own=404, lead_other=302, admin=302, contributor=403),
            ),
            Row(
                "GET",
                "/agencies/{own_agency}/assessment/profile",
                expect(lead_own=200, lead_other=404, consultant=200),
            ),
            Row(
                "POST",
                "/agencies/{own_agency}/assessment/profile",
                expect(lead_own=423, lead_other=404, admin=423),
                {"revision": "1"},
            ),
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/profile",
                expect(lead_own=404, lead_other=302, admin=302, contributor=403),
                {"revision": "0"},
            ),
            Row(
                "GET",
                "/agencies/{own_agency}/assessment/dimensions/policy",
                expect(lead_own=200, lead_other=404, consultant=200),
            ),
            Row(
                "GET",
                "/agencies/{other_agency}/assessment/dimensions/policy",
                expect(lead_own=404, lead_other=200, consultant=200),
            ),
            Row(
                "POST",
                "/agencies/{own_agency}/assessment/dimensions/policy",
                expect(lead_own=423, lead_other=404, admin=423),
                {},
            ),
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/dimensions/policy",
                expect(lead_own=404, lead_other=302, admin=302),
                {},
            ),
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/answers",
                expect(lead_own=404, lead_other=400, admin=400),
                {"revision": "0"},
            ),
            Row(
                "GET",
                "/agencies/{own_agency}/assessment/submit",
                expect(lead_own=302, lead_other=404, consultant=302, admin=302),
            ),
            Row(
                "GET",
                "/agencies/{other_agency}/assessment/submit",
                expect(lead_own=404, lead_other=200, admin=200, contributor=403),
            ),
            Row(
                "POST",
                "/agencies/{own_agency}/assessment/submit",
                expect(lead_own=423, lead_other=404, admin=423),
                {"revision": "1"},
            ),
            Row(
                "GET",
                "/agencies/{own_agency}/assessment/results",
                expect(lead_own=200, lead_other=404, consultant=200),
            ),
            # The team of agency B: its lead and administrators; not consultants, not its
            # contributors.
            Row(
                "GET",
                "/agencies/{other_agency}/assessment/team",
                expect(lead_own=404, lead_other=200, contributor=403),
            ),
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/team",
                expect(lead_own=404, lead_other=400, contributor=403, admin=400),
            ),
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/team/{other_contributor}/dimensions",
                expect(lead_own=404, lead_other=302, contributor=403, admin=302),
                {"contributor-{other_contributor}-dimensions": "policy"},
            ),
            # Only the agency's own lead starts from last round's answers; admins may not.
            Row(
                "POST",
                "/agencies/{other_agency}/assessment/prefill",
                expect(lead_own=404, lead_other=302, consultant=403, admin=403, contributor=403),
                {"revision": "0"},
            ),
        )
    ],
]


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The app with an empty PDF cache: a first download is always queued."""
    return make_app(PDF_CACHE_DIR=str(tmp_path / "pdf-cache"))


@pytest.fixture
def round_batch(app: Flask, world: World) -> int:
    """Job 1: all reports of the world's round, started by the consultant."""
    with app.app_context():
        started = report_jobs.start_round_batch(
            db_session(),
            round_id=world.round.id,
            group=PeerGroup(),
            k=5,
            templates="test",
            actor=world.consultant,
        )
    assert started.job.id == 1
    return started.job.id


def _fill(template: str, ids: Mapping[str, int]) -> str:
    return template.format(**ids)


def _request(client: FlaskClient, row: Row, ids: Mapping[str, int]) -> tuple[int, str]:
    path = _fill(row.path, ids)
    if row.method == "GET":
        response = client.get(path)
    else:
        data = {name: _fill(value, ids) for name, value in row.data.items()}
        data["csrf_token"] = csrf_token(client)
        response = client.open(path, method=row.method, data=data)
    return response.status_code, response.headers.get("Location", "")


@pytest.mark.parametrize("row", ROWS, ids=Row.label)
def test_access(app: Flask, world: World, round_batch: int, row: Row) -> None:
    # Actors run from least to most privileged, so a change made by an allowed actor
    # (closing a round, reopening) cannot hide a refusal that should have come first.
    problems = []
    for number, actor in enumerate(ACTORS, start=1):
        # Access, not rate limits, is tested here: each actor starts with fresh limits.
        with app.app_context():
            limiter.reset()
        client = app.test_client()
        # Each actor is a visitor of its own: login limits count per address.
        client.environ_base["REMOTE_ADDR"] = f"127.0.0.{number}"
        user = world.user(actor)
        if user is not None:
            login(client, user)
        status, location = _request(client, row, world.ids())
        if status != row.expected[actor]:
            problems.append(f"{actor}: expected {row.expected[actor]}, got {status}")
        elif actor == "anonymous" and status == 302 and not location.startswith("/login"):
            problems.append(f"anonymous: sent to {location} instead of the login page")
    assert not problems, f"{row.label()}: " + "; ".join(problems)


def test_every_endpoint_declares_who_may_call_it(app: Flask) -> None:
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and access_rule(view) is None
    )
    assert not undeclared, f"endpoints without login_required/roles_required/...: {undeclared}"


def test_only_known_endpoints_are_public(app: Flask) -> None:
    public = {e for e, view in app.view_functions.items() if access_rule(view) == PUBLIC}
    assert public == PUBLIC_ENDPOINTS


def test_every_endpoint_is_in_the_matrix(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    covered: set[tuple[str, str]] = set()
    for row in ROWS:
        path = row.path.split("?")[0].format_map(_AnyId())
        try:
            rule, _ = adapter.match(path, method=row.method, return_rule=True)
        except (NotFound, MethodNotAllowed, RequestRedirect) as error:
            pytest.fail(f"matrix row {row.label()} matches no route: {error!r}")
        covered.add((rule.rule, row.method))
    missing = sorted(
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        if (rule.rule, method) not in covered
    )
    assert not missing, "add rows to ROWS in tests/web/test_access_matrix.py for:\n" + "\n".join(
        missing
    )


class _AnyId(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1"

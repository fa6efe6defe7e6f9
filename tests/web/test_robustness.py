"""Hostile requests against every route, as every kind of visitor.

For each rule of the URL map and each of its methods, every actor (anonymous, the leads
of agencies A, B and C, a consultant, an admin) sends the request with valid ids. Then
come the hostile versions: each URL variable replaced by hostile values, hostile query
strings and, for state-changing methods, hostile form, raw and JSON bodies carrying a
valid CSRF token (so the body is really processed). To stay fast, each hostile version is
sent once per route, by the actors in turn; query strings and bodies go to the actors who
got past the access checks, and actors refused before the details matter (sign-in page,
401, 403, 404, locked) get a small sample. PDF downloads read no query string and render
slowly, so they get their plain requests only.

Every response must be below 500, an error must be an HTML page (JSON for /api/ and
script requests) without a traceback, a redirect must stay on this site, and nothing a
lead receives may name another agency or quote its answers.

A second test GETs every route as every actor and compares the whole database before and
after: reading changes nothing, except the audit events that record who took a report.

The app and its database live for the whole module (per backend); the world is rebuilt
before each test, because the hostile requests of one route may close a round or reopen
an assessment that the next route needs.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from assessment.store.db import Database
from assessment.store.models import Assessment, AuditEvent, Base, User
from assessment.web import create_app
from assessment.web.database import close_database
from tests.conftest import BACKENDS, sqlite_url
from tests.web.conftest import web_config
from tests.web.helpers import csrf_token, login
from tests.web.hostile import (
    BODIES,
    HOSTILE_HEADERS,
    HOSTILE_SEGMENTS,
    RAW_QUERIES,
    Body,
    FormShape,
    accept_json,
    form_shape,
    hostile_queries,
    only_token,
    with_headers,
)
from tests.web.robust_world import (
    DRAFT_NAME,
    DRAFT_SECRET,
    SUBMITTED_NAME,
    UNSTARTED_NAME,
    RobustWorld,
    build_world,
    empty_database,
)

ACTORS = ("anonymous", "lead_a", "lead_b", "lead_c", "consultant", "admin")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED_STATUSES = frozenset({401, 403, 404, 423})
SAMPLE_SIZE = 3
READ_AUDIT_ACTIONS = frozenset({"report.agency", "report.cohort", "report.batch_downloaded"})
# A first PDF download queues its rendering: a cache of what the data says, not a change.
RENDERING_TABLES = frozenset({"report_job", "report_job_item"})
LOGIN_AUDIT_ACTIONS = frozenset({"login.failed"})
TRACES = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.", "sqlite3.")
ERROR_MIMETYPES = frozenset({"text/html", "application/json"})
NO_FORM = FormShape()


def _rule_cases() -> list[tuple[str, str]]:
    """(rule, method) of every route, read from an app that is never called."""
    app = create_app(web_config("sqlite://"))
    try:
        return sorted(
            (rule.rule, method)
            for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        )
    finally:
        close_database(app)


RULE_CASES = _rule_cases()


@pytest.fixture(scope="module", params=BACKENDS)
def robust_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A migrated database for the whole module (SQLite file; PostgreSQL when set up)."""
    if request.param == "sqlite":
        target = tmp_path_factory.mktemp("robustness") / "assessment.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), target)
        url = sqlite_url(target)
    else:
        url = request.getfixturevalue("postgresql_module_database").url
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def robust_app(robust_database: Database) -> Iterator[Flask]:
    """The app on the module's database; login limits off so every form is processed."""
    app = create_app(web_config(robust_database.url, RATELIMIT_ENABLED=False))
    yield app
    close_database(app)


@pytest.fixture
def world(robust_database: Database) -> RobustWorld:
    """The world, rebuilt from an empty database before each test."""
    empty_database(robust_database)
    with robust_database.session() as session:
        return build_world(session)


@dataclass
class Visitor:
    """One actor's requests: a fresh signed-in client per request, and what went wrong."""

    actor: str
    app: Flask
    database: Database
    world: RobustWorld
    problems: list[str] = field(default_factory=list)
    signed_in: tuple[FlaskClient, str] | None = None

    def client(self) -> tuple[FlaskClient, str]:
        """A client signed in as the actor, and its CSRF token (kept until a change)."""
        if self.signed_in is None:
            client = self.app.test_client()
            user_id = self.world.users.get(self.actor)
            if user_id is not None:
                # Read afresh: an earlier sign-out raised the user's session version.
                with self.database.session() as session:
                    user = session.get(User, user_id)
                    assert user is not None
                    login(client, user)
            self.signed_in = (client, csrf_token(client))
        return self.signed_in

    def send(
        self,
        method: str,
        url: str,
        body: Body | None = None,
        shape: FormShape = NO_FORM,
        label: str = "",
    ) -> TestResponse | None:
        """Send one request and record every problem with its response (None: not sent)."""
        client, token = self.client()
        options = body(token, shape) if body is not None else {}
        if options is None:
            return None
        where = f"{self.actor} {method} {_short(url)}" + (f" [{label}]" if label else "")
        if method in STATE_CHANGING:
            # Signing out, accepting an invitation or resetting a password changes who
            # the session belongs to; the next request starts from a fresh sign-in.
            self.signed_in = None
        try:
            response = client.open(url, method=method, **options)
        except Exception as error:
            self.problems.append(f"{where}: raised {type(error).__name__}: {_short(str(error))}")
            return None
        self.problems.extend(f"{where}: {problem}" for problem in self._check(url, response))
        response.close()  # static files are streamed from an open file
        return response

    def _check(self, url: str, response: TestResponse) -> Iterator[str]:
        status = response.status_code
        text = response.get_data().decode("utf-8", errors="replace")
        if status >= 500:
            yield f"status {status}"
        if status >= 400:
            yield from _error_body_problems(url, response, text)
        for trace in TRACES:
            if trace in text:
                yield f"the response shows {trace!r}"
        location = response.headers.get("Location", "")
        if location and urlsplit(location).netloc not in ("", "localhost"):
            yield f"redirects off-site to {location}"
        for secret in self.world.others_of(self.actor):
            if secret in text:
                yield f"shows another agency's {secret!r}"


def _error_body_problems(url: str, response: TestResponse, text: str) -> Iterator[str]:
    mimetype = response.mimetype
    if mimetype not in ERROR_MIMETYPES:
        yield f"error {response.status_code} is {mimetype}, not an HTML page or JSON"
    if urlsplit(url).path.startswith("/api/") and mimetype != "application/json":
        yield f"API error {response.status_code} is {mimetype}, not JSON"
    if mimetype == "application/json":
        try:
            json.loads(text)
        except ValueError:
            yield f"error {response.status_code} claims JSON but is not"


def _short(text: str) -> str:
    return text if len(text) <= 120 else f"{text[:100]}...({len(text)} chars)"


VARIABLE = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _valid_values(rule: str, world: RobustWorld) -> dict[str, list[str]]:
    token = world.invitation_token if rule.startswith("/invitation") else world.reset_token
    values: dict[str, list[int] | list[str]] = {
        "agency_id": [world.agency_a, world.agency_b],
        "round_id": [world.round, world.closed_round],
        "assessment_id": [world.submitted_a, world.draft_b],
        "user_id": [world.users["lead_a"], world.users["admin"]],
        "dimension_id": ["policy", "budget"],
        "token": [token],
        "name": ["agency", "cohort"],
        "filename": ["css/app.css"],
        "form": ["csv", "json"],
        "job_id": ["1", "2"],  # a round's report batch (none started: both answer 404)
    }
    return {name: [str(value) for value in options] for name, options in values.items()}


def _fill(rule: str, values: Mapping[str, str]) -> str:
    return VARIABLE.sub(lambda found: values[found.group("name")], rule)


def valid_urls(rule: str, world: RobustWorld) -> list[str]:
    """The rule with real ids: the first value of each variable, then the second."""
    names = [found.group("name") for found in VARIABLE.finditer(rule)]
    options = _valid_values(rule, world)
    unknown = [name for name in names if name not in options]
    assert not unknown, f"{rule}: add valid values for {unknown} to _valid_values"
    if not names:
        return [rule]
    variants = max(len(options[name]) for name in names)
    return [
        _fill(rule, {name: options[name][min(i, len(options[name]) - 1)] for name in names})
        for i in range(variants)
    ]


def hostile_urls(rule: str, world: RobustWorld) -> list[str]:
    """The rule with one variable at a time replaced by each hostile segment, in turn."""
    names = [found.group("name") for found in VARIABLE.finditer(rule)]
    options = _valid_values(rule, world)
    first = {name: options[name][0] for name in names}
    return [_fill(rule, first | {name: segment}) for name in names for segment in HOSTILE_SEGMENTS]


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _refused(response: TestResponse) -> bool:
    """Turned away before the request's details matter (sign-in, 401/403/404, locked)."""
    # Asked to sign in first; a sign-out or a new password also ends at /login, without next.
    location = urlsplit(response.headers.get("Location", ""))
    to_login = (
        response.status_code == 302 and location.path == "/login" and "next=" in location.query
    )
    return to_login or response.status_code in REFUSED_STATUSES


def _form_shape(visitor: Visitor, url: str) -> FormShape:
    """The form on the page at `url`, as the actor sees it."""
    client, _ = visitor.client()
    return form_shape(client.get(url).text, url)


@dataclass(frozen=True)
class Variant:
    """One hostile version of a request: a query string to append and/or a body."""

    label: str
    query: str = ""
    body: Body | None = None


def read_variants(world: RobustWorld) -> list[Variant]:
    """Hostile query strings, and a request for JSON instead of a page."""
    queries = [Variant("query", query=query) for query in hostile_queries(world.round)]
    headers = [Variant(f"headers {list(h)}", body=with_headers(h)) for h in HOSTILE_HEADERS]
    return [*queries, Variant("asks for JSON", body=accept_json), *headers]


def change_variants() -> list[Variant]:
    """Hostile bodies with a valid CSRF token, and a hostile query next to a valid form."""
    bodies = [Variant(label, body=body) for label, body in BODIES]
    return [*bodies, Variant("query", query=RAW_QUERIES[1], body=only_token)]


@dataclass(frozen=True)
class Target:
    """A visitor and a valid URL that got past the access checks."""

    visitor: Visitor
    url: str
    shape: FormShape


def _send(target: Target, method: str, variant: Variant) -> None:
    url = _with_query(target.url, variant.query) if variant.query else target.url
    target.visitor.send(method, url, variant.body, target.shape, label=variant.label)


def probe(visitors: list[Visitor], rule: str, method: str, allows_get: bool) -> None:
    """Send every hostile variant of (rule, method), spread over the visitors it reaches."""
    changing = method in STATE_CHANGING
    variants = change_variants() if changing else read_variants(visitors[0].world)
    reached: list[Target] = []
    for visitor in visitors:
        urls = valid_urls(rule, visitor.world)
        baselines = [visitor.send(method, url, only_token if changing else None) for url in urls]
        opened = [
            url
            for url, response in zip(urls, baselines, strict=True)
            if response is not None and not _refused(response)
        ]
        for url in opened:
            shape = _form_shape(visitor, url) if changing and allows_get else NO_FORM
            reached.append(Target(visitor, url, shape))
        if not opened:
            # Refused before the details matter: a sample shows they still do not.
            for variant in variants[1 :: len(variants) // SAMPLE_SIZE]:
                _send(Target(visitor, urls[0], NO_FORM), method, variant)
    # Each hostile address once, by the actors in turn: most never reach a view.
    for index, url in enumerate(hostile_urls(rule, visitors[0].world)):
        visitors[index % len(visitors)].send(method, url, only_token if changing else None)
    # Slow renderings (PDF downloads) read no query string; their baselines suffice.
    reached = [t for t in reached if not _is_download(t, method)]
    for index, variant in enumerate(variants):
        if reached:
            _send(reached[index % len(reached)], method, variant)


def _is_download(target: Target, method: str) -> bool:
    return method == "GET" and urlsplit(target.url).path.endswith(".pdf")


@pytest.mark.parametrize(("rule", "method"), RULE_CASES, ids=[f"{m} {r}" for r, m in RULE_CASES])
def test_hostile_requests_get_clear_refusals(
    robust_app: Flask, robust_database: Database, world: RobustWorld, rule: str, method: str
) -> None:
    visitors = [Visitor(actor, robust_app, robust_database, world) for actor in ACTORS]
    probe(visitors, rule, method, allows_get="GET" in _methods(robust_app, rule))
    problems = [problem for visitor in visitors for problem in visitor.problems]
    shown = "\n".join(problems[:40])
    more = f"\n... and {len(problems) - 40} more" if len(problems) > 40 else ""
    assert not problems, f"{method} {rule}: {len(problems)} problems\n{shown}{more}"


def _methods(app: Flask, rule_text: str) -> set[str]:
    rule: Rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
    return set(rule.methods or ())


Snapshot = dict[str, set[tuple[Any, ...]]]


def snapshot(database: Database) -> Snapshot:
    """Every row of every table, as comparable tuples."""
    with database.engine.connect() as connection:
        return {
            table.name: {tuple(map(repr, row)) for row in connection.execute(select(table))}
            for table in Base.metadata.sorted_tables
        }


def changes(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int]]:
    """Per changed table: (rows gone or altered, rows new or altered)."""
    return {
        name: (len(before[name] - after[name]), len(after[name] - before[name]))
        for name in before
        if before[name] != after[name]
    }


AUDIT_TABLE = AuditEvent.__tablename__
ACTION_COLUMN = list(AuditEvent.__table__.columns.keys()).index("action")


def unexpected_changes(
    before: Snapshot, after: Snapshot, allowed_audit: frozenset[str] = frozenset()
) -> dict[str, tuple[int, int]]:
    """The changes, leaving out new audit events whose action is in `allowed_audit`."""
    changed = changes(before, after)
    if AUDIT_TABLE in changed:
        allowed = {repr(action) for action in allowed_audit}
        gone = before[AUDIT_TABLE] - after[AUDIT_TABLE]
        new = [
            r for r in after[AUDIT_TABLE] - before[AUDIT_TABLE] if r[ACTION_COLUMN] not in allowed
        ]
        del changed[AUDIT_TABLE]
        if gone or new:
            changed[AUDIT_TABLE] = (len(gone), len(new))
    return changed


def _get_everything(app: Flask, database: Database, world: RobustWorld, actor: str) -> None:
    visitor = Visitor(actor, app, database, world)
    for rule, method in RULE_CASES:
        if method == "GET":
            for url in valid_urls(rule, world):
                visitor.send("GET", url)
            if not VARIABLE.search(rule):
                # Lists and filter pages read ?round= and the like.
                visitor.send("GET", _with_query(rule, f"round={world.round}&next=/admin/"))
    assert not visitor.problems, "\n".join(visitor.problems[:20])


@pytest.mark.parametrize("actor", ACTORS)
def test_no_get_changes_the_database(
    robust_app: Flask, robust_database: Database, world: RobustWorld, actor: str
) -> None:
    before = snapshot(robust_database)
    _get_everything(robust_app, robust_database, world, actor)
    changed = unexpected_changes(before, snapshot(robust_database), READ_AUDIT_ACTIONS)
    changed = {table: rows for table, rows in changed.items() if table not in RENDERING_TABLES}
    assert not changed, f"GET requests as {actor} changed (rows gone, rows new): {changed}"


POST_RULES = [rule for rule, method in RULE_CASES if method == "POST"]


def _plausible(shape: FormShape, *, with_token: bool, revision: int | None) -> Body:
    """The form filled in as a person would (JSON for the background save)."""

    def body(token: str, _shape: FormShape) -> dict[str, Any]:
        if revision is not None:
            answer = {"choice": "fully", "comment": "Plausible evidence"}
            payload = {"revision": revision, "answers": {"policy.written-policy": answer}}
            return {"json": payload, "headers": {"X-CSRFToken": token} if with_token else {}}
        return {"data": shape.plausible() | ({"csrf_token": token} if with_token else {})}

    return body


def _page_form(app: Flask, database: Database, world: RobustWorld, url: str) -> FormShape:
    """The form at `url` as the first actor who is shown one sees it."""
    for actor in ("admin", "lead_b", "lead_c", "consultant"):
        visitor = Visitor(actor, app, database, world)
        client, _ = visitor.client()
        page = client.get(url)
        if page.status_code == 200:
            shape = form_shape(page.text, url)
            if shape.texts or shape.fixed:
                return shape
    return NO_FORM


def _revision(database: Database, world: RobustWorld, actor: str, url: str) -> int:
    """The revision of the draft the background save at `url` would change."""
    found = re.match(r"/agencies/(\d+)/", url)
    agencies = {"lead_a": world.agency_a, "lead_b": world.agency_b, "lead_c": world.agency_c}
    agency_id = int(found.group(1)) if found else agencies.get(actor, world.agency_b)
    with database.session() as session:
        revision = session.scalar(
            select(Assessment.revision).where(
                Assessment.agency_id == agency_id, Assessment.round_id == world.round
            )
        )
    return revision or 0


def _forged_and_refused(visitor: Visitor, url: str, shape: FormShape) -> Iterator[str]:
    """Send the plausible request without, then with a CSRF token; say what went wrong."""
    database, where = visitor.database, f"{visitor.actor} POST {url}"
    revision = _revision(database, visitor.world, visitor.actor, url)
    json_revision = revision if url.endswith("/answers") else None
    before = snapshot(database)
    forged = _plausible(shape, with_token=False, revision=json_revision)
    response = visitor.send("POST", url, forged, label="no CSRF token")
    if response is not None and response.status_code != 400:
        yield f"{where}: {response.status_code} without a CSRF token"
    if changed := unexpected_changes(before, snapshot(database)):
        yield f"{where}: without a CSRF token changed {changed}"
    before = snapshot(database)
    sent = _plausible(shape, with_token=True, revision=json_revision)
    response = visitor.send("POST", url, sent, label="plausible")
    if response is not None and _refused(response):
        changed = unexpected_changes(before, snapshot(database), LOGIN_AUDIT_ACTIONS)
        if changed:
            yield f"{where}: refused with {response.status_code} but changed {changed}"


@pytest.mark.parametrize("rule", POST_RULES)
def test_changes_need_a_csrf_token_and_permission(
    robust_app: Flask, robust_database: Database, world: RobustWorld, rule: str
) -> None:
    # Actors run from least to most privileged, so what an allowed actor changes comes last.
    allows_get = "GET" in _methods(robust_app, rule)
    problems: list[str] = []
    for url in valid_urls(rule, world):
        shape = _page_form(robust_app, robust_database, world, url) if allows_get else NO_FORM
        for actor in ACTORS:
            visitor = Visitor(actor, robust_app, robust_database, world)
            problems += _forged_and_refused(visitor, url, shape)
            problems += visitor.problems
    assert not problems, "\n".join(problems)


def test_the_leak_check_would_see_a_leak(
    robust_app: Flask, robust_database: Database, world: RobustWorld
) -> None:
    # Staff pages show every name and a draft shows its comment: the markers are rendered.
    staff = Visitor("consultant", robust_app, robust_database, world)
    client, _ = staff.client()
    listing = client.get("/consultant/agencies").text
    assert all(name in listing for name in (SUBMITTED_NAME, DRAFT_NAME, UNSTARTED_NAME))
    lead = Visitor("lead_b", robust_app, robust_database, world)
    client, _ = lead.client()
    assert DRAFT_SECRET in client.get("/assessment/dimensions/policy").text
    assert DRAFT_SECRET in world.others_of("lead_a")


def test_the_hostile_walk_covers_every_route(robust_app: Flask) -> None:
    served = {
        (rule.rule, method)
        for rule in robust_app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert served == set(RULE_CASES)

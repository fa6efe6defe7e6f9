"""Web latency and throughput under gunicorn (2 workers), against a Flask hello-world.

A temporary SQLite database gets the schema (`assessment init`) and the synthetic
population of 60 agencies (`assessment demo-data`). Both apps run under `gunicorn -w 2` on
loopback. Each page is fetched as the user who sees it: an agency lead's overview,
dimension page (and background saves, JSON with the CSRF header) and draft results; a
consultant's agency list and benchmark page. Latency is measured with sequential
requests (after one unmeasured request per page); the sign-in page, the dimension page
and the saves also get a throughput figure from a few parallel clients.

Then a second database with 10,000 agencies (about two minutes to load) measures the
consultant's agency list at that size; set PERF_WEB_LARGE=0 to skip it.

Targets (ratios to the hello-world median in the same run): dimension page median
<= 4x and p95 <= 6x, background save median <= 3x. The signed-in contact page (session,
user, layout and nothing else) shows the floor every signed-in page stands on.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from assessment.services import accounts
from assessment.services.assessments import start_assessment
from assessment.services.rounds import open_rounds
from assessment.store.db import Database
from assessment.store.models import Role, Round, User
from tests.live_http import BIN, Browser, find, form_token, gunicorn

PASSWORD = "perf-web password 2024"
LATENCY_REQUESTS = 200
THROUGHPUT_REQUESTS_PER_CLIENT = 100
CLIENTS = 4
DIMENSION = "policy"
PRACTICE = "policy.written-policy"
CHOICES = ("partial", "largely", "fully", "not")
LARGE_POPULATION = 10_000
LARGE_REQUESTS = 20


@dataclass(frozen=True)
class Figures:
    """Latency percentiles (ms) and throughput (requests/s) of one kind of request."""

    name: str
    median_ms: float
    p95_ms: float
    per_second: float | None


class LeadBrowser(Browser):
    """A signed-in agency lead on the questionnaire pages."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.csrf = ""
        self.revision = 0

    def dimension_page(self) -> int:
        """GET the lead's dimension page (keeps its CSRF token for saves)."""
        status, page = self.request(f"/assessment/dimensions/{DIMENSION}")
        self.csrf = form_token(page)
        field = f'name="based-{PRACTICE}"'.encode()
        self.revision = int(find(field + rb'[^>]*value="(\d+)"', page))
        return status

    def autosave(self, choice: str) -> int:
        """POST one background save; follows the answer's returned revision."""
        body = {"answers": {PRACTICE: {"choice": choice, "revision": self.revision}}}
        status, reply = self.request(
            "/assessment/answers",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        if status == 200:
            self.revision = int(json.loads(reply)["revisions"][PRACTICE])
        return status


@dataclass(frozen=True)
class Seeded:
    """The leads (email, password) of the throughput clients and the ids the pages need."""

    leads: list[tuple[str, str]]
    consultant: str
    closed_round: int


def _seed(env: dict[str, str], agencies: int = 60) -> Seeded:
    """Schema, demo data and one extra lead per client."""
    assessment = str(BIN / "assessment")
    subprocess.run([assessment, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [assessment, "demo-data", "--password", PASSWORD, "--agencies", str(agencies)],
        env=env,
        check=True,
        capture_output=True,
    )
    database = Database(env["DATABASE_URL"])
    try:
        with database.session() as session:
            demo_lead = session.scalars(
                select(User).where(User.role == Role.LEAD).order_by(User.id)
            ).first()
            consultant = session.scalars(select(User).where(User.role == Role.CONSULTANT)).first()
            rounds = session.scalars(select(Round).order_by(Round.name.desc())).all()
            closed = next((r for r in rounds if not r.is_open), None)
            if demo_lead is None or consultant is None or closed is None:
                raise RuntimeError("the demo data has no lead, consultant or closed round")
            leads = [(demo_lead.email, PASSWORD)]
            round_ = next(iter(open_rounds(session)), None)
            if round_ is None:
                raise RuntimeError("the demo data has no open round")
            # Each throughput client answers for its own agency, so saves never conflict.
            for number in range(1, CLIENTS):
                agency = accounts.create_agency(
                    session,
                    name=f"Perf Police {number}",
                    country="NL",
                    agency_type="regional",
                    size_band="250-999",
                )
                email = f"perf.lead{number}@example.org"
                accounts.create_user(
                    session, email=email, password=PASSWORD, role=Role.LEAD, agency_id=agency.id
                )
                start_assessment(session, agency_id=agency.id, round_id=round_.id, actor=None)
                leads.append((email, PASSWORD))
            return Seeded(leads, consultant.email, closed.id)
    finally:
        database.dispose()


def _latency(name: str, call: Callable[[], int], expected: int, requests: int) -> list[float]:
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        status = call()
        durations.append(time.perf_counter() - started)
        if status != expected:
            raise RuntimeError(f"{name}: status {status}, expected {expected}")
    return durations


def _throughput(name: str, calls: list[Callable[[], int]], expected: int) -> float:
    failures: list[str] = []

    def run(call: Callable[[], int]) -> None:
        for _ in range(THROUGHPUT_REQUESTS_PER_CLIENT):
            status = call()
            if status != expected:
                failures.append(f"{name}: status {status}")
                return

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(failures[0])
    return len(calls) * THROUGHPUT_REQUESTS_PER_CLIENT / elapsed


def measure(
    name: str,
    sequential: Callable[[], int],
    parallel: list[Callable[[], int]] | None = None,
    *,
    expected: int = 200,
    requests: int = LATENCY_REQUESTS,
) -> Figures:
    """Latency from sequential calls, throughput from parallel clients (when given)."""
    sequential()  # the first request of a page fills per-process caches; it is not counted
    durations = sorted(_latency(name, sequential, expected, requests))
    p95 = durations[max(0, int(len(durations) * 0.95) - 1)]
    per_second = _throughput(name, parallel, expected) if parallel else None
    return Figures(name, statistics.median(durations) * 1000, p95 * 1000, per_second)


def _getter(browser: Browser, path: str) -> Callable[[], int]:
    return lambda: browser.request(path)[0]


def _saver(browser: LeadBrowser) -> Callable[[], int]:
    counter = iter(range(10**9))
    return lambda: browser.autosave(CHOICES[next(counter) % len(CHOICES)])


TARGETS = {"dimension page GET": (4.0, 6.0), "autosave POST (JSON)": (3.0, None)}


def _report(figures: list[Figures], baseline: Figures) -> None:
    print(f"   gunicorn -w 2, loopback, {CLIENTS} parallel clients for throughput")
    print(
        f"   {'request':<34}{'median ms':>10}{'p95 ms':>9}{'req/s':>7}"
        f"{'x hello median':>16}{'p95 x hello':>13}"
    )
    for row in [baseline, *figures]:
        ratio = row.median_ms / baseline.median_ms
        p95_ratio = row.p95_ms / baseline.median_ms
        rate = "-" if row.per_second is None else f"{row.per_second:.0f}"
        print(
            f"   {row.name:<34}{row.median_ms:>10.1f}{row.p95_ms:>9.1f}{rate:>7}"
            f"{ratio:>15.1f}x{p95_ratio:>12.1f}x{_verdict(row.name, ratio, p95_ratio)}"
        )


def _verdict(name: str, ratio: float, p95_ratio: float) -> str:
    if name not in TARGETS:
        return ""
    median_target, p95_target = TARGETS[name]
    met = ratio <= median_target and (p95_target is None or p95_ratio <= p95_target)
    wanted = f"<= {median_target:g}x" + (f", p95 <= {p95_target:g}x" if p95_target else "")
    return f"  target {wanted}: {'met' if met else 'NOT met'}"


def _environment(folder: str) -> dict[str, str]:
    return {
        **os.environ,
        "ASSESSMENT_INSTANCE": folder,
        "DATABASE_URL": f"sqlite:///{Path(folder) / 'assessment.db'}",
        "SECRET_KEY": "perf-only-secret",
        "SESSION_COOKIE_SECURE": "false",
    }


def _pages(env: dict[str, str], seeded: Seeded) -> list[Figures]:
    """Every page of the 60-agency population, as the user who sees it."""
    with gunicorn("assessment.web:create_app()", env, "/healthz") as base:
        visitors = [Browser(base) for _ in range(CLIENTS)]
        figures = [
            measure(
                "sign-in page GET",
                _getter(visitors[0], "/login"),
                [_getter(visitor, "/login") for visitor in visitors],
            )
        ]
        browsers = [LeadBrowser(base) for _ in seeded.leads]
        for browser, (email, password) in zip(browsers, seeded.leads, strict=True):
            browser.sign_in(email, password)
            browser.dimension_page()
        lead = browsers[0]
        # The floor of any signed-in page: session, user, security headers and the layout.
        figures.append(measure("contact page GET (signed in)", _getter(lead, "/contact")))
        figures.append(measure("answering overview GET", _getter(lead, "/assessment/")))
        figures.append(
            measure(
                "dimension page GET",
                lead.dimension_page,
                [b.dimension_page for b in browsers],
            )
        )
        figures.append(measure("autosave POST (JSON)", _saver(lead), [_saver(b) for b in browsers]))
        figures.append(measure("draft results GET", _getter(lead, "/assessment/results")))
        consultant = Browser(base)
        consultant.sign_in(seeded.consultant, PASSWORD)
        figures.append(
            measure("consultant agency list (60) GET", _getter(consultant, "/consultant/agencies"))
        )
        benchmark = f"/consultant/benchmark?round={seeded.closed_round}"
        figures.append(measure("benchmark page GET", _getter(consultant, benchmark)))
    return figures


def _large_agency_list() -> tuple[Figures, float]:
    """The consultant's agency list over LARGE_POPULATION synthetic agencies, and the time
    (ms) of the first request a fresh web process answers."""
    with tempfile.TemporaryDirectory(prefix="perf-web-large-") as folder:
        env = _environment(folder)
        seeded = _seed(env, agencies=LARGE_POPULATION)
        with gunicorn("assessment.web:create_app()", env, "/healthz") as base:
            consultant = Browser(base)
            consultant.sign_in(seeded.consultant, PASSWORD)
            agency_list = _getter(consultant, "/consultant/agencies")
            started = time.perf_counter()
            agency_list()
            first_ms = (time.perf_counter() - started) * 1000
            figures = measure(
                f"consultant agency list ({LARGE_POPULATION:,}) GET",
                agency_list,
                requests=LARGE_REQUESTS,
            )
            return figures, first_ms


def main() -> None:
    """Seed the databases, serve the apps, measure, print."""
    with tempfile.TemporaryDirectory(prefix="perf-web-") as folder:
        env = _environment(folder)
        seeded = _seed(env)
        with gunicorn("tests.perf.hello_app:app", env, "/") as hello_base:
            hello = [Browser(hello_base) for _ in range(CLIENTS)]
            baseline = measure(
                "hello world GET",
                _getter(hello[0], "/"),
                [_getter(browser, "/") for browser in hello],
            )
        figures = _pages(env, seeded)
    first_large_ms = None
    if os.environ.get("PERF_WEB_LARGE", "1") != "0":
        large, first_large_ms = _large_agency_list()
        figures.append(large)
    _report(figures, baseline)
    if first_large_ms is not None:
        print(
            f"   first request of a fresh process, agency list ({LARGE_POPULATION:,}): "
            f"{first_large_ms:,.0f} ms (not counted above)"
        )


if __name__ == "__main__":
    main()

"""Web latency and throughput under gunicorn (2 workers), against a Flask hello-world.

A temporary SQLite database gets the schema (`assessment init`) and the synthetic
population (`assessment demo-data`). Both apps run under `gunicorn -w 2` on loopback; a
signed-in agency lead fetches a dimension page and sends background saves (JSON with
the CSRF header), sequentially for latency and from a few threads for throughput.
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
from assessment.store.models import Role, User
from tests.live_http import BIN, Browser, find, form_token, gunicorn

PASSWORD = "perf-web password 2024"
LATENCY_REQUESTS = 200
THROUGHPUT_REQUESTS_PER_CLIENT = 100
CLIENTS = 4
DIMENSION = "policy"
PRACTICE = "policy.written-policy"
CHOICES = ("partial", "largely", "fully", "not")


@dataclass(frozen=True)
class Figures:
    """Latency percentiles (ms) and throughput (requests/s) of one kind of request."""

    name: str
    median_ms: float
    p95_ms: float
    per_second: float


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
        self.revision = int(find(rb'name="revision"[^>]*value="(\d+)"', page))
        return status

    def autosave(self, choice: str) -> int:
        """POST one background save; follows the returned revision."""
        body = {"revision": self.revision, "answers": {PRACTICE: {"choice": choice}}}
        status, reply = self.request(
            "/assessment/answers",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        if status == 200:
            self.revision = int(json.loads(reply)["revision"])
        return status


def _seed(env: dict[str, str]) -> list[tuple[str, str]]:
    """Schema, demo data and one extra lead per client; returns (email, password) of leads."""
    assessment = str(BIN / "assessment")
    subprocess.run([assessment, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [assessment, "demo-data", "--password", PASSWORD],
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
            if demo_lead is None:
                raise RuntimeError("the demo data has no agency lead")
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
                    size_band="100-999",
                )
                email = f"perf.lead{number}@example.org"
                accounts.create_user(
                    session, email=email, password=PASSWORD, role=Role.LEAD, agency_id=agency.id
                )
                start_assessment(session, agency_id=agency.id, round_id=round_.id, actor=None)
                leads.append((email, PASSWORD))
    finally:
        database.dispose()
    return leads


def _latency(name: str, call: Callable[[], int], expected: int) -> list[float]:
    durations = []
    for _ in range(LATENCY_REQUESTS):
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
    name: str, sequential: Callable[[], int], parallel: list[Callable[[], int]], expected: int = 200
) -> Figures:
    """Latency from sequential calls, throughput from parallel clients."""
    durations = sorted(_latency(name, sequential, expected))
    p95 = durations[int(len(durations) * 0.95) - 1]
    per_second = _throughput(name, parallel, expected)
    return Figures(name, statistics.median(durations) * 1000, p95 * 1000, per_second)


def _getter(browser: Browser, path: str) -> Callable[[], int]:
    return lambda: browser.request(path)[0]


def _saver(browser: LeadBrowser) -> Callable[[], int]:
    counter = iter(range(10**9))
    return lambda: browser.autosave(CHOICES[next(counter) % len(CHOICES)])


def _report(figures: list[Figures], baseline: Figures) -> None:
    print(f"   gunicorn -w 2, loopback, {CLIENTS} parallel clients for throughput")
    print(f"   {'request':<26}{'median ms':>10}{'p95 ms':>9}{'req/s':>9}{'x hello (median)':>18}")
    for row in [baseline, *figures]:
        ratio = row.median_ms / baseline.median_ms
        print(
            f"   {row.name:<26}{row.median_ms:>10.1f}{row.p95_ms:>9.1f}"
            f"{row.per_second:>9.0f}{ratio:>17.1f}x"
        )


def main() -> None:
    """Seed a database, serve both apps, measure, print."""
    with tempfile.TemporaryDirectory(prefix="perf-web-") as folder:
        env = {
            **os.environ,
            "ASSESSMENT_INSTANCE": folder,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'assessment.db'}",
            "SECRET_KEY": "perf-only-secret",
            "SESSION_COOKIE_SECURE": "false",
        }
        leads = _seed(env)
        with gunicorn("tests.perf.hello_app:app", env, "/") as hello_base:
            hello = [Browser(hello_base) for _ in range(CLIENTS)]
            baseline = measure(
                "hello world GET",
                _getter(hello[0], "/"),
                [_getter(browser, "/") for browser in hello],
            )
        with gunicorn("assessment.web:create_app()", env, "/healthz") as base:
            visitors = [Browser(base) for _ in range(CLIENTS)]
            login_page = measure(
                "sign-in page GET",
                _getter(visitors[0], "/login"),
                [_getter(visitor, "/login") for visitor in visitors],
            )
            browsers = [LeadBrowser(base) for _ in leads]
            for browser, (email, password) in zip(browsers, leads, strict=True):
                browser.sign_in(email, password)
                browser.dimension_page()
            page = measure(
                "dimension page GET",
                browsers[0].dimension_page,
                [b.dimension_page for b in browsers],
            )
            save = measure(
                "autosave POST (JSON)",
                _saver(browsers[0]),
                [_saver(b) for b in browsers],
            )
        _report([login_page, page, save], baseline)


if __name__ == "__main__":
    main()

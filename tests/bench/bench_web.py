"""Web latency and throughput under gunicorn (2 workers), against a Flask hello-world.

A temporary SQLite database gets the schema (`assessment init`) and the synthetic
population (`assessment demo-data`). Both apps run under `gunicorn -w 2` on loopback; a
signed-in agency lead fetches a dimension page and sends background saves (JSON with
the CSRF header), sequentially for latency and from a few threads for throughput.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from assessment.services import accounts
from assessment.store.db import Database
from assessment.store.models import Role, User

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "benchmark password 2024"
LATENCY_REQUESTS = 200
THROUGHPUT_REQUESTS_PER_CLIENT = 100
CLIENTS = 4
DIMENSION = "policy"
PRACTICE = "policy.written-policy"
CHOICES = ("partial", "largely", "fully", "not")
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Figures:
    """Latency percentiles (ms) and throughput (requests/s) of one kind of request."""

    name: str
    median_ms: float
    p95_ms: float
    per_second: float


class Browser:
    """A cookie-keeping HTTP client for one user (urllib; a new connection per request)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.csrf = ""
        self.revision = 0

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Send one request; returns status and body (redirects are not followed)."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the login form."""
        _, page = self.request("/login")
        token = _form_token(page)
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        status, _ = self.request("/login", data=form.encode())
        if status != 302:
            raise RuntimeError(f"sign-in of {email} failed with status {status}")

    def dimension_page(self) -> int:
        """GET the lead's dimension page (keeps its CSRF token for saves)."""
        status, page = self.request(f"/assessment/dimensions/{DIMENSION}")
        self.csrf = _form_token(page)
        self.revision = int(_find(rb'name="revision"[^>]*value="(\d+)"', page))
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _find(pattern: bytes, page: bytes) -> str:
    found = re.search(pattern, page)
    if found is None:
        raise RuntimeError(f"pattern {pattern!r} not found in the page")
    return found.group(1).decode()


def _form_token(page: bytes) -> str:
    return _find(rb'name="csrf_token"[^>]*value="([^"]+)"', page)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], ready_path: str) -> Iterator[str]:
    """Serve `app` with `gunicorn -w 2` on a free loopback port; yields the base URL."""
    port = _free_port()
    command = [
        str(BIN / "gunicorn"),
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base + ready_path, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"gunicorn exited with {process.returncode}: {errors}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {STARTUP_SECONDS:.0f} s")


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
            # Each throughput client answers for its own agency, so saves never conflict.
            for number in range(1, CLIENTS):
                agency = accounts.create_agency(
                    session,
                    name=f"Benchmark Police {number}",
                    country="NL",
                    agency_type="regional",
                    size_band="100-999",
                )
                email = f"bench.lead{number}@example.org"
                accounts.create_user(
                    session, email=email, password=PASSWORD, role=Role.LEAD, agency_id=agency.id
                )
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


def _saver(browser: Browser) -> Callable[[], int]:
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
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        env = {
            **os.environ,
            "ASSESSMENT_INSTANCE": folder,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'assessment.db'}",
            "SECRET_KEY": "benchmark-only-secret",
            "SESSION_COOKIE_SECURE": "false",
            "PYTHONPATH": str(REPO),
        }
        leads = _seed(env)
        with gunicorn("tests.bench.hello_app:app", env, "/") as hello_base:
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
            browsers = [Browser(base) for _ in leads]
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

"""A real HTTP server for tests and benchmarks: gunicorn on loopback, a cookie-keeping client."""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 30.0


class Browser:
    """A cookie-keeping HTTP client for one user (urllib; a new connection per request)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

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

    def try_sign_in(self, email: str, password: str) -> int:
        """Post the login form once; returns the status (302 when signed in)."""
        _, page = self.request("/login")
        token = form_token(page)
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        status, _ = self.request("/login", data=form.encode())
        return status

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the login form (RuntimeError when refused)."""
        status = self.try_sign_in(email, password)
        if status != 302:
            raise RuntimeError(f"sign-in of {email} failed with status {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def find(pattern: bytes, page: bytes) -> str:
    """The first group of `pattern` in `page` (RuntimeError when absent)."""
    found = re.search(pattern, page)
    if found is None:
        raise RuntimeError(f"pattern {pattern!r} not found in the page")
    return found.group(1).decode()


def form_token(page: bytes) -> str:
    """The CSRF token of the first form in `page`."""
    return find(rb'name="csrf_token"[^>]*value="([^"]+)"', page)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], ready_path: str) -> Iterator[str]:
    """Serve `app` with `gunicorn -w 2` on a free loopback port; yields the base URL."""
    port = free_port()
    env = {**env, "PYTHONPATH": str(REPO)}
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
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="gunicorn-") as folder:
        log = Path(folder) / "gunicorn.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(command, cwd=REPO, env=env, stderr=log_file)
            try:
                wait_until_ready(base + ready_path, process, log)
                yield base
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `url` until it answers 200; fail early with gunicorn's log if it exits."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = log.read_text(errors="replace")
            raise RuntimeError(f"gunicorn exited with {process.returncode}: {errors}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {STARTUP_SECONDS:.0f} s")

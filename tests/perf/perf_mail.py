"""E-mail: forgot-password timing for known and unknown addresses, and outbox delivery.

1. The forgot-password form posted for a known and for an unknown address, alternately,
   through the Flask test client on a SQLite file: median and p95 of each, and the ratio
   known/unknown (every answer takes at least RESET_ANSWER_SECONDS, so that timing does
   not tell whether an account exists; target ratio within 0.9..1.1). Measured with an
   SMTP server set (the request only queues) and without one (it also writes the file).
2. `deliver_due` sending queued messages to an SMTP server on loopback (aiosmtpd),
   against the baseline of smtplib sending the same messages directly (one connection
   per message, as the transport does): messages per second and the ratio.
"""

from __future__ import annotations

import smtplib
import statistics
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import delete

from assessment.config import MailSettings
from assessment.presentation import emails
from assessment.services import accounts, mail
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import OutboxMessage, Role
from assessment.web import create_app
from tests.smtp_server import SmtpServer, free_port
from tests.web.conftest import web_config
from tests.web.helpers import form_token

REQUESTS = 60
MESSAGES = 300
KNOWN = "lead@perf.example.org"
UNKNOWN = "nobody@perf.example.org"


def _reset_timings(url: str, settings: MailSettings) -> dict[str, list[float]]:
    app = create_app(web_config(url, MAIL=settings, RATELIMIT_ENABLED=False))
    client = app.test_client()
    token = form_token(client.get("/forgot-password").text)
    timings: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    for number in range(REQUESTS * 2 + 10):
        address = KNOWN if number % 2 else UNKNOWN
        started = time.perf_counter()
        response = client.post("/forgot-password", data={"email": address, "csrf_token": token})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        if number >= 10:  # the first few warm up
            timings[address].append(elapsed)
    app.extensions["assessment.database"].dispose()
    return timings


def _report(label: str, timings: dict[str, list[float]]) -> None:
    medians = {address: statistics.median(values) for address, values in timings.items()}
    for address, values in timings.items():
        p95 = statistics.quantiles(values, n=20)[18]
        print(
            f"   {label}, {'known' if address == KNOWN else 'unknown'} address: "
            f"median {medians[address] * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"
        )
    print(f"   {label}: known/unknown median ratio {medians[KNOWN] / medians[UNKNOWN]:.2f}")


def _queue(database: Database, count: int) -> None:
    with database.session() as session:
        for number in range(count):
            message = emails.invitation(
                product="Perf",
                agency=f"Agency {number}",
                link=f"http://perf.test/invitation/{number}",
                valid_days=7,
            )
            mail.queue(session, message, to=f"lead{number}@perf.example.org")
        session.commit()


def _direct(server: SmtpServer, count: int) -> float:
    started = time.perf_counter()
    for number in range(count):
        message = EmailMessage()
        message["From"] = "perf@example.org"
        message["To"] = f"lead{number}@perf.example.org"
        message["Subject"] = "Perf"
        message.set_content("text")
        message.add_alternative("<p>html</p>", subtype="html")
        with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
            client.send_message(message)
    return time.perf_counter() - started


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory(prefix="perf-mail-") as folder:
        url = f"sqlite:///{Path(folder) / 'assessment.db'}"
        upgrade_database(url)
        database = Database(url)
        with database.session() as session:
            agency = accounts.create_agency(
                session, name="Perf Police", country="NL", agency_type="regional", size_band="small"
            )
            accounts.create_user(
                session, email=KNOWN, password=None, role=Role.LEAD, agency_id=agency.id
            )
        queue_only = MailSettings(host="127.0.0.1", port=free_port(), tls="none")
        _report("SMTP server set (queue only)", _reset_timings(url, queue_only))
        to_folder = MailSettings(folder=Path(folder) / "mail")
        _report("no server (written to the folder)", _reset_timings(url, to_folder))

        server = SmtpServer()
        server.start()
        try:
            baseline = _direct(server, MESSAGES)
            _queue(database, MESSAGES)
            settings = server.settings()
            with database.session() as session:
                # The reset messages queued above are sent too; count them out of the rate.
                session.execute(delete(OutboxMessage).where(OutboxMessage.kind != "invitation"))
                session.commit()
                started = time.perf_counter()
                delivery = mail.deliver_due(session, mail.SmtpTransport(settings), settings)
                outbox = time.perf_counter() - started
            print(
                f"   smtplib directly: {MESSAGES / baseline:.0f} messages/s; "
                f"outbox delivery: {delivery.sent / outbox:.0f} messages/s "
                f"({delivery.sent} sent); time ratio outbox/direct {outbox / baseline:.2f}"
            )
        finally:
            server.stop()
            database.dispose()

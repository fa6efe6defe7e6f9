"""The outbox: e-mails are stored first, then delivered by `deliver_due` with retries.

A message is queued in the database (`queue`) in the caller's transaction, so it is kept
whether or not the mail server answers. `deliver_due` (the `assessment mail send`
command, or the web app when messages go to a folder) sends what is due: each message is
first claimed by one conditional UPDATE, which only one sender can win on SQLite and on
PostgreSQL, so two senders running at once never send the same message. A failed attempt
is retried later with exponential backoff (1, 2, 4 ... minutes, at most 6 hours); after
`MAX_ATTEMPTS` attempts, or when the server refuses the recipient, the message is given up
(`failed_at`) with its last error kept.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.config import MailSettings
from assessment.presentation.emails import Email
from assessment.store.models import OutboxMessage, utcnow

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# A claimed message belongs to its sender this long; SMTP gives up far sooner.
CLAIM_LEASE = timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30
BATCH_SIZE = 200
# Python folds a long header by moving its whole value to a continuation line, which some
# readers show with a leading space; RFC 5322 allows lines of up to 998 characters.
MESSAGE_POLICY = policy.default.clone(max_line_length=998)


class Transport(Protocol):
    """Something that delivers one message or raises."""

    def send(self, message: EmailMessage) -> None:
        """Deliver the message; raise on failure."""


class PermanentFailure(Exception):
    """The server refused the message for good (e.g. an unknown recipient)."""


class SmtpTransport:
    """Delivery through an SMTP server with STARTTLS, TLS or neither, and an optional login."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        """Open a connection, send one message, close it."""
        settings = self.settings
        client: smtplib.SMTP
        if settings.tls == "tls":
            client = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password)
            try:
                client.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as refused:
                raise PermanentFailure(str(refused)) from refused


class FolderTransport:
    """Delivery into a folder: one `.eml` file per message (no mail server needed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        """Write the message whole (a temporary file renamed into place)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{message['X-Outbox-Id']:0>8}-{message['X-Mail-Kind']}.eml"
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-")
        with os.fdopen(fd, "wb") as file:
            file.write(message.as_bytes())
        os.replace(temporary, self.folder / name)


def transport_for(settings: MailSettings) -> Transport:
    """The SMTP server when one is set, else the mail folder."""
    if settings.uses_server:
        return SmtpTransport(settings)
    return FolderTransport(settings.folder)


def queue(session: Session, email: Email, *, to: str, dedupe_key: str | None = None) -> bool:
    """Add a message to the outbox (not committed); False when `dedupe_key` was queued before.

    A savepoint takes the unique key, so two runs queueing the same notice at once store
    it once and the caller's other work is kept.
    """
    if dedupe_key is not None and session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ):
        return False
    row = OutboxMessage(
        kind=email.kind,
        dedupe_key=dedupe_key,
        recipient=to,
        subject=email.subject,
        text_body=email.text,
        html_body=email.html,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Delivery:
    """What one run of `deliver_due` did."""

    sent: int
    retrying: int
    given_up: int

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry later, {self.given_up} given up"


def deliver_due(
    session: Session,
    transport: Transport,
    settings: MailSettings,
    *,
    now: datetime | None = None,
) -> Delivery:
    """Send every message that is due and not claimed by another sender; commits per message."""
    moment = now or utcnow()
    sent = retrying = given_up = 0
    # Each batch leaves nothing due behind it (sent, retried later, given up or another
    # sender's), so the loop ends.
    while batch := _due_ids(session, moment):
        for message_id in batch:
            outcome = _deliver_one(session, transport, settings, message_id, moment)
            sent += outcome == "sent"
            retrying += outcome == "retrying"
            given_up += outcome == "given up"
    return Delivery(sent, retrying, given_up)


def _deliver_one(
    session: Session,
    transport: Transport,
    settings: MailSettings,
    message_id: int,
    moment: datetime,
) -> str:
    """Claim, send and record one message: "sent", "retrying", "given up" or "" (not ours)."""
    claim = os.urandom(16).hex()
    if not _claimed(session, message_id, claim, moment):
        return ""  # another sender has it, or sent it a moment ago
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    if row is None:
        return ""
    try:
        transport.send(mime_message(row, settings))
    except PermanentFailure as error:
        _record_failure(session, row, claim, moment, str(error), final=True)
        return "given up"
    except (OSError, smtplib.SMTPException) as error:
        final = row.attempts >= MAX_ATTEMPTS
        _record_failure(session, row, claim, moment, _describe(error), final=final)
        return "given up" if final else "retrying"
    _record_sent(session, message_id, claim)
    return "sent"


def recent_messages(session: Session, *, limit: int = 50) -> Sequence[OutboxMessage]:
    """The newest messages of the outbox, newest first."""
    return session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    ).all()


def state_of(message: OutboxMessage) -> str:
    """Sent, given up, or waiting (with the number of failed attempts so far)."""
    if message.sent_at is not None:
        return f"sent {message.sent_at:%Y-%m-%d %H:%M}"
    if message.failed_at is not None:
        return f"given up {message.failed_at:%Y-%m-%d %H:%M} after {message.attempts} attempt(s)"
    if message.attempts:
        return (
            f"waiting, {message.attempts} failed attempt(s), next {message.next_attempt_at:%H:%M}"
        )
    return "waiting"


def pending_count(session: Session) -> int:
    """Messages neither sent nor given up."""
    return len(
        session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
            )
        ).all()
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, capped."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


def mime_message(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """The outbox row as a MIME message with plain-text and HTML alternatives.

    The Message-ID is derived from the row, so a receiving server sees the same id should
    a message ever be handed over twice.
    """
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = f"{settings.product_name} <{settings.sender}>"
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{row.id}-{int(row.created_at.timestamp())}@{domain}>"
    message["X-Mail-Kind"] = row.kind
    message["X-Outbox-Id"] = str(row.id)
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


def _due_ids(session: Session, moment: datetime) -> Sequence[int]:
    return session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= moment,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .order_by(OutboxMessage.id)
        .limit(BATCH_SIZE)
    ).all()


def _claimed(session: Session, message_id: int, claim: str, moment: datetime) -> bool:
    # One conditional UPDATE: PostgreSQL re-checks the condition after a concurrent
    # writer commits, SQLite runs one writer at a time, so exactly one sender wins.
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .values(
            claim=claim,
            claimed_until=moment + CLAIM_LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return _rowcount(result) == 1


def _record_sent(session: Session, message_id: int, claim: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim == claim)
        .values(sent_at=utcnow(), claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _record_failure(
    session: Session, row: OutboxMessage, claim: str, moment: datetime, error: str, *, final: bool
) -> None:
    values: dict[str, Any] = {"claimed_until": None, "last_error": error[:2000]}
    if final:
        values["failed_at"] = utcnow()
    else:
        values["next_attempt_at"] = moment + retry_delay(row.attempts)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.claim == claim)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count

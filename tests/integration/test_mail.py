"""The outbox on a real SMTP server (aiosmtpd on loopback): what arrives, retries, no doubles."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.presentation import emails
from assessment.services import mail
from assessment.store.db import Database
from assessment.store.models import OutboxMessage, utcnow
from tests.smtp_server import SmtpServer, html_body, text_body


def _invitation(number: int = 1) -> emails.Email:
    return emails.invitation(
        product="Maturity Test",
        agency=f"Police <North> {number}",
        link=f"http://maturity.test/invitation/token-{number}",
        valid_days=7,
    )


def _queue(session: Session, count: int = 1) -> None:
    for number in range(1, count + 1):
        mail.queue(session, _invitation(number), to=f"lead{number}@example.org")
    session.commit()


def test_a_queued_message_arrives_with_plain_text_and_html(
    session: Session, smtp_server: SmtpServer
) -> None:
    _queue(session)
    settings = smtp_server.settings()

    delivery = mail.deliver_due(session, mail.SmtpTransport(settings), settings)

    assert (delivery.sent, delivery.retrying, delivery.given_up) == (1, 0, 0)
    [message] = smtp_server.messages
    assert message["To"] == "lead1@example.org"
    assert message["From"] == "Maturity Test <maturity@example.org>"
    assert message["Subject"] == "Maturity Test: your invitation for Police <North> 1"
    text, html = text_body(message), html_body(message)
    assert "http://maturity.test/invitation/token-1" in text
    assert "Police <North> 1" in text  # plain text is not escaped
    assert 'href="http://maturity.test/invitation/token-1"' in html
    assert "Police &lt;North&gt; 1" in html  # HTML is
    assert "Maturity Test" in text and "Maturity Test" in html
    row = session.scalars(select(OutboxMessage)).one()
    assert row.sent_at is not None and row.attempts == 1
    assert (
        message["Message-ID"] == f"<outbox-{row.id}-{int(row.created_at.timestamp())}@example.org>"
    )


def test_nothing_is_lost_while_the_server_is_down_and_it_is_retried_later(
    session: Session,
) -> None:
    server = SmtpServer()  # not started: connections are refused
    settings = server.settings()
    transport = mail.SmtpTransport(settings)
    _queue(session)

    first = mail.deliver_due(session, transport, settings)

    assert (first.sent, first.retrying) == (0, 1)
    row = session.scalars(select(OutboxMessage)).one()
    session.refresh(row)
    assert row.sent_at is None and row.attempts == 1
    assert row.last_error is not None and "Connection" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    # Not due yet: a run a moment later leaves it alone, even with the server back.
    server.start()
    try:
        assert mail.deliver_due(session, transport, settings).sent == 0
        assert server.messages == []
        later = utcnow() + mail.retry_delay(1) + timedelta(seconds=1)

        second = mail.deliver_due(session, transport, settings, now=later)

        assert second.sent == 1
        assert len(server.messages) == 1
        session.refresh(row)
        assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
        # Sent is sent: no later run sends it again.
        assert (
            mail.deliver_due(session, transport, settings, now=later + timedelta(hours=1)).sent == 0
        )
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_retries_back_off_and_stop_after_the_last_attempt(session: Session) -> None:
    server = SmtpServer()
    settings = server.settings()
    transport = mail.SmtpTransport(settings)
    _queue(session)
    moment = utcnow()
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        delivery = mail.deliver_due(session, transport, settings, now=moment)
        assert delivery.sent == 0
        moment += mail.retry_delay(attempt) + timedelta(seconds=1)
    row = session.scalars(select(OutboxMessage)).one()
    session.refresh(row)
    assert row.attempts == mail.MAX_ATTEMPTS and row.failed_at is not None
    assert mail.deliver_due(session, transport, settings, now=moment + timedelta(days=1)) == (
        mail.Delivery(0, 0, 0)
    )
    assert [mail.retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert mail.retry_delay(30) == mail.LONGEST_RETRY


def test_a_refused_recipient_is_given_up_at_once_and_the_others_are_sent(
    session: Session, smtp_server: SmtpServer
) -> None:
    smtp_server.mailbox.refused.add("lead1@example.org")
    _queue(session, 2)
    settings = smtp_server.settings()

    delivery = mail.deliver_due(session, mail.SmtpTransport(settings), settings)

    assert (delivery.sent, delivery.retrying, delivery.given_up) == (1, 0, 1)
    assert [m["To"] for m in smtp_server.messages] == ["lead2@example.org"]
    refused = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "lead1@example.org")
    ).one()
    session.refresh(refused)
    assert refused.failed_at is not None and "550" in (refused.last_error or "")


def test_two_senders_at_once_send_every_message_exactly_once(
    database: Database, session: Session, smtp_server: SmtpServer
) -> None:
    _queue(session, 40)
    settings = smtp_server.settings()
    start = threading.Barrier(2)
    results: list[mail.Delivery] = []
    failures: list[BaseException] = []

    def sender() -> None:
        try:
            with database.session() as own:
                start.wait()
                results.append(mail.deliver_due(own, mail.SmtpTransport(settings), settings))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures
    assert sum(result.sent for result in results) == 40
    recipients = [message["To"] for message in smtp_server.messages]
    assert sorted(recipients) == sorted(f"lead{n}@example.org" for n in range(1, 41))
    session.expire_all()
    assert all(row.sent_at is not None for row in session.scalars(select(OutboxMessage)))


def test_one_run_sends_more_than_one_batch(
    session: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "BATCH_SIZE", 3)
    _queue(session, 8)
    settings = smtp_server.settings()

    assert mail.deliver_due(session, mail.SmtpTransport(settings), settings).sent == 8
    assert len(smtp_server.messages) == 8


def test_a_message_claimed_by_another_sender_is_left_alone(
    session: Session, smtp_server: SmtpServer
) -> None:
    _queue(session)
    row = session.scalars(select(OutboxMessage)).one()
    row.claimed_until = utcnow() + mail.CLAIM_LEASE
    row.claim = "another-sender"
    session.commit()
    settings = smtp_server.settings()

    assert mail.deliver_due(session, mail.SmtpTransport(settings), settings).sent == 0
    assert smtp_server.messages == []
    # A sender that died mid-way loses its claim when the lease ends.
    later = utcnow() + mail.CLAIM_LEASE + timedelta(seconds=1)
    assert mail.deliver_due(session, mail.SmtpTransport(settings), settings, now=later).sent == 1


def test_a_dedupe_key_queues_a_notice_once(session: Session) -> None:
    assert mail.queue(session, _invitation(), to="a@example.org", dedupe_key="notice:1")
    assert not mail.queue(session, _invitation(), to="a@example.org", dedupe_key="notice:1")
    session.commit()
    assert not mail.queue(session, _invitation(), to="a@example.org", dedupe_key="notice:1")
    assert len(session.scalars(select(OutboxMessage)).all()) == 1
    assert mail.pending_count(session) == 1


def test_without_a_server_messages_land_in_the_folder(
    session: Session, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    settings = smtp_server.settings(folder=tmp_path / "mail")
    _queue(session, 2)

    delivery = mail.deliver_due(session, mail.FolderTransport(settings.folder), settings)

    assert delivery.sent == 2
    ids = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"{i:08d}-invitation.eml" for i in ids]
    assert "http://maturity.test/invitation/token-1" in files[0].read_text()
    assert smtp_server.messages == []
    assert mail.pending_count(session) == 0

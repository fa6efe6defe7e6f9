"""Who is told what: round-opened notices, deadline reminders, submitted and reopened
messages, self-service reset requests; and the `reminders` / `mail send` commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.services import accounts, assessments, notifications
from assessment.store.models import (
    Agency,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    OneTimeToken,
    OutboxMessage,
    Role,
    Round,
    User,
    utc_today,
)
from tests.smtp_server import SmtpServer, free_port, text_body

SITE = notifications.Site("Maturity Test", "http://maturity.test")


def _outbox(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _submit(session: Session, lead: User, round_: Round) -> Assessment:
    assessment = assessments.start_assessment(
        session, agency_id=lead.agency_id or 0, round_id=round_.id, actor=lead
    )
    session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(status=AssessmentStatus.SUBMITTED, submitted_by_id=lead.id)
    )
    session.commit()
    return assessment


def test_reminders_go_with_seven_days_left_and_on_the_last_day_once_each(
    session: Session,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
) -> None:
    today = utc_today()
    deadline = today + timedelta(days=6)  # 7 days left, today and the deadline included
    round_ = create_round("2027", ends_on=deadline)
    lead = create_user(Role.LEAD)
    submitted_lead = create_user(Role.LEAD)
    _submit(session, submitted_lead, round_)
    create_user(Role.CONSULTANT)

    first = notifications.queue_round_notices(session, SITE, today=today)
    again = notifications.queue_round_notices(session, SITE, today=today)
    next_day = notifications.queue_round_notices(session, SITE, today=today + timedelta(days=1))
    eve = notifications.queue_round_notices(session, SITE, today=deadline - timedelta(days=1))
    last_day = notifications.queue_round_notices(session, SITE, today=deadline)
    again_last_day = notifications.queue_round_notices(session, SITE, today=deadline)

    # Both leads hear that the round opened; only the one who has not submitted is reminded.
    assert (first.opened, first.reminders) == (2, 1)
    assert (again.opened, again.reminders) == (0, 0)
    assert (next_day.opened, next_day.reminders) == (0, 0)
    assert (eve.opened, eve.reminders) == (0, 0)
    assert (last_day.opened, last_day.reminders) == (0, 1)
    assert (again_last_day.opened, again_last_day.reminders) == (0, 0)
    reminders = [m for m in _outbox(session) if m.kind == "deadline_reminder"]
    assert [m.recipient for m in reminders] == [lead.email, lead.email]
    written = deadline.strftime("%d %B %Y")
    assert reminders[0].subject == f"Maturity Test: round 2027, 7 days left (deadline {written})"
    assert reminders[1].subject == (
        f"Maturity Test: round 2027, last day for answers (deadline {written})"
    )
    assert f"until {written} (UTC): 7 days left, today included." in reminders[0].text_body
    assert "today is the last day" in reminders[1].text_body
    assert f"http://maturity.test/assessment/rounds/{round_.id}/" in reminders[0].text_body
    assert "Nothing is answered yet." in reminders[0].text_body


def test_no_notice_for_a_scheduled_or_closed_round_nor_a_reminder_far_from_the_deadline(
    session: Session,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
) -> None:
    today = utc_today()
    create_round("later", starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=9))
    create_round("over", is_open=False, ends_on=today + timedelta(days=2))
    far = create_round("far", ends_on=today + timedelta(days=30))
    create_user(Role.LEAD)

    queued = notifications.queue_round_notices(session, SITE, today=today)

    assert (queued.opened, queued.reminders) == (1, 0)
    [opened] = _outbox(session)
    assert opened.kind == "round_opened" and opened.subject.endswith("round far is open")
    assert (today + timedelta(days=30)).strftime("%d %B %Y") in opened.text_body
    assert f"/assessment/rounds/{far.id}/" in opened.text_body


def test_a_submission_tells_the_leads_and_the_consultants(
    session: Session,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
) -> None:
    round_ = create_round("2026")
    lead = create_user(Role.LEAD)
    other_agency_lead = create_user(Role.LEAD)
    consultant = create_user(Role.CONSULTANT)
    create_user(Role.ADMIN)
    assessment = _submit(session, lead, round_)
    session.refresh(assessment)

    notifications.assessment_submitted(session, SITE, assessment)
    notifications.assessment_submitted(session, SITE, assessment)  # queued once

    sent = _outbox(session)
    assert sorted(m.recipient for m in sent) == sorted([lead.email, consultant.email])
    assert other_agency_lead.email not in {m.recipient for m in sent}
    by_recipient = {m.recipient: m for m in sent}
    agency = session.get(Agency, lead.agency_id)
    assert agency is not None
    assert f"submitted by {lead.email}" in by_recipient[lead.email].text_body
    assert f"/assessment/rounds/{round_.id}/results" in by_recipient[lead.email].text_body
    assert f"/consultant/agencies/{agency.id}" in by_recipient[consultant.email].text_body


def test_a_reopening_tells_the_leads_why(
    session: Session,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
) -> None:
    round_ = create_round("2026")
    lead = create_user(Role.LEAD)
    admin = create_user(Role.ADMIN)
    assessment = _submit(session, lead, round_)
    reopened = assessments.reopen_assessment(
        session, assessment_id=assessment.id, actor=admin, reason="Budget figures <2025> missing"
    )

    notifications.assessment_reopened(
        session, SITE, reopened, reopened_by=admin, reason="Budget figures <2025> missing"
    )

    [message] = _outbox(session)
    assert message.recipient == lead.email
    assert "Budget figures <2025> missing" in message.text_body
    assert "Budget figures &lt;2025&gt; missing" in message.html_body
    assert f"{admin.email} gave this reason" in message.text_body


def test_a_reset_request_mails_a_known_address_only_and_audits_both(
    session: Session, create_user: Callable[..., User]
) -> None:
    lead = create_user(Role.LEAD, email="known@example.org")
    disabled = create_user(Role.LEAD, email="disabled@example.org")
    disabled.active = False
    session.commit()

    for address in ("Known@Example.org ", "nobody@example.org", "disabled@example.org"):
        notifications.password_reset_requested(session, SITE, address)

    [message] = _outbox(session)
    assert message.recipient == lead.email and message.kind == "password_reset"
    token = message.text_body.split("/password-reset/")[1].split()[0]
    link = accounts.usable_link(session, token, accounts.TokenKind.PASSWORD_RESET)
    assert link.user_id == lead.id
    lifetime = link.expires_at - link.created_at
    assert timedelta(minutes=59) < lifetime <= accounts.SELF_SERVICE_RESET_VALIDITY
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "password_reset.requested")
    ).all()
    assert [(e.detail["email"], e.detail["known"]) for e in events] == [
        ("known@example.org", True),
        ("nobody@example.org", False),
        ("disabled@example.org", False),
    ]
    assert (
        session.scalar(select(OneTimeToken.id).where(OneTimeToken.user_id == disabled.id)) is None
    )


def _run(*args: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_the_commands_queue_and_send_each_reminder_once(
    database_url: str,
    session: Session,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
    smtp_server: SmtpServer,
) -> None:
    today = utc_today()
    create_round("2027", ends_on=today)
    lead = create_user(Role.LEAD)
    env = {"DATABASE_URL": database_url, **smtp_server.environment()}

    outputs = []
    for _ in range(2):
        queued = _run("reminders", "--today", today.isoformat(), env=env)
        sent = _run("mail", "send", env=env)
        assert queued.exit_code == 0 and sent.exit_code == 0, queued.output + sent.output
        outputs.append((queued.output, sent.output))

    assert "Queued 1 round-opened notice(s) and 1 deadline reminder(s)" in outputs[0][0]
    assert "2 sent, 0 to retry later, 0 given up; 0 waiting" in outputs[0][1]
    assert "Queued 0 round-opened notice(s) and 0 deadline reminder(s)" in outputs[1][0]
    assert "0 sent, 0 to retry later, 0 given up; 0 waiting" in outputs[1][1]
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    written = today.strftime("%d %B %Y")
    assert subjects == [
        "Maturity Test: round 2027 is open",
        f"Maturity Test: round 2027, last day for answers (deadline {written})",
    ]
    assert all(m["To"] == lead.email for m in smtp_server.messages)
    assert "http://maturity.test/assessment/rounds/" in text_body(smtp_server.messages[0])


def test_mail_send_without_a_server_writes_to_the_folder_and_reports_failures(
    database_url: str,
    session: Session,
    create_user: Callable[..., User],
    create_round: Callable[..., Round],
    tmp_path: Path,
) -> None:
    create_round("2027")
    create_user(Role.LEAD)
    env = {"DATABASE_URL": database_url, "MAIL_FOLDER": str(tmp_path / "mail"), "SMTP_HOST": ""}
    assert _run("reminders", env=env).exit_code == 0

    sent = _run("mail", "send", env=env)

    assert sent.exit_code == 0, sent.output
    assert f"Mail to {tmp_path / 'mail'}: 1 sent" in sent.output
    [written] = (tmp_path / "mail").glob("*.eml")
    assert "round 2027 is open" in written.read_text()
    listed = _run("mail", "list", env=env).output
    assert "round_opened" in listed and " sent " in listed
    bad = _run("mail", "send", env={**env, "SMTP_TLS": "maybe"})
    assert bad.exit_code == 2 and "SMTP_TLS must be one of starttls, tls, none" in bad.output


def test_mail_send_says_what_waits_and_mail_list_shows_the_error(
    database_url: str, session: Session, create_user: Callable[..., User]
) -> None:
    lead = create_user(Role.LEAD)
    notifications.password_reset_requested(session, SITE, lead.email)
    down = {
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "SMTP_TLS": "none",
    }

    sent = _run("mail", "send", env=down)

    assert sent.exit_code == 1
    assert "0 sent, 1 to retry later, 0 given up; 1 waiting in the outbox" in sent.output
    listed = _run("mail", "list", env=down).output
    assert f"password_reset    {lead.email}  waiting, 1 failed attempt(s)" in listed
    assert "last error: ConnectionRefusedError" in listed

"""`assessment mail send` and `assessment reminders`: the outbox and the round notices, for cron."""

from __future__ import annotations

from typing import Any

import click

from assessment import config
from assessment.cli.database import CommandError, database_url_option, opened_session
from assessment.services import mail, notifications
from assessment.store.models import utc_today


def _settings() -> config.MailSettings:
    try:
        return config.mail_settings()
    except config.ConfigError as error:
        raise CommandError(str(error)) from None


@click.group("mail")
def mail_group() -> None:
    """The mail outbox: `mail send` sends what is due."""


@mail_group.command("send")
@database_url_option
def send(database_url: str | None) -> None:
    """Send the messages that are due: to SMTP_HOST, or without one into MAIL_FOLDER.

    Safe to run as often as one likes, also twice at once: each message is sent once.
    A message the server did not take is retried by a later run (after 1, 2, 4 ...
    minutes, at most 6 hours apart; given up after 10 attempts).
    """
    settings = _settings()
    with opened_session(database_url) as session:
        delivery = mail.deliver_due(session, mail.transport_for(settings), settings)
        waiting = mail.pending_count(session)
    target = f"{settings.host}:{settings.port}" if settings.uses_server else str(settings.folder)
    click.echo(f"Mail to {target}: {delivery}; {waiting} waiting in the outbox.")
    if delivery.retrying or delivery.given_up:
        raise SystemExit(1)


@mail_group.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@database_url_option
def list_messages(limit: int, database_url: str | None) -> None:
    """The newest messages: when queued, kind, recipient, state and the last error."""
    with opened_session(database_url) as session:
        for message in mail.recent_messages(session, limit=limit):
            click.echo(
                f"{message.id:>6}  {message.created_at:%Y-%m-%d %H:%M}  {message.kind:<17} "
                f"{message.recipient}  {mail.state_of(message)}"
            )
            if message.last_error and message.sent_at is None:
                click.echo(f"        last error: {message.last_error}")


@click.command("reminders")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day to act on (YYYY-MM-DD, UTC); default today.",
)
@database_url_option
def reminders(today: Any, database_url: str | None) -> None:
    """Queue round-opened notices and deadline reminders (7 days left, last day).

    Each lead gets each notice once, however often this runs; `assessment mail send`
    sends them.
    """
    settings = _settings()
    site = notifications.Site(settings.product_name, settings.site_url or config.DEFAULT_SITE_URL)
    day = today.date() if today is not None else utc_today()
    with opened_session(database_url) as session:
        queued = notifications.queue_round_notices(session, site, today=day)
    click.echo(
        f"Queued {queued.opened} round-opened notice(s) and {queued.reminders} deadline "
        f"reminder(s) for {day}; run `assessment mail send` to send them."
    )

"""The e-mails the product sends: subject, plain-text and HTML bodies from templates.

Every message names the product and carries one link. The templates live in
`templates/email/` (`<kind>.txt` and `<kind>.html`, the HTML autoescaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from assessment.presentation.charts import TEMPLATES_DIR


@dataclass(frozen=True)
class Email:
    """One message's kind, subject and two bodies."""

    kind: str
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / "email"),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _compose(kind: str, subject: str, **context: Any) -> Email:
    values = {"subject": subject, **context}
    environment = _environment()
    text = environment.get_template(f"{kind}.txt").render(values)
    html = environment.get_template(f"{kind}.html").render(values)
    return Email(kind, subject, text.strip() + "\n", html)


def invitation(*, product: str, agency: str, link: str, valid_days: int) -> Email:
    """An invitation to become the lead of an agency."""
    return _compose(
        "invitation",
        f"{product}: your invitation for {agency}",
        product=product,
        agency=agency,
        link=link,
        valid_days=valid_days,
        action="Accept the invitation",
    )


def password_reset(*, product: str, email: str, link: str, valid_minutes: int) -> Email:
    """A link to choose a new password, asked for on the forgot-password page."""
    return _compose(
        "password_reset",
        f"{product}: reset your password",
        product=product,
        email=email,
        link=link,
        valid_minutes=valid_minutes,
        action="Choose a new password",
    )


def round_opened(
    *, product: str, agency: str, round_name: str, deadline: date | None, link: str
) -> Email:
    """A round has opened for an agency's lead."""
    return _compose(
        "round_opened",
        f"{product}: round {round_name} is open",
        product=product,
        agency=agency,
        round_name=round_name,
        deadline=day(deadline) if deadline else None,
        link=link,
        action="Open the assessment",
    )


def deadline_reminder(
    *,
    product: str,
    agency: str,
    round_name: str,
    deadline: date,
    days_left: int,
    answered: int,
    link: str,
) -> Email:
    """The round closes soon: `days_left` days to answer, the deadline included."""
    left = "last day for answers" if days_left <= 1 else f"{days_left} days left"
    progress = (
        "Nothing is answered yet."
        if answered == 0
        else f"{answered} answer{' is' if answered == 1 else 's are'} saved so far; "
        "the assessment is not submitted yet."
    )
    return _compose(
        "deadline_reminder",
        f"{product}: round {round_name}, {left} (deadline {day(deadline)})",
        product=product,
        agency=agency,
        round_name=round_name,
        deadline=day(deadline),
        left="today is the last day"
        if days_left <= 1
        else f"{days_left} days left, today included",
        progress=progress,
        link=link,
        action="Continue the assessment",
    )


def day(value: date) -> str:
    """A date as the pages write it: 10 December 2026."""
    return value.strftime("%d %B %Y")


def submitted(
    *,
    product: str,
    agency: str,
    round_name: str,
    submitted_by: str,
    submitted_at: datetime,
    link: str,
) -> Email:
    """An agency's assessment was submitted (to its lead and the consultants)."""
    return _compose(
        "submitted",
        f"{product}: {agency} submitted round {round_name}",
        product=product,
        agency=agency,
        round_name=round_name,
        submitted_by=submitted_by,
        submitted_at=submitted_at.strftime("%Y-%m-%d %H:%M"),
        link=link,
        action="See the results",
    )


def reopened(
    *, product: str, agency: str, round_name: str, reopened_by: str, reason: str, link: str
) -> Email:
    """A submitted assessment was opened again for changes, with the reason."""
    return _compose(
        "reopened",
        f"{product}: round {round_name} is open again for changes",
        product=product,
        agency=agency,
        round_name=round_name,
        reopened_by=reopened_by,
        reason=reason,
        link=link,
        action="Open the assessment",
    )

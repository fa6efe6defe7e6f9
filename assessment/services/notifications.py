"""Who is told what by e-mail: each notice is composed and queued in the outbox.

Each function queues its messages and commits; `assessment.services.mail` delivers them.
A notice that must go once (a reminder to one lead, a round-opened notice) carries a
dedupe key, so queueing it again does nothing: `queue_round_notices` is safe to run as
often as one likes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assessment.domain.rules.schedule import RoundState
from assessment.presentation import emails
from assessment.queries.rounds import rounds_in_order
from assessment.services import accounts, audit
from assessment.services.mail import queue
from assessment.store.models import (
    Agency,
    Answer,
    Assessment,
    AssessmentStatus,
    Role,
    Round,
    User,
)

INVITATION_PATH = "/invitation/{token}"
PASSWORD_RESET_PATH = "/password-reset/{token}"
ROUND_PATH = "/assessment/rounds/{round_id}/"
RESULTS_PATH = "/assessment/rounds/{round_id}/results"
CONSULTANT_AGENCY_PATH = "/consultant/agencies/{agency_id}"

FIRST_REMINDER_DAYS = 7
LAST_REMINDER_DAYS = 1


@dataclass(frozen=True)
class Site:
    """The product's name and the address its links start with (no trailing slash)."""

    product: str
    url: str

    def link(self, path: str, **values: object) -> str:
        """The absolute address of a path template such as `ROUND_PATH`."""
        return self.url.rstrip("/") + path.format(**values)


@dataclass(frozen=True)
class RoundNotices:
    """What one run of `queue_round_notices` queued."""

    opened: int
    reminders: int


def invitation(session: Session, site: Site, *, email: str, agency_id: int, token: str) -> None:
    """Send the invitation link to the invited address."""
    agency = session.get(Agency, agency_id)
    message = emails.invitation(
        product=site.product,
        agency=agency.name if agency is not None else "your agency",
        link=site.link(INVITATION_PATH, token=token),
        valid_days=accounts.INVITATION_VALIDITY.days,
    )
    queue(session, message, to=email)
    session.commit()


def password_reset_requested(session: Session, site: Site, email: str) -> None:
    """Someone asked for a reset link for `email`: mail one if it is an active account.

    Known and unknown addresses take the same steps (a lookup, an audit event, a commit),
    so neither the answer nor its timing tells whether an account exists.
    """
    requested = accounts.request_password_reset(session, email)
    if requested is not None:
        user, token = requested
        message = emails.password_reset(
            product=site.product,
            email=user.email,
            link=site.link(PASSWORD_RESET_PATH, token=token),
            valid_minutes=int(accounts.SELF_SERVICE_RESET_VALIDITY.total_seconds() // 60),
        )
        queue(session, message, to=user.email)
    session.commit()


def assessment_submitted(session: Session, site: Site, assessment: Assessment) -> None:
    """Tell the agency's leads and every consultant that an assessment was submitted."""
    submitter = (
        session.get(User, assessment.submitted_by_id) if assessment.submitted_by_id else None
    )
    for user in [*_leads(session, assessment.agency_id), *_consultants(session)]:
        link = (
            site.link(RESULTS_PATH, round_id=assessment.round_id)
            if user.role == Role.LEAD
            else site.link(CONSULTANT_AGENCY_PATH, agency_id=assessment.agency_id)
        )
        message = emails.submitted(
            product=site.product,
            agency=assessment.agency.name,
            round_name=assessment.round.name,
            submitted_by=submitter.email if submitter is not None else "an administrator",
            submitted_at=assessment.submitted_at or assessment.updated_at,
            link=link,
        )
        key = f"submitted:{assessment.id}:{assessment.revision}:{user.id}"
        queue(session, message, to=user.email, dedupe_key=key)
    session.commit()


def assessment_reopened(
    session: Session, site: Site, assessment: Assessment, *, reopened_by: User, reason: str
) -> None:
    """Tell the agency's leads that their assessment is open again, and why."""
    for user in _leads(session, assessment.agency_id):
        message = emails.reopened(
            product=site.product,
            agency=assessment.agency.name,
            round_name=assessment.round.name,
            reopened_by=reopened_by.email,
            reason=reason.strip(),
            link=site.link(ROUND_PATH, round_id=assessment.round_id),
        )
        key = f"reopened:{assessment.id}:{assessment.revision}:{user.id}"
        queue(session, message, to=user.email, dedupe_key=key)
    session.commit()


def queue_round_notices(session: Session, site: Site, *, today: date) -> RoundNotices:
    """For every round open `today`: a round-opened notice to each lead (once), and the
    deadline reminders with 7 days left and on the last day (once each per lead, only to
    leads who have not submitted). Safe to run repeatedly."""
    opened = reminders = 0
    for round_ in rounds_in_order(session):
        if round_.schedule.state(today) != RoundState.OPEN:
            continue
        deadline = round_.schedule.deadline(today)
        stage = _reminder_stage(deadline, today)
        for lead in _all_leads(session):
            assessment = _assessment(session, lead, round_)
            opened += queue(
                session,
                _round_opened(site, round_, lead, deadline),
                to=lead.email,
                dedupe_key=f"round-opened:{round_.id}:{lead.id}",
            )
            if stage is None or deadline is None:
                continue
            if assessment is not None and assessment.status == AssessmentStatus.SUBMITTED:
                continue
            reminders += queue(
                session,
                emails.deadline_reminder(
                    product=site.product,
                    agency=_agency_name(lead),
                    round_name=round_.name,
                    deadline=deadline,
                    days_left=(deadline - today).days + 1,
                    answered=_answered(session, assessment),
                    link=site.link(ROUND_PATH, round_id=round_.id),
                ),
                to=lead.email,
                dedupe_key=f"reminder-{stage}:{round_.id}:{lead.id}",
            )
    if opened or reminders:
        audit.record(session, "mail.round_notices", actor=None, opened=opened, reminders=reminders)
    session.commit()
    return RoundNotices(opened, reminders)


def _reminder_stage(deadline: date | None, today: date) -> int | None:
    """Which reminder is due, by the days left (the deadline included, as pages count):
    7 from a week before the round closes, 1 on its last day, else None."""
    if deadline is None:
        return None
    days_left = (deadline - today).days + 1
    if days_left <= LAST_REMINDER_DAYS:
        return LAST_REMINDER_DAYS
    if days_left <= FIRST_REMINDER_DAYS:
        return FIRST_REMINDER_DAYS
    return None


def _round_opened(site: Site, round_: Round, lead: User, deadline: date | None) -> emails.Email:
    return emails.round_opened(
        product=site.product,
        agency=_agency_name(lead),
        round_name=round_.name,
        deadline=deadline,
        link=site.link(ROUND_PATH, round_id=round_.id),
    )


def _agency_name(user: User) -> str:
    return user.agency.name if user.agency is not None else "your agency"


def _leads(session: Session, agency_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.agency_id == agency_id, User.role == Role.LEAD, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _all_leads(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.LEAD, User.active.is_(True), User.agency_id.is_not(None))
            .order_by(User.id)
        )
    )


def _consultants(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.CONSULTANT, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _assessment(session: Session, lead: User, round_: Round) -> Assessment | None:
    return session.scalar(
        select(Assessment).where(
            Assessment.agency_id == lead.agency_id, Assessment.round_id == round_.id
        )
    )


def _answered(session: Session, assessment: Assessment | None) -> int:
    if assessment is None:
        return 0
    count = session.scalar(
        select(func.count(Answer.id)).where(
            Answer.assessment_id == assessment.id,
            or_(Answer.option_id.is_not(None), Answer.not_applicable.is_(True)),
        )
    )
    return int(count or 0)

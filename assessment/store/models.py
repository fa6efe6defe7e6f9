"""The stored state: agencies, users, rounds, assessments, answers, results, audit."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from assessment.domain.rules.schedule import RoundState, Schedule


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def utc_today() -> date:
    """Today's date in UTC: the day round schedules are read on."""
    return utcnow().date()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use assessment.store.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Named constraints let later migrations alter them, also in SQLite's batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
    }


class Role(enum.StrEnum):
    """What a user may do."""

    ADMIN = "admin"  # everything
    CONSULTANT = "consultant"  # reads all agencies, reports, benchmarks; never edits answers
    LEAD = "lead"  # answers for their own agency only
    CONTRIBUTOR = "contributor"  # answers the dimensions the agency's lead assigned, no more


class AssessmentStatus(enum.StrEnum):
    """Draft while being answered; submitted is locked until reopened."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class ResultScope(enum.StrEnum):
    """What a stored result row is about."""

    OVERALL = "overall"
    DIMENSION = "dimension"
    THEME = "theme"


class TokenKind(enum.StrEnum):
    """What a single-use link does."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


def _enum(kind: type[enum.Enum]) -> Enum:
    # Store the values ("lead"), not the member names, and no database enum type.
    return Enum(
        kind,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Agency(Base):
    """A police or public-security agency and its profile (codes of
    `assessment.domain.model.agency_profile`; the jurisdiction follows from the country)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    agency_type: Mapped[str] = mapped_column(String(40), index=True)
    size_band: Mapped[str] = mapped_column(String(40), index=True)
    # How policing is organised where the agency works; empty when not stated.
    policing_model: Mapped[str] = mapped_column(String(40), default="", server_default="")
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessments: Mapped[list[Assessment]] = relationship(back_populates="agency")
    users: Mapped[list[User]] = relationship(back_populates="agency")


class User(Base):
    """Someone who logs in: an admin, a consultant, an agency lead or a contributor."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Signed-in sessions carry this number; raising it (logout, password reset) ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A contributor's dimensions (ids), assigned by the agency's lead; empty for other roles.
    dimensions: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    agency: Mapped[Agency | None] = relationship(back_populates="users")


class OneTimeToken(Base):
    """A single-use, expiring link: an invitation (a lead, or a contributor invited by the
    agency's lead) or a password reset."""

    __tablename__ = "one_time_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[TokenKind] = mapped_column(_enum(TokenKind))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for the read-only JSON API, stored as a hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Round(Base):
    """An assessment round (e.g. 2025): every agency answers one instrument version.

    Its state follows its dates unless an administrator opened or closed it early
    (`decided_state`, `decided_at`): see `assessment.domain.rules.schedule`.
    """

    __tablename__ = "assessment_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[date | None] = mapped_column(Date)  # first day answers are taken
    ends_on: Mapped[date | None] = mapped_column(Date)  # last day answers are taken
    instrument_id: Mapped[str] = mapped_column(String(100))
    instrument_version: Mapped[str] = mapped_column(String(40))
    decided_state: Mapped[RoundState | None] = mapped_column(_enum(RoundState))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessments: Mapped[list[Assessment]] = relationship(back_populates="round")

    @property
    def schedule(self) -> Schedule:
        """The round's dates and the latest administrator decision."""
        decided_on = self.decided_at.date() if self.decided_at is not None else None
        return Schedule(self.starts_on, self.ends_on, self.decided_state, decided_on)

    @property
    def state(self) -> RoundState:
        """Scheduled, open or closed today."""
        return self.schedule.state(utc_today())

    @property
    def is_open(self) -> bool:
        """Whether the round takes answers today."""
        return self.state == RoundState.OPEN

    @property
    def deadline(self) -> date | None:
        """The last day answers are taken, while the round is open and will close by itself."""
        return self.schedule.deadline(utc_today())

    @property
    def days_left(self) -> int | None:
        """Days until the deadline, the deadline included."""
        return self.schedule.days_left(utc_today())


MAX_REVISION = 2**31 - 1
"""The largest assessment revision: the column is a 32-bit INTEGER on PostgreSQL."""


class Assessment(Base):
    """One agency's answers in one round; `revision` counts every change of the assessment
    (a submission or profile save is refused when it is stale; answers have their own)."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("agency_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(100))
    instrument_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus), default=AssessmentStatus.DRAFT
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The scoring key (domain.scoring.scoring_key) the stored results were computed with.
    scored_with: Mapped[str | None] = mapped_column(String(200))
    # Profile answers by question id (queries.profiles.assessment_profile reads them).
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")

    agency: Mapped[Agency] = relationship(back_populates="assessments")
    round: Mapped[Round] = relationship(back_populates="assessments")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    results: Mapped[list[Result]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One practice's answer within an assessment; `revision` guards it against stale saves."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assessment_id", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    practice_id: Mapped[str] = mapped_column(String(100))
    option_id: Mapped[str | None] = mapped_column(String(40))
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Filled in from an earlier round's answers; false once the lead saves or confirms it.
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Raised by every change of this answer; a save names the revision it was based on.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    assessment: Mapped[Assessment] = relationship(back_populates="answers")


class Result(Base):
    """A stored figure of a submitted assessment: overall, per dimension or per theme."""

    __tablename__ = "result"
    __table_args__ = (UniqueConstraint("assessment_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    scope: Mapped[ResultScope] = mapped_column(_enum(ResultScope))
    key: Mapped[str] = mapped_column(String(100))  # dimension or theme id; "overall"
    score: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None] = mapped_column(Integer)  # None for themes
    coverage: Mapped[float] = mapped_column(Float)

    assessment: Mapped[Assessment] = relationship(back_populates="results")


class CarriedResult(Base):
    """An earlier submitted assessment's overall figure with its answers carried to a later
    questionnaire (through the crosswalks) and scored there: the agency list's change
    since the earlier round. Stored so that no process carries and scores it again;
    `basis` digests everything it was computed from, and a row whose basis no longer
    matches is computed afresh."""

    __tablename__ = "carried_result"
    __table_args__ = (UniqueConstraint("assessment_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    target: Mapped[str] = mapped_column(String(120))  # id@version carried to
    basis: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    equivalent_share: Mapped[float | None] = mapped_column(Float)  # None: no path there


class AuditEvent(Base):
    """Who did what, when: logins, saves, submissions, reopenings, reports."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


OVERALL_SECTION = ""
"""The `section` of a report note that comments on the whole report (else a dimension id)."""


class ReportNote(Base):
    """A consultant's commentary on an assessment's report: overall, or on one dimension."""

    __tablename__ = "report_note"
    __table_args__ = (UniqueConstraint("assessment_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    section: Mapped[str] = mapped_column(String(100), default=OVERALL_SECTION)
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FinalReport(Base):
    """An agency report marked final: the PDF kept as issued, served as the same bytes."""

    __tablename__ = "final_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RateLimitCounter(Base):
    """A login rate-limit window shared by every worker and host: hits until it expires."""

    __tablename__ = "rate_limit_counter"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the rate-limit library counts time.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class OutboxMessage(Base):
    """An e-mail waiting to be sent, or sent: kept so that none is lost while the server is down.

    `dedupe_key` makes a notice (a reminder to one lead) exist once however often it is
    queued; a sender claims a row (`claimed_until`) before sending, so that two senders
    never send the same message.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_at: Mapped[datetime | None]  # given up after the last attempt
    last_error: Mapped[str | None] = mapped_column(Text)


class JobState(enum.StrEnum):
    """Where a report job item stands: waiting, held by a worker, or finished."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(Base):
    """Reports asked for together (one agency PDF, or a round's batch), keyed by content.

    `key` digests everything the reports are made from, so asking again for the same
    content finds this job instead of rendering twice.
    """

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "agency" or "round"
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id"))
    group_filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    k: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    items: Mapped[list[ReportJobItem]] = relationship(
        back_populates="job", order_by="ReportJobItem.id"
    )


class ReportJobItem(Base):
    """One PDF of a job: which agency, its state, the worker's lease, the PDF or the error.

    A worker holds an item only while its lease runs (renewed by a heartbeat); an item
    whose lease ran out (its worker died) is queued again for another worker.
    """

    __tablename__ = "report_job_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("report_job.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    with_commentary: Mapped[bool] = mapped_column(Boolean, default=True)
    html: Mapped[str | None] = mapped_column(Text)  # given when the web laid it out already
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    content_key: Mapped[str | None] = mapped_column(String(64), index=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)

    job: Mapped[ReportJob] = relationship(back_populates="items")
    agency: Mapped[Agency] = relationship()

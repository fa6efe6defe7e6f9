"""What a use case refuses, with a message fit to show the user."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from assessment.domain.model.answers import Answer
from assessment.domain.rules.answer_check import AnswerProblem


class ServiceError(Exception):
    """A refused request; `str(error)` is the message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The agency, user, round, assessment or token does not exist."""


class Forbidden(ServiceError):
    """The acting user may not do this."""


class Conflict(ServiceError):
    """The request is based on a state that has changed (e.g. a stale revision)."""


@dataclass(frozen=True)
class StoredAnswer:
    """A practice's answer as stored now: what it says, its revision, who saved it, when."""

    practice_id: str
    answer: Answer | None  # None: no answer is stored (it was cleared)
    revision: int  # 0 when no answer is stored
    answered_by: str  # the account's email address; empty when unknown
    answered_at: datetime | None


class AnswerConflict(Conflict):
    """Some practices were changed by someone else since the page was loaded; nothing of
    the save was stored. `stored` holds what each of those practices says now."""

    def __init__(self, stored: Sequence[StoredAnswer]) -> None:
        self.stored = list(stored)
        ids = ", ".join(item.practice_id for item in self.stored)
        super().__init__(
            f"{len(self.stored)} of these answers ({ids}) were changed elsewhere since this "
            "page was loaded, so nothing was saved"
        )


class Locked(ServiceError):
    """A submitted assessment cannot be changed except through reopening."""


class RoundClosed(Locked):
    """The round is closed: no new assessments, saves or submissions."""


class InvalidToken(ServiceError):
    """A single-use link that is unknown, already used, expired or no longer backed."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "unknown" | "used" | "expired" | "revoked"


class InvalidInput(ServiceError):
    """Form-like input with problems, keyed by field name."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


class InvalidAnswers(ServiceError):
    """Answers that do not fit the instrument; nothing of the save was stored."""

    def __init__(self, problems: Sequence[AnswerProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        summary = "; ".join(str(problem) for problem in self.problems[:5])
        more = f" (and {count - 5} more)" if count > 5 else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} answer {noun}, nothing was saved: {summary}{more}")

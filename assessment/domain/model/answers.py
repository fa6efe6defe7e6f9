"""An agency's answers to an instrument, as frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_COMMENT_LENGTH = 10_000


@dataclass(frozen=True)
class Answer:
    """One practice's answer: an option, or not applicable; with an evidence comment."""

    practice_id: str
    option_id: str | None = None
    not_applicable: bool = False
    comment: str = ""

    @property
    def is_answered(self) -> bool:
        """True when an option was chosen or the practice was marked not applicable."""
        return self.not_applicable or self.option_id is not None


Answers = Mapping[str, Answer]
"""Answers keyed by practice id."""

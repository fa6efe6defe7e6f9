"""What changed in an agency's answers since its previous round, practice by practice.

The previous round's answers are compared in the current questionnaire: when the
versions differ they are first carried through the crosswalk (`rules.carry`), so an
option is compared with the option it maps to. A practice the previous round has no
answer for (unanswered, or no equivalent through the crosswalk) is *new*.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assessment.domain.model.answers import Answer


class ChangeKind(StrEnum):
    """How a practice's answer compares with the previous round's."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"  # another option, or not applicable in one round only
    COMMENT_CHANGED = "comment changed"  # same option, different evidence comment
    NEW = "new"  # answered now, nothing comparable before
    DROPPED = "dropped"  # answered before, unanswered now


@dataclass(frozen=True)
class AnswerChange:
    """One practice's change since the previous round, with the previous answer."""

    kind: ChangeKind
    previous: Answer | None


def answer_change(current: Answer | None, previous: Answer | None) -> AnswerChange:
    """How `current` compares with `previous` (both in the current questionnaire)."""
    now = current if current is not None and current.is_answered else None
    before = previous if previous is not None and previous.is_answered else None
    if now is None:
        kind = ChangeKind.UNCHANGED if before is None else ChangeKind.DROPPED
    elif before is None:
        kind = ChangeKind.NEW
    elif (now.option_id, now.not_applicable) != (before.option_id, before.not_applicable):
        kind = ChangeKind.CHANGED
    elif now.comment.strip() != before.comment.strip():
        kind = ChangeKind.COMMENT_CHANGED
    else:
        kind = ChangeKind.UNCHANGED
    return AnswerChange(kind, before)

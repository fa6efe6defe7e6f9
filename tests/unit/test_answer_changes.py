"""How an answer compares with the previous round's (already in the same questionnaire)."""

from __future__ import annotations

import pytest

from assessment.domain.model.answers import Answer
from assessment.domain.rules.answer_changes import ChangeKind, answer_change

P = "policy.written-policy"


@pytest.mark.parametrize(
    ("current", "previous", "kind"),
    [
        (Answer(P, "fully"), Answer(P, "fully"), ChangeKind.UNCHANGED),
        (Answer(P, "fully", comment="x "), Answer(P, "fully", comment="x"), ChangeKind.UNCHANGED),
        (Answer(P, "fully"), Answer(P, "largely"), ChangeKind.CHANGED),
        (Answer(P, not_applicable=True), Answer(P, "not"), ChangeKind.CHANGED),
        (
            Answer(P, "fully", comment="new"),
            Answer(P, "fully", comment="old"),
            ChangeKind.COMMENT_CHANGED,
        ),
        (Answer(P, "fully"), None, ChangeKind.NEW),
        (Answer(P, "fully"), Answer(P), ChangeKind.NEW),  # an empty previous answer is none
        (None, Answer(P, "fully"), ChangeKind.DROPPED),
        (Answer(P, comment="only a note"), Answer(P, "not"), ChangeKind.DROPPED),
        (None, None, ChangeKind.UNCHANGED),
    ],
)
def test_the_kind_of_change(
    current: Answer | None, previous: Answer | None, kind: ChangeKind
) -> None:
    assert answer_change(current, previous).kind is kind


def test_the_previous_answer_is_kept_only_when_it_was_answered() -> None:
    assert answer_change(Answer(P, "fully"), Answer(P, "not")).previous == Answer(P, "not")
    assert answer_change(Answer(P, "fully"), Answer(P, comment="a note")).previous is None

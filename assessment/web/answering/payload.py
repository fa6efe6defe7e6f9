"""The background save's JSON body: read it strictly, name every problem and where it is.

Shape::

    {"revision": 7,
     "answers": {"policy.written-policy": {"choice": "fully", "comment": "Signed 2024"},
                 "budget.tools": {"choice": "n/a", "comment": ""},
                 "staffing.named-admin": {"choice": null, "comment": ""}}}

`choice` is an option id, "n/a" for not applicable, or null; a practice with neither a
choice nor a comment is cleared. Whether an option belongs to the practice, whether not
applicable is allowed and how long a comment may be is checked by the save itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.store.models import MAX_REVISION
from assessment.web.answering.forms import NOT_APPLICABLE, normalise_newlines

MAX_PROBLEMS = 20  # a tampered body may hold thousands; the first few say enough


@dataclass(frozen=True)
class AutosaveRequest:
    """A parsed background save: the revision it is based on, answers to store, ids to clear."""

    revision: int
    answers: dict[str, Answer]
    clear: tuple[str, ...]


class PayloadError(ValueError):
    """The body is not a well-formed background save; `problems` say what and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_autosave(payload: object, instrument: Instrument) -> AutosaveRequest:
    """The save described by a decoded JSON body, or PayloadError listing every problem."""
    if not isinstance(payload, dict):
        raise PayloadError(["the body must be a JSON object with 'revision' and 'answers'"])
    problems: list[str] = []
    unknown_keys = sorted(set(payload) - {"revision", "answers"})
    if unknown_keys:
        problems.append(f"unknown keys {', '.join(map(repr, unknown_keys))} in the body")
    revision = _revision(payload.get("revision"), problems)
    entries = payload.get("answers")
    answers: dict[str, Answer] = {}
    clear: list[str] = []
    if not isinstance(entries, dict) or not entries:
        problems.append("'answers' must be a non-empty object keyed by practice id")
    else:
        for practice_id, entry in entries.items():
            answer = _entry(instrument, practice_id, entry, problems)
            if answer is None:
                continue
            if answer.is_answered or answer.comment:
                answers[practice_id] = answer
            else:
                clear.append(practice_id)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS} more problems")
        raise PayloadError(shown)
    return AutosaveRequest(revision, answers, tuple(clear))


def _revision(value: object, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REVISION:
        problems.append(
            f"'revision' must be the whole number (0 to {MAX_REVISION}) the page was loaded with"
        )
        return -1
    return value


def _entry(
    instrument: Instrument, practice_id: str, entry: object, problems: list[str]
) -> Answer | None:
    where = f"answers[{practice_id!r}]"
    if instrument.practice(practice_id) is None:
        problems.append(f"{where}: unknown practice (not in {instrument.key})")
        return None
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be an object with 'choice' and 'comment'")
        return None
    extra = sorted(set(entry) - {"choice", "comment"})
    if extra:
        problems.append(f"{where}: unknown keys {', '.join(map(repr, extra))}")
        return None
    choice = entry.get("choice")
    comment = entry.get("comment", "")
    if choice is not None and (not isinstance(choice, str) or not choice):
        problems.append(f"{where}.choice: must be an option id, {NOT_APPLICABLE!r} or null")
        return None
    if not isinstance(comment, str):
        problems.append(f"{where}.comment: must be text")
        return None
    comment = str(normalise_newlines(comment)).strip()
    if choice == NOT_APPLICABLE:
        return Answer(practice_id, None, not_applicable=True, comment=comment)
    return Answer(practice_id, choice, comment=comment)

"""The background save's JSON body: read it strictly, name every problem and where it is.

Shape::

    {"answers": {"policy.written-policy": {"choice": "fully", "comment": "Signed 2024",
                                           "revision": 3},
                 "budget.tools": {"choice": "n/a", "comment": "", "revision": 0},
                 "staffing.named-admin": {"choice": null, "comment": "", "revision": 1}}}

`choice` is an option id, "n/a" for not applicable, or null; a practice with neither a
choice nor a comment is cleared. `revision` is the revision of the practice's answer the
page was showing (0, the default: none, so an answer stored meanwhile is a conflict).
Whether an option belongs to the practice, whether not applicable is allowed and how
long a comment may be is checked by the save itself.
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
    """A parsed background save: answers to store, ids to clear, and the revision of each
    practice's answer the change was based on."""

    answers: dict[str, Answer]
    clear: tuple[str, ...]
    based_on: dict[str, int]


class PayloadError(ValueError):
    """The body is not a well-formed background save; `problems` say what and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_autosave(payload: object, instrument: Instrument) -> AutosaveRequest:
    """The save described by a decoded JSON body, or PayloadError listing every problem."""
    if not isinstance(payload, dict):
        raise PayloadError(["the body must be a JSON object with 'answers'"])
    problems: list[str] = []
    unknown_keys = sorted(set(payload) - {"answers"})
    if unknown_keys:
        problems.append(f"unknown keys {', '.join(map(repr, unknown_keys))} in the body")
    entries = payload.get("answers")
    answers: dict[str, Answer] = {}
    clear: list[str] = []
    based_on: dict[str, int] = {}
    if not isinstance(entries, dict) or not entries:
        problems.append("'answers' must be a non-empty object keyed by practice id")
    else:
        for practice_id, entry in entries.items():
            answer = _entry(instrument, practice_id, entry, problems)
            if answer is None:
                continue
            assert isinstance(entry, dict)
            based_on[practice_id] = _revision(entry.get("revision", 0), practice_id, problems)
            if answer.is_answered or answer.comment:
                answers[practice_id] = answer
            else:
                clear.append(practice_id)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS} more problems")
        raise PayloadError(shown)
    return AutosaveRequest(answers, tuple(clear), based_on)


def _revision(value: object, practice_id: str, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REVISION:
        problems.append(
            f"answers[{practice_id!r}].revision: must be the whole number (0 to "
            f"{MAX_REVISION}) of the answer the page was loaded with"
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
        problems.append(f"{where}: must be an object with 'choice', 'comment' and 'revision'")
        return None
    extra = sorted(set(entry) - {"choice", "comment", "revision"})
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

"""Answer checking: every problem that makes a set of answers unfit to save or score."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer, Answers
from assessment.domain.model.instrument import Instrument, Practice


@dataclass(frozen=True)
class AnswerProblem:
    """One thing wrong with one answer, keyed by the practice id it was filed under."""

    practice_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.practice_id}: {self.message}"


def check_answers(instrument: Instrument, answers: Answers) -> list[AnswerProblem]:
    """All problems with these answers, in answer order; an empty list means they are fine."""
    problems: list[AnswerProblem] = []
    for practice_id, answer in answers.items():
        problems.extend(
            AnswerProblem(practice_id, message)
            for message in _answer_problems(instrument, practice_id, answer)
        )
    return problems


def _answer_problems(instrument: Instrument, practice_id: str, answer: Answer) -> list[str]:
    messages = []
    if answer.practice_id != practice_id:
        messages.append(f"answer is filed under {practice_id!r} but names {answer.practice_id!r}")
    practice = instrument.practice(practice_id)
    if practice is None:
        messages.append(f"unknown practice (not in {instrument.key})")
    else:
        messages.extend(_choice_problems(practice, answer))
    if len(answer.comment) > MAX_COMMENT_LENGTH:
        messages.append(
            f"comment is {len(answer.comment):,} characters long; "
            f"the limit is {MAX_COMMENT_LENGTH:,}"
        )
    return messages


def _choice_problems(practice: Practice, answer: Answer) -> list[str]:
    if answer.not_applicable and answer.option_id is not None:
        return [f"answered both {answer.option_id!r} and not applicable; choose one"]
    if answer.not_applicable and not practice.allow_not_applicable:
        return ["not applicable is not allowed for this practice"]
    if answer.option_id is not None and practice.answer_set.option(answer.option_id) is None:
        valid = ", ".join(o.id for o in practice.answer_set.options)
        return [f"option {answer.option_id!r} is not one of: {valid}"]
    return []

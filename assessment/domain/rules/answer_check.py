"""Answer checking: every problem that makes a set of answers unfit to save or score."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer, Answers
from assessment.domain.model.instrument import Instrument, Practice, ProfileQuestion

_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


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


@dataclass(frozen=True)
class ProfileProblem:
    """One thing wrong with one profile answer, keyed by the profile question id."""

    question_id: str
    message: str

    def __str__(self) -> str:
        return f"profile.{self.question_id}: {self.message}"


def check_profile(instrument: Instrument, profile: Mapping[str, object]) -> list[ProfileProblem]:
    """Problems with profile answers: unknown questions, wrong kinds, unknown options.

    Null means not answered and is always accepted; required questions are not enforced
    here (a draft may still lack them).
    """
    known = [question.id for question in instrument.profile]
    problems: list[ProfileProblem] = []
    for question_id, value in profile.items():
        question = instrument.profile_question(question_id)
        if question is None:
            close = difflib.get_close_matches(question_id, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            unknown = f"unknown profile question (not in {instrument.key}){hint}"
            problems.append(ProfileProblem(question_id, unknown))
        elif value is not None:
            wrong = _profile_value_problem(question, value)
            if wrong:
                problems.append(ProfileProblem(question_id, wrong))
    return problems


def _profile_value_problem(question: ProfileQuestion, value: object) -> str | None:
    options = [option.id for option in question.options]
    if question.kind == "choice":
        if not isinstance(value, str) or value not in options:
            return f"{value!r} is not one of: {', '.join(options)}"
    elif question.kind == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f"must be a list of option ids ({', '.join(options)})"
        unknown = [item for item in value if item not in options]
        if unknown:
            return f"{unknown[0]!r} is not one of: {', '.join(options)}"
        if len(set(value)) != len(value):
            return "lists an option more than once"
    elif question.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {value!r}"
    elif question.kind == "country":
        if not isinstance(value, str) or not _COUNTRY_CODE.match(value):
            return f"must be a two-letter country code such as NL, not {value!r}"
    elif not isinstance(value, str):
        return f"must be a string, not {value!r}"
    return None

"""An assessment's answers read back: per dimension, each question with the option chosen,
its evidence comment, who answered when, and what changed since the previous round."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Dimension, Instrument, Option, Practice
from assessment.domain.rules.answer_changes import AnswerChange, ChangeKind, answer_change
from assessment.domain.rules.scoring import visible_practices
from assessment.queries.answers import (
    AnswerAuthor,
    answer_authors,
    assessment_answers,
    carried_practices,
)
from assessment.queries.carried import carry_source
from assessment.queries.instruments import instrument_of
from assessment.queries.profiles import assessment_profile
from assessment.store.models import Assessment


@dataclass(frozen=True)
class ReviewedAnswer:
    """One question as answered in the round, beside the previous round's answer."""

    practice: Practice
    answer: Answer | None
    author: AnswerAuthor | None
    applies: bool  # False when a show-if condition hides it (counts as not applicable)
    carried_unconfirmed: bool  # carried over from an earlier round and never confirmed
    change: AnswerChange | None  # None when there is no earlier round to compare with

    @property
    def option(self) -> Option | None:
        """The option chosen, None when unanswered or not applicable."""
        return _option(self.practice, self.answer)

    @property
    def previous_option(self) -> Option | None:
        """The option chosen in the previous round (in this round's questionnaire)."""
        return _option(self.practice, self.change.previous if self.change else None)


@dataclass(frozen=True)
class DimensionAnswers:
    """A dimension's questions in instrument order, and how many changed."""

    dimension: Dimension
    answers: tuple[ReviewedAnswer, ...]

    @property
    def applicable(self) -> int:
        """Questions that apply (a show-if condition hides none of them)."""
        return sum(1 for a in self.answers if a.applies)

    @property
    def answered(self) -> int:
        """Applicable questions answered with an option or as not applicable."""
        return sum(1 for a in self.answers if a.applies and a.answer and a.answer.is_answered)

    @property
    def changed(self) -> int:
        """Questions whose answer or comment differs from the previous round."""
        return sum(
            1 for a in self.answers if a.change and a.change.kind is not ChangeKind.UNCHANGED
        )


@dataclass(frozen=True)
class PreviousRound:
    """The earlier submitted round the answers are compared with."""

    round_name: str
    instrument: str  # id@version
    equivalent_share: float  # share of this questionnaire it has an equivalent for


@dataclass(frozen=True)
class AnswerReview:
    """Everything an answers page shows about one assessment."""

    assessment: Assessment
    instrument: Instrument
    previous: PreviousRound | None
    dimensions: tuple[DimensionAnswers, ...]


def answer_review(
    session: Session, assessment: Assessment, catalog: InstrumentCatalog | None = None
) -> AnswerReview:
    """The assessment's answers per dimension, compared with the agency's latest earlier
    submitted round (carried through the crosswalk when the questionnaire changed)."""
    instrument = instrument_of(assessment, catalog)
    answers = assessment_answers(assessment)
    authors = answer_authors(session, assessment.id)
    carried = carried_practices(assessment)
    applies = {
        p.id
        for p in visible_practices(instrument, answers, assessment_profile(assessment, instrument))
    }
    source = carry_source(session, assessment, catalog)
    earlier = source.carried.answers if source is not None else None
    dimensions = tuple(
        DimensionAnswers(
            dimension,
            tuple(
                ReviewedAnswer(
                    practice=practice,
                    answer=answers.get(practice.id),
                    author=authors.get(practice.id),
                    applies=practice.id in applies,
                    carried_unconfirmed=practice.id in carried,
                    change=(
                        None
                        if earlier is None
                        else answer_change(answers.get(practice.id), earlier.get(practice.id))
                    ),
                )
                for practice in dimension.practices
            ),
        )
        for dimension in instrument.dimensions
    )
    previous = (
        PreviousRound(source.round_name, source.instrument, source.carried.equivalent_share)
        if source is not None
        else None
    )
    return AnswerReview(assessment, instrument, previous, dimensions)


def _option(practice: Practice, answer: Answer | None) -> Option | None:
    if answer is None or answer.option_id is None:
        return None
    return practice.answer_set.option(answer.option_id)

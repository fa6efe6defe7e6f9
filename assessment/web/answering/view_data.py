"""The answering pages' view data, computed from the instrument and the stored answers.

Pure functions over domain values (no requests, no database): the views gather the
inputs, these shape them for the templates and the background-save responses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Dimension, Instrument, Practice
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.carry import unconfirmed_practices
from assessment.domain.rules.scoring import Profile, Progress, progress, visible_practices
from assessment.presentation.headline_view import cap_text
from assessment.presentation.labels import (
    NOT_ANSWERED,
    NOT_APPLICABLE,
    level_name,
    points,
    practice_label,
    whole_points,
)
from assessment.presentation.profiles import COUNTRY_NAMES
from assessment.queries.answers import AnswerAuthor
from assessment.services.errors import StoredAnswer
from assessment.web.answering.forms import NOT_APPLICABLE as NOT_APPLICABLE_CHOICE


@dataclass(frozen=True)
class DimensionStatus:
    """One row of the overview: a dimension's progress and what is left in it."""

    id: str
    title: str
    answered: int
    total: int
    percent: float
    first_unanswered: str | None  # practice id to jump to

    @property
    def left(self) -> int:
        """Visible practices still unanswered."""
        return self.total - self.answered


@dataclass(frozen=True)
class ResumePoint:
    """Where "continue" leads: a dimension and, when there is one, its first open question."""

    dimension_id: str
    practice_id: str | None


@dataclass(frozen=True)
class PracticeView:
    """One question on a dimension page."""

    practice: Practice
    number: int
    level_label: str
    visible: bool
    condition_practice_id: str | None
    condition_options: tuple[str, ...]
    condition_text: str | None
    answer: Answer | None
    answer_label: str

    @property
    def id(self) -> str:
        """The practice id."""
        return self.practice.id


@dataclass(frozen=True)
class Neighbours:
    """The dimensions before and after one dimension, for page-to-page links."""

    previous: Dimension | None
    next: Dimension | None
    position: int
    count: int


def answering_progress(
    instrument: Instrument, answers: Mapping[str, Answer], profile: Profile | None = None
) -> Progress:
    """Answered versus visible practices (under the profile), per dimension and overall."""
    return progress(instrument, answers, profile)


def dimension_statuses(
    instrument: Instrument, answers: Mapping[str, Answer], profile: Profile | None = None
) -> list[DimensionStatus]:
    """Each dimension's progress and first unanswered visible practice, in order."""
    current = progress(instrument, answers, profile)
    open_by_dimension = _first_unanswered(instrument, answers, profile)
    return [
        DimensionStatus(
            id=dimension.id,
            title=str(dimension.title),
            answered=current.dimensions[dimension.id].answered,
            total=current.dimensions[dimension.id].total,
            percent=current.dimensions[dimension.id].percent,
            first_unanswered=open_by_dimension.get(dimension.id),
        )
        for dimension in instrument.dimensions
    ]


def resume_point(
    instrument: Instrument,
    answers: Mapping[str, Answer],
    last_dimension_id: str | None,
    profile: Profile | None = None,
) -> ResumePoint | None:
    """Where to continue: the last visited dimension while it has open questions, else the
    first dimension that has any; None when everything visible is answered."""
    open_by_dimension = _first_unanswered(instrument, answers, profile)
    if last_dimension_id in open_by_dimension:
        return ResumePoint(last_dimension_id, open_by_dimension[last_dimension_id])
    for dimension in instrument.dimensions:
        if dimension.id in open_by_dimension:
            return ResumePoint(dimension.id, open_by_dimension[dimension.id])
    return None


def _first_unanswered(
    instrument: Instrument, answers: Mapping[str, Answer], profile: Profile | None
) -> dict[str, str]:
    first: dict[str, str] = {}
    for practice in visible_practices(instrument, answers, profile):
        answer = answers.get(practice.id)
        if (answer is None or not answer.is_answered) and practice.dimension_id not in first:
            first[practice.dimension_id] = practice.id
    return first


def practice_views(
    instrument: Instrument,
    dimension: Dimension,
    answers: Mapping[str, Answer],
    profile: Profile | None = None,
) -> list[PracticeView]:
    """The questions of a dimension page, with visibility decided from `answers` and the
    profile."""
    visible = {p.id for p in visible_practices(instrument, answers, profile)}
    numbers = question_numbers(instrument)
    return [
        PracticeView(
            practice=practice,
            number=numbers[practice.id],
            level_label=practice_label(instrument, practice),
            visible=practice.id in visible,
            condition_practice_id=practice.show_if.practice_id if practice.show_if else None,
            condition_options=practice.show_if.any_of if practice.show_if else (),
            condition_text=_condition_text(instrument, practice, numbers),
            answer=answers.get(practice.id),
            answer_label=answer_label(practice, answers.get(practice.id)),
        )
        for practice in dimension.practices
    ]


def question_numbers(instrument: Instrument) -> dict[str, int]:
    """Questions numbered 1.. within each dimension, as the pages show them."""
    return {
        practice.id: number
        for dimension in instrument.dimensions
        for number, practice in enumerate(dimension.practices, start=1)
    }


def answer_label(practice: Practice, answer: Answer | None) -> str:
    """The chosen answer in words, for read-only pages."""
    if answer is None or not answer.is_answered:
        return NOT_ANSWERED
    if answer.not_applicable:
        return NOT_APPLICABLE
    option = practice.answer_set.option(answer.option_id or "")
    return str(option.label) if option else f"Unknown option {answer.option_id}"


def _condition_text(
    instrument: Instrument, practice: Practice, numbers: Mapping[str, int]
) -> str | None:
    condition = practice.show_if
    if condition is None:
        return None
    if condition.profile_id is not None:
        question = instrument.profile_question(condition.profile_id)
        if question is None:
            return None
        chosen = [str(o.label) for o in question.options if o.id in condition.any_of]
        return f"Asked because the profile's {question.label} is {' or '.join(chosen)}."
    if condition.practice_id is None:
        return None
    target = instrument.practice(condition.practice_id)
    if target is None:
        return None
    labels = [
        str(option.label) for option in target.answer_set.options if option.id in condition.any_of
    ]
    dimension = instrument.dimension(target.dimension_id)
    where = f"question {numbers[target.id]} of {dimension.title if dimension else ''}".strip()
    return f"Asked because {where} is answered {' or '.join(labels)}."


def neighbours(instrument: Instrument, dimension_id: str) -> Neighbours:
    """The previous and next dimensions of `dimension_id`."""
    ids = [d.id for d in instrument.dimensions]
    index = ids.index(dimension_id)
    return Neighbours(
        previous=instrument.dimensions[index - 1] if index > 0 else None,
        next=instrument.dimensions[index + 1] if index + 1 < len(ids) else None,
        position=index + 1,
        count=len(ids),
    )


def progress_summary(current: Progress) -> dict[str, Any]:
    """Progress as JSON for the background save's response."""
    return {
        "answered": current.answered,
        "total": current.total,
        "percent": round(current.percent),
        "dimensions": {
            dimension_id: {
                "answered": item.answered,
                "total": item.total,
                "percent": round(item.percent),
            }
            for dimension_id, item in current.dimensions.items()
        },
    }


@dataclass(frozen=True)
class DimensionOutcome:
    """A results-table row: a dimension's figures and what blocks its next level."""

    id: str
    title: str
    score: float | None
    level: int
    level_name: str
    coverage: float
    blocking: tuple[tuple[int, str], ...]  # (question number, practice text)
    cap: str | None = None  # said beside a level the baseline capped


@dataclass(frozen=True)
class ThemeOutcome:
    """A cross-cutting theme's score and coverage."""

    id: str
    title: str
    score: float | None
    coverage: float
    practice_count: int


def dimension_outcomes(instrument: Instrument, result: ScoreResult) -> list[DimensionOutcome]:
    """Each dimension's score, level, coverage and blocking questions, in order."""
    numbers = question_numbers(instrument)
    rows = []
    for dimension in instrument.dimensions:
        figures = result.dimensions[dimension.id]
        blocking = tuple(
            (numbers[pid], str(practice.text))
            for pid in figures.blocking
            if (practice := instrument.practice(pid)) is not None
        )
        rows.append(
            DimensionOutcome(
                id=dimension.id,
                title=str(dimension.title),
                score=figures.score,
                level=figures.level,
                level_name=level_name(instrument, figures.level),
                coverage=figures.coverage,
                blocking=blocking,
                cap=cap_text(instrument, figures),
            )
        )
    return rows


def theme_outcomes(instrument: Instrument, result: ScoreResult) -> list[ThemeOutcome]:
    """Each cross-cutting theme's score, in the instrument's order."""
    return [
        ThemeOutcome(
            id=theme_id,
            title=str(theme.title),
            score=result.themes[theme_id].score,
            coverage=result.themes[theme_id].coverage,
            practice_count=len(result.themes[theme_id].practice_ids),
        )
        for theme_id, theme in instrument.themes.items()
        if theme_id in result.themes
    ]


def radar_scores(result: ScoreResult) -> dict[str, float | None]:
    """Dimension scores keyed by id, for the radar chart."""
    return {dimension_id: figures.score for dimension_id, figures in result.dimensions.items()}


def radar_axes(instrument: Instrument) -> list[tuple[str, str]]:
    """(dimension id, title) pairs, for the radar chart's axes."""
    return [(d.id, str(d.title)) for d in instrument.dimensions]


@dataclass(frozen=True)
class CarriedItem:
    """A carried-over answer not yet confirmed, as the overview and submit page list it."""

    dimension_id: str
    dimension_title: str
    practice_id: str
    number: int
    text: str


def unconfirmed_items(
    instrument: Instrument, answers: Mapping[str, Answer], carried: Set[str]
) -> list[CarriedItem]:
    """The carried-over answers the lead has not saved or confirmed, in questionnaire order."""
    waiting = unconfirmed_practices(answers, carried)
    numbers = question_numbers(instrument)
    return [
        CarriedItem(dimension.id, str(dimension.title), p.id, numbers[p.id], str(p.text))
        for dimension in instrument.dimensions
        for p in dimension.practices
        if p.id in waiting
    ]


@dataclass(frozen=True)
class ProfileAnswer:
    """One profile question with its answer in words, for the overview and read-only pages."""

    id: str
    label: str
    answer: str | None  # None: not answered
    required: bool


def profile_answers(instrument: Instrument, profile: Profile) -> list[ProfileAnswer]:
    """The instrument's profile questions with the assessment's answers, in order."""
    rows = []
    for question in instrument.profile:
        value = profile.get(question.id)
        labels = {option.id: str(option.label) for option in question.options}
        if question.kind == "country":
            labels = COUNTRY_NAMES
        if value is None or value == []:
            shown = None
        elif isinstance(value, list):
            shown = ", ".join(labels.get(str(item), str(item)) for item in value)
        else:
            shown = labels.get(str(value), str(value))
        rows.append(ProfileAnswer(question.id, str(question.label), shown, question.required))
    return rows


def missing_required(instrument: Instrument, profile: Profile) -> list[str]:
    """The labels of required profile questions still without an answer."""
    return [
        row.label for row in profile_answers(instrument, profile) if row.required and not row.answer
    ]


@dataclass(frozen=True)
class ConflictView:
    """A practice saved by someone else meanwhile: the stored answer beside the user's."""

    practice_id: str
    number: int
    text: str
    stored_choice: str | None  # the stored option id, "n/a", or None (no answer)
    stored_label: str
    stored_comment: str
    saved_by: str  # who saved the stored answer; "someone" when unknown
    saved_at: str  # when, in words (UTC); empty when it was cleared
    yours_label: str
    yours_comment: str

    def as_json(self) -> dict[str, Any]:
        """The conflict as the background save reports it to the page."""
        return {
            "practice": self.practice_id,
            "number": self.number,
            "storedChoice": self.stored_choice,
            "storedLabel": self.stored_label,
            "storedComment": self.stored_comment,
            "savedBy": self.saved_by,
            "savedAt": self.saved_at,
            "yoursLabel": self.yours_label,
        }


def conflict_views(
    instrument: Instrument,
    stored: Sequence[StoredAnswer],
    yours: Mapping[str, Answer | None],
) -> list[ConflictView]:
    """What each conflicting practice says now and what the user wanted it to say."""
    numbers = question_numbers(instrument)
    views = []
    for item in stored:
        practice = instrument.practice(item.practice_id)
        if practice is None:
            continue
        mine = yours.get(item.practice_id)
        views.append(
            ConflictView(
                practice_id=practice.id,
                number=numbers[practice.id],
                text=str(practice.text),
                stored_choice=_choice_value(item.answer),
                stored_label=answer_label(practice, item.answer)
                if item.answer is not None
                else "No answer (it was cleared)",
                stored_comment=item.answer.comment if item.answer is not None else "",
                saved_by=item.answered_by or "someone",
                saved_at=f"{item.answered_at:%d %B %Y, %H:%M} UTC" if item.answered_at else "",
                yours_label=answer_label(practice, mine),
                yours_comment=mine.comment if mine is not None else "",
            )
        )
    return views


def _choice_value(answer: Answer | None) -> str | None:
    """The radio value a page shows for an answer (the form's value for not applicable)."""
    if answer is None or not answer.is_answered:
        return None
    return NOT_APPLICABLE_CHOICE if answer.not_applicable else answer.option_id


@dataclass(frozen=True)
class ReviewItem:
    """One applicable question on the review page: its answer, comment and who gave it."""

    practice_id: str
    number: int
    text: str
    answer_label: str
    comment: str
    answered_by: str  # empty when unanswered or unknown
    answered_on: str  # the day, in words; empty when unanswered
    unanswered: bool
    carried: bool  # carried over from the previous round and not confirmed


@dataclass(frozen=True)
class ReviewDimension:
    """A dimension on the review page: its questions, its score now and last round."""

    id: str
    title: str
    items: list[ReviewItem]
    score_now: str
    score_before: str | None  # None when there is no earlier round to compare
    change: str | None  # "+5", "-3", "no change", or None without both scores

    @property
    def flagged(self) -> int:
        """Questions still to answer or to confirm."""
        return sum(1 for item in self.items if item.unanswered or item.carried)


def review_dimensions(
    instrument: Instrument,
    answers: Mapping[str, Answer],
    profile: Profile,
    carried: Set[str],
    authors: Mapping[str, AnswerAuthor],
    now: ScoreResult,
    before: ScoreResult | None,
) -> list[ReviewDimension]:
    """Every applicable question grouped by dimension, with the change since last round."""
    visible = {p.id for p in visible_practices(instrument, answers, profile)}
    numbers = question_numbers(instrument)
    waiting = unconfirmed_practices(answers, carried)
    dimensions = []
    for dimension in instrument.dimensions:
        items = []
        for practice in dimension.practices:
            if practice.id not in visible:
                continue
            answer = answers.get(practice.id)
            author = authors.get(practice.id)
            given = answer is not None and answer.is_answered
            items.append(
                ReviewItem(
                    practice_id=practice.id,
                    number=numbers[practice.id],
                    text=str(practice.text),
                    answer_label=answer_label(practice, answer),
                    comment=answer.comment if answer is not None else "",
                    answered_by=author.email if author is not None and answer else "",
                    answered_on=f"{author.answered_at:%d %B %Y}" if author and answer else "",
                    unanswered=not given,
                    carried=practice.id in waiting,
                )
            )
        score = now.dimensions[dimension.id].score
        earlier = before.dimensions[dimension.id].score if before is not None else None
        dimensions.append(
            ReviewDimension(
                id=dimension.id,
                title=str(dimension.title),
                items=items,
                score_now=points(score, "not scored"),
                score_before=points(earlier, "not scored") if before is not None else None,
                change=_change(score, earlier),
            )
        )
    return dimensions


def _change(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    difference = whole_points(now) - whole_points(before)
    return "no change" if difference == 0 else f"{difference:+d}"


@dataclass(frozen=True)
class ContributorProgress:
    """A contributor's share of the work: their dimensions, what is answered, by whom."""

    user_id: int
    email: str
    active: bool
    dimension_titles: list[str]
    answered: int  # applicable questions of their dimensions that are answered
    total: int  # applicable questions of their dimensions
    given_by_them: int  # answers of the whole assessment they last saved
    last_saved: str  # when they last saved an answer, in words; empty when never


def contributor_progress(
    instrument: Instrument,
    current: Progress,
    contributor_id: int,
    email: str,
    active: bool,
    dimension_ids: Sequence[str],
    authors: Mapping[str, AnswerAuthor],
) -> ContributorProgress:
    """What one contributor has done in the assessment, from its progress and authors."""
    mine = [d for d in instrument.dimensions if d.id in dimension_ids]
    theirs = [author.answered_at for author in authors.values() if author.email == email]
    return ContributorProgress(
        user_id=contributor_id,
        email=email,
        active=active,
        dimension_titles=[str(d.title) for d in mine],
        answered=sum(current.dimensions[d.id].answered for d in mine),
        total=sum(current.dimensions[d.id].total for d in mine),
        given_by_them=len(theirs),
        last_saved=f"{max(theirs):%d %B %Y, %H:%M} UTC" if theirs else "",
    )

"""The answering form of one dimension, built from the instrument's practices, and what
its submission changes against the stored answers.

Each practice becomes a radio group (its answer options, plus "Not applicable" where the
practice allows it) and an evidence textarea. Form classes are built once per instrument
and dimension and kept on the (frozen) instrument object, like the scoring plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer
from assessment.domain.model.instrument import Dimension, Instrument, Practice, ProfileQuestion
from assessment.domain.rules.scoring import Profile, visible_practices
from assessment.presentation import labels
from assessment.store.models import MAX_REVISION
from assessment.web.auth.forms import email_field
from assessment.web.widgets import HiddenInput, RadioInput, TextArea

NOT_APPLICABLE = "n/a"
"""The radio value of "Not applicable"; option ids cannot contain a slash."""
ANSWER_PREFIX = "answer-"
COMMENT_PREFIX = "comment-"
BASED_ON_PREFIX = "based-"
RESOLVE_PREFIX = "resolve-"
KEEP_STORED = "stored"
"""A conflict's choice to keep the stored answer (`resolve-<practice id>`); else the user's."""
REVISION_FIELD = "revision"
_CACHE_ATTRIBUTE = "_answering_forms"


PROFILE_PREFIX = "profile-"
MAX_PROFILE_TEXT = 200
RADIO_LIMIT = 6
"""A choice question with more options than this is a drop-down list instead of radios."""
_PROFILE_CACHE_ATTRIBUTE = "_answering_profile_form"


def answer_field_name(practice_id: str) -> str:
    """The form field (and element id) of a practice's answer options."""
    return f"{ANSWER_PREFIX}{practice_id}"


def comment_field_name(practice_id: str) -> str:
    """The form field (and element id) of a practice's evidence comment."""
    return f"{COMMENT_PREFIX}{practice_id}"


def based_on_field_name(practice_id: str) -> str:
    """The hidden form field holding the revision of the answer the page shows (0: none)."""
    return f"{BASED_ON_PREFIX}{practice_id}"


def resolve_field_name(practice_id: str) -> str:
    """The radio group a conflict offers: keep the user's answer or the stored one."""
    return f"{RESOLVE_PREFIX}{practice_id}"


def normalise_newlines(value: object) -> object:
    """Browsers send CRLF line breaks but count them as one character; store LF."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _whole_number(_form: FlaskForm, field: Field) -> None:
    raw = str(field.data or "").strip()
    # isdigit() alone lets through "²" and other digits int() cannot read; the range is
    # checked here so an impossible number never reaches the database.
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) > MAX_REVISION:
        raise ValidationError(
            "The page was sent without a valid version number; reload the page and try again."
        )


class RevisionForm(FlaskForm):
    """A form that carries the assessment revision the page was loaded at."""

    revision = HiddenField(
        widget=HiddenInput(),
        validators=[
            InputRequired(
                message="The page was sent without its version number; reload it and try again."
            ),
            _whole_number,
        ],
    )

    @property
    def malformed_request(self) -> bool:
        """The page's version number is missing or not one: a bad request, not a typo."""
        return bool(self.revision.errors)

    @property
    def revision_value(self) -> int:
        """The submitted revision (call after validation succeeded)."""
        return int(str(self.revision.data).strip())


class SubmitForm(RevisionForm):
    """The confirmation that locks the assessment."""


class PrefillForm(RevisionForm):
    """Start the draft from the agency's previous submitted answers."""


class DimensionForm(FlaskForm):
    """Base of every dimension form: per practice a radio group, a comment and the
    revision of the answer the page was loaded with."""

    dimension_id: ClassVar[str] = ""
    practice_ids: ClassVar[tuple[str, ...]] = ()
    rendered_choices: ClassVar[dict[tuple[str, str | None], Markup]]
    """Each practice's radio buttons by checked option, rendered once per form class."""

    def answer_field(self, practice_id: str) -> RadioField:
        """The radio group of a practice."""
        field: RadioField = self[answer_field_name(practice_id)]
        return field

    def choices_markup(self, practice: Practice) -> Markup:
        """A practice's radio buttons, each with its label and the option's definition.

        They differ only by which option is checked, so each variant is rendered (by the
        field's widgets) once per form class and reused; a page has dozens of them."""
        field = self.answer_field(practice.id)
        checked = field.data if any(field.data == value for value, *_ in field.choices) else None
        key = (practice.id, checked)
        markup = self.rendered_choices.get(key)
        if markup is None:
            markup = Markup("").join(
                Markup("\n      ") + _choice_markup(practice, choice) for choice in field
            )
            self.rendered_choices[key] = markup
        return markup

    def comment_field(self, practice_id: str) -> TextAreaField:
        """The evidence textarea of a practice."""
        field: TextAreaField = self[comment_field_name(practice_id)]
        return field

    def based_on_field(self, practice_id: str) -> HiddenField:
        """The hidden revision of the practice's answer the page was loaded with."""
        field: HiddenField = self[based_on_field_name(practice_id)]
        return field

    @property
    def malformed_request(self) -> bool:
        """An answer's revision is not a number: a bad request, not a typo."""
        return any(self.based_on_field(pid).errors for pid in self.practice_ids)

    @property
    def revision_errors(self) -> list[str]:
        """The first problem with the answers' revisions (one message says it all)."""
        for pid in self.practice_ids:
            if self.based_on_field(pid).errors:
                return [str(self.based_on_field(pid).errors[0])]
        return []

    def based_on(self) -> dict[str, int]:
        """The revision each practice's change was based on (call after validation); 0
        where the page sent none."""
        return {
            pid: int(str(self.based_on_field(pid).data or 0).strip()) for pid in self.practice_ids
        }

    def show_revisions(self, revisions: Mapping[str, int]) -> None:
        """Put the stored answers' revisions into the page (0 where there is no answer)."""
        for pid in self.practice_ids:
            self.based_on_field(pid).data = str(revisions.get(pid, 0))

    def submitted_answer(self, practice_id: str) -> Answer | None:
        """What the form says about one practice; None when nothing was chosen or written."""
        choice = self.answer_field(practice_id).data or None
        comment = str(self.comment_field(practice_id).data or "").strip()
        if choice is None and not comment:
            return None
        if choice == NOT_APPLICABLE:
            return Answer(practice_id, None, not_applicable=True, comment=comment)
        return Answer(practice_id, choice, comment=comment)

    def submitted_answers(self) -> dict[str, Answer | None]:
        """Every practice of the dimension with what the form says about it."""
        return {pid: self.submitted_answer(pid) for pid in self.practice_ids}

    def add_practice_error(self, practice_id: str, message: str) -> None:
        """Attach a message (e.g. from the service's answer check) to a practice's options."""
        field = self.answer_field(practice_id)
        field.errors = [*field.errors, message]

    def expected_keys(self) -> frozenset[str]:
        """The form keys a genuine page sends (anything else was made up)."""
        resolve = {resolve_field_name(pid) for pid in self.practice_ids}
        return frozenset(field.name for field in self) | {"action"} | resolve


def dimension_form_class(instrument: Instrument, dimension: Dimension) -> type[DimensionForm]:
    """The form class of a dimension, built on first use and kept with the instrument."""
    cache: dict[str, type[DimensionForm]] | None = instrument.__dict__.get(_CACHE_ATTRIBUTE)
    if cache is None:
        cache = {}
        object.__setattr__(instrument, _CACHE_ATTRIBUTE, cache)
    form_class = cache.get(dimension.id)
    if form_class is None:
        form_class = _build_form_class(dimension)
        cache[dimension.id] = form_class
    return form_class


def _build_form_class(dimension: Dimension) -> type[DimensionForm]:
    attributes: dict[str, Any] = {
        "dimension_id": dimension.id,
        "practice_ids": tuple(p.id for p in dimension.practices),
        "rendered_choices": {},
    }
    for number, practice in enumerate(dimension.practices, start=1):
        attributes[answer_field_name(practice.id)] = _answer_field(practice, number)
        attributes[comment_field_name(practice.id)] = _comment_field(number)
        attributes[based_on_field_name(practice.id)] = _based_on_field()
    name = "DimensionForm_" + "".join(c if c.isalnum() else "_" for c in dimension.id)
    return type(name, (DimensionForm,), attributes)


def _answer_field(practice: Practice, number: int) -> Any:
    choices = [SelectChoice(option.id, str(option.label)) for option in practice.answer_set.options]
    if practice.allow_not_applicable:
        choices.append(SelectChoice(NOT_APPLICABLE, labels.NOT_APPLICABLE))
    return RadioField(
        str(practice.text),
        choices=choices,
        option_widget=RadioInput(),
        validators=[Optional()],
        invalid_choice_message=(
            f"Question {number}: the answer sent is not one of this question's options; "
            "choose one of the options shown."
        ),
    )


def _choice_markup(practice: Practice, choice: Field) -> Markup:
    option = practice.answer_set.option(choice.data)
    if option is None or not option.definition:
        return Markup('<div class="choice">{} <label for="{}">{}</label></div>').format(
            choice(), choice.id, choice.label.text
        )
    described = f"{choice.id}-definition"
    return Markup(
        '<div class="choice">{} <label for="{}">{}</label>'
        '<span class="choice__definition" id="{}">{}</span></div>'
    ).format(
        choice(**{"aria-describedby": described}),
        choice.id,
        choice.label.text,
        described,
        option.definition,
    )


def _sent_revision(form: FlaskForm, field: Field) -> None:
    # Not sent at all: the change is based on no answer (0), so a stored one is a conflict.
    if field.raw_data:
        _whole_number(form, field)


def _based_on_field() -> Any:
    return HiddenField(widget=HiddenInput(), validators=[_sent_revision])


def _comment_field(number: int) -> Any:
    return TextAreaField(
        "Evidence or comment",
        widget=TextArea(),
        filters=[normalise_newlines],
        validators=[
            Optional(),
            Length(
                max=MAX_COMMENT_LENGTH,
                message=(
                    f"Question {number}: the evidence note is %(length)d characters long; "
                    f"the limit is {MAX_COMMENT_LENGTH:,}."
                ),
            ),
        ],
    )


def initial_data(dimension: Dimension, answers: Mapping[str, Answer]) -> dict[str, str | None]:
    """Form data for a dimension page from the stored answers."""
    data: dict[str, str | None] = {}
    for practice in dimension.practices:
        answer = answers.get(practice.id)
        if answer is None:
            continue
        data[answer_field_name(practice.id)] = (
            NOT_APPLICABLE if answer.not_applicable else answer.option_id
        )
        data[comment_field_name(practice.id)] = answer.comment
    return data


@dataclass(frozen=True)
class AnswerChanges:
    """What a dimension page's save changes: answers to store and practice ids to clear."""

    answers: dict[str, Answer]
    clear: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.answers or self.clear)


def answer_changes(
    instrument: Instrument,
    dimension: Dimension,
    stored: Mapping[str, Answer],
    submitted: Mapping[str, Answer | None],
    profile: Profile | None = None,
) -> AnswerChanges:
    """The visible practices of `dimension` whose submitted answer differs from the stored one.

    Visibility is decided on the stored answers with the submitted ones applied; practices
    hidden by their condition keep whatever they had, so hiding loses nothing.
    """
    merged = dict(stored)
    for practice_id, answer in submitted.items():
        if answer is None:
            merged.pop(practice_id, None)
        else:
            merged[practice_id] = answer
    visible = {p.id for p in visible_practices(instrument, merged, profile)}
    answers: dict[str, Answer] = {}
    clear: list[str] = []
    for practice in dimension.practices:
        if practice.id not in visible or practice.id not in submitted:
            continue
        new, old = submitted[practice.id], stored.get(practice.id)
        if new is None and old is not None:
            clear.append(practice.id)
        elif new is not None and new != old:
            answers[practice.id] = new
    return AnswerChanges(answers, tuple(clear))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the shared form macros render it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(RevisionForm):
    """Base of a questionnaire's profile form: one field per profile question."""

    question_ids: ClassVar[tuple[str, ...]] = ()
    kinds: ClassVar[Mapping[str, str]] = {}

    def question_field(self, question_id: str) -> Field:
        """The field of a profile question."""
        field: Field = self[PROFILE_PREFIX + question_id]
        return field

    def submitted_profile(self) -> dict[str, object]:
        """The answers sent, by question id; None (or an empty list) where none was given."""
        profile: dict[str, object] = {}
        for question_id in self.question_ids:
            data = self.question_field(question_id).data
            kind = self.kinds[question_id]
            if kind == "multi_choice":
                profile[question_id] = list(data or [])
            elif not data:
                profile[question_id] = None
            elif kind == "integer":
                profile[question_id] = int(str(data))
            else:
                profile[question_id] = str(data)
        return profile

    def add_question_error(self, question_id: str, message: str) -> None:
        """Attach a message (e.g. from the service's profile check) to a question's field."""
        field = self.question_field(question_id)
        field.errors = [*field.errors, message]

    def expected_keys(self) -> frozenset[str]:
        """The form keys a genuine page sends (anything else was made up)."""
        return frozenset(field.name for field in self) | {"action"}


def profile_form_class(instrument: Instrument) -> type[ProfileForm]:
    """The profile form class of an instrument, built on first use and kept with it."""
    form_class: type[ProfileForm] | None = instrument.__dict__.get(_PROFILE_CACHE_ATTRIBUTE)
    if form_class is None:
        attributes: dict[str, Any] = {
            "question_ids": tuple(q.id for q in instrument.profile),
            "kinds": {q.id: q.kind for q in instrument.profile},
        }
        for question in instrument.profile:
            attributes[PROFILE_PREFIX + question.id] = _profile_field(question)
        form_class = type(
            "ProfileForm_" + instrument.id.replace("-", "_"), (ProfileForm,), attributes
        )
        object.__setattr__(instrument, _PROFILE_CACHE_ATTRIBUTE, form_class)
    return form_class


def _profile_field(question: ProfileQuestion) -> Any:
    label = str(question.label)
    hint = str(question.help) if question.help is not None else ""
    choices = [SelectChoice(option.id, str(option.label)) for option in question.options]
    not_an_option = f"{label}: the answer sent is not one of the options; choose one shown."
    if question.kind == "multi_choice":
        return MultiCheckboxField(
            label,
            description=hint,
            choices=choices,
            validators=[Optional()],
            invalid_choice_message=not_an_option,
        )
    if question.kind == "choice" and len(choices) > RADIO_LIMIT:
        return SelectField(
            label,
            description=hint,
            choices=[SelectChoice("", "Choose one"), *choices],
            validators=[Optional()],
            invalid_choice_message=not_an_option,
        )
    if question.kind == "choice":
        return RadioField(
            label,
            description=hint,
            choices=choices,
            option_widget=RadioInput(),
            validators=[Optional()],
            invalid_choice_message=not_an_option,
        )
    if question.kind == "integer":
        return StringField(
            label,
            description=hint,
            filters=[_stripped],
            validators=[
                Optional(),
                Regexp(r"^[0-9]{1,15}$", message=f"{label}: enter a whole number, such as 2500."),
            ],
        )
    if question.kind == "country":
        return StringField(
            label,
            description=hint or "Two-letter ISO 3166 code, for example NL, GB or US.",
            filters=[_stripped, _upper],
            validators=[
                Optional(),
                Regexp(r"^[A-Z]{2}$", message=f"{label}: enter a two-letter code such as NL."),
            ],
        )
    return StringField(
        label,
        description=hint,
        filters=[_stripped],
        validators=[
            Optional(),
            Length(
                max=MAX_PROFILE_TEXT,
                message=f"{label}: use at most {MAX_PROFILE_TEXT} characters.",
            ),
        ],
    )


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def profile_initial_data(instrument: Instrument, profile: Profile) -> dict[str, object]:
    """Form data for the profile page from the assessment's profile answers."""
    data: dict[str, object] = {}
    for question in instrument.profile:
        value = profile.get(question.id)
        if value is None:
            continue
        data[PROFILE_PREFIX + question.id] = list(value) if isinstance(value, list) else str(value)
    return data


class ContributorInviteForm(FlaskForm):
    """The lead invites a colleague as a contributor of the agency."""

    email = email_field("Email address of the colleague", missing="Enter the email address.")


class AssignmentForm(FlaskForm):
    """The dimensions a contributor answers."""

    dimensions = MultiCheckboxField("Dimensions this contributor answers", validators=[Optional()])


def assignment_form(instrument: Instrument, contributor_id: int, **options: Any) -> AssignmentForm:
    """A contributor's assignment form, with the instrument's dimensions to choose from."""
    form = AssignmentForm(prefix=f"contributor-{contributor_id}", **options)
    form.dimensions.choices = [SelectChoice(d.id, str(d.title)) for d in instrument.dimensions]
    return form

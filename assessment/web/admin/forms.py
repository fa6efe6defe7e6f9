"""Administration forms: agencies, invitations, rounds and reopening."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from assessment.domain.model.instrument import Instrument
from assessment.presentation.profiles import record_choices
from assessment.web.auth.forms import email_field, strip_spaces

Choices = list[tuple[str, str]]


def instrument_choices(instruments: Sequence[Instrument]) -> Choices:
    """(id@version, title and version) of every instrument, newest last."""
    return [(i.key, f"{i.title} — version {i.version}") for i in instruments]


class AgencyForm(FlaskForm):
    """A new agency and the profile facts peer groups are built from."""

    name = StringField(
        "Name",
        filters=[strip_spaces],
        validators=[
            DataRequired("Enter the agency's name."),
            Length(max=200, message="Use at most 200 characters."),
        ],
    )
    country = StringField(
        "Country",
        description="Two-letter ISO 3166 code, for example NL, GB or US.",
        validators=[
            DataRequired("Enter the country code."),
            Regexp(r"^\s*[A-Za-z]{2}\s*$", message="Enter a two-letter code such as NL."),
        ],
    )
    agency_type = SelectField("Type of agency", validate_choice=True)
    size_band = SelectField(
        "Workforce",
        description="Total staff: police officers and civilian staff together.",
        validate_choice=True,
    )
    policing_model = SelectField(
        "Policing model",
        description="How policing is organised where the agency works.",
        default="",
        validate_choice=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_type.choices = record_choices("agency_type")
        self.size_band.choices = record_choices("size_band")
        self.policing_model.choices = [("", "Not stated"), *record_choices("policing_model")]


class InvitationForm(FlaskForm):
    """Invite a new lead for an agency."""

    agency_id = SelectField("Agency", coerce=int, validate_choice=True)
    email = email_field("Email address of the new agency lead", missing="Enter the email address.")


class RoundForm(FlaskForm):
    """A new assessment round on one instrument version."""

    name = StringField(
        "Name",
        description="For example 2025 or Spring 2026.",
        validators=[
            DataRequired("Enter a name for the round."),
            Length(max=100, message="Use at most 100 characters."),
        ],
    )
    instrument = SelectField("Questionnaire", validate_choice=True)
    starts_on = DateField(
        "Opens on",
        validators=[Optional()],
        description="First day answers are taken (UTC). Optional: without it, it opens at once.",
    )
    ends_on = DateField(
        "Closes after",
        validators=[Optional()],
        description="Last day answers are taken, the deadline leads see. Optional.",
    )

    def validate_ends_on(self, field: Field) -> None:
        """The end date, when given, is not before the start date."""
        start: date | None = self.starts_on.data
        end: date | None = field.data
        if start is not None and end is not None and end < start:
            raise ValidationError("The end date must not be before the start date.")


class ReopenForm(FlaskForm):
    """Why a submitted assessment is opened again (kept in the audit trail)."""

    reason = TextAreaField(
        "Reason for reopening",
        description="Shown to the agency's leads on their overview, and kept in the audit trail.",
        validators=[
            DataRequired("Give a reason."),
            Length(max=1000, message="Use at most 1,000 characters."),
        ],
    )

"""Forms of the report pages: the consultant's commentary and marking a report final."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from assessment.domain.model.instrument import Instrument
from assessment.services.commentary import MAX_NOTE_CHARS
from assessment.store.models import OVERALL_SECTION
from assessment.web.consultant.forms import GroupFilters

HINT = (
    "Plain text. Leave a blank line between paragraphs; start lines with '- ' for a "
    "bulleted list or '1. ' for a numbered one. Markup is shown as typed, never run."
)


class CommentaryForm(FlaskForm):
    """The overall commentary; `commentary_form` adds a note per dimension."""

    note_overall = TextAreaField(
        "Overall commentary",
        description=f"{HINT} It opens the executive summary.",
        validators=[Length(max=MAX_NOTE_CHARS)],
    )

    def notes(self) -> dict[str, str]:
        """The text of every section: "" for the overall commentary, else a dimension id."""
        return {
            OVERALL_SECTION if name == "note_overall" else name.removeprefix("note_"): str(
                field.data or ""
            )
            for name, field in self._fields.items()
            if name.startswith("note_")
        }


def commentary_form(instrument: Instrument, notes: dict[str, str]) -> CommentaryForm:
    """The commentary form of an instrument's dimensions, filled with the saved notes."""
    fields = {
        f"note_{dimension.id}": TextAreaField(
            f"Note on {dimension.title}",
            description="Shown on the dimension's page of the report.",
            validators=[Length(max=MAX_NOTE_CHARS)],
        )
        for dimension in instrument.dimensions
    }
    form_class = type("DimensionCommentaryForm", (CommentaryForm,), fields)
    data = {
        "note_overall" if section == OVERALL_SECTION else f"note_{section}": body
        for section, body in notes.items()
    }
    form: CommentaryForm = form_class(data=data)
    return form


class FinalForm(FlaskForm):
    """Mark the report final (a button; CSRF only)."""


class BatchForm(FlaskForm):
    """Start all reports of a round, optionally of one peer group (a POST, with CSRF)."""

    country = SelectField("Country", default="", validate_choice=True)
    agency_type = SelectField("Type", default="", validate_choice=True)
    size_band = SelectField("Size", default="", validate_choice=True)

    offer = GroupFilters.offer
    group = GroupFilters.group

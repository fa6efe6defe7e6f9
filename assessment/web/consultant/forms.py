"""GET forms of the consultant pages: filters, sorting, the peer group, agencies to compare."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.domain.rules.benchmark import PeerGroup

MAX_COMPARED = 6
MAX_PAGE = 1_000_000
ANY = SelectChoice("", "Any")
Pairs = Iterable[tuple[object, str]]

SORT_KEYS = {
    "name": "Name",
    "country": "Country",
    "type": "Type",
    "size": "Workforce",
    "score": "Latest overall index",
    "level": "Latest overall level",
    "change": "Change since previous round",
    "status": "Status in the open round",
    "activity": "Last activity",
}
STATUS_CHOICES = {
    "not_started": "Not started",
    "draft": "Draft",
    "reopened": "Reopened",
    "submitted": "Submitted",
}


def select_choices(pairs: Pairs) -> list[SelectChoice]:
    """Choices from (value, label) pairs; values are sent and compared as text."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class QueryForm(FlaskForm):
    """A form read from the query string, without a CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(formdata=request.args, **kwargs)

    def checked(self) -> bool:
        """Validate what was given; an empty query string is valid (the defaults apply)."""
        return bool(self.validate())


class GroupFilters(QueryForm):
    """Country, type and size band of a peer group."""

    country = SelectField("Country", default="", validate_choice=True)
    agency_type = SelectField("Type", default="", validate_choice=True)
    size_band = SelectField("Workforce", default="", validate_choice=True)

    def offer(self, countries: Pairs, types: Pairs, sizes: Pairs) -> None:
        """Set the choices, each with 'Any' first."""
        self.country.choices = [ANY, *select_choices(countries)]
        self.agency_type.choices = [ANY, *select_choices(types)]
        self.size_band.choices = [ANY, *select_choices(sizes)]

    def group(self) -> PeerGroup:
        """The peer group the filters describe."""
        return PeerGroup(
            country=self.country.data or None,
            agency_type=self.agency_type.data or None,
            size_band=self.size_band.data or None,
        )


class AgencyListForm(GroupFilters):
    """Filters and sorting of the agencies list."""

    round = SelectField("Open round", coerce=int, validate_choice=True)
    status = SelectField(
        "Status",
        choices=[ANY, *select_choices(STATUS_CHOICES.items())],
        default="",
        validate_choice=True,
    )

    sort = SelectField(
        "Sort by", choices=select_choices(SORT_KEYS.items()), default="name", validate_choice=True
    )
    order = SelectField(
        "Order",
        choices=select_choices([("asc", "Ascending"), ("desc", "Descending")]),
        default="asc",
        validate_choice=True,
    )
    page = IntegerField(
        "Page",
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_PAGE, message="Page must be a whole number from 1."),
        ],
    )

    @property
    def page_number(self) -> int:
        """The page asked for (1 when none was given)."""
        return self.page.data or 1


class ExportForm(GroupFilters):
    """What a download holds: the table (CSV holds one), the group, and the comments."""

    table = SelectField(
        "Table",
        choices=select_choices(
            [("results", "Results, one row per agency"), ("answers", "Answers, one row each")]
        ),
        default="results",
        validate_choice=True,
    )
    comments = BooleanField("Include evidence comments (may be sensitive)", default=False)


class BenchmarkForm(GroupFilters):
    """The round and peer group of the benchmark page."""

    round = SelectField("Round", coerce=int, validate_choice=True)


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _at_most_six(_form: FlaskForm, field: Field) -> None:
    chosen = field.data or []
    if len(chosen) > MAX_COMPARED:
        raise ValidationError(
            f"Choose at most {MAX_COMPARED} agencies to compare; {len(chosen)} are chosen."
        )


class CompareForm(GroupFilters):
    """The round, filters that narrow the list to choose from, and the agencies chosen."""

    round = SelectField("Round", coerce=int, validate_choice=True)
    name = StringField(
        "Name contains",
        default="",
        validators=[Optional(), Length(max=200, message="Give at most 200 characters.")],
    )
    agency = CheckboxListField(
        "Agencies (up to six)", coerce=int, validators=[_at_most_six], validate_choice=True
    )

    def chosen_ids(self) -> list[int]:
        """The agencies chosen, in the order given, each once."""
        return list(dict.fromkeys(self.agency.data or []))

"""The fast widgets write exactly what WTForms' own widgets write."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, RadioField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from assessment.web.widgets import HiddenInput, RadioInput, TextArea, html_attributes

ATTRIBUTE_CASES: list[dict[str, Any]] = [
    {},
    {"name": "answer-a.b", "id": "answer-a.b-0", "type": "radio", "value": "fully"},
    {"class_": "field__input", "rows": 3, "maxlength": 10000},
    {"checked": True, "disabled": False, "value": ""},
    {"data_show_if": "a.b", "aria_describedby": "x-hint x-error", "aria_invalid": "true"},
    {"value": 'Tom & "Jerry" <b>\'s</b>', "title": Markup("<i>kept</i>")},
    {"for_": "answer-x", "data_": "trailing underscore", "zeta": 0, "alpha": None},
]


@pytest.mark.parametrize("attributes", ATTRIBUTE_CASES)
def test_attributes_match_wtforms(attributes: dict[str, Any]) -> None:
    assert html_attributes(**attributes) == widgets.html_params(**attributes)


def _form_pair(formdata: MultiDict[str, str] | None) -> tuple[Form, Form]:
    """The same form with WTForms' widgets and with ours, both processed from formdata."""

    def build(radio: Any, textarea: Any, hidden: Any) -> Form:
        class Sample(Form):
            revision = HiddenField(widget=hidden, validators=[InputRequired()])
            answer = RadioField(
                "Is there a <written> policy?",
                choices=[SelectChoice("not", "Not & never"), SelectChoice("fully", 'Fully "yes"')],
                option_widget=radio,
                validators=[Optional()],
            )
            required_answer = RadioField(
                "Who answers?",
                choices=[SelectChoice("lead", "The lead"), SelectChoice("other", "Someone else")],
                option_widget=radio,
                validators=[InputRequired()],
            )
            comment = TextAreaField(widget=textarea, validators=[Optional(), Length(max=20)])
            required_comment = TextAreaField(widget=textarea, validators=[InputRequired()])

        return Sample(formdata=formdata)

    theirs = build(widgets.RadioInput(), widgets.TextArea(), widgets.HiddenInput())
    ours = build(RadioInput(), TextArea(), HiddenInput())
    return theirs, ours


@pytest.mark.parametrize(
    "formdata",
    [
        None,
        MultiDict(
            {
                "revision": "7",
                "answer": "fully",
                "comment": "line one\r\n<script>alert('x')</script> & more",
                "required_comment": "",
            }
        ),
    ],
)
def test_rendered_fields_match_wtforms(formdata: MultiDict[str, str] | None) -> None:
    theirs, ours = _form_pair(formdata)
    theirs.validate()
    ours.validate()

    assert ours["revision"]() == theirs["revision"]()
    for name in ("answer", "required_answer"):
        for mine, original in zip(ours[name], theirs[name], strict=True):
            assert mine() == original()
            assert mine(class_="x", data_practice="p") == original(class_="x", data_practice="p")
            assert mine(disabled=True, required=False) == original(disabled=True, required=False)
    for name in ("comment", "required_comment"):
        kwargs = {"class_": "field__input", "rows": 3, "aria_describedby": f"{name}-hint"}
        assert ours[name](**kwargs) == theirs[name](**kwargs)
        assert ours[name]() == theirs[name]()


def test_a_checked_radio_and_escaped_text() -> None:
    _, ours = _form_pair(MultiDict({"answer": "fully", "comment": "a < b"}))

    rendered = [option() for option in ours["answer"]]

    assert rendered[1] == Markup(
        '<input checked id="answer-1" name="answer" type="radio" value="fully">'
    )
    assert "checked" not in rendered[0]
    assert "a &lt; b" in ours["comment"]()

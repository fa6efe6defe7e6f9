"""The questionnaire pages' view data, on tiny instruments: what a save changes, where
to continue, what is left per dimension, the background-save body and the form classes."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from assessment.domain.model.answers import Answer
from assessment.web.answering.forms import answer_changes, dimension_form_class, initial_data
from assessment.web.answering.payload import MAX_PROBLEMS, PayloadError, parse_autosave
from assessment.web.answering.view_data import (
    ResumePoint,
    dimension_statuses,
    neighbours,
    resume_point,
)
from tests.unit.instruments import YES_NO, make_answers, make_instrument, practice

INSTRUMENT = make_instrument(
    practice("policy.a", 2),
    practice("policy.b", 2, answer_set=YES_NO),
    practice("policy.c", 3, show_if=("policy.b", ["yes"])),
    practice("staffing.a", 2, allow_not_applicable=True),
    practice("staffing.b", 3),
    practice("training.a", 2),
)
POLICY = INSTRUMENT.dimensions[0]


def test_only_changed_visible_practices_are_saved() -> None:
    stored = make_answers({"policy.a": "partial", "policy.b": "yes", "policy.c": "fully"})
    submitted: dict[str, Answer | None] = {
        "policy.a": Answer("policy.a", "partial"),  # unchanged
        "policy.b": Answer("policy.b", "no"),  # changed: hides policy.c
        "policy.c": None,  # hidden now, so its stored answer stays
    }
    changes = answer_changes(INSTRUMENT, POLICY, stored, submitted)
    assert changes.answers == {"policy.b": Answer("policy.b", "no")}
    assert changes.clear == ()


def test_an_emptied_practice_is_cleared_and_nothing_changed_is_falsy() -> None:
    stored = {"policy.a": Answer("policy.a", None, comment="draft note")}
    changes = answer_changes(INSTRUMENT, POLICY, stored, {"policy.a": None})
    assert changes.clear == ("policy.a",) and not changes.answers
    assert not answer_changes(INSTRUMENT, POLICY, {}, {"policy.a": None})


def test_a_practice_shown_by_the_same_save_is_stored() -> None:
    submitted: dict[str, Answer | None] = {
        "policy.b": Answer("policy.b", "yes"),
        "policy.c": Answer("policy.c", "fully"),
    }
    changes = answer_changes(INSTRUMENT, POLICY, {}, submitted)
    assert set(changes.answers) == {"policy.b", "policy.c"}


def test_resume_prefers_the_last_visited_dimension_while_it_has_open_questions() -> None:
    answers = make_answers({"policy.a": "fully"})
    assert resume_point(INSTRUMENT, answers, None) == ResumePoint("policy", "policy.b")
    assert resume_point(INSTRUMENT, answers, "staffing") == ResumePoint("staffing", "staffing.a")
    done = make_answers({"training.a": "fully"})
    assert resume_point(INSTRUMENT, done, "training") == ResumePoint("policy", "policy.a")


def test_resume_is_none_when_every_visible_question_is_answered() -> None:
    answers = make_answers(
        {
            "policy.a": "fully",
            "policy.b": "no",  # policy.c stays hidden and is not asked
            "staffing.a": "<not applicable>",
            "staffing.b": "not",
            "training.a": "partial",
        }
    )
    assert resume_point(INSTRUMENT, answers, "policy") is None


def test_dimension_statuses_count_visible_practices_only() -> None:
    statuses = {s.id: s for s in dimension_statuses(INSTRUMENT, make_answers({"policy.b": "no"}))}
    assert (statuses["policy"].answered, statuses["policy"].total) == (1, 2)
    assert statuses["policy"].left == 1 and statuses["policy"].first_unanswered == "policy.a"
    shown = {s.id: s for s in dimension_statuses(INSTRUMENT, make_answers({"policy.b": "yes"}))}
    assert shown["policy"].total == 3


def test_neighbours() -> None:
    middle = neighbours(INSTRUMENT, "staffing")
    assert middle.previous is not None and middle.previous.id == "policy"
    assert middle.next is not None and middle.next.id == "training"
    assert (middle.position, middle.count) == (2, 3)
    assert neighbours(INSTRUMENT, "training").next is None


def test_form_classes_are_built_once_per_instrument_and_dimension() -> None:
    form_class = dimension_form_class(INSTRUMENT, POLICY)
    assert dimension_form_class(INSTRUMENT, POLICY) is form_class
    assert form_class.practice_ids == ("policy.a", "policy.b", "policy.c")
    staffing = INSTRUMENT.dimensions[1]
    assert dimension_form_class(INSTRUMENT, staffing) is not form_class


def test_initial_data_maps_stored_answers_to_fields() -> None:
    answers = {
        "staffing.a": Answer("staffing.a", None, not_applicable=True, comment="No accounts"),
        "staffing.b": Answer("staffing.b", "partial"),
    }
    assert initial_data(INSTRUMENT.dimensions[1], answers) == {
        "answer-staffing.a": "n/a",
        "comment-staffing.a": "No accounts",
        "answer-staffing.b": "partial",
        "comment-staffing.b": "",
    }


def test_autosave_body_becomes_answers_and_clears() -> None:
    parsed = parse_autosave(
        {
            "answers": {
                "policy.a": {"choice": "fully", "comment": " line one\r\nline two ", "revision": 4},
                "staffing.a": {"choice": "n/a"},
                "policy.b": {"choice": None, "comment": "  ", "revision": 2},
            },
        },
        INSTRUMENT,
    )
    # A practice sent without a revision was based on no answer (0).
    assert parsed.based_on == {"policy.a": 4, "staffing.a": 0, "policy.b": 2}
    assert parsed.answers == {
        "policy.a": Answer("policy.a", "fully", comment="line one\nline two"),
        "staffing.a": Answer("staffing.a", None, not_applicable=True),
    }
    assert parsed.clear == ("policy.b",)


def test_autosave_body_problems_are_capped() -> None:
    body = {"answers": {f"nope.{n}": {} for n in range(100)}}
    with pytest.raises(PayloadError) as raised:
        parse_autosave(body, INSTRUMENT)
    assert len(raised.value.problems) == MAX_PROBLEMS + 1
    assert raised.value.problems[-1] == f"... and {100 - MAX_PROBLEMS} more problems"


def _checked_values(markup: str) -> list[str]:
    return re.findall(r'<input [^>]*\bchecked\b[^>]*value="([^"]*)"', markup)


@pytest.mark.parametrize("chosen", [None, "not", "partial", "fully", "n/a", "forged"])
def test_radio_buttons_come_from_the_cache_with_the_chosen_option_checked(
    chosen: str | None,
) -> None:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    staffing = INSTRUMENT.dimensions[1]
    practice_a = staffing.practices[0]
    form_class = dimension_form_class(INSTRUMENT, staffing)
    with app.test_request_context():
        # Render every variant once, so this request reads it from the cache.
        for value in (None, "not", "partial", "fully", "n/a"):
            form_class(formdata=None, data={"answer-staffing.a": value}).choices_markup(practice_a)
        form = form_class(formdata=None, data={"answer-staffing.a": chosen})
        markup = str(form.choices_markup(practice_a))
    valid = chosen in {"not", "partial", "fully", "n/a"}
    assert _checked_values(markup) == ([chosen] if valid else [])
    assert markup.count('type="radio"') == 5  # four options and "Not applicable"
    assert 'name="answer-staffing.a"' in markup
    # One entry per practice and checked option: a forged value adds none.
    assert len([key for key in form_class.rendered_choices if key[0] == "staffing.a"]) == 5

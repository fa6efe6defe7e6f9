"""The normalised, JSON-ready form of an instrument."""

from __future__ import annotations

import json
from typing import Any

import yaml

from assessment.domain.formats.instrument_dict import instrument_to_dict
from assessment.queries.instruments import default_catalog
from tests.unit.instrument_yaml import MINIMAL_YAML, edit, parse


def test_every_default_is_filled_in() -> None:
    data = instrument_to_dict(parse())
    owner = data["dimensions"][1]["practices"][0]

    assert data["languages"] == ["en"]
    assert [phase["id"] for phase in data["phases"]] == ["short", "medium", "long"]
    assert data["scoring"] == {
        "met_at": 0.75,
        "level_rule": "gated",
        "overall_level_rule": "lowest",
    }
    assert data["sources"]["SRC-B"] == {"citation": "Second source, 2014", "url": None}
    assert data["profile"][0] == {
        "id": "country",
        "label": {"en": "Country"},
        "kind": "country",
        "options": [],
        "required": True,
        "help": None,
    }
    assert owner == {
        "id": "staffing.owner",
        "level": 2,
        "weight": 1.0,
        "answer_set": "yes_no",
        "text": {"en": "Every account has a named owner."},
        "guidance": {"en": "The account register."},
        "allow_not_applicable": True,
        "show_if": None,
        "themes": [],
        "sources": ["SRC-B"],
        "recommendation": {
            "action": {"en": "Name an owner for every account."},
            "effort": "low",
            "impact": "medium",
            "horizon": "short",
            "depends_on": [],
        },
    }


def test_texts_in_one_language_are_plain_strings_with_fallback() -> None:
    text = edit(MINIMAL_YAML, "description: A tiny", "languages: [en, nl]\ndescription: A tiny")
    text = edit(text, "title: Mini instrument", "title: {en: Mini, nl: Klein}")
    instrument = parse(text)

    assert instrument_to_dict(instrument, "nl")["title"] == "Klein"
    # Untranslated texts fall back to the default language.
    assert instrument_to_dict(instrument, "nl")["description"] == "A tiny instrument for tests."
    assert instrument_to_dict(instrument)["title"] == {"en": "Mini", "nl": "Klein"}


def test_dimension_levels_have_string_keys_in_scale_order() -> None:
    text = edit(MINIMAL_YAML, "      1: No written rules.\n", "")
    text = edit(
        text, "      2: A written policy.\n", "      2: A written policy.\n      1: None.\n"
    )
    levels = instrument_to_dict(parse(text))["dimensions"][0]["levels"]

    assert list(levels) == ["1", "2"]


def _as_yaml_source(value: Any) -> Any:
    """The dict as an author would write it: no nulls, no empty profile options."""
    if isinstance(value, dict):
        return {
            key: _as_yaml_source(item)
            for key, item in value.items()
            if item is not None and not (key == "options" and item == [])
        }
    if isinstance(value, list):
        return [_as_yaml_source(item) for item in value]
    return value


def test_normalised_form_reads_back_as_the_same_instrument() -> None:
    for instrument in [parse(), *default_catalog().all()]:
        data = instrument_to_dict(instrument)
        json.dumps(data)  # JSON-ready: raises on anything that is not
        text = yaml.safe_dump(_as_yaml_source(data), sort_keys=False, allow_unicode=True)

        assert parse(text) == instrument

"""An instrument as plain JSON-ready data: the normalised form of its YAML file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assessment.domain.model.instrument import (
    AnswerSet,
    Condition,
    Dimension,
    Instrument,
    Option,
    Practice,
    PracticeKind,
    ProfileQuestion,
    Text,
)

JsonText = str | dict[str, str]


def instrument_to_dict(instrument: Instrument, language: str | None = None) -> dict[str, Any]:
    """The instrument with every default filled in, as JSON-ready data.

    Texts are `{language: text}` mappings, or plain strings in `language` when one is given.
    """
    text = _text_converter(language)
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": text(instrument.title),
        "description": text(instrument.description),
        "languages": list(instrument.languages),
        "levels": [
            {
                "number": level.number,
                "name": text(level.name),
                "description": text(level.description),
            }
            for level in instrument.levels
        ],
        "answer_sets": {
            set_id: _answer_set(answer_set, language)
            for set_id, answer_set in instrument.answer_sets.items()
        },
        "format": instrument.format,
        "scoring": _scoring(instrument),
        "phases": [
            {
                "id": phase.id,
                "title": text(phase.title),
                "start_month": phase.start_month,
                "end_month": phase.end_month,
            }
            for phase in instrument.phases
        ],
        "themes": {
            theme_id: {"title": text(theme.title), "description": text(theme.description)}
            for theme_id, theme in instrument.themes.items()
        },
        "sources": {
            key: {"citation": source.citation, "url": source.url}
            for key, source in instrument.sources.items()
        },
        "profile": [_profile_question(question, language) for question in instrument.profile],
        "dimensions": [
            _dimension(dimension, language, instrument.format)
            for dimension in instrument.dimensions
        ],
    }


def _scoring(instrument: Instrument) -> dict[str, Any]:
    scoring = instrument.scoring
    shape: dict[str, Any] = {
        "met_at": scoring.met_at,
        "level_rule": scoring.level_rule.value,
        "overall_level_rule": scoring.overall_level_rule.value,
    }
    if instrument.format >= 2:
        shape["gating"] = scoring.gating.value
        if scoring.baseline_cap is not None:
            shape["baseline_cap"] = scoring.baseline_cap
    return shape


def _text_converter(language: str | None) -> Callable[[Text], JsonText]:
    def convert(value: Text) -> JsonText:
        if language is None:
            return dict(value.translations)
        return value.get(language)

    return convert


def _option(option: Option, language: str | None) -> dict[str, Any]:
    text = _text_converter(language)
    shape: dict[str, Any] = {"id": option.id, "label": text(option.label), "credit": option.credit}
    if option.definition is not None:
        shape["definition"] = text(option.definition)
    return shape


def _condition(condition: Condition | None) -> dict[str, Any] | None:
    if condition is None:
        return None
    if condition.profile_id is not None:
        return {"profile": condition.profile_id, "any_of": list(condition.any_of)}
    return {"practice": condition.practice_id, "any_of": list(condition.any_of)}


def _answer_set(answer_set: AnswerSet, language: str | None) -> dict[str, Any]:
    return {"options": [_option(option, language) for option in answer_set.options]}


def _profile_question(question: ProfileQuestion, language: str | None) -> dict[str, Any]:
    text = _text_converter(language)
    return {
        "id": question.id,
        "label": text(question.label),
        "kind": question.kind,
        "options": [{"id": o.id, "label": text(o.label)} for o in question.options],
        "required": question.required,
        "help": text(question.help) if question.help is not None else None,
    }


def _dimension(dimension: Dimension, language: str | None, fmt: int) -> dict[str, Any]:
    text = _text_converter(language)
    return {
        "id": dimension.id,
        "title": text(dimension.title),
        "description": text(dimension.description),
        "weight": dimension.weight,
        "levels": {
            str(number): text(description)
            for number, description in sorted(dimension.level_descriptions.items())
        },
        "practices": [_practice(practice, language, fmt) for practice in dimension.practices],
    }


def _practice(practice: Practice, language: str | None, fmt: int) -> dict[str, Any]:
    text = _text_converter(language)
    recommendation = practice.recommendation
    condition = practice.show_if
    shape: dict[str, Any] = {
        "id": practice.id,
        "level": practice.level,
        "weight": practice.weight,
        "answer_set": practice.answer_set.id,
        "text": text(practice.text),
        "guidance": text(practice.guidance),
        "allow_not_applicable": practice.allow_not_applicable,
        "show_if": _condition(condition),
        "themes": list(practice.themes),
        "sources": list(practice.sources),
        "recommendation": {
            "action": text(recommendation.action),
            "effort": recommendation.effort.value,
            "impact": recommendation.impact.value,
            "horizon": recommendation.horizon,
            "depends_on": list(recommendation.depends_on),
        }
        if recommendation is not None
        else None,
    }
    if fmt >= 2:
        shape.update(
            kind=practice.kind.value, critical=practice.critical, requirement=practice.requirement
        )
        if practice.kind is not PracticeKind.MATURITY:
            del shape["level"]
    return shape

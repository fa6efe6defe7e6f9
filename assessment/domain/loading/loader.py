"""Read an instrument YAML file into the frozen model of `instrument.py`, or explain why not.

Four passes, each collecting every problem it can find before the file is rejected:
YAML syntax and duplicate keys (`yaml_source`), the JSON Schema
`questionnaires/instrument.schema.json` (`instrument_schema`), cross-references and
cycles (`instrument_checks`), and finally construction of the dataclasses, which only
runs on a file with no problems.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assessment.domain.loading.instrument_checks import check_references
from assessment.domain.loading.instrument_problems import (
    ROOT_PATH,
    InstrumentError,
    Problem,
    ProblemReport,
    describe_value,
    format_path,
)
from assessment.domain.loading.instrument_schema import check_schema, instrument_schema
from assessment.domain.loading.yaml_source import read_yaml
from assessment.domain.model.instrument import (
    DEFAULT_PHASES,
    AnswerSet,
    Condition,
    Dimension,
    Gating,
    Instrument,
    Level,
    LevelRule,
    Option,
    OverallLevelRule,
    Phase,
    Practice,
    PracticeKind,
    ProfileQuestion,
    Rating,
    Recommendation,
    ScoringRules,
    Source,
    Text,
    Theme,
)

__all__ = [
    "ROOT_PATH",
    "InstrumentError",
    "Problem",
    "format_path",
    "instrument_schema",
    "load_instrument",
    "parse_instrument",
]


def load_instrument(path: Path) -> Instrument:
    """Read and validate the instrument YAML file at `path`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError([Problem(str(path), 1, ROOT_PATH, "no such file")]) from None
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        raise InstrumentError([Problem(str(path), 1, ROOT_PATH, message)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {column} cannot be read"
        raise InstrumentError([Problem(str(path), line, "syntax", message)]) from None
    return parse_instrument(text, str(path))


def parse_instrument(text: str, filename: str) -> Instrument:
    """Validate YAML `text` (named `filename` in problems) and build the instrument."""
    report = ProblemReport(filename)
    source = read_yaml(text, report)
    if source is None:
        raise InstrumentError(report.problems)
    if not isinstance(source.data, dict):
        report.add(
            (), f"the top level must be a mapping of keys, got {describe_value(source.data)}"
        )
        raise InstrumentError(report.problems)
    check_schema(source.data, report)
    check_references(source.data, report)
    if report.problems:
        raise InstrumentError(sorted(report.problems, key=lambda p: p.line))
    try:
        return _build(source.data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # pragma: no cover
        # The checks above should make this unreachable; keep the no-traceback promise.
        report.add((), f"cannot build the instrument: {exc!r}")
        raise InstrumentError(report.problems) from exc


# ----------------------------------------------------------------------------- build


def _build(data: dict[str, Any]) -> Instrument:
    """The instrument of data that passed every check."""
    languages = tuple(data.get("languages", ("en",)))
    text = _text_builder(languages[0])
    floor = min(level["number"] for level in data["levels"])
    answer_sets = {
        set_id: AnswerSet(set_id, tuple(_option(option, text) for option in answer_set["options"]))
        for set_id, answer_set in data["answer_sets"].items()
    }
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=text(data["title"]),
        description=text(data["description"]),
        levels=tuple(
            Level(level["number"], text(level["name"]), text(level["description"]))
            for level in data["levels"]
        ),
        answer_sets=answer_sets,
        dimensions=tuple(_dimension(d, answer_sets, text, floor) for d in data["dimensions"]),
        themes={
            theme_id: Theme(theme_id, text(theme["title"]), text(theme["description"]))
            for theme_id, theme in data.get("themes", {}).items()
        },
        sources={
            key: Source(key, source["citation"], source.get("url"))
            for key, source in data.get("sources", {}).items()
        },
        profile=tuple(_profile_question(q, text) for q in data.get("profile", [])),
        scoring=_scoring(data.get("scoring", {})),
        phases=tuple(_phase(p, text) for p in data["phases"])
        if "phases" in data
        else DEFAULT_PHASES,
        languages=languages,
        format=data.get("format", 1),
    )


_TextBuilder = Callable[[str | dict[str, str]], Text]


def _text_builder(default_language: str) -> _TextBuilder:
    def build(value: str | dict[str, str]) -> Text:
        if isinstance(value, str):
            return Text.plain(value, default_language)
        return Text(dict(value), default_language)

    return build


def _option(option: dict[str, Any], text: _TextBuilder) -> Option:
    definition = text(option["definition"]) if "definition" in option else None
    return Option(option["id"], text(option["label"]), float(option["credit"]), definition)


def _phase(phase: dict[str, Any], text: _TextBuilder) -> Phase:
    return Phase(phase["id"], text(phase["title"]), phase["start_month"], phase["end_month"])


def _scoring(scoring: dict[str, Any]) -> ScoringRules:
    defaults = ScoringRules()
    return ScoringRules(
        met_at=float(scoring.get("met_at", defaults.met_at)),
        level_rule=LevelRule(scoring.get("level_rule", defaults.level_rule.value)),
        overall_level_rule=OverallLevelRule(
            scoring.get("overall_level_rule", defaults.overall_level_rule.value)
        ),
        gating=Gating(scoring.get("gating", defaults.gating.value)),
        baseline_cap=scoring.get("baseline_cap"),
    )


def _profile_question(question: dict[str, Any], text: _TextBuilder) -> ProfileQuestion:
    return ProfileQuestion(
        id=question["id"],
        label=text(question["label"]),
        kind=question["kind"],
        # Profile options are unscored; the credit is never read.
        options=tuple(
            Option(option["id"], text(option["label"]), 0.0)
            for option in question.get("options", [])
        ),
        required=question.get("required", False),
        help=text(question["help"]) if "help" in question else None,
    )


def _dimension(
    dimension: dict[str, Any],
    answer_sets: Mapping[str, AnswerSet],
    text: _TextBuilder,
    floor: int,
) -> Dimension:
    return Dimension(
        id=dimension["id"],
        title=text(dimension["title"]),
        description=text(dimension["description"]),
        weight=float(dimension.get("weight", 1)),
        level_descriptions={
            int(number): text(value) for number, value in dimension.get("levels", {}).items()
        },
        practices=tuple(
            _practice(practice, dimension["id"], answer_sets, text, floor)
            for practice in dimension["practices"]
        ),
    )


def _practice(
    practice: dict[str, Any],
    dimension_id: str,
    answer_sets: Mapping[str, AnswerSet],
    text: _TextBuilder,
    floor: int,
) -> Practice:
    condition = practice.get("show_if")
    recommendation = practice.get("recommendation")
    return Practice(
        id=practice["id"],
        dimension_id=dimension_id,
        # Baseline and screening practices are off the ladder; the floor keeps them first.
        level=practice.get("level", floor),
        weight=float(practice.get("weight", 1)),
        answer_set=answer_sets[practice["answer_set"]],
        text=text(practice["text"]),
        guidance=text(practice["guidance"]),
        recommendation=_recommendation(recommendation, text) if recommendation else None,
        allow_not_applicable=practice.get("allow_not_applicable", False),
        show_if=(
            Condition(
                condition.get("practice"), tuple(condition["any_of"]), condition.get("profile")
            )
            if condition
            else None
        ),
        themes=tuple(practice.get("themes", ())),
        sources=tuple(practice["sources"]),
        kind=PracticeKind(practice.get("kind", PracticeKind.MATURITY.value)),
        critical=practice.get("critical", False),
        requirement=practice.get("requirement"),
    )


def _recommendation(recommendation: dict[str, Any], text: _TextBuilder) -> Recommendation:
    return Recommendation(
        action=text(recommendation["action"]),
        effort=Rating(recommendation["effort"]),
        impact=Rating(recommendation["impact"]),
        horizon=recommendation["horizon"],
        depends_on=tuple(recommendation.get("depends_on", ())),
    )

"""Cross-reference checks: unique ids, known references, levels, cycles, languages.

They run on the plain data even when the schema check failed, skipping whatever is
malformed, so that one run reports as much as possible.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.domain.loading.instrument_problems import (
    PathKey,
    ProblemReport,
    show_value,
    suggestion,
)
from assessment.domain.model.instrument import DEFAULT_PHASES, ScoringRules


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings of a list, with their index; anything malformed is skipped."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _entries(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The mapping values of a mapping, with their key; anything malformed is skipped."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                yield key, item


def _strings(value: Any) -> Iterator[tuple[int, str]]:
    """The strings of a list, with their index; anything malformed is skipped."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class _Context:
    """What the reference checks know about the instrument so far."""

    languages: list[str]
    scale: list[int]
    met_at: float
    answer_options: dict[str, list[str]]
    phase_ids: list[str]
    theme_ids: list[str]
    source_keys: list[str]
    format: int = 1
    profile_options: dict[str, list[str] | None] = field(default_factory=dict)  # None: no choice
    practices: dict[str, tuple[PathKey, dict[str, Any]]] = field(default_factory=dict)


def check_references(data: dict[str, Any], report: ProblemReport) -> None:
    """Report every broken cross-reference, duplicate id, cycle and language slip in `data`."""
    context = _Context(
        languages=[lang for _, lang in _strings(data.get("languages"))] or ["en"],
        scale=_check_levels(data, report),
        met_at=_met_at(data),
        answer_options=_check_answer_sets(data, report),
        phase_ids=_check_phases(data, report),
        theme_ids=list(data["themes"]) if isinstance(data.get("themes"), dict) else [],
        source_keys=list(data["sources"]) if isinstance(data.get("sources"), dict) else [],
        format=data["format"] if data.get("format") == 2 else 1,
        profile_options=_check_profile(data, report),
    )
    _check_answer_credit(data, context, report)
    _check_format_features(data, context, report)
    _check_dimensions(data, context, report)
    _check_practices(context, report)
    _check_requirements(context, report)
    _check_gating(data, context, report)
    # A condition on itself has its own message; a dependency on itself is a cycle.
    condition_cycle = "show_if conditions form a cycle"
    _check_cycles(
        context, report, _condition_target, ("show_if",), condition_cycle, ignore_self=True
    )
    dependencies = ("recommendation", "depends_on")
    _check_cycles(context, report, _dependencies, dependencies, "dependency cycle")
    for path, value in _texts(data):
        _check_text(path, value, context.languages, report)


def _check_unique(
    items: Iterable[tuple[PathKey, Any]], what: str, report: ProblemReport
) -> dict[Any, PathKey]:
    """Report repeated values; return the first path of each value."""
    first: dict[Any, PathKey] = {}
    for path, value in items:
        if value is None or isinstance(value, dict | list):
            continue
        if value in first:
            line = report.line(first[value])
            report.add(path, f"duplicate {what} {show_value(value)} (first on line {line})")
        else:
            first[value] = path
    return first


def _check_levels(data: dict[str, Any], report: ProblemReport) -> list[int]:
    numbers = (
        (("levels", index, "number"), _whole_number(level.get("number")))
        for index, level in _dicts(data.get("levels"))
    )
    return sorted(_check_unique(numbers, "level number", report))


def _met_at(data: dict[str, Any]) -> float:
    scoring = data.get("scoring")
    met_at = scoring.get("met_at") if isinstance(scoring, dict) else None
    if isinstance(met_at, int | float) and not isinstance(met_at, bool):
        return float(met_at)
    return ScoringRules.met_at


def _check_answer_sets(data: dict[str, Any], report: ProblemReport) -> dict[str, list[str]]:
    options_by_set: dict[str, list[str]] = {}
    for set_id, answer_set in _entries(data.get("answer_sets")):
        ids = (
            (("answer_sets", set_id, "options", index, "id"), option.get("id"))
            for index, option in _dicts(answer_set.get("options"))
        )
        options_by_set[set_id] = list(_check_unique(ids, "option id", report))
    return options_by_set


def _check_answer_credit(data: dict[str, Any], context: _Context, report: ProblemReport) -> None:
    for set_id, answer_set in _entries(data.get("answer_sets")):
        credits = [
            option["credit"]
            for _, option in _dicts(answer_set.get("options"))
            if isinstance(option.get("credit"), int | float)
        ]
        if credits and max(credits) < context.met_at:
            message = (
                f"no option earns the met_at credit {context.met_at}, "
                "so a practice using this set can never be met"
            )
            report.add(("answer_sets", set_id), message, at_key=True)


def _check_phases(data: dict[str, Any], report: ProblemReport) -> list[str]:
    if "phases" not in data:
        return [phase.id for phase in DEFAULT_PHASES]
    phases = list(_dicts(data.get("phases")))
    for index, phase in phases:
        start, end = _whole_number(phase.get("start_month")), _whole_number(phase.get("end_month"))
        if start is not None and end is not None and end <= start:
            message = f"end_month {end} must be after start_month {start}"
            report.add(("phases", index, "end_month"), message)
    ids = ((("phases", index, "id"), phase.get("id")) for index, phase in phases)
    return list(_check_unique(ids, "phase id", report))


def _check_profile(data: dict[str, Any], report: ProblemReport) -> dict[str, list[str] | None]:
    """Check profile ids; return each question's option ids (None unless a choice kind)."""
    questions = list(_dicts(data.get("profile")))
    ids = ((("profile", index, "id"), question.get("id")) for index, question in questions)
    _check_unique(ids, "profile question id", report)
    options: dict[str, list[str] | None] = {}
    for index, question in questions:
        option_ids = (
            (("profile", index, "options", option_index, "id"), option.get("id"))
            for option_index, option in _dicts(question.get("options"))
        )
        unique = list(_check_unique(option_ids, "option id", report))
        if isinstance(question.get("id"), str):
            choice = question.get("kind") in ("choice", "multi_choice")
            options.setdefault(question["id"], unique if choice else None)
    return options


def _check_format_features(data: dict[str, Any], context: _Context, report: ProblemReport) -> None:
    """Format 2 keys refused in format 1; format 2 options defined; the baseline cap on scale."""
    if context.format == 2:
        for set_id, answer_set in _entries(data.get("answer_sets")):
            for index, option in _dicts(answer_set.get("options")):
                if "definition" not in option:
                    message = "missing required key 'definition' (format 2 defines every option)"
                    report.add(("answer_sets", set_id, "options", index), message)
    else:
        for path in _format_2_keys(data):
            report.add(
                path, f"'{path[-1]}' needs format: 2 (add 'format: 2' at the top)", at_key=True
            )
    scoring = data.get("scoring")
    cap = _whole_number(scoring.get("baseline_cap")) if isinstance(scoring, dict) else None
    if cap is not None and context.scale and cap not in context.scale:
        scale = ", ".join(str(n) for n in context.scale)
        report.add(("scoring", "baseline_cap"), f"level {cap} is not on the scale ({scale})")


def _format_2_keys(data: dict[str, Any]) -> Iterator[PathKey]:
    """The paths of keys only format 2 knows, in a file that does not say format: 2."""
    for set_id, answer_set in _entries(data.get("answer_sets")):
        for index, option in _dicts(answer_set.get("options")):
            if "definition" in option:
                yield ("answer_sets", set_id, "options", index, "definition")
    scoring = data.get("scoring")
    if isinstance(scoring, dict):
        for key in ("gating", "baseline_cap"):
            if key in scoring:
                yield ("scoring", key)
        if scoring.get("overall_level_rule") == "none":
            yield ("scoring", "overall_level_rule")
    for index, dimension in _dicts(data.get("dimensions")):
        for practice_index, practice in _dicts(dimension.get("practices")):
            path = ("dimensions", index, "practices", practice_index)
            for key in ("kind", "critical", "requirement"):
                if key in practice:
                    yield (*path, key)
            condition = practice.get("show_if")
            if isinstance(condition, dict) and "profile" in condition:
                yield (*path, "show_if", "profile")


def _check_dimensions(data: dict[str, Any], context: _Context, report: ProblemReport) -> None:
    dimensions = list(_dicts(data.get("dimensions")))
    ids = ((("dimensions", index, "id"), dimension.get("id")) for index, dimension in dimensions)
    _check_unique(ids, "dimension id", report)
    scale = ", ".join(str(n) for n in context.scale)
    for index, dimension in dimensions:
        levels = dimension.get("levels")
        for key in levels if isinstance(levels, dict) else {}:
            if key.isdigit() and context.scale and int(key) not in context.scale:
                path = ("dimensions", index, "levels", key)
                report.add(path, f"level {key} is not on the scale ({scale})", at_key=True)
        for practice_index, practice in _dicts(dimension.get("practices")):
            _register_practice(
                ("dimensions", index, "practices", practice_index), practice, context, report
            )


def _register_practice(
    path: PathKey, practice: dict[str, Any], context: _Context, report: ProblemReport
) -> None:
    practice_id = practice.get("id")
    if not isinstance(practice_id, str):
        return
    if practice_id in context.practices:
        line = report.line((*context.practices[practice_id][0], "id"))
        report.add((*path, "id"), f"duplicate practice id '{practice_id}' (first on line {line})")
        return
    context.practices[practice_id] = (path, practice)


def _check_practices(context: _Context, report: ProblemReport) -> None:
    for practice_id, (path, practice) in context.practices.items():
        _check_practice_level(path, practice, context, report)
        _check_known(
            (*path, "answer_set"),
            practice.get("answer_set"),
            context.answer_options,
            "answer set",
            report,
        )
        for index, theme in _strings(practice.get("themes")):
            _check_known((*path, "themes", index), theme, context.theme_ids, "theme", report)
        for index, source in _strings(practice.get("sources")):
            _check_known((*path, "sources", index), source, context.source_keys, "source", report)
        _check_condition(practice_id, path, practice, context, report)
        recommendation = practice.get("recommendation")
        if isinstance(recommendation, dict):
            _check_recommendation((*path, "recommendation"), recommendation, context, report)


def _check_practice_level(
    path: PathKey, practice: dict[str, Any], context: _Context, report: ProblemReport
) -> None:
    level = _whole_number(practice.get("level"))
    if level is None or not context.scale:
        return
    scale = ", ".join(str(n) for n in context.scale)
    if level not in context.scale:
        report.add((*path, "level"), f"level {level} is not on the scale ({scale})")
    elif level == context.scale[0]:
        message = f"level {level} is the floor of the scale; practices belong to a higher level"
        report.add((*path, "level"), message)


def _check_known(
    path: PathKey, value: Any, known: Collection[str], what: str, report: ProblemReport
) -> bool:
    """Report `value` unless it names one of `known`; True when it does."""
    if not isinstance(value, str):
        return False
    if value in known:
        return True
    report.add(path, f"unknown {what} '{value}'{suggestion(value, known)}")
    return False


def _check_condition(
    practice_id: str,
    path: PathKey,
    practice: dict[str, Any],
    context: _Context,
    report: ProblemReport,
) -> None:
    condition = practice.get("show_if")
    if not isinstance(condition, dict):
        return
    if "practice" in condition and "profile" in condition:
        report.add((*path, "show_if", "profile"), "give practice or profile, not both", at_key=True)
        return
    if "profile" in condition:
        _check_profile_condition(path, condition, context, report)
        return
    if "practice" not in condition:
        report.add((*path, "show_if"), "missing required key 'practice' (or 'profile')")
        return
    target = condition.get("practice")
    target_path = (*path, "show_if", "practice")
    if target == practice_id:
        report.add(target_path, "show_if refers to the practice itself")
        return
    if not _check_known(target_path, target, context.practices, "practice", report):
        return
    set_id = context.practices[str(target)][1].get("answer_set")
    options = context.answer_options.get(set_id) if isinstance(set_id, str) else None
    if options is None:
        return
    for index, option in _strings(condition.get("any_of")):
        if option not in options:
            message = (
                f"option '{option}' is not in answer set '{set_id}' of practice '{target}'"
                f" (options: {', '.join(options)})"
            )
            report.add((*path, "show_if", "any_of", index), message)


def _check_profile_condition(
    path: PathKey, condition: dict[str, Any], context: _Context, report: ProblemReport
) -> None:
    question = condition.get("profile")
    question_path = (*path, "show_if", "profile")
    if not _check_known(
        question_path, question, context.profile_options, "profile question", report
    ):
        return
    options = context.profile_options[str(question)]
    if options is None:
        message = f"profile question '{question}' is not a choice; conditions need its options"
        report.add(question_path, message)
        return
    for index, option in _strings(condition.get("any_of")):
        if option not in options:
            message = (
                f"option '{option}' is not an option of profile question '{question}'"
                f" (options: {', '.join(options)})"
            )
            report.add((*path, "show_if", "any_of", index), message)


def _check_requirements(context: _Context, report: ProblemReport) -> None:
    """Alternatives sharing a requirement: two or more maturity practices alike in dimension,
    level, weight and criticality, so any one of them can stand for the requirement."""
    groups: dict[str, list[tuple[PathKey, dict[str, Any]]]] = {}
    for path, practice in context.practices.values():
        requirement = practice.get("requirement")
        if isinstance(requirement, str):
            groups.setdefault(requirement, []).append((path, practice))
    for requirement, members in groups.items():
        first_path, first = members[0]
        if len(members) == 1:
            message = f"requirement '{requirement}' has one practice; alternatives need two or more"
            report.add((*first_path, "requirement"), message)
            continue
        for path, practice in members:
            if practice.get("kind", "maturity") != "maturity":
                message = "only maturity practices can be alternatives"
                report.add((*path, "requirement"), message)
        for path, practice in members[1:]:
            for key, default in (("level", None), ("weight", 1), ("critical", False)):
                if practice.get(key, default) != first.get(key, default) or (
                    key == "level" and path[:2] != first_path[:2]
                ):
                    what = "dimension and level" if key == "level" else key
                    line = report.line((*first_path, "id"))
                    message = (
                        f"alternatives for requirement '{requirement}' must share their {what}"
                        f" (first alternative on line {line})"
                    )
                    report.add((*path, "requirement"), message)


def _check_gating(data: dict[str, Any], context: _Context, report: ProblemReport) -> None:
    """Gating by critical practices needs at least one, or no level would ever be gated."""
    scoring = data.get("scoring")
    if not isinstance(scoring, dict) or scoring.get("gating") != "critical":
        return
    if not any(practice.get("critical") is True for _, practice in context.practices.values()):
        message = "gating is critical, but no practice is marked critical: nothing would gate"
        report.add(("scoring", "gating"), message)


def _check_recommendation(
    path: PathKey, recommendation: dict[str, Any], context: _Context, report: ProblemReport
) -> None:
    horizon = recommendation.get("horizon")
    _check_known((*path, "horizon"), horizon, context.phase_ids, "phase", report)
    for index, dependency in _strings(recommendation.get("depends_on")):
        dependency_path = (*path, "depends_on", index)
        known = _check_known(dependency_path, dependency, context.practices, "practice", report)
        if known and context.practices[dependency][1].get("kind") == "screening":
            message = f"'{dependency}' is a screening question, never an action to depend on"
            report.add(dependency_path, message)


def _condition_target(practice: dict[str, Any]) -> list[str]:
    condition = practice.get("show_if")
    target = condition.get("practice") if isinstance(condition, dict) else None
    return [target] if isinstance(target, str) else []


def _dependencies(practice: dict[str, Any]) -> list[str]:
    recommendation = practice.get("recommendation")
    if not isinstance(recommendation, dict):
        return []
    return [dependency for _, dependency in _strings(recommendation.get("depends_on"))]


def _check_cycles(
    context: _Context,
    report: ProblemReport,
    edges_of: Callable[[dict[str, Any]], list[str]],
    at: PathKey,
    what: str,
    *,
    ignore_self: bool = False,
) -> None:
    """Report each cycle of practice -> `edges_of(practice)` once, at the `at` key of its start."""
    graph = {
        practice_id: [
            target
            for target in edges_of(practice)
            if target in context.practices and not (ignore_self and target == practice_id)
        ]
        for practice_id, (_, practice) in context.practices.items()
    }
    for cycle in _find_cycles(graph):
        path, _ = context.practices[cycle[0]]
        report.add((*path, *at), f"{what}: {' -> '.join(cycle)}")


def _find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """The distinct cycles met by a depth-first walk, each closed on its first node."""
    state: dict[str, int] = {}  # 1 while on the walk's stack, 2 when finished
    stack: list[str] = []
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    found.append([*cycle, target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return found


def _texts(data: dict[str, Any]) -> Iterator[tuple[PathKey, Any]]:
    """Every text field of the instrument with its path."""
    yield ("title",), data.get("title")
    yield ("description",), data.get("description")
    for index, level in _dicts(data.get("levels")):
        yield ("levels", index, "name"), level.get("name")
        yield ("levels", index, "description"), level.get("description")
    for set_id, answer_set in _entries(data.get("answer_sets")):
        for index, option in _dicts(answer_set.get("options")):
            yield ("answer_sets", set_id, "options", index, "label"), option.get("label")
            yield ("answer_sets", set_id, "options", index, "definition"), option.get("definition")
    for theme_id, theme in _entries(data.get("themes")):
        yield ("themes", theme_id, "title"), theme.get("title")
        yield ("themes", theme_id, "description"), theme.get("description")
    for index, phase in _dicts(data.get("phases")):
        yield ("phases", index, "title"), phase.get("title")
    for index, question in _dicts(data.get("profile")):
        yield ("profile", index, "label"), question.get("label")
        yield ("profile", index, "help"), question.get("help")
        for option_index, option in _dicts(question.get("options")):
            yield ("profile", index, "options", option_index, "label"), option.get("label")
    for index, dimension in _dicts(data.get("dimensions")):
        yield from _dimension_texts(("dimensions", index), dimension)


def _dimension_texts(path: PathKey, dimension: dict[str, Any]) -> Iterator[tuple[PathKey, Any]]:
    yield (*path, "title"), dimension.get("title")
    yield (*path, "description"), dimension.get("description")
    levels = dimension.get("levels")
    for key, text in levels.items() if isinstance(levels, dict) else ():
        yield (*path, "levels", key), text
    for index, practice in _dicts(dimension.get("practices")):
        practice_path = (*path, "practices", index)
        yield (*practice_path, "text"), practice.get("text")
        yield (*practice_path, "guidance"), practice.get("guidance")
        recommendation = practice.get("recommendation")
        if isinstance(recommendation, dict):
            yield (*practice_path, "recommendation", "action"), recommendation.get("action")


def _check_text(path: PathKey, value: Any, languages: list[str], report: ProblemReport) -> None:
    if not isinstance(value, dict) or not value:
        return
    for language in value:
        if language not in languages:
            message = f"language '{language}' is not in languages ({', '.join(languages)})"
            report.add((*path, language), message, at_key=True)
    if languages[0] not in value:
        report.add(path, f"missing the default language '{languages[0]}'")

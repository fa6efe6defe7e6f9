"""`assessment score`: score an answers file and print the levels and the roadmap."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from assessment.domain.formats.answer_file import AnswersFile, AnswersFileError, load_answers_file
from assessment.domain.formats.serialize import score_to_dict
from assessment.domain.loading.loader import InstrumentError
from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import Roadmap, RoadmapPhase, ScoreResult
from assessment.domain.rules.answer_check import check_answers, check_profile
from assessment.domain.rules.headline import headline
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import score_assessment
from assessment.presentation.labels import (
    OVERALL,
    baseline_lines,
    cap_note,
    headline_lines,
    level_name,
)
from assessment.queries.instruments import default_catalog


class ScoreError(click.ClickException):
    """A problem with the command's input: printed as one message, exit status 2."""

    exit_code = 2


@click.command()
@click.option(
    "--questionnaire",
    "questionnaire_ref",
    required=True,
    metavar="ID|ID@VERSION|PATH",
    help="The instrument: a bundled id (the answers file's version, else the latest), "
    "ID@VERSION or a YAML file.",
)
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The answers file (JSON; see questionnaires/README.md).",
)
@click.option(
    "--targets",
    default=None,
    metavar="DIMENSION=LEVEL,...",
    help="Roadmap target levels, e.g. policy=3,staffing=4 (default: one level up).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def score(
    questionnaire_ref: str, answers_path: Path, targets: str | None, output_format: str
) -> None:
    """Score an agency's answers: dimension levels, themes, overall and a phased roadmap."""
    answers_file = _load_answers(answers_path)
    instrument = _resolve_instrument(questionnaire_ref, answers_file)
    _check_same_instrument(instrument, answers_file, answers_path)
    _check_answers(instrument, answers_file, answers_path)
    profile = answers_file.profile
    result = score_assessment(instrument, answers_file.answers, profile)
    try:
        roadmap = build_roadmap(
            instrument, answers_file.answers, result, parse_targets(targets), profile=profile
        )
    except ValueError as error:
        raise ScoreError(f"--targets: {error}") from error
    if output_format == "json":
        data = {"agency": answers_file.agency, **score_to_dict(result, roadmap, instrument)}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for line in score_report(instrument, result, roadmap, answers_file.agency):
            click.echo(line)


def parse_targets(text: str | None) -> dict[str, int]:
    """`policy=3,staffing=4` as a mapping; ScoreError names the malformed part."""
    targets: dict[str, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        dimension_id, equals, level = (piece.strip() for piece in part.partition("="))
        # isdigit() alone lets through "²" and other digits int() cannot read.
        if not equals or not dimension_id or not (level.isascii() and level.isdigit()):
            raise ScoreError(f"--targets: {part.strip()!r} is not DIMENSION=LEVEL")
        if dimension_id in targets:
            raise ScoreError(f"--targets: dimension {dimension_id!r} is given twice")
        targets[dimension_id] = int(level)
    return targets


def _load_answers(path: Path) -> AnswersFile:
    try:
        return load_answers_file(path)
    except AnswersFileError as error:
        raise ScoreError(str(error)) from error


def _resolve_instrument(ref: str, answers_file: AnswersFile) -> Instrument:
    # A bare id means the version the answers were given to, when the file names one.
    if ref == answers_file.questionnaire_id and answers_file.questionnaire_version:
        ref = f"{ref}@{answers_file.questionnaire_version}"
    try:
        return default_catalog().get(ref)
    except (InstrumentError, LookupError) as error:
        raise ScoreError(f"--questionnaire: {error}") from error


def _check_same_instrument(instrument: Instrument, answers_file: AnswersFile, path: Path) -> None:
    version = answers_file.questionnaire_version
    named = answers_file.questionnaire_id + (f"@{version}" if version else "")
    if answers_file.questionnaire_id != instrument.id or version not in (None, instrument.version):
        raise ScoreError(
            f"{path}: the answers are for {named}, but --questionnaire gives {instrument.key}"
        )


# Problems listed before "and N more": enough to see the pattern, never megabytes.
MAX_LISTED_PROBLEMS = 20


def _check_answers(instrument: Instrument, answers_file: AnswersFile, path: Path) -> None:
    problems = [str(problem) for problem in check_profile(instrument, answers_file.profile)]
    problems += [
        f"answers.{problem}" for problem in check_answers(instrument, answers_file.answers)
    ]
    if problems:
        details = [f"{path}: {problem}" for problem in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            details.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS:,} more")
        count = "1 answer is" if len(problems) == 1 else f"{len(problems):,} answers are"
        raise ScoreError(f"{count} not valid for {instrument.key}:\n" + "\n".join(details))


def score_report(
    instrument: Instrument, result: ScoreResult, roadmap: Roadmap, agency: str | None
) -> Iterator[str]:
    """The scores and the roadmap as readable text, line by line."""
    yield f"{instrument.title} ({instrument.key})"
    if agency:
        yield f"Agency: {agency}"
    yield ""
    baseline = baseline_lines(instrument, result.baseline)
    if baseline:
        yield from baseline
        yield ""
    yield from headline_lines(instrument, headline(instrument, result))
    yield ""
    yield from _dimension_table(instrument, result)
    for dimension in instrument.dimensions:
        note = cap_note(instrument, result.dimensions[dimension.id])
        if note:
            yield f"{dimension.title}: {note}"
    yield ""
    yield from _theme_table(instrument, result)
    yield ""
    yield from _roadmap_lines(instrument, roadmap)


def _dimension_table(instrument: Instrument, result: ScoreResult) -> Iterator[str]:
    rows = [("DIMENSION", "SCORE", "LEVEL", "COVERAGE", "BLOCKING")]
    for dimension in instrument.dimensions:
        figures = result.dimensions[dimension.id]
        rows.append(
            (
                str(dimension.title),
                _score(figures.score),
                _level(instrument, figures.level),
                f"{figures.coverage:.0%}",
                ", ".join(figures.blocking) or "-",
            )
        )
    overall = result.overall
    rows.append(
        (
            OVERALL,
            _score(overall.score),
            _level(instrument, overall.level),
            f"{overall.coverage:.0%}",
            "",
        )
    )
    yield from _table(rows, right_aligned={1, 3})


def _theme_table(instrument: Instrument, result: ScoreResult) -> Iterator[str]:
    rows = [("THEME", "SCORE", "COVERAGE")]
    for theme_id, theme in instrument.themes.items():
        figures = result.themes[theme_id]
        rows.append((str(theme.title), _score(figures.score), f"{figures.coverage:.0%}"))
    yield from _table(rows, right_aligned={1, 2})


def _roadmap_lines(instrument: Instrument, roadmap: Roadmap) -> Iterator[str]:
    targets = ", ".join(f"{d} {level}" for d, level in roadmap.targets.items())
    yield f"ROADMAP (targets: {targets})"
    if not roadmap.phases and not roadmap.unreached:
        yield "  nothing to do: every target is reached"
    for phase in roadmap.phases:
        yield from _phase_lines(instrument, phase)
    for dimension_id, level in roadmap.unreached.items():
        yield (
            f"  not reached: {dimension_id} stays at level {level} of target "
            f"{roadmap.targets[dimension_id]} (nothing applicable is left to act on)"
        )


def _phase_lines(instrument: Instrument, phase: RoadmapPhase) -> Iterator[str]:
    yield ""
    yield f"{phase.title} (months {phase.start_month}-{phase.end_month})"
    for action in phase.actions:
        where = "baseline obligation" if action.baseline else f"level {action.level}"
        yield (
            f"  - {action.practice_id} ({where}; effort {action.effort}, "
            f"impact {action.impact}): {action.action}"
        )
        if action.depends_on:
            yield f"      after: {', '.join(action.depends_on)}"
    projected = ", ".join(
        f"{dimension_id} {_score(p.score)} (level {p.level}{_partial(p.coverage)})"
        for dimension_id, p in phase.projected.items()
    )
    overall = phase.projected_overall
    yield f"  projected: {projected}"
    yield (
        f"  projected overall: {_score(overall.score)} ({_level(instrument, overall.level)}"
        f"{_partial(overall.coverage)})"
    )


def _partial(coverage: float) -> str:
    """', over 40% answered' when a projection covers only part of what applies."""
    return "" if coverage >= 1.0 else f", over {coverage:.0%} answered"


def _table(rows: Sequence[tuple[str, ...]], right_aligned: set[int]) -> Iterator[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if column in right_aligned else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()


def _score(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def _level(instrument: Instrument, number: int) -> str:
    return f"{number} {level_name(instrument, number)}"

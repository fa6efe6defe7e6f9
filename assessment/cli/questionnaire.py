"""`assessment questionnaire ...`: validate, list and show instruments."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from assessment.domain.formats.instrument_dict import instrument_to_dict
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.loading.crosswalk import is_crosswalk_file
from assessment.domain.loading.loader import InstrumentError, Problem, load_instrument
from assessment.domain.model.instrument import Dimension, Instrument, Practice, PracticeKind, Text
from assessment.queries.instruments import default_catalog

EXIT_INVALID = 2

_T = TypeVar("_T")
_TextFn = Callable[[Text], str]

directory_option = click.option(
    "--directory",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder of instrument files (default: the bundled questionnaires).",
)


@click.group()
def questionnaire() -> None:
    """Work with questionnaire instruments."""


@questionnaire.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check instrument and crosswalk files; print each problem as FILE:LINE: PATH: MESSAGE."""
    all_valid = True
    shown: set[Problem] = set()  # a crosswalk's check repeats its folder's instrument problems
    for path in paths:
        if is_crosswalk_file(path):
            all_valid = _validate_crosswalk(path, shown) and all_valid
            continue
        try:
            instrument = load_instrument(path)
        except InstrumentError as error:
            _echo_problems(error, shown)
            all_valid = False
            continue
        click.echo(f"OK {path} ({instrument.key}: {_counts(instrument)})")
    if not all_valid:
        raise click.exceptions.Exit(EXIT_INVALID)


def _validate_crosswalk(path: Path, shown: set[Problem]) -> bool:
    """Check a crosswalk against the instruments of its own folder."""
    catalog = InstrumentCatalog(path.parent)
    try:
        instruments = {instrument.key: instrument for instrument in catalog.all()}
        crosswalk = catalog.load_crosswalk(path, instruments)
    except InstrumentError as error:
        _echo_problems(error, shown)
        return False
    links = _plural(len(crosswalk.links), "link")
    click.echo(f"OK {path} ({crosswalk.key}: {links})")
    return True


@questionnaire.command(name="list")
@directory_option
def list_instruments(directory: Path | None) -> None:
    """List the bundled instruments, then the crosswalks between their versions."""
    catalog = _catalog(directory)
    instruments = _or_exit(catalog.all)
    if not instruments:
        click.echo(f"no instruments in {catalog.directory}")
        return
    rows = [("ID", "VERSION", "DIMENSIONS", "PRACTICES", "THEMES", "TITLE")]
    rows += [
        (
            i.id,
            i.version,
            str(len(i.dimensions)),
            str(sum(1 for _ in i.practices())),
            str(len(i.themes)),
            str(i.title),
        )
        for i in instruments
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]))
    crosswalks = _or_exit(catalog.crosswalks)
    if crosswalks:
        click.echo("")
        click.echo("CROSSWALKS")
        for crosswalk in crosswalks:
            click.echo(f"{crosswalk.key}  ({_plural(len(crosswalk.links), 'link')})")


@questionnaire.command()
@click.argument("ref")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option("--language", default=None, help="Show texts in this language only.")
@directory_option
def show(ref: str, output_format: str, language: str | None, directory: Path | None) -> None:
    """Show an instrument: REF is ID (latest version), ID@VERSION or a YAML file."""
    catalog = _catalog(directory)
    instrument = _or_exit(lambda: catalog.get(ref))
    if output_format == "json":
        data = instrument_to_dict(instrument, language)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for line in outline(instrument, language or instrument.languages[0]):
        click.echo(line)


def outline(instrument: Instrument, language: str) -> Iterator[str]:
    """A readable outline of the instrument, line by line."""

    def text(value: Text) -> str:
        return value.get(language)

    yield f"{text(instrument.title)} ({instrument.key})"
    yield text(instrument.description)
    yield ""
    yield f"Languages: {', '.join(instrument.languages)}"
    scoring = instrument.scoring
    yield (
        f"Scoring: met at credit {scoring.met_at:g}; dimension level {scoring.level_rule.value}; "
        f"overall level {scoring.overall_level_rule.value}"
        + (
            f"; gating {scoring.gating.value}; baseline cap "
            f"{'none' if scoring.baseline_cap is None else scoring.baseline_cap}"
            if instrument.format >= 2
            else ""
        )
    )
    yield ""
    yield "Levels"
    for level in instrument.levels:
        yield f"  {level.number}  {text(level.name)}: {text(level.description)}"
    yield ""
    yield "Answer sets"
    for set_id, answer_set in instrument.answer_sets.items():
        options = ", ".join(f"{o.id} ({o.credit:g})" for o in answer_set.options)
        yield f"  {set_id}: {options}"
        for option in answer_set.options:
            if option.definition is not None:
                yield f"    {option.id}: {text(option.definition)}"
    yield ""
    yield "Phases"
    for phase in instrument.phases:
        yield f"  {phase.id}: {text(phase.title)} (months {phase.start_month}-{phase.end_month})"
    yield ""
    yield "Dimensions"
    for dimension in instrument.dimensions:
        yield from _dimension_outline(dimension, text)
    yield "Themes"
    for theme_id, theme in instrument.themes.items():
        count = sum(1 for p in instrument.practices() if theme_id in p.themes)
        yield f"  {theme_id}: {text(theme.title)} ({_plural(count, 'practice')})"
    yield ""
    yield "Profile"
    for question in instrument.profile:
        details = [question.kind, *(["required"] if question.required else [])]
        if question.options:
            details.append("options " + ", ".join(option.id for option in question.options))
        yield f"  {question.id}: {text(question.label)} ({'; '.join(details)})"


def _dimension_outline(dimension: Dimension, text: _TextFn) -> Iterator[str]:
    count = _plural(len(dimension.practices), "practice")
    yield f"  {dimension.id}: {text(dimension.title)} (weight {dimension.weight:g}, {count})"
    yield f"    {text(dimension.description)}"
    for number, description in sorted(dimension.level_descriptions.items()):
        yield f"    level {number}: {text(description)}"
    for practice in dimension.practices:
        yield from _practice_outline(practice, text)
    yield ""


def _practice_outline(practice: Practice, text: _TextFn) -> Iterator[str]:
    if practice.kind is PracticeKind.MATURITY:
        place = f"level {practice.level}, weight {practice.weight:g}"
    else:
        place = practice.kind.value
    details = [place, practice.answer_set.id]
    details += ["critical"] if practice.critical else []
    details += [f"alternative for {practice.requirement}"] if practice.requirement else []
    condition = practice.show_if
    if condition is not None and condition.profile_id is not None:
        details.append(f"only if {condition.profile_id} is {' or '.join(condition.any_of)}")
    yield f"    - {practice.id} ({', '.join(details)})"
    yield f"      {text(practice.text)}"
    if practice.themes:
        yield f"      themes: {', '.join(practice.themes)}"


def _counts(instrument: Instrument) -> str:
    practices = sum(1 for _ in instrument.practices())
    dimensions = _plural(len(instrument.dimensions), "dimension")
    return f"{dimensions}, {_plural(practices, 'practice')}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _catalog(directory: Path | None) -> InstrumentCatalog:
    return default_catalog() if directory is None else InstrumentCatalog(directory)


def _or_exit(load: Callable[[], _T]) -> _T:
    """The result of `load`, or exit 2 after printing why it failed."""
    try:
        return load()
    except InstrumentError as error:
        _echo_problems(error)
    except LookupError as error:
        click.echo(f"error: {error}", err=True)
    raise click.exceptions.Exit(EXIT_INVALID)


def _echo_problems(error: InstrumentError, shown: set[Problem] | None = None) -> None:
    """Print each problem once (those in `shown` were printed already)."""
    for problem in error.problems:
        if shown is not None and problem in shown:
            continue
        click.echo(str(problem), err=True)
        if shown is not None:
            shown.add(problem)

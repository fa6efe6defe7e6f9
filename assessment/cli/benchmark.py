"""`assessment benchmark`: a round's peer statistics, withheld below the anonymity threshold."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import click

from assessment import config
from assessment.cli.database import CommandError, database_url_option, opened_session
from assessment.domain.formats.figures_dict import statistics_to_dict
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.benchmark import (
    AnonymityError,
    CellStatistics,
    GroupRefused,
    PeerGroup,
    PeerStatistics,
    validate_k,
)
from assessment.domain.rules.disclosure import quartiles_from
from assessment.presentation.labels import FigureNames
from assessment.queries.instruments import round_instrument
from assessment.services import benchmarking, rounds

HEADER = ("figure", "n", "q1", "median", "q3")
LABEL_WIDTH = 38


@click.command()
@click.option("--round", "round_ref", required=True, metavar="R", help="Round name or id.")
@click.option("--country", default=None, help="Only agencies of this country (ISO code).")
@click.option("--type", "agency_type", default=None, help="Only agencies of this type.")
@click.option(
    "--size",
    "size_band",
    default=None,
    help="Only agencies of this workforce band (total staff), e.g. 250-999.",
)
@click.option(
    "--k",
    "k",
    type=int,
    default=None,
    help="Anonymity threshold: smallest group shown (default ANONYMITY_K or 5; at least 3).",
)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
@database_url_option
def benchmark(
    round_ref: str,
    country: str | None,
    agency_type: str | None,
    size_band: str | None,
    k: int | None,
    output: str,
    database_url: str | None,
) -> None:
    """Peer statistics of a round: n, quartiles, mean and levels per figure."""
    threshold = _threshold(k)
    group = PeerGroup(country=country, agency_type=agency_type, size_band=size_band)
    with opened_session(database_url) as session:
        round_ = rounds.find_round(session, round_ref)
        try:
            statistics = benchmarking.round_statistics(
                session, round_id=round_.id, group=group, k=threshold
            )
        except GroupRefused as refused:
            raise CommandError(str(refused)) from None
        instrument = round_instrument(round_)
        title = f"Round {round_.name} ({round_.instrument_id} {round_.instrument_version})"
    if output == "json":
        click.echo(json.dumps({"round": round_.name, **statistics_to_dict(statistics)}, indent=2))
    else:
        for line in statistics_lines(title, statistics, instrument):
            click.echo(line)


def _threshold(k: int | None) -> int:
    try:
        if k is None:
            return config.anonymity_k(os.environ.get("ANONYMITY_K", config.DEFAULT_ANONYMITY_K))
        return validate_k(k)
    except (AnonymityError, config.ConfigError) as error:
        raise CommandError(f"--k: {error}") from None


def statistics_lines(
    title: str, statistics: PeerStatistics, instrument: Instrument | None
) -> Iterator[str]:
    """The statistics as a plain-text table, one figure per line."""
    agencies = (
        f"{statistics.n_agencies} agencies"
        if statistics.n_agencies is not None
        else f"fewer than {statistics.k} agencies"
    )
    yield f"{title}, {statistics.group.describe()}: {agencies}, K = {statistics.k}"
    yield ""
    yield _row(HEADER) + "  levels"
    for cell in statistics.cells:
        yield _cell_line(cell, figure_label(cell.scope, cell.key, instrument), statistics.k)
    yield ""
    yield (
        f"Whole points; the median from {statistics.k} agencies, quartiles from "
        f"{quartiles_from(statistics.k)} ('-' below); never a minimum, maximum or mean."
    )


def figure_label(scope: str, key: str, instrument: Instrument | None) -> str:
    """A figure's name for the table; themes are marked as such."""
    title = FigureNames(instrument).figure(scope, key)
    return f"{title} (theme)" if scope == "theme" else title


def _cell_line(cell: CellStatistics, label: str, k: int) -> str:
    summary = cell.summary
    name = label[:LABEL_WIDTH]
    if summary is None:
        n = str(cell.n) if cell.n is not None else f"<{k}"
        return f"{name:<{LABEL_WIDTH}} {n:>6}  {cell.withheld_reason}"
    figures = (summary.q1, summary.median, summary.q3)
    values = (name, str(summary.n), *("-" if v is None else f"{v:.0f}" for v in figures))
    levels = ", ".join(
        f"{lc.level}: {lc.count if lc.count is not None else f'<{k}'}" for lc in cell.levels
    )
    return _row(values) + (f"  {levels}" if levels else "")


def _row(values: tuple[str, ...]) -> str:
    label, *numbers = values
    return f"{label:<{LABEL_WIDTH}} " + " ".join(f"{value:>6}" for value in numbers)

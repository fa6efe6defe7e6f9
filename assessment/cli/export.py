"""`assessment export`: a round's results (one row per agency) or answers (one row per
stored answer) as CSV, JSON or XLSX, optionally for one peer group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assessment.cli.database import CommandError, database_url_option, opened_session
from assessment.domain.rules.benchmark import PeerGroup
from assessment.services import export, rounds


@click.command("export")
@click.option("--round", "round_ref", required=True, metavar="ROUND", help="Round name or id.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json", "xlsx"]),
    default="csv",
    show_default=True,
    help="xlsx holds both tables and a sheet defining every column (needs -o).",
)
@click.option(
    "--table",
    type=click.Choice(export.EXPORT_TABLES),
    default="results",
    show_default=True,
    help="results: one row per agency; answers: one row per stored answer.",
)
@click.option("--country", help="Only agencies of this country code.")
@click.option("--type", "agency_type", help="Only agencies of this type.")
@click.option("--size", "size_band", help="Only agencies of this size band.")
@click.option("--comments", is_flag=True, help="Add evidence comments to the answers table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@database_url_option
def export_command(
    round_ref: str,
    output_format: str,
    table: str,
    country: str | None,
    agency_type: str | None,
    size_band: str | None,
    comments: bool,
    output: Path | None,
    database_url: str | None,
) -> None:
    """Export a round's results or answers (CSV, JSON or XLSX) to a file or stdout."""
    if output_format == "xlsx" and output is None:
        raise CommandError("--format xlsx writes a workbook: give the file with -o FILE.xlsx")
    group = PeerGroup(country, agency_type, size_band)
    with opened_session(database_url) as session:
        round_ = rounds.find_round(session, round_ref)
        tables = export.round_tables(session, round_.id, group=group, comments=comments)
    chosen = tables[table]
    if output is None:
        _write_export(chosen, output_format, sys.stdout)
        return
    try:
        if output_format == "xlsx":
            output.write_bytes(export.workbook_of(tables))
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                _write_export(chosen, output_format, stream)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from None
    written = (
        ", ".join(f"{len(t.rows)} {name} rows" for name, t in tables.items())
        if output_format == "xlsx"
        else f"{len(chosen.rows)} {table} rows"
    )
    click.echo(f"Wrote {written} of round {chosen.round_name} to {output}.", err=True)


def _write_export(table: export.RoundExport, output_format: str, stream: Any) -> None:
    if output_format == "json":
        stream.write(export.to_json(table))
    else:
        export.write_csv(table, stream)

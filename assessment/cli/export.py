"""`assessment export`: a round's results, one row per agency, as CSV or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assessment.cli.database import CommandError, database_url_option, opened_session
from assessment.services import export, rounds


@click.command("export")
@click.option("--round", "round_ref", required=True, metavar="ROUND", help="Round name or id.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@database_url_option
def export_command(
    round_ref: str, output_format: str, output: Path | None, database_url: str | None
) -> None:
    """Export a round's results: one row per agency (CSV or JSON) to a file or stdout."""
    with opened_session(database_url) as session:
        round_ = rounds.find_round(session, round_ref)
        table = export.round_export(session, round_.id)
    if output is None:
        _write_export(table, output_format, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as stream:
            _write_export(table, output_format, stream)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from None
    click.echo(f"Wrote {len(table.rows)} rows of round {table.round_name} to {output}.", err=True)


def _write_export(table: export.RoundExport, output_format: str, stream: Any) -> None:
    if output_format == "json":
        stream.write(export.to_json(table))
    else:
        export.write_csv(table, stream)

"""The `assessment` command: one sub-module per area registers its commands here."""

from __future__ import annotations

import click

from assessment.cli import (
    benchmark,
    demo_data,
    export,
    init,
    questionnaire,
    report,
    rounds,
    score,
    token,
    users,
)
from assessment.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Social-media maturity assessment of police and public-security agencies."""


main.add_command(questionnaire.questionnaire)
main.add_command(score.score)
main.add_command(serve)
main.add_command(benchmark.benchmark)
main.add_command(token.token)
main.add_command(report.report)
main.add_command(init.init)
main.add_command(demo_data.demo_data_command)
main.add_command(export.export_command)
main.add_command(users.user)
main.add_command(rounds.round_group)

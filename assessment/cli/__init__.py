"""The `assessment` command: one sub-module per area, imported only when its command runs.

`assessment --help` lists the commands from `COMMANDS` without importing any of them,
so it starts without pandas, SQLAlchemy, WeasyPrint or Alembic; a command imports its
own module (and what that needs) only when it is run or asked for its help.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a command is defined, and the one line `assessment --help` shows for it."""

    module: str
    name: str
    summary: str


COMMANDS: dict[str, LazyCommand] = {
    "benchmark": LazyCommand(
        "benchmark",
        "benchmark",
        "Peer statistics of a round: n, quartiles, mean and levels per figure.",
    ),
    "demo-data": LazyCommand(
        "demo_data",
        "demo_data_command",
        "Load a synthetic population: agencies, rounds 2024-2026, answers and demo logins.",
    ),
    "export": LazyCommand(
        "export",
        "export_command",
        "Export a round's results or answers (CSV, JSON or XLSX) to a file or stdout.",
    ),
    "init": LazyCommand(
        "init",
        "init",
        "Create the database or upgrade it to the newest schema (safe to run again).",
    ),
    "mail": LazyCommand("mail", "mail_group", "The mail outbox: `mail send` sends what is due."),
    "reminders": LazyCommand(
        "mail",
        "reminders",
        "Queue round-opened notices and deadline reminders (7 days left, last day).",
    ),
    "questionnaire": LazyCommand(
        "questionnaire", "questionnaire", "Work with questionnaire instruments."
    ),
    "report": LazyCommand("report", "report", "Render PDF reports."),
    "round": LazyCommand("rounds", "round_group", "Manage assessment rounds."),
    "score": LazyCommand(
        "score",
        "score",
        "Score an agency's answers: dimension levels, themes, overall and a phased roadmap.",
    ),
    "serve": LazyCommand(
        "serve",
        "serve",
        "Run the web application locally over http (for production use gunicorn).",
    ),
    "token": LazyCommand("token", "token", "Bearer tokens for the JSON API (/api/v1)."),
    "user": LazyCommand("users", "user", "Manage user accounts."),
    "worker": LazyCommand(
        "worker", "worker", "Render queued reports (from the web and `report batch`) until stopped."
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module of the command `name` and return the command."""
    lazy = COMMANDS[name]
    command = getattr(importlib.import_module(f"{__name__}.{lazy.module}"), lazy.name)
    if not isinstance(command, click.Command):
        raise TypeError(f"{lazy.module}.{lazy.name} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; its help lists their summaries.

    The summaries are shown whole (wrapped), so no command has to be imported to shorten one.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, lazy.summary) for name, lazy in sorted(COMMANDS.items())])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Social-media maturity assessment of police and public-security agencies."""

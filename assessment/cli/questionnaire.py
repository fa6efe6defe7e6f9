"""`assessment questionnaire ...`: validate, list and show instruments."""

from __future__ import annotations

import click


@click.group()
def questionnaire() -> None:
    """Work with questionnaire instruments."""

"""`assessment token create`: issue a bearer token for the read-only JSON API."""

from __future__ import annotations

import click

from assessment.cli.database import CommandError, database_url_option, opened_session
from assessment.queries.accounts import user_with_email
from assessment.services.accounts import create_api_token


@click.group()
def token() -> None:
    """Bearer tokens for the JSON API (/api/v1)."""


@token.command("create")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. 'dashboard'.")
@database_url_option
def create(email: str, name: str, database_url: str | None) -> None:
    """Create a token and print it once: only its hash is stored."""
    with opened_session(database_url) as session:
        user = user_with_email(session, email)
        if user is None or not user.active:
            raise CommandError(f"there is no active user with email {email!r}")
        secret = create_api_token(session, user=user, name=name)
        role = user.role.value
    click.echo(f"API token for {email} ({role}), shown only once; keep it secret:")
    click.echo(secret)
    click.echo("Send it as the header: Authorization: Bearer <token>")

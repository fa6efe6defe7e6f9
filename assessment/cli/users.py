"""`assessment user create`: admin, consultant and agency-lead accounts."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from assessment.cli.database import database_url_option, opened_session
from assessment.queries.agencies import agency_by_reference
from assessment.services import accounts
from assessment.services.errors import InvalidInput, NotFound
from assessment.store.models import Role


@click.group("user")
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="What the user may do.",
)
@click.option("--agency", "agency_ref", metavar="AGENCY", help="Agency name or id (leads only).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters; asked for when not given.",
)
@database_url_option
def create_user(
    email: str, role: str, agency_ref: str | None, password: str, database_url: str | None
) -> None:
    """Create an admin, consultant or agency-lead account."""
    with opened_session(database_url) as session:
        agency_id = _agency_id(session, agency_ref) if agency_ref else None
        created = accounts.create_user(
            session, email=email, password=password, role=role, agency_id=agency_id
        )
        click.echo(f"Created {created.role.value} {created.email} (id {created.id}).")


def _agency_id(session: Session, ref: str) -> int:
    try:
        return agency_by_reference(session, ref).id
    except NotFound as error:
        raise InvalidInput({"agency": str(error)}) from None

"""Every answer has its own revision; contributors have their assigned dimensions.

`answer.revision` starts at 1 and rises with every change of the answer; a save names
the revision of each answer it was based on and is refused for that practice when the
stored one differs. Answers stored before this revision start at 1.

`user_account.dimensions` lists the dimension ids a contributor (role "contributor", a
colleague the agency's lead invited) may answer; empty for every other account.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("dimensions", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("dimensions")
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("revision")

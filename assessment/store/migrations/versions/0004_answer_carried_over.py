"""Answers carried over from an earlier round are flagged until the lead confirms them.

`answer.carried_over` is true for an answer filled in from the agency's previous submitted
assessment (through a crosswalk when the questionnaire version changed) and false once
the lead saves or confirms it; every answer stored before this revision is the lead's own.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("answer") as batch:
        batch.add_column(
            sa.Column("carried_over", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("carried_over")

"""Stored results name the scoring they were computed with (assessment.scored_with).

Results stored before this revision have no key and show as stale until their round is
rescored (`assessment round rescore NAME`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("scored_with", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("scored_with")

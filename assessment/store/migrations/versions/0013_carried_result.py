"""Carried results: an earlier assessment's overall figure carried to a later questionnaire.

The agency list compares each agency's latest round with the one before; across
questionnaire versions the earlier answers are carried through the crosswalks and
scored. Storing that figure (with a digest of what it was computed from) spares every
process computing it again after a start.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "carried_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("equivalent_share", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_carried_result_assessment_id_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carried_result")),
        sa.UniqueConstraint(
            "assessment_id", "target", name=op.f("uq_carried_result_assessment_id_target")
        ),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("carried_result")

"""Consultants' report commentary and final reports kept as issued.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_report_note_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_report_note_author_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_note")),
        sa.UniqueConstraint(
            "assessment_id", "section", name=op.f("uq_report_note_assessment_id_section")
        ),
    )
    op.create_index(
        op.f("ix_report_note_assessment_id"), "report_note", ["assessment_id"], unique=False
    )
    op.create_table(
        "final_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_final_report_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_final_report_issued_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_report")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_final_report_assessment_id")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("final_report")
    op.drop_index(op.f("ix_report_note_assessment_id"), table_name="report_note")
    op.drop_table("report_note")

"""Report jobs for the task queue: one agency PDF or a round's batch, keyed by content.

Each item holds one agency's PDF (or the error), its state and the lease of the worker
rendering it, so that workers on several machines share a batch and an item whose
worker died is taken over by another.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_filters", sa.JSON(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_round.id"],
            name=op.f("fk_report_job_round_id_assessment_round"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_job_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job")),
        sa.UniqueConstraint("key", name=op.f("uq_report_job_key")),
    )
    op.create_table(
        "report_job_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("with_commentary", sa.Boolean(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="jobstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_key", sa.String(length=64), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["report_job.id"], name=op.f("fk_report_job_item_job_id_report_job")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_report_job_item_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job_item")),
    )
    for column in ("job_id", "state", "content_key"):
        op.create_index(
            op.f(f"ix_report_job_item_{column}"), "report_job_item", [column], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    for column in ("job_id", "state", "content_key"):
        op.drop_index(op.f(f"ix_report_job_item_{column}"), table_name="report_job_item")
    op.drop_table("report_job_item")
    op.drop_table("report_job")

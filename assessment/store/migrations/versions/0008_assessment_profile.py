"""An assessment keeps its own profile answers (the questionnaire's profile questions).

`assessment.profile` maps profile question ids to answers (a string, a number or a list of
option ids); conditions on the profile decide which practices apply. Empty for every
assessment stored before this revision: its profile is read from the agency's record
(country, agency type, size) where the questionnaire asks those.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("profile", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("profile")

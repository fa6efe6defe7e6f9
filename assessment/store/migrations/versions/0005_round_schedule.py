"""Round states follow their dates: `is_open` gives way to an administrator's decision.

A round is scheduled, open or closed by its dates unless an administrator opened or
closed it (`decided_state` at `decided_at`), see `assessment.domain.rules.schedule`.
Every existing round keeps its state: its former open or closed flag becomes a decision
taken now, which holds until the next date of its schedule passes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("scheduled", "open", "closed")
_ROUND = sa.table(
    "assessment_round",
    sa.column("is_open", sa.Boolean()),
    sa.column("decided_state", sa.String(20)),
    sa.column("decided_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("assessment_round") as batch:
        batch.add_column(
            sa.Column(
                "decided_state",
                sa.Enum(*_STATES, name="roundstate", native_enum=False, length=20),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    now = datetime.now(UTC)
    for flag, state in ((True, "open"), (False, "closed")):
        op.execute(
            _ROUND.update()
            .where(_ROUND.c.is_open.is_(flag))
            .values(decided_state=state, decided_at=now)
        )
    with op.batch_alter_table("assessment_round") as batch:
        batch.drop_column("is_open")


def downgrade() -> None:
    """Undo this revision: a round comes back open unless an administrator closed it."""
    with op.batch_alter_table("assessment_round") as batch:
        batch.add_column(
            sa.Column("is_open", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(_ROUND.update().where(_ROUND.c.decided_state == "closed").values(is_open=False))
    with op.batch_alter_table("assessment_round") as batch:
        batch.drop_column("decided_at")
        batch.drop_column("decided_state")

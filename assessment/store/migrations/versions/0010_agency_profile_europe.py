"""Agency profiles for Europe: the types of European forces, workforce bands in total staff
and a policing model.

New column `agency.policing_model` (empty: not stated). Existing agencies move to the new
codes (`assessment.domain.model.agency_profile`):

- types `national`, `regional`, `local` and `specialist` keep their codes (the new types
  `gendarmerie` and `national-unit` are chosen by an administrator where they fit);
- sworn-officer bands become total-staff bands: `under-100` -> `under-250`, `100-999` ->
  `250-999`, `1000-9999` -> `1000-4999`, `10000-plus` -> `5000-19999`.

The old codes are kept in the agency's profile under `migrated_from`, so the move can be
checked and undone. The mapping is written out here, not imported, so this revision stays
what it was when the codes change again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = {
    "national": "national",
    "regional": "regional",
    "local": "local",
    "specialist": "specialist",
}
SIZE_BANDS = {
    "under-100": "under-250",
    "100-999": "250-999",
    "1000-9999": "1000-4999",
    "10000-plus": "5000-19999",
}

_agency = sa.table(
    "agency",
    sa.column("id", sa.Integer),
    sa.column("agency_type", sa.String),
    sa.column("size_band", sa.String),
    sa.column("profile", sa.JSON),
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("agency") as batch:
        batch.add_column(
            sa.Column("policing_model", sa.String(40), nullable=False, server_default="")
        )
    connection = op.get_bind()
    for row in connection.execute(sa.select(_agency)).all():
        new_type = TYPES.get(row.agency_type, row.agency_type)
        new_band = SIZE_BANDS.get(row.size_band, row.size_band)
        if (new_type, new_band) == (row.agency_type, row.size_band):
            continue
        profile: dict[str, Any] = dict(row.profile or {})
        profile["migrated_from"] = {"agency_type": row.agency_type, "size_band": row.size_band}
        for key, value in (("agency_type", new_type), ("size_band", new_band)):
            if key in profile:
                profile[key] = value
        connection.execute(
            _agency.update()
            .where(_agency.c.id == row.id)
            .values(agency_type=new_type, size_band=new_band, profile=profile)
        )


def downgrade() -> None:
    """Undo this revision: migrated agencies get their old codes back."""
    connection = op.get_bind()
    for row in connection.execute(sa.select(_agency)).all():
        profile: dict[str, Any] = dict(row.profile or {})
        old = profile.pop("migrated_from", None)
        if not isinstance(old, dict):
            continue
        for key in ("agency_type", "size_band"):
            if key in profile:
                profile[key] = old[key]
        connection.execute(
            _agency.update()
            .where(_agency.c.id == row.id)
            .values(agency_type=old["agency_type"], size_band=old["size_band"], profile=profile)
        )
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("policing_model")

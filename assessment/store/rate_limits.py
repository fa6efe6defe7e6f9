"""Rate-limit counters in the database, so every worker and host counts together.

Each call is a short transaction of its own on the engine it is given (no ORM session):
counting a login attempt must not wait for, or commit, anything else. Keys are stored
as their SHA-256, so a huge email typed into the login form cannot bloat the table.
"""

from __future__ import annotations

import hashlib
import time
from typing import cast

from sqlalchemy import Table, case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from assessment.store.models import RateLimitCounter

_TABLE = cast(Table, RateLimitCounter.__table__)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def increment(engine: Engine, key: str, *, expiry: float, amount: int = 1) -> int:
    """Add `amount` to the window of `key` (a new one lasting `expiry` s); the new count."""
    now = time.time()
    insert = sqlite_insert if engine.dialect.name == "sqlite" else postgresql_insert
    fresh = insert(_TABLE).values(key_hash=_key_hash(key), hits=amount, expires_at=now + expiry)
    ended = _TABLE.c.expires_at <= now
    # One statement on one row: concurrent attempts at one key queue on its row lock.
    statement = fresh.on_conflict_do_update(
        index_elements=[_TABLE.c.key_hash],
        set_={
            "hits": case((ended, amount), else_=_TABLE.c.hits + amount),
            "expires_at": case((ended, now + expiry), else_=_TABLE.c.expires_at),
        },
    ).returning(_TABLE.c.hits)
    with engine.begin() as connection:
        hits: int = connection.execute(statement).scalar_one()
    # Ended windows of other keys go in a transaction of their own, which never holds a
    # row lock while waiting for another: no deadlock with concurrent attempts.
    with engine.begin() as connection:
        connection.execute(delete(_TABLE).where(_TABLE.c.expires_at <= now))
    return hits


def hits(engine: Engine, key: str) -> int:
    """The count in the current window of `key` (0 when there is none)."""
    with engine.connect() as connection:
        found = connection.execute(
            select(_TABLE.c.hits).where(
                _TABLE.c.key_hash == _key_hash(key), _TABLE.c.expires_at > time.time()
            )
        ).scalar_one_or_none()
    return int(found or 0)


def expiry(engine: Engine, key: str) -> float:
    """When the current window of `key` ends (epoch seconds; now when there is none)."""
    now = time.time()
    with engine.connect() as connection:
        found = connection.execute(
            select(_TABLE.c.expires_at).where(
                _TABLE.c.key_hash == _key_hash(key), _TABLE.c.expires_at > now
            )
        ).scalar_one_or_none()
    return float(found if found is not None else now)


def clear(engine: Engine, key: str) -> None:
    """Forget the window of `key`."""
    with engine.begin() as connection:
        connection.execute(delete(_TABLE).where(_TABLE.c.key_hash == _key_hash(key)))


def clear_all(engine: Engine) -> int:
    """Forget every window; returns how many there were."""
    with engine.begin() as connection:
        count = int(connection.execute(select(func.count()).select_from(_TABLE)).scalar_one())
        connection.execute(delete(_TABLE))
    return count


def reachable(engine: Engine) -> bool:
    """Whether the counters' table answers."""
    with engine.connect() as connection:
        connection.execute(select(func.count()).select_from(_TABLE))
    return True

"""`database://`: the login rate limiter counts in the application's own database.

Registered with the `limits` library by importing this module; Flask-Limiter then builds
it from RATELIMIT_STORAGE_URI with RATELIMIT_STORAGE_OPTIONS={"database_url": ...}
(set by `configure_security`). Every gunicorn worker and every host on the same database
shares the counts, with no extra service to run. Fixed windows only (the default
strategy), which is what the login limits use.
"""

from __future__ import annotations

from typing import Any

from limits.storage import Storage
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from assessment.store import rate_limits
from assessment.store.db import create_database_engine

SCHEME = "database"


class DatabaseStorage(Storage):
    """Rate-limit windows in the `rate_limit_counter` table."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the library's registry reads a list)

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        database_url: str = "",
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not database_url:
            raise ValueError(f"{SCHEME}:// needs RATELIMIT_STORAGE_OPTIONS['database_url']")
        self.database_url = database_url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The engine, made on first use (after gunicorn has forked the worker)."""
        if self._engine is None:
            self._engine = create_database_engine(self.database_url)
        return self._engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """What a failing database raises."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` more hits in the window of `key`."""
        return rate_limits.increment(self.engine, key, expiry=expiry, amount=amount)

    def get(self, key: str) -> int:
        """The hits in the current window of `key`."""
        return rate_limits.hits(self.engine, key)

    def get_expiry(self, key: str) -> float:
        """When the window of `key` ends (epoch seconds)."""
        return rate_limits.expiry(self.engine, key)

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            return rate_limits.reachable(self.engine)
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Forget every window."""
        return rate_limits.clear_all(self.engine)

    def clear(self, key: str) -> None:
        """Forget the window of `key`."""
        rate_limits.clear(self.engine, key)

    def dispose(self) -> None:
        """Close the pooled connections (end of a test or a process)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

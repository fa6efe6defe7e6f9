"""Login rate-limit counts in the database: every worker (here: every storage) counts together."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select

from assessment.store.db import Database
from assessment.store.models import RateLimitCounter
from assessment.web.rate_limit_storage import DatabaseStorage

FIVE_A_MINUTE = parse("5/minute")


@pytest.fixture
def workers(database_url: str) -> Iterator[list[DatabaseStorage]]:
    """Two storages on one database, as two gunicorn workers would hold them."""
    made = [DatabaseStorage("database://", database_url=database_url) for _ in range(2)]
    yield made
    for storage in made:
        storage.dispose()


def test_workers_count_the_same_attempts_together(workers: list[DatabaseStorage]) -> None:
    limiters = [FixedWindowRateLimiter(storage) for storage in workers]
    allowed = [
        limiters[i % 2].hit(FIVE_A_MINUTE, "login", "1.2.3.4|x@example.org") for i in range(7)
    ]
    assert allowed == [True] * 5 + [False] * 2
    assert workers[0].get("LIMITER/login/1.2.3.4|x@example.org/5/1/minute") == 7
    # Another key has its own window.
    assert limiters[1].hit(FIVE_A_MINUTE, "login", "5.6.7.8|x@example.org")


def test_a_window_ends_and_starts_afresh(workers: list[DatabaseStorage]) -> None:
    first, second = workers
    assert first.incr("k", expiry=1) == 1
    assert second.incr("k", expiry=1) == 2
    assert first.get_expiry("k") > time.time()
    time.sleep(1.1)
    assert second.get("k") == 0
    assert second.incr("k", expiry=60) == 1


def test_keys_are_stored_hashed_and_can_be_cleared(
    workers: list[DatabaseStorage], database_url: str
) -> None:
    storage = workers[0]
    huge = "LIMITER/login/" + "x" * 100_000
    assert storage.incr(huge, expiry=60) == 1
    storage.incr("other", expiry=60)
    database = Database(database_url)
    try:
        with database.session() as session:
            stored = session.scalars(select(RateLimitCounter.key_hash)).all()
        assert sorted(map(len, stored)) == [64, 64]
        storage.clear(huge)
        assert storage.get(huge) == 0 and storage.get("other") == 1
        assert storage.check() is True
        assert storage.reset() == 1
        assert storage.get("other") == 0
    finally:
        database.dispose()


def test_the_scheme_is_known_to_the_limits_library(database_url: str) -> None:
    storage = storage_from_string("database://", database_url=database_url)
    assert isinstance(storage, DatabaseStorage)
    with pytest.raises(ValueError, match="database_url"):
        storage_from_string("database://")


def test_concurrent_attempts_are_each_counted_once(workers: list[DatabaseStorage]) -> None:
    counts: list[int] = []
    lock = threading.Lock()

    def attempt(storage: DatabaseStorage) -> None:
        for _ in range(10):
            value = storage.incr("busy", expiry=60)
            with lock:
                counts.append(value)

    threads = [threading.Thread(target=attempt, args=(workers[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 41))
